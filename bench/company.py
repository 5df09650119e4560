"""One generated company per size, shared by the benchmarks under bench/.

Generating and ingesting a large company takes minutes (about 40 for 100,000 accounts),
so it is done once per (accounts, months) into `root/<accounts>x<months>/` and reused.
The end date it was generated with is kept beside the workspace: a later run uses the
same as-of dates even on another day.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from csops.analytics.store_copy import ensure_copies
from csops.cli import app
from csops.config import Settings
from csops.demo import generate_company
from csops.demo.variant import rewrite_company
from csops.ingest.batch import ingest_paths
from csops.ingest.pipeline import IngestContext
from csops.store.database import make_engine, upgrade_schema

DEFAULT_ROOT = Path("/tmp/csops-bench")


@dataclass(frozen=True, slots=True)
class BenchCompany:
    settings: Settings
    end: date  # history runs up to (not including) this day
    data_dir: Path


def prepare_company(
    accounts: int, months: int, root: Path = DEFAULT_ROOT, seed: int = 7
) -> BenchCompany:
    """The generated and ingested company of this size; generates it on first use."""
    folder = root / (f"{accounts}x{months}" + ("" if seed == 7 else f"-s{seed}"))
    settings = Settings(home=folder / "ws")
    marker = folder / "ws" / "bench-ready"
    if marker.exists():
        end = date.fromisoformat(marker.read_text().strip())
        return BenchCompany(settings, end, folder / "data")
    end = datetime.now(UTC).date()
    engine = make_engine(settings)
    upgrade_schema(engine)
    started = time.perf_counter()
    print(f"generating {accounts:,} accounts x {months} months ...", file=sys.stderr, flush=True)
    paths = generate_company(folder / "data", accounts=accounts, months=months, end=end, seed=seed)
    generated = time.perf_counter()
    print(f"  generated in {generated - started:.0f} s; ingesting ...", file=sys.stderr, flush=True)
    now = datetime.now(UTC).replace(tzinfo=None)
    ingest_paths(IngestContext(settings, engine, now), [p for ps in paths.values() for p in ps])
    ingested = time.perf_counter()
    print(f"  ingested in {ingested - generated:.0f} s", file=sys.stderr, flush=True)
    ensure_copies(settings, engine)  # as `csops ingest` does before it returns
    print(
        f"  tables copied for analysis in {time.perf_counter() - ingested:.0f} s",
        file=sys.stderr,
        flush=True,
    )
    engine.dispose()
    marker.write_text(end.isoformat())
    return BenchCompany(settings, end, folder / "data")


def prepare_other_company(
    accounts: int, months: int, root: Path = DEFAULT_ROOT, seed: int = 7
) -> BenchCompany:
    """The same company in a stranger's vocabulary (csops.demo.variant), ingested."""
    demo = prepare_company(accounts, months, root, seed)
    folder = demo.data_dir.parent.with_name(demo.data_dir.parent.name + "-other")
    settings = Settings(home=folder / "ws")
    marker = folder / "ws" / "bench-ready"
    if marker.exists():
        return BenchCompany(settings, demo.end, folder / "data")
    engine = make_engine(settings)
    upgrade_schema(engine)
    print("rewriting it as another company ...", file=sys.stderr, flush=True)
    paths = rewrite_company(demo.data_dir, folder / "data")
    now = datetime.now(UTC).replace(tzinfo=None)
    ingest_paths(IngestContext(settings, engine, now), [p for ps in paths.values() for p in ps])
    ensure_copies(settings, engine)
    engine.dispose()
    marker.write_text(demo.end.isoformat())
    return BenchCompany(settings, demo.end, folder / "data")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Generate and ingest a bench company")
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args()
    company = prepare_company(args.accounts, args.months)
    print(company.settings.home, company.end)


def command(company: BenchCompany, *args: str) -> dict[str, Any]:
    """`csops ARGS --json` on the company's workspace: its JSON document."""
    result = CliRunner().invoke(app, ["--workspace", str(company.settings.home), *args, "--json"])
    if result.exit_code != 0:
        raise SystemExit(f"csops {' '.join(args)} failed: {result.output}")
    document: dict[str, Any] = json.loads(result.stdout)
    return document
