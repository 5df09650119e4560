"""Benchmark: does the department's judgement carry over to a company it has never seen?

    python bench/other_company.py                       # 3,000 accounts, 24 months
    python bench/other_company.py --accounts 5000 --json

Runs the same measurements on the demo company and on the same company rewritten into a
stranger's vocabulary (`csops.demo.variant`: other plan and segment names, meaningless
event names, no login events, 60% of the events, only the contract's columns):

- health: churn model vs scorecard vs naive baseline, AUC and top-decile lift over
  `--origins` past as-of days (`csops health backtest`);
- expansion: accounts flagged at an as-of day `--expansion-lookback` days before the end,
  share that expanded in the next 90 days vs the unflagged, and the ratio (lift)
  (`csops expansion backtest`).

Prints both side by side; the figures should be close, and each clearly above its naive
baseline. Data are generated once per size by bench/company.py (not timed).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from typing import Any

from company import BenchCompany, command, prepare_company, prepare_other_company


def measure(company: BenchCompany, origins: int, lookback: int) -> dict[str, Any]:
    last = company.end - timedelta(days=1)
    health = command(
        company, "health", "backtest", "--as-of", last.isoformat(), "--origins", str(origins)
    )
    expansion_day = last - timedelta(days=lookback)
    expansion = command(company, "expansion", "backtest", "--as-of", expansion_day.isoformat())
    figures: dict[str, Any] = {"accounts_days": health["accounts"], "churned": health["churned"]}
    for who in ("model", "scorecard", "naive"):
        figures[f"health_{who}_auc"] = health[who]["auc"]
        figures[f"health_{who}_lift"] = health[who]["top_decile_lift"]
    figures["model_brier"] = health["model"].get("brier")
    for key in ("flagged", "precision", "unflagged_rate", "lift", "auc", "likelihood_method"):
        figures[f"expansion_{key}"] = expansion[key]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--accounts", type=int, default=3000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--origins", type=int, default=3)
    parser.add_argument("--expansion-lookback", type=int, default=120)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = {}
    for name, prepare in (("demo", prepare_company), ("other", prepare_other_company)):
        print(f"measuring the {name} company ...", file=sys.stderr, flush=True)
        company = prepare(args.accounts, args.months)
        results[name] = measure(company, args.origins, args.expansion_lookback)
    if args.json:
        print(json.dumps(results, indent=2, default=str))
        return
    keys = list(results["demo"])
    print(f"{'':28} {'demo':>12} {'other':>12}")
    for key in keys:
        row = [results[n].get(key) for n in ("demo", "other")]
        cells = [f"{v:12.3f}" if isinstance(v, float) else f"{v!s:>12}" for v in row]
        print(f"{key:28} {cells[0]} {cells[1]}")


if __name__ == "__main__":
    main()
