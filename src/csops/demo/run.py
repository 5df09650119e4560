"""`csops demo`: generate the demo company, ingest it through the normal path, summarise."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console

from csops.ingest.pipeline import IngestContext
from csops.ingest.summary import IngestReport


@dataclass
class DemoResult:
    data_dir: Path
    report: IngestReport
    seconds_generate: float
    seconds_ingest: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "data_dir": str(self.data_dir),
            "seconds_generate": round(self.seconds_generate, 2),
            "seconds_ingest": round(self.seconds_ingest, 2),
            "ingest": self.report.as_dict(),
        }


def run_demo(
    ctx: IngestContext,
    *,
    accounts: int,
    months: int,
    seed: int,
    end: date,
    console: Console,
    ingest: Callable[[list[Path]], IngestReport],
) -> DemoResult:
    from csops.demo import generate_company

    data_dir = ctx.settings.workspace / "demo-data"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    started = time.perf_counter()
    with console.status("Generating the demo company…") as status:

        def progress(stage: str, done: int, total: int) -> None:
            status.update(f"Generating the demo company: {stage} {done:,}/{total:,}")

        generate_company(
            data_dir, accounts=accounts, months=months, seed=seed, end=end, progress=progress
        )
    generated = time.perf_counter()
    report = ingest([data_dir])
    return DemoResult(data_dir, report, generated - started, time.perf_counter() - generated)
