"""Account features on a day, point in time, computed in SQL over the DuckDB warehouse.

"Known on day D" means recorded by the end of D: events with `occurred_at` before D + 1,
tickets, surveys, activities and invoices by what had happened by then (a ticket solved
after D was open on D), and subscription lines from the `lines_known` model (a line that
starts after D does not exist, an end date after D is not known; renewal timing comes
from the term). Every window is a run of whole days ending with D: "28 days" is
(D - 28, D].

Event features are pivoted per event type from the company's own vocabulary (the most
frequent types known on the as-of day), never from a fixed list. A feature that does not
apply (no survey answered yet, no seats on record) is NaN, not zero; a count of nothing
that could have happened (no events in 28 days) is zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb
import numpy as np
import numpy.typing as npt

from csops.analytics.duck import literal, run
from csops.analytics.sql_models import compile_model

MAX_EVENT_TYPES = 25
# Per event type: counts over 7 / 28 / 90 days, trend (28 days vs the 28 before), recency.
TYPE_SUFFIXES = ("7d", "28d", "90d", "trend_28d", "days_since")
CATEGORICAL = ("plan", "segment")


@dataclass(frozen=True)
class FeatureFrame:
    """Feature rows: one per (account, day). `values[i, j]` is feature `names[j]`."""

    account_ids: list[str]
    days: list[date]
    names: list[str]
    values: npt.NDArray[np.float64]
    categories: dict[str, list[str | None]] = field(default_factory=dict)

    def column(self, name: str) -> npt.NDArray[np.float64]:
        return self.values[:, self.names.index(name)]

    def row(self, i: int) -> dict[str, float]:
        return {n: float(v) for n, v in zip(self.names, self.values[i], strict=True)}

    def __len__(self) -> int:
        return len(self.account_ids)


def concat(frames: Sequence[FeatureFrame]) -> FeatureFrame:
    """Stack frames that share their feature names (e.g. many observation days)."""
    names = frames[0].names
    for f in frames:
        if f.names != names:
            raise ValueError("feature frames with different columns cannot be stacked")
    return FeatureFrame(
        account_ids=[a for f in frames for a in f.account_ids],
        days=[d for f in frames for d in f.days],
        names=list(names),
        values=np.vstack([f.values for f in frames]) if frames else np.empty((0, len(names))),
        categories={k: [v for f in frames for v in f.categories.get(k, [])] for k in CATEGORICAL},
    )


def type_feature(event_type: str, suffix: str) -> str:
    return f"events[{event_type}]_{suffix}"


def day_sql(day: date) -> str:
    return f"DATE {literal(day.isoformat())}"


def prepare_events(con: duckdb.DuckDBPyConnection, until: date) -> None:
    """Daily event counts per account and type, and per account and user, known by the end
    of `until`. Every later query reads these small tables instead of the raw events."""
    end = f"TIMESTAMP {literal((until + timedelta(days=1)).isoformat())}"
    run(
        con,
        "CREATE OR REPLACE TEMP TABLE hf_events AS "
        "SELECT account_id, event_type, CAST(occurred_at AS DATE) AS day, COUNT(*) AS n "
        f"FROM events WHERE occurred_at < {end} GROUP BY ALL",
    )
    run(
        con,
        "CREATE OR REPLACE TEMP TABLE hf_users AS "
        "SELECT account_id, user_id, CAST(occurred_at AS DATE) AS day, COUNT(*) AS n "
        f"FROM events WHERE occurred_at < {end} AND user_id IS NOT NULL GROUP BY ALL",
    )


def event_vocabulary(con: duckdb.DuckDBPyConnection, until: date) -> list[str]:
    """The company's most frequent event types known by `until` (needs prepare_events)."""
    rows = con.execute(
        "SELECT event_type FROM hf_events WHERE day <= ? GROUP BY event_type "
        "ORDER BY SUM(n) DESC, event_type LIMIT ?",
        [until, MAX_EVENT_TYPES],
    ).fetchall()
    return [str(r[0]) for r in rows]


def first_event_day(con: duckdb.DuckDBPyConnection) -> date | None:
    row = con.execute("SELECT MIN(day) FROM hf_events").fetchall()[0]
    return row[0] if isinstance(row[0], date) else None


def _prepare_lines(con: duckdb.DuckDBPyConnection, day: date) -> None:
    lines = compile_model("lines_known", "duckdb", {"as_of": day})
    run(con, f"CREATE OR REPLACE TEMP TABLE hf_lines AS {lines}")
    renewals = compile_model("renewals", "duckdb", {"as_of": day, "within_days": 1500})
    run(
        con,
        "CREATE OR REPLACE TEMP TABLE hf_renewals AS SELECT account_id, "
        f"MIN(days_left) AS days_to_renewal FROM ({renewals}) GROUP BY account_id",
    )


def _event_columns(vocabulary: Sequence[str]) -> list[tuple[str, str]]:
    """Pivot of `by_type` (one row per account and event type) into one column per type
    and measure: the pivot reads a small grouped table, not the events."""
    cols: list[tuple[str, str]] = []
    for t in vocabulary:
        is_t = f"event_type = {literal(t)}"
        cols += [
            (type_feature(t, "7d"), f"COALESCE(MAX(n7) FILTER (WHERE {is_t}), 0)"),
            (type_feature(t, "28d"), f"COALESCE(MAX(n28) FILTER (WHERE {is_t}), 0)"),
            (type_feature(t, "90d"), f"COALESCE(MAX(n90) FILTER (WHERE {is_t}), 0)"),
            (
                type_feature(t, "trend_28d"),
                f"COALESCE(MAX(n28) FILTER (WHERE {is_t}), 0) "
                f"/ NULLIF(MAX(nprev) FILTER (WHERE {is_t}), 0) - 1",
            ),
            (type_feature(t, "days_since"), f"MAX(days_since) FILTER (WHERE {is_t})"),
        ]
    return cols


def features_on(
    con: duckdb.DuckDBPyConnection, day: date, vocabulary: Sequence[str]
) -> FeatureFrame:
    """Features of every account with MRR > 0 on `day`, as known on `day`.

    Needs `prepare_events(con, until)` with until >= day, and the warehouse tables."""
    _prepare_lines(con, day)
    d = day_sql(day)
    per_type = _event_columns(vocabulary)
    type_select = ",\n".join(f"{expr} AS t{i}" for i, (_, expr) in enumerate(per_type))
    type_names = [name for name, _ in per_type]
    sql = _FEATURES_SQL.format(
        d=d, type_select=type_select or "NULL AS t_none", type_cols=_type_cols(len(per_type))
    )
    result = con.execute(sql).fetchall()
    names = [*_BASE_NAMES, *type_names]
    width = len(_BASE_NAMES) + len(per_type)
    values = np.array(
        [[np.nan if v is None else float(v) for v in r[3 : 3 + width]] for r in result],
        dtype=np.float64,
    ).reshape(len(result), width)
    return FeatureFrame(
        account_ids=[str(r[0]) for r in result],
        days=[day] * len(result),
        names=names,
        values=values,
        categories={"plan": [r[1] for r in result], "segment": [r[2] for r in result]},
    )


def _type_cols(n: int) -> str:
    return "".join(f", ev.t{i}" for i in range(n))


_BASE_NAMES = [
    "mrr",
    "mrr_change_90d",
    "seats",
    "seats_change_90d",
    "discount",
    "billing_period_months",
    "tenure_days",
    "days_to_renewal",
    "lines_ended_90d",
    "events_7d",
    "events_28d",
    "events_prev_28d",
    "events_90d",
    "events_trend_28d",
    "days_since_last_event",
    "event_types_28d",
    "event_types_prev_28d",
    "active_users_7d",
    "active_users_28d",
    "active_users_prev_28d",
    "active_users_trend_28d",
    "events_per_active_user_28d",
    "events_per_seat_28d",
    "seat_utilisation",
    "top_user_gone",
    "tickets_28d",
    "tickets_90d",
    "open_tickets",
    "urgent_tickets_90d",
    "slow_first_replies_90d",
    "ticket_csat_90d",
    "nps_latest",
    "nps_previous",
    "nps_change",
    "survey_csat_180d",
    "failed_invoices_90d",
    "days_since_first_failed_invoice",
    "overdue_invoices",
    "touches_90d",
    "days_since_last_touch",
    "contacts_known",
    "champion_changes_180d",
]

# One row per active account. `{d}` is the day; every source is cut at the end of it.
_FEATURES_SQL = """
WITH active AS (
    SELECT account_id, SUM(mrr) AS mrr, SUM(seats) AS seats,
        SUM(COALESCE(discount, 0) * mrr) / NULLIF(SUM(mrr), 0) AS discount,
        MAX(billing_period_months) AS billing_period_months,
        FIRST(plan ORDER BY mrr DESC, plan) AS plan
    FROM hf_lines WHERE end_date IS NULL GROUP BY account_id HAVING SUM(mrr) > 0
),
past AS (
    SELECT account_id, SUM(mrr) AS mrr_then, SUM(seats) AS seats_then,
        MIN(start_date) AS first_start,
        COUNT(*) FILTER (WHERE end_date > {d} - 90) AS lines_ended_90d
    FROM hf_lines GROUP BY account_id
),
then_lines AS (
    SELECT account_id, SUM(mrr) AS mrr_90, SUM(seats) AS seats_90
    FROM hf_lines WHERE start_date <= {d} - 90 AND (end_date IS NULL OR end_date > {d} - 90)
    GROUP BY account_id
),
by_type AS (
    SELECT account_id, event_type,
        COALESCE(SUM(n) FILTER (WHERE day > {d} - 7), 0) AS n7,
        COALESCE(SUM(n) FILTER (WHERE day > {d} - 28), 0) AS n28,
        COALESCE(SUM(n) FILTER (WHERE day <= {d} - 28 AND day > {d} - 56), 0) AS nprev,
        COALESCE(SUM(n) FILTER (WHERE day > {d} - 90), 0) AS n90,
        {d} - MAX(day) AS days_since
    -- A year back is enough: "days since" beyond it is missing, and the scan stays bounded
    -- however long the history.
    FROM hf_events
    WHERE day <= {d} AND day > {d} - 365 AND account_id IN (SELECT account_id FROM active)
    GROUP BY account_id, event_type
),
ev AS (
    SELECT account_id,
        SUM(n7) AS events_7d, SUM(n28) AS events_28d, SUM(nprev) AS events_prev_28d,
        SUM(n90) AS events_90d, MIN(days_since) AS days_since_last_event,
        COUNT(*) FILTER (WHERE n28 > 0) AS event_types_28d,
        COUNT(*) FILTER (WHERE nprev > 0) AS event_types_prev_28d,
        {type_select}
    FROM by_type GROUP BY account_id
),
users AS (
    SELECT account_id,
        COUNT(DISTINCT user_id) FILTER (WHERE day > {d} - 7) AS active_users_7d,
        COUNT(DISTINCT user_id) FILTER (WHERE day > {d} - 28) AS active_users_28d,
        COUNT(DISTINCT user_id) FILTER (WHERE day <= {d} - 28 AND day > {d} - 56)
            AS active_users_prev_28d
    FROM hf_users WHERE day <= {d} AND day > {d} - 56 GROUP BY account_id
),
user_windows AS (
    SELECT account_id, user_id,
        SUM(n) FILTER (WHERE day <= {d} - 28) AS before_n,
        SUM(n) FILTER (WHERE day > {d} - 28) AS recent_n
    FROM hf_users WHERE day <= {d} AND day > {d} - 90 GROUP BY ALL
),
top_user AS (
    -- The account's most active user of days 29-90 back (ties: the first user id): has
    -- that user been silent for the last 28 days?
    SELECT account_id, CASE WHEN COALESCE(recent_n, 0) = 0 THEN 1 ELSE 0 END AS top_user_gone
    FROM (
        SELECT *, ROW_NUMBER() OVER (
            PARTITION BY account_id ORDER BY before_n DESC, user_id) AS rank
        FROM user_windows WHERE before_n > 0
    ) WHERE rank = 1
),
tk AS (
    SELECT account_id,
        COUNT(*) FILTER (WHERE created_at >= {d} - 27) AS tickets_28d,
        COUNT(*) FILTER (WHERE created_at >= {d} - 89) AS tickets_90d,
        COUNT(*) FILTER (WHERE solved_at IS NULL OR solved_at >= {d} + 1) AS open_tickets,
        COUNT(*) FILTER (WHERE created_at >= {d} - 89 AND LOWER(COALESCE(priority, ''))
            IN ('urgent', 'critical', 'high', 'p0', 'p1', 'escalated')) AS urgent_tickets_90d,
        -- No SLA policy here: a first reply later than 24 hours (or still missing) counts.
        COUNT(*) FILTER (WHERE created_at >= {d} - 89 AND created_at < {d} AND (
            COALESCE(LEAST(first_reply_at, {d} + 1), {d} + 1) > created_at + INTERVAL 24 HOUR))
            AS slow_first_replies_90d,
        AVG(csat) FILTER (WHERE solved_at >= {d} - 89 AND solved_at < {d} + 1)
            AS ticket_csat_90d
    FROM tickets WHERE created_at < {d} + 1 GROUP BY account_id
),
nps AS (
    SELECT account_id,
        LIST(score ORDER BY responded_at DESC, response_id DESC)[1] AS nps_latest,
        LIST(score ORDER BY responded_at DESC, response_id DESC)[2] AS nps_previous
    FROM surveys WHERE kind = 'nps' AND responded_at < {d} + 1 GROUP BY account_id
),
csat AS (
    SELECT account_id, AVG(score) AS survey_csat_180d
    FROM surveys WHERE kind = 'csat' AND responded_at < {d} + 1 AND responded_at >= {d} - 179
    GROUP BY account_id
),
inv AS (
    SELECT account_id,
        COUNT(*) FILTER (WHERE status = 'failed' AND due_date > {d} - 90) AS failed_invoices_90d,
        {d} - MIN(due_date) FILTER (WHERE status = 'failed' AND due_date > {d} - 90)
            AS days_since_first_failed_invoice,
        COUNT(*) FILTER (WHERE due_date < {d} AND COALESCE(status, '') <> 'void'
            AND (paid_at IS NULL OR paid_at >= {d} + 1)) AS overdue_invoices
    FROM invoices WHERE due_date <= {d} GROUP BY account_id
),
act AS (
    SELECT account_id, COUNT(*) FILTER (WHERE occurred_at >= {d} - 89) AS touches_90d,
        {d} - MAX(CAST(occurred_at AS DATE)) AS days_since_last_touch
    FROM activities WHERE occurred_at < {d} + 1 GROUP BY account_id
),
con AS (
    -- Contacts carry no contract timestamp; a `created_at` extra column, when the company
    -- has one, dates them (a contact created after the day is not known yet).
    SELECT account_id, role, created,
        MIN(created) FILTER (WHERE role = 'champion') OVER (PARTITION BY account_id)
            AS first_champion
    FROM (
        SELECT account_id, role,
            TRY_CAST(json_extract_string(attributes, '$.created_at') AS TIMESTAMP) AS created
        FROM contacts
    ) WHERE created IS NULL OR created < {d} + 1
),
champ AS (
    -- A champion who appears after the first one means the champion changed.
    SELECT account_id, COUNT(*) AS contacts_known,
        CASE WHEN COUNT(created) = 0 THEN NULL ELSE
            COUNT(*) FILTER (WHERE role = 'champion' AND created >= {d} - 179
                AND created > first_champion)
        END AS champion_changes_180d
    FROM con GROUP BY account_id
)
SELECT a.account_id, a.plan, acc.segment,
    a.mrr,
    a.mrr / NULLIF(t.mrr_90, 0) - 1,
    a.seats,
    a.seats / NULLIF(t.seats_90, 0) - 1,
    a.discount,
    a.billing_period_months,
    {d} - p.first_start,
    r.days_to_renewal,
    p.lines_ended_90d,
    COALESCE(ev.events_7d, 0), COALESCE(ev.events_28d, 0), COALESCE(ev.events_prev_28d, 0),
    COALESCE(ev.events_90d, 0),
    COALESCE(ev.events_28d, 0) / NULLIF(ev.events_prev_28d, 0) - 1,
    ev.days_since_last_event,
    COALESCE(ev.event_types_28d, 0), COALESCE(ev.event_types_prev_28d, 0),
    COALESCE(u.active_users_7d, 0), COALESCE(u.active_users_28d, 0),
    COALESCE(u.active_users_prev_28d, 0),
    COALESCE(u.active_users_28d, 0) / NULLIF(u.active_users_prev_28d, 0) - 1,
    ev.events_28d / NULLIF(u.active_users_28d, 0),
    COALESCE(ev.events_28d, 0) / NULLIF(a.seats, 0),
    COALESCE(u.active_users_28d, 0) / NULLIF(a.seats, 0),
    tu.top_user_gone,
    COALESCE(tk.tickets_28d, 0), COALESCE(tk.tickets_90d, 0), COALESCE(tk.open_tickets, 0),
    COALESCE(tk.urgent_tickets_90d, 0), COALESCE(tk.slow_first_replies_90d, 0),
    tk.ticket_csat_90d,
    nps.nps_latest, nps.nps_previous, nps.nps_latest - nps.nps_previous,
    csat.survey_csat_180d,
    COALESCE(inv.failed_invoices_90d, 0), inv.days_since_first_failed_invoice,
    COALESCE(inv.overdue_invoices, 0),
    COALESCE(act.touches_90d, 0), act.days_since_last_touch,
    COALESCE(champ.contacts_known, 0), champ.champion_changes_180d
    {type_cols}
FROM active AS a
JOIN past AS p USING (account_id)
LEFT JOIN then_lines AS t USING (account_id)
LEFT JOIN accounts AS acc USING (account_id)
LEFT JOIN hf_renewals AS r USING (account_id)
LEFT JOIN ev USING (account_id)
LEFT JOIN users AS u USING (account_id)
LEFT JOIN top_user AS tu USING (account_id)
LEFT JOIN tk USING (account_id)
LEFT JOIN nps USING (account_id)
LEFT JOIN csat USING (account_id)
LEFT JOIN inv USING (account_id)
LEFT JOIN act USING (account_id)
LEFT JOIN champ USING (account_id)
ORDER BY a.account_id
"""
