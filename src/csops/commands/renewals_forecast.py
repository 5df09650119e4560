"""`csops renewals forecast`: renewals due soon, each with its probability to renew and the
ARR expected, and totals by month. The lead registers `forecast_command` in the
`renewals` group."""

from __future__ import annotations

from pathlib import Path

import typer

from csops.commands.common import JSON, emit_json, out
from csops.commands.health import AS_OF, HORIZON, SCORECARD, health_session
from csops.health.forecast import monthly_totals
from csops.health.service import (
    model_for,
    model_summary,
    renewal_forecast,
    score_all,
)


def forecast_command(
    as_of: str | None = AS_OF,
    within_days: int = typer.Option(120, "--within-days", min=1, help="Renewals due within."),
    as_json: bool = JSON,
    horizon_days: int = HORIZON,
    scorecard: Path | None = SCORECARD,
) -> None:
    """Renewal forecast: probability to renew and expected ARR per renewal, by month."""
    with health_session(as_of, scorecard) as (day, settings, data, card):
        model = model_for(data, settings, card, horizon_days, retrain=False)
        _, scores = score_all(data, model, card)
        rows, shares = renewal_forecast(data, scores, within_days, horizon_days)
    months = monthly_totals(rows)
    if as_json:
        emit_json(
            {
                "as_of": day.isoformat(),
                "within_days": within_days,
                "renewals": [r.to_json() for r in rows],
                "months": months,
                "arr_due": round(sum(r.renewal.arr for r in rows), 2),
                "expected_arr": round(sum(r.expected_arr for r in rows), 2),
                "model": model_summary(model),
                # Per short term (months): the share of the churn risk its next renewal
                # carries, learned from the company's past (absent: spread evenly).
                "next_renewal_shares": {str(m): round(v, 4) for m, v in shares.items()},
            }
        )
        return
    for m in months:
        out.print(
            f"{m['month']}  {m['renewals']:4d} renewals  ARR due {m['arr_due']:>14,.0f}  "
            f"expected {m['expected_arr']:>14,.0f}"
        )
    for term, share in shares.items():
        out.print(
            f"{term}-month terms: a renewal carries {share:.0%} of the {horizon_days}-day "
            "churn risk (learned from past renewals)"
        )
