"""What every benchmark prints: figures as they come, wall and CPU seconds, peak memory."""

from __future__ import annotations

import cProfile
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class Figures(dict[str, Any]):
    """Figures, each also printed to stderr as soon as it is known (a long run that fails
    late still leaves its earlier figures)."""

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        shown = f"{value:.2f}" if isinstance(value, float) else value
        print(f"  {key}: {shown}", file=sys.stderr, flush=True)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """CPU seconds of this process so far, DuckDB's threads included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def step(figures: Figures, name: str, profile: Path | None) -> Iterator[None]:
    """Times the block into `<name>_s` and `<name>_cpu_s` (and profiles it into
    `profile/<name>.prof`)."""
    profiler = cProfile.Profile() if profile else None
    started, cpu = time.perf_counter(), cpu_s()
    if profiler:
        profiler.enable()
    try:
        yield
    finally:
        if profiler and profile:
            profiler.disable()
            profile.mkdir(parents=True, exist_ok=True)
            profiler.dump_stats(profile / f"{name}.prof")
        figures[f"{name}_s"] = round(time.perf_counter() - started, 2)
        figures[f"{name}_cpu_s"] = round(cpu_s() - cpu, 2)
        figures[f"peak_mb_after_{name}"] = round(peak_mb())
