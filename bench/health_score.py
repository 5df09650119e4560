"""Benchmark: health features, training and scoring for a large company.

Not a test: run it by hand and read the figures.

    python bench/health_score.py                        # 20,000 accounts, 24 months
    python bench/health_score.py --accounts 2000 --months 24 --json

What it does:

1. Generates (once; reused if the workspace exists) the demo company with
   `csops.demo.generate_company` into `--data-dir` and ingests it into a workspace
   there (neither is timed).
2. Times, in this process: opening the warehouse (store tables to DuckDB), the daily
   event aggregates, the features of every account active on the as-of day, training the
   churn model (features of every observation day, both learners, calibration), scoring
   (model + scorecard + signals for every account), and a backtest with one origin.
3. Prints each step's seconds and the process's peak resident memory (ru_maxrss, which
   includes DuckDB's memory).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from csops.analytics.warehouse import open_warehouse
from csops.config import Settings
from csops.demo import generate_company
from csops.health.backtest import run_backtest
from csops.health.dataset import HealthData
from csops.health.scorecard import load_scorecard
from csops.health.scoring import score_day
from csops.ingest.batch import ingest_paths
from csops.ingest.pipeline import IngestContext
from csops.store.database import make_engine, upgrade_schema


class Figures(dict[str, Any]):
    """Figures, each also printed to stderr as soon as it is known (a long run that fails
    late still leaves its earlier figures)."""

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        print(f"  {key}: {value}", file=sys.stderr, flush=True)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(folder: Path, accounts: int, months: int, end: date) -> Settings:
    settings = Settings(home=folder / "ws")
    marker = folder / "ws" / "bench-ready"
    engine = make_engine(settings)
    upgrade_schema(engine)
    if not marker.exists():
        print(f"generating {accounts} accounts x {months} months ...", file=sys.stderr)
        paths = generate_company(folder / "data", accounts=accounts, months=months, end=end)
        now = datetime.now(UTC).replace(tzinfo=None)
        ingest_paths(IngestContext(settings, engine, now), [p for ps in paths.values() for p in ps])
        marker.write_text("ok")
    engine.dispose()
    return settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/csops-bench-health"))
    parser.add_argument("--horizon-days", type=int, default=90)
    parser.add_argument("--no-backtest", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    end = datetime.now(UTC).date()
    folder = args.data_dir / f"{args.accounts}x{args.months}"
    settings = prepare(folder, args.accounts, args.months, end)
    as_of = end - timedelta(days=1)
    figures = Figures(accounts=args.accounts, months=args.months)

    t = time.perf_counter()
    con = open_warehouse(settings, make_engine(settings))
    figures["open_warehouse_s"] = time.perf_counter() - t
    figures["events"] = con.execute("SELECT COUNT(*) FROM events").fetchall()[0][0]
    t = time.perf_counter()
    data = HealthData(con, as_of)
    figures["event_aggregates_s"] = time.perf_counter() - t
    t = time.perf_counter()
    frame = data.frame(as_of)
    figures["features_s"] = time.perf_counter() - t
    figures["active_accounts"] = len(frame)
    figures["features"] = len(frame.names)
    card = load_scorecard(None, set(frame.names))
    t = time.perf_counter()
    model = data.train(as_of, args.horizon_days, card)
    figures["train_s"] = time.perf_counter() - t
    figures["training_rows"] = model.metadata["rows"]
    figures["chosen"] = model.metadata.get("chosen")
    t = time.perf_counter()
    scores = score_day(frame, model, card, as_of)
    figures["score_s"] = time.perf_counter() - t
    figures["scored"] = len(scores)
    if not args.no_backtest:
        t = time.perf_counter()
        bt = run_backtest(data, card, as_of, args.horizon_days, origins=1)
        figures["backtest_s"] = time.perf_counter() - t
        figures["backtest_model_auc"] = bt.get("model", {}).get("auc")
        figures["backtest_naive_auc"] = bt.get("naive", {}).get("auc")
    figures["peak_memory_mb"] = peak_mb()
    if args.json:
        print(json.dumps(figures, indent=2, default=str))
        return
    for key, value in figures.items():
        print(f"{key:22} {value:.2f}" if isinstance(value, float) else f"{key:22} {value}")


if __name__ == "__main__":
    main()
