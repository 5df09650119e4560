"""Revenue metrics, point in time: each function runs SQL models on a query engine.

The definitions live in the `.sql` files (analytics/sql/); this module picks the days
and periods, binds the as-of date and shapes the rows. `csops.domain.revenue` is an
independent reference implementation the tests hold these against.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from csops.analytics.engines import QueryEngine, Row
from csops.analytics.sql_models import Value, compile_model
from csops.domain.periods import Unit, add_months, periods
from csops.domain.revenue import annualised

GROUPS = ("segment", "plan", "owner", "region")
MOVEMENT_KINDS = ("new", "reactivation", "expansion", "contraction", "churn")


class MetricError(ValueError):
    """A metric was asked for something it cannot answer (e.g. a range ending after as-of)."""


def run(
    engine: QueryEngine,
    model: str,
    params: Mapping[str, Value],
    inputs: Mapping[str, Sequence[Mapping[str, Value]]] | None = None,
) -> list[Row]:
    return engine.query(compile_model(model, engine.dialect, params, inputs))


def _group(group_by: str | None) -> str:
    if group_by is not None and group_by not in GROUPS:
        raise MetricError(f"cannot split by {group_by!r}: use one of {', '.join(GROUPS)}")
    return group_by or "all"


def mrr(engine: QueryEngine, as_of: date, group_by: str | None = None) -> list[Row]:
    """MRR, ARR and paying accounts on `as_of`, per group, largest MRR first."""
    rows = run(engine, "mrr", {"as_of": as_of, "day": as_of, "group_by": _group(group_by)})
    return sorted(rows, key=lambda r: (-r["mrr"], r["grp"]))


@dataclass(frozen=True)
class _Window:
    label: str
    start: date
    end: date


def _period_inputs(windows: Sequence[_Window]) -> dict[str, list[dict[str, Value]]]:
    days = sorted({w.start for w in windows} | {w.end for w in windows})
    return {
        "periods": [
            {"period": w.label, "period_start": w.start, "period_end": w.end} for w in windows
        ],
        "days": [{"day": d} for d in days],
    }


def retention_rows(
    engine: QueryEngine,
    windows: Sequence[_Window],
    as_of: date,
    group_by: str | None = None,
) -> list[Row]:
    for w in windows:
        if w.end > as_of:
            raise MetricError(f"period {w.label} ends {w.end}, after the as-of date {as_of}")
        if w.end < w.start:
            raise MetricError(f"period {w.label} ends ({w.end}) before it starts ({w.start})")
    rows = run(
        engine,
        "retention",
        {"as_of": as_of, "group_by": _group(group_by)},
        _period_inputs(windows),
    )
    by_label = {w.label: i for i, w in enumerate(windows)}
    return sorted(rows, key=lambda r: (by_label[r["period"]], r["grp"]))


def retention(
    engine: QueryEngine, start: date, end: date, as_of: date, group_by: str | None = None
) -> list[Row]:
    """Movements from day `start` to day `end` (per group), with NRR, GRR, logo churn."""
    rows = retention_rows(engine, [_Window(f"{start}..{end}", start, end)], as_of, group_by)
    if not rows:  # nobody had MRR on either day: still one row of zeros per group asked
        rows = [_empty_row(f"{start}..{end}", start, end)]
    return rows


def _empty_row(label: str, start: date, end: date) -> Row:
    zero = Decimal(0)
    row: Row = {"period": label, "period_start": start, "period_end": end, "grp": "all"}
    row.update({"start_mrr": zero, "end_mrr": zero})
    for kind in MOVEMENT_KINDS:
        row[f"{kind}_mrr"] = zero
        row[f"{kind}_accounts"] = 0
    row.update({"accounts_start": 0, "accounts_end": 0, "accounts_churned": 0})
    row.update({"nrr": None, "grr": None, "logo_churn_rate": None})
    return row


def trend(
    engine: QueryEngine, first: date, last: date, unit: Unit, as_of: date
) -> list[dict[str, Any]]:
    """Retention per period from `first` to `last`, plus trailing-twelve-month NRR and GRR
    at each period's end, and (for months) annualised loss rates, each labelled."""
    chosen = periods(first, last, unit, as_of)
    if not chosen:
        raise MetricError(f"no period between {first} and {last} starts before {as_of}")
    windows = [_Window(p.label, p.start, p.end) for p in chosen]
    ttm = [_Window(f"ttm:{p.label}", add_months(p.end, -12), p.end) for p in chosen]
    rows = {r["period"]: r for r in retention_rows(engine, windows + ttm, as_of)}
    result = []
    for p in chosen:
        row = dict(rows.get(p.label) or _empty_row(p.label, p.start, p.end))
        row["partial"] = p.partial
        trailing = rows.get(f"ttm:{p.label}")
        row["ttm_nrr"] = trailing["nrr"] if trailing else None
        row["ttm_grr"] = trailing["grr"] if trailing else None
        if unit is Unit.MONTH and not p.partial:
            row.update(_annualised(row))
        result.append(row)
    return result


def _annualised(row: Row) -> dict[str, float | None]:
    """Monthly loss rates compounded to a year (DESIGN.md): 1 - (1 - r)^12."""

    def annual(rate: float | None) -> float | None:
        if rate is None:
            return None
        return float(annualised(min(max(Decimal(repr(rate)), Decimal(0)), Decimal(1))))

    gross_churn = None if row["grr"] is None else 1 - row["grr"]
    return {
        "annualised_logo_churn_rate": annual(row["logo_churn_rate"]),
        "annualised_gross_revenue_churn": annual(gross_churn),
    }


def cohorts(engine: QueryEngine, as_of: date, since: date | None = None) -> list[Row]:
    """Logo and revenue retention by monthly start cohort, measured at each month end."""
    first = (since or add_months(as_of, -24)).replace(day=1)
    month_starts = {p.start for p in periods(first, as_of, Unit.MONTH)} | {as_of.replace(day=1)}
    days = sorted(d for d in month_starts if first < d <= as_of)
    if not days:
        return []
    rows = run(engine, "cohorts", {"as_of": as_of}, {"days": [{"day": d} for d in days]})
    rows = [r for r in rows if r["cohort_month"] >= first]
    return sorted(rows, key=lambda r: (r["cohort_month"], r["months_since"]))


def renewals(engine: QueryEngine, as_of: date, within_days: int = 120) -> list[Row]:
    """Renewals due in the `within_days` days after `as_of`, soonest first."""
    if within_days < 1:
        raise MetricError("--within-days must be at least 1")
    rows = run(engine, "renewals", {"as_of": as_of, "within_days": within_days})
    return sorted(rows, key=lambda r: (r["renewal_date"], -r["arr"], r["account_id"]))


__all__ = ["GROUPS", "MetricError", "cohorts", "mrr", "renewals", "retention", "trend"]
