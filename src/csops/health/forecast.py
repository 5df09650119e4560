"""Renewal forecast: each renewal due in the window with its probability to renew and the
ARR expected, totals by month, and what actually renewed (for backtests).

Renewals come from the `renewals` SQL model (term ends from start + k x billing period,
as known on the day). The probability not to renew comes from the account's churn
probability p over the model horizon H. A term of H days or more renews at most once
inside it, so the whole probability applies. A shorter term (monthly) renews several
times inside it; the share s of the horizon's churn that is already lost on the next
renewal is learned from the company's own past (`next_renewal_shares`: of the accounts
on such a term that churned within H after a past day, how many were gone on their
first renewal), and the renewal is lost with probability p x s. With too few such past
churns the risk is spread evenly over the renewals: 1 - (1 - p) ^ (T / H).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa

from csops.analytics.sql_models import compile_model
from csops.health.labels import churned_after

# Past days (monthly) and churns on a term needed to learn its next-renewal share.
SHARE_DAYS = 6
MIN_SHARE_CHURNS = 30


@dataclass(frozen=True)
class Renewal:
    account_id: str
    account_name: str
    owner: str | None
    renewal_date: date
    days_left: int
    billing_period_months: int
    arr: float


@dataclass(frozen=True)
class ForecastRow:
    renewal: Renewal
    churn_probability: float
    renew_probability: float
    expected_arr: float

    def to_json(self) -> dict[str, Any]:
        r = self.renewal
        return {
            "account_id": r.account_id,
            "account_name": r.account_name,
            "owner": r.owner,
            "renewal_date": r.renewal_date.isoformat(),
            "days_left": r.days_left,
            "arr": round(r.arr, 2),
            "renew_probability": round(self.renew_probability, 4),
            "expected_arr": round(self.expected_arr, 2),
        }


def renewals_due(con: duckdb.DuckDBPyConnection, as_of: date, within_days: int) -> list[Renewal]:
    sql = compile_model("renewals", "duckdb", {"as_of": as_of, "within_days": within_days})
    rows = con.execute(
        "SELECT account_id, account_name, owner, renewal_date, days_left, "
        f"billing_period_months, arr FROM ({sql}) ORDER BY renewal_date, account_id"
    ).fetchall()
    return [
        Renewal(str(a), str(n or a), o, d, int(left), int(bp or 1), float(Decimal(arr)))
        for a, n, o, d, left, bp, arr in rows
    ]


def renew_probability(
    churn_probability: float,
    renewal: Renewal,
    horizon_days: int,
    shares: Mapping[int, float] | None = None,
) -> float:
    """The probability that `renewal` renews, from the account's churn probability over
    `horizon_days`. Contracts end at term ends: a term of the horizon or longer renews at
    most once inside it, so the whole risk falls on this renewal. A shorter term renews
    several times inside it: the renewal carries the learned share of the risk for its
    term (`shares`, by billing period in months), else an equal share of it, however
    near this renewal is."""
    term_days = renewal.billing_period_months * 30
    if term_days >= horizon_days:
        return 1.0 - churn_probability
    share = (shares or {}).get(renewal.billing_period_months)
    if share is not None:
        return min(max(1.0 - churn_probability * share, 0.0), 1.0)
    return float((1.0 - churn_probability) ** (term_days / horizon_days))


def share_days(as_of: date, horizon_days: int) -> list[date]:
    """The past days whose outcomes teach `next_renewal_shares` on `as_of`: monthly,
    from `horizon_days` before it."""
    last = as_of - timedelta(days=horizon_days)
    return [last - timedelta(days=30 * k) for k in range(SHARE_DAYS)]


def next_renewal_shares(
    con: duckdb.DuckDBPyConnection,
    known_on: date,
    horizon_days: int,
    days: Sequence[date] | None = None,
    min_churns: int = MIN_SHARE_CHURNS,
) -> dict[int, float]:
    """Per billing period shorter than the horizon (months): of the accounts on such a
    term that churned within `horizon_days` after one of `days`, the share already gone
    (no MRR) on their first renewal after that day. Outcomes as known on `known_on`.
    Terms with fewer than `min_churns` such churns are left out. `days` defaults to
    `share_days(known_on, horizon_days)`."""
    churned_by: dict[int, int] = defaultdict(int)
    lost_first: dict[int, int] = defaultdict(int)
    for day in share_days(known_on, horizon_days) if days is None else days:
        first: dict[str, Renewal] = {}
        for r in renewals_due(con, day, horizon_days):
            if r.billing_period_months * 30 < horizon_days and r.account_id not in first:
                first[r.account_id] = r  # renewals come in date order
        if not first:
            continue
        churned = churned_after(con, known_on, [day], horizon_days)
        done = renewed(con, known_on, list(first.values()))
        for account, r in first.items():
            if churned.get((account, day)):
                churned_by[r.billing_period_months] += 1
                lost_first[r.billing_period_months] += not done.get((account, r.renewal_date))
    return {
        months: lost_first[months] / n
        for months, n in sorted(churned_by.items())
        if n >= min_churns
    }


def forecast(
    renewals: Sequence[Renewal],
    churn: Mapping[str, float],
    horizon_days: int,
    shares: Mapping[int, float] | None = None,
) -> list[ForecastRow]:
    """Rows for renewals of accounts with a churn probability (active, scored); `shares`
    as `renew_probability` takes them."""
    rows = []
    for r in renewals:
        if r.account_id not in churn:
            continue
        p = renew_probability(churn[r.account_id], r, horizon_days, shares)
        rows.append(ForecastRow(r, churn[r.account_id], p, r.arr * p))
    return rows


def monthly_totals(rows: Sequence[ForecastRow]) -> list[dict[str, Any]]:
    months: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for row in rows:
        m = months[row.renewal.renewal_date.strftime("%Y-%m")]
        m[0] += 1
        m[1] += row.renewal.arr
        m[2] += row.expected_arr
    return [
        {
            "month": k,
            "renewals": int(v[0]),
            "arr_due": round(v[1], 2),
            "expected_arr": round(v[2], 2),
        }
        for k, v in sorted(months.items())
    ]


def by_term(
    rows: Sequence[ForecastRow], done: Mapping[tuple[str, date], bool]
) -> list[dict[str, Any]]:
    """Forecast vs outcome per billing period (months): renewals, how many were lost and
    how many the forecast expected to lose, and the same in ARR. `done` says whether
    each (account, renewal day) renewed (see `renewed`)."""
    terms: dict[int, list[float]] = defaultdict(lambda: [0.0] * 5)
    for row in rows:
        r = row.renewal
        lost = not done.get((r.account_id, r.renewal_date), False)
        t = terms[r.billing_period_months]
        t[0] += 1
        t[1] += lost
        t[2] += 1.0 - row.renew_probability
        t[3] += r.arr * lost
        t[4] += r.arr - row.expected_arr
    return [
        {
            "billing_period_months": months,
            "renewals": int(t[0]),
            "lost": int(t[1]),
            "expected_lost": round(t[2], 2),
            "arr_lost": round(t[3], 2),
            "expected_arr_lost": round(t[4], 2),
        }
        for months, t in sorted(terms.items())
    ]


def renewed(
    con: duckdb.DuckDBPyConnection, known_on: date, renewals: Sequence[Renewal]
) -> dict[tuple[str, date], bool]:
    """Whether each account still had MRR > 0 on its renewal day (lines as known on
    `known_on`, which must be on or after every renewal day)."""
    if not renewals:
        return {}
    lines = compile_model("lines_known", "duckdb", {"as_of": known_on})
    keys = sorted({(r.account_id, r.renewal_date) for r in renewals})
    due = pa.table(
        {"account_id": [k[0] for k in keys], "d": pa.array([k[1] for k in keys], pa.date32())}
    )
    con.register("hf_due", due)
    try:
        rows = con.execute(
            f"""
            WITH l AS ({lines})
            SELECT due.account_id, due.d, COALESCE(SUM(l.mrr) FILTER (
                WHERE l.start_date <= due.d AND (l.end_date IS NULL OR l.end_date > due.d)
            ), 0) > 0
            FROM hf_due AS due LEFT JOIN l ON l.account_id = due.account_id
            GROUP BY due.account_id, due.d
            """
        ).fetchall()
    finally:
        con.unregister("hf_due")
    return {(str(a), d): bool(ok) for a, d, ok in rows}
