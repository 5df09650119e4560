"""Benchmark: onboarding and expansion for a large company, and the lift of the expansion flag.

Not a test: run it by hand and read the figures.

    python bench/onboarding_expansion.py                      # 20,000 accounts, 24 months
    python bench/onboarding_expansion.py --accounts 100000 --json
    python bench/onboarding_expansion.py --profile /tmp/prof  # cProfile per step

What it does:

1. Takes the shared bench company of that size (`bench/company.py`: generated and
   ingested once, reused; not timed).
2. Times, in this process:
   - opening the data: a DuckDB session over the event store and the store columns each
     specialist reads (`csops ingest` copies the store tables for analysis before it
     returns; `*_cache_built` says whether this run had to make a missing copy);
   - onboarding: journey progress of every account in the cohort window, weekly cohorts,
     funnel and proposals, and the JSON document (`csops onboarding --as-of D --json`);
   - expansion training: learning the likelihood model from the history before D
     (`csops expansion train --as-of D`; stored and reused by later days, as the churn
     model is);
   - expansion: signals, likelihood (with that model), expected added ARR and owners of
     every account paying on D, the summary and the Parquet file
     (`csops expansion signals --as-of D --out x.parquet`).
   D is the last day of the generated history.
3. The lift: qualifies as of E = D - horizon (90 days by default), then reads from the
   lines as known on D which accounts expanded (MRR or seats up) within (E, D]; reports
   the expansion rate of flagged and unflagged accounts and their ratio
   (`csops expansion backtest --as-of E`).
4. Prints each figure as soon as it is known: per step the wall-clock seconds, the CPU
   seconds of the process (DuckDB's threads included) and the peak resident memory so far
   (ru_maxrss, DuckDB's memory included).

Wall-clock seconds depend on whatever else the machine is doing; on a shared machine the
CPU seconds say more (SQL runs on every core, the Python parts on one).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from company import prepare_company  # bench/company.py: the script's folder is on sys.path
from figures import Figures, peak_mb, step

from csops.analytics.store_copy import copies_folder
from csops.department.expansion import service as expansion
from csops.department.expansion.backtest import backtest_on
from csops.department.expansion.config import load_config
from csops.department.expansion.export import write_table
from csops.department.onboarding import service as onboarding
from csops.department.onboarding.journey import load_journey
from csops.department.onboarding.warehouse import open_lean
from csops.store.database import make_engine


def cache_files(folder: Path) -> set[Path]:
    return set(folder.glob("*.duckdb")) if folder.exists() else set()


def timed_open(figures: Figures, name: str, open_: Callable[[], Any], cache: Path) -> Any:
    before = cache_files(cache)
    with step(figures, name, None):
        con = open_()
    figures[f"{name}_cache_built"] = bool(cache_files(cache) - before)
    return con


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--no-lift", action="store_true", help="skip the backtest")
    parser.add_argument("--profile", type=Path, help="write cProfile stats per step here")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    company = prepare_company(args.accounts, args.months)
    settings = company.settings
    engine = make_engine(settings)
    as_of = company.end - timedelta(days=1)
    journey = load_journey(None)
    config = load_config(None)
    cache = copies_folder(settings)
    figures = Figures(accounts=args.accounts, months=args.months, as_of=as_of.isoformat())

    con = timed_open(
        figures, "open_onboarding", lambda: open_lean(settings, engine, onboarding.TABLES), cache
    )
    figures["events"] = con.execute("SELECT count(*) FROM events").fetchall()[0][0]
    with step(figures, "onboarding", args.profile):
        result = onboarding.onboarding_on(con, as_of, journey)
        document = json.dumps(onboarding.summary_json(result))
    con.close()
    figures["onboarding_accounts"] = len(result.progress)
    figures["onboarding_now"] = len(result.onboarding_now())
    figures["onboarding_proposals"] = len(result.proposals)
    figures["onboarding_cohorts"] = len(result.cohorts)
    figures["onboarding_json_kb"] = round(len(document) / 1024)
    del result, document

    con = timed_open(
        figures, "open_expansion", lambda: open_lean(settings, engine, expansion.TABLES), cache
    )
    # As `csops expansion train` then `csops expansion signals`: the likelihood model is
    # learned once and stored, and each later day's qualification reuses it.
    with step(figures, "expansion_train", args.profile):
        scorer, dates = expansion.learn(con, as_of, config)
    figures["expansion_training_dates"] = [d.isoformat() for d in dates]
    with tempfile.TemporaryDirectory() as folder, step(figures, "expansion", args.profile):
        qualified = expansion.qualify(con, as_of, config, "default", stored=(as_of, scorer))
        write_table(
            Path(folder) / "signals.parquet",
            expansion.signal_rows(qualified),
            expansion.SIGNAL_COLUMNS,
        )
        summary = expansion.summary(qualified)
    figures["paying_accounts"] = summary["paying_accounts"]
    figures["flagged"] = summary["flagged"]
    figures["flagged_share"] = round(summary["flagged"] / max(summary["paying_accounts"], 1), 4)
    figures["likelihood_method"] = summary["likelihood"]["method"]
    figures["signal_counts"] = summary["signal_counts"]
    del qualified

    if not args.no_lift:
        earlier = as_of - timedelta(days=config.horizon_days)
        with step(figures, "lift", args.profile):
            backtest = backtest_on(con, earlier, config).as_dict()
        for key in ("as_of", "outcome_known_on", "likelihood_method", "flagged"):
            figures[f"lift_{key}"] = backtest[key]
        flagged_share = backtest["flagged"] / max(backtest["flagged"] + backtest["unflagged"], 1)
        figures["lift_flagged_share"] = round(flagged_share, 4)
        figures["lift_flagged_rate"] = backtest["precision"]
        figures["lift_unflagged_rate"] = backtest["unflagged_rate"]
        figures["lift"] = backtest["lift"]
        figures["lift_auc"] = backtest["auc"]
    con.close()
    engine.dispose()
    figures["peak_memory_mb"] = round(peak_mb())
    if args.json:
        print(json.dumps(figures, indent=2, default=str))
        return
    for key, value in figures.items():
        print(f"{key:30} {value:.2f}" if isinstance(value, float) else f"{key:30} {value}")


if __name__ == "__main__":
    main()
