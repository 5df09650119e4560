"""Subscription lines for expansion: the definitions, as SQL over a table of lines with the
`lines_known` model's columns (building the text is pure; the caller runs it).

- MRR on a day follows DESIGN.md (start ≤ d < end, end exclusive). Seats on a day = the
  sum of `seats` over the paying lines (mrr > 0) active that day.
- An account's main line: its largest paying line on the day (ties: the earliest start,
  then the greatest plan name, then the lowest subscription id). Its plan is the account's.
- Next renewal: the earliest term end after t over the paying lines on terms of at least
  `min_term_months` (a monthly plan "renews" every month: that is no conversation); a term
  ends on start + k x term months (k ≥ 1), clamped to the month's last day.
- An account expanded within h days after t when, on some day in (t, t + h], its MRR or
  its seats exceed those on t; both can only rise on a day a line starts, so only those
  days are looked at. Added MRR / seats = the largest rise in the horizon (never below 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Line:
    account_id: str
    plan: str | None
    product: str | None
    mrr: Decimal
    seats: int | None
    start_date: date
    end_date: date | None
    billing_period_months: int


@dataclass(frozen=True, slots=True)
class Outcome:
    expanded: bool
    added_mrr: Decimal  # the largest MRR rise within the horizon (0 when seats rose only)
    added_seats: int
    day: date | None  # the first day MRR or seats were above the start


NO_OUTCOME = Outcome(False, Decimal(0), 0, None)


def day_sql(day: date) -> str:
    return f"DATE '{day.isoformat()}'"


def _renewal(t: str, min_term_months: int) -> str:
    """A paying line's next term end after t (NULL on shorter terms). With m the months
    from the start's month to t's and k = m // term, start + k terms is the answer when it
    falls after t (k ≥ 1), else start + (k + 1) terms."""
    months = f"((year({t}) - year(start_date)) * 12 + month({t}) - month(start_date))"
    k = f"({months} // billing_period_months)"
    at_k = f"CAST(start_date + to_months({k} * billing_period_months) AS DATE)"
    after = f"CAST(start_date + to_months(({k} + 1) * billing_period_months) AS DATE)"
    return (
        f"CASE WHEN billing_period_months >= {int(min_term_months)} THEN "
        f"CASE WHEN {k} >= 1 AND {at_k} > {t} THEN {at_k} ELSE {after} END END"
    )


def paying_sql(lines: str, t: date, min_term_months: int = 12) -> str:
    """One row per account paying on t: `mrr`, `seats`, `renewal` and its main line's
    `plan`, `product`, `line_mrr`, `line_seats`, `start_date`, `end_date`,
    `billing_period_months`."""
    d = day_sql(t)
    return f"""
        WITH active AS (
            SELECT *, {_renewal(d, min_term_months)} AS renewal,
                row_number() OVER (
                    PARTITION BY account_id
                    ORDER BY mrr DESC, start_date, coalesce(plan, '') DESC, subscription_id
                ) AS place
            FROM {lines}
            WHERE mrr > 0 AND start_date <= {d} AND (end_date IS NULL OR end_date > {d})
        ),
        totals AS (
            SELECT account_id, sum(mrr) AS mrr, CAST(sum(coalesce(seats, 0)) AS BIGINT) AS seats,
                   min(renewal) AS renewal
            FROM active GROUP BY 1
        )
        SELECT t.account_id, t.mrr, t.seats, t.renewal, m.plan, m.product,
               m.mrr AS line_mrr, CAST(m.seats AS BIGINT) AS line_seats, m.start_date,
               m.end_date, CAST(m.billing_period_months AS BIGINT) AS billing_period_months
        FROM totals t JOIN active m ON m.account_id = t.account_id AND m.place = 1
    """


def prices_sql(lines: str) -> str:
    """Per (product, plan) of the paying lines known: their MRRs and seats (for the ladder)."""
    return (
        f"SELECT product, plan, list(mrr ORDER BY subscription_id) AS mrr, "
        f"list(seats ORDER BY subscription_id) AS seats "
        f"FROM {lines} WHERE mrr > 0 AND plan IS NOT NULL GROUP BY 1, 2"
    )


def outcome_sql(lines: str, t: date, horizon_days: int, accounts: str | None = None) -> str:
    """Per account with a line starting in (t, t + horizon] (restricted to the ids in the
    table `accounts` when given): `expanded`, `added_mrr`, `added_seats`, `day`."""
    d, last = day_sql(t), day_sql(t + timedelta(days=horizon_days))
    only = f"WHERE account_id IN (SELECT account_id FROM {accounts})" if accounts else ""
    on = "l.start_date <= d.day AND (l.end_date IS NULL OR l.end_date > d.day)"
    return f"""
        WITH l AS (
            SELECT account_id, mrr, coalesce(seats, 0) AS seats, start_date, end_date
            FROM {lines} {only}
        ),
        days AS (
            SELECT DISTINCT account_id, start_date AS day FROM l
            WHERE start_date > {d} AND start_date <= {last}
        ),
        base AS (
            SELECT account_id,
                coalesce(sum(mrr) FILTER (WHERE active), 0) AS mrr0,
                coalesce(sum(seats) FILTER (WHERE active AND mrr > 0), 0) AS seats0
            FROM (SELECT *, start_date <= {d} AND (end_date IS NULL OR end_date > {d}) AS active
                  FROM l WHERE account_id IN (SELECT account_id FROM days))
            GROUP BY 1
        ),
        on_day AS (
            SELECT d.account_id, d.day,
                coalesce(sum(l.mrr) FILTER (WHERE {on}), 0) AS mrr,
                coalesce(sum(l.seats) FILTER (WHERE {on} AND l.mrr > 0), 0) AS seats
            FROM days d JOIN l ON l.account_id = d.account_id
            GROUP BY 1, 2
        ),
        rises AS (
            SELECT o.account_id, o.day, o.mrr - b.mrr0 AS up_mrr, o.seats - b.seats0 AS up_seats
            FROM on_day o JOIN base b USING (account_id)
        )
        SELECT account_id,
            bool_or(up_mrr > 0 OR up_seats > 0) AS expanded,
            greatest(max(up_mrr), 0) AS added_mrr,
            CAST(greatest(max(up_seats), 0) AS BIGINT) AS added_seats,
            min(day) FILTER (WHERE up_mrr > 0 OR up_seats > 0) AS day
        FROM rises GROUP BY 1
    """
