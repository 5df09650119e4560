"""Benchmark: the renewal forecast against what renewed, month by month.

    python bench/renewal_forecast.py                    # 2,000 accounts, 10 months
    python bench/renewal_forecast.py --origins 12 --json

The health issue's target: forecast vs actual renewed ARR for past months within 5%.
On the demo company and the same company in a stranger's vocabulary (bench/company.py,
generated once, not timed) this runs `csops health backtest --origins N` as of the last
day: N monthly origins, each with a churn model trained only on what was known then,
each forecasting the renewals due in the 30 days after it. Prints per origin the ARR due,
forecast, renewed and the error (forecast - renewed) / renewed; then the mean |error|,
the mean error (bias) and the months within 5%; then, pooled over the origins and per
billing period, renewals lost vs the number the forecast expected to lose, in accounts
and in ARR (which terms the forecast misjudges).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from typing import Any

from company import BenchCompany, command, prepare_company, prepare_other_company

TARGET = 0.05
TERM_KEYS = ("renewals", "lost", "expected_lost", "arr_lost", "expected_arr_lost")


def measure(company: BenchCompany, origins: int) -> dict[str, Any]:
    last = company.end - timedelta(days=1)
    backtest = command(
        company, "health", "backtest", "--as-of", last.isoformat(), "--origins", str(origins)
    )
    months = backtest["renewal_forecast"]
    errors = [m["error"] for m in months if m["error"] is not None]
    terms: dict[int, dict[str, float]] = {}
    for month in months:
        for term in month["by_term"]:
            pooled = terms.setdefault(term["billing_period_months"], dict.fromkeys(TERM_KEYS, 0))
            for key in TERM_KEYS:
                pooled[key] += term[key]
    return {
        "months": months,
        "mean_abs_error": sum(abs(e) for e in errors) / len(errors) if errors else None,
        "mean_error": sum(errors) / len(errors) if errors else None,
        "within_target": sum(abs(e) <= TARGET for e in errors),
        "by_term": {str(k): v for k, v in sorted(terms.items())},
    }


def show(name: str, figures: dict[str, Any]) -> None:
    print(f"\n{name}: renewals due in the 30 days after each origin")
    head = ("renewals", 8), ("ARR due", 12), ("forecast", 12), ("renewed", 12), ("error", 7)
    print(f"  {'origin':10} " + " ".join(f"{h:>{w}}" for h, w in head))
    for m in figures["months"]:
        error = "n/a" if m["error"] is None else f"{m['error']:+.2%}"
        print(
            f"  {m['origin']:10} {m['renewals']:8,} {m['arr_due']:12,.0f} "
            f"{m['forecast_arr']:12,.0f} {m['actual_renewed_arr']:12,.0f} {error:>7}"
        )
    n = len(figures["months"])
    if figures["mean_abs_error"] is not None:
        print(
            f"  mean |error| {figures['mean_abs_error']:.2%}, mean error "
            f"{figures['mean_error']:+.2%}, {figures['within_target']} of {n} months within "
            f"{TARGET:.0%}"
        )
    print("  per billing period, pooled: lost / expected lost (accounts; ARR)")
    for months, t in figures["by_term"].items():
        print(
            f"    {months:>2}-month terms: {t['renewals']:,} renewals, {t['lost']:,.0f} lost / "
            f"{t['expected_lost']:,.1f} expected; ARR {t['arr_lost']:,.0f} / "
            f"{t['expected_arr_lost']:,.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--origins", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = {}
    for name, prepare in (("demo", prepare_company), ("other", prepare_other_company)):
        print(f"backtesting the {name} company ...", file=sys.stderr, flush=True)
        results[name] = measure(prepare(args.accounts, args.months), args.origins)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for name, figures in results.items():
        show(name, figures)


if __name__ == "__main__":
    main()
