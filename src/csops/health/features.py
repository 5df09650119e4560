"""Account features on a day, point in time, computed in SQL over the DuckDB warehouse.

"Known on day D" means recorded by the end of D: events with `occurred_at` before D + 1,
tickets, surveys, activities and invoices by what had happened by then (a ticket solved
after D was open on D), and subscription lines from the `lines_known` model (a line that
starts after D does not exist, an end date after D is not known; renewal timing comes
from the term). Every window is a run of whole days ending with D: "28 days" is
(D - 28, D].

Event features come from one pass over the events of the year before D per question
(`event_windows`), pivoted per event type into a vocabulary given by the caller (the
company's own: the most frequent types of the year before the as-of day, or a stored
model's), never from a fixed list; `add_types` adds the columns of more types to a
day's frame without computing the rest again. A feature that does not apply (no survey
answered yet, no seats on record) is NaN, not zero; a count of nothing that could have
happened (no events in 28 days) is zero, and an account with no event in the year looked
back over has `days_since_last_event` = SILENT_DAYS (366: "more than 365").

Results travel as Arrow columns into one float64 matrix: no Python object per value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from csops.analytics.duck import literal, run
from csops.analytics.sql_models import compile_model
from csops.health.event_windows import (
    SILENT_DAYS,
    float_column,
    pivot_types,
    prepare_event_windows,
    type_feature_names,
)

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


def day_sql(day: date) -> str:
    return f"DATE {literal(day.isoformat())}"


def _prepare_lines(con: duckdb.DuckDBPyConnection, day: date) -> None:
    lines = compile_model("lines_known", "duckdb", {"as_of": day})
    run(con, f"CREATE OR REPLACE TEMP TABLE hf_lines AS {lines}")
    renewals = compile_model("renewals", "duckdb", {"as_of": day, "within_days": 1500})
    run(
        con,
        "CREATE OR REPLACE TEMP TABLE hf_renewals AS SELECT account_id, "
        f"MIN(days_left) AS days_to_renewal FROM ({renewals}) GROUP BY account_id",
    )
    # The accounts active on the day, numbered in account order (the rows of the frame).
    # A line's end date is exclusive; one known on the day may lie after it (a contract
    # entered with its term end): the line is open until then.
    run(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE hf_active AS
        SELECT *, CAST(ROW_NUMBER() OVER (ORDER BY account_id) - 1 AS BIGINT) AS r FROM (
            SELECT account_id, SUM(mrr) AS mrr, SUM(seats) AS seats,
                SUM(COALESCE(discount, 0) * mrr) / NULLIF(SUM(mrr), 0) AS discount,
                MAX(billing_period_months) AS billing_period_months,
                FIRST(plan ORDER BY mrr DESC, plan) AS plan
            FROM hf_lines WHERE end_date IS NULL OR end_date > {day_sql(day)}
            GROUP BY account_id HAVING SUM(mrr) > 0
        )
        """,
    )


def feature_names(vocabulary: Sequence[str]) -> list[str]:
    """The columns of a frame with the per-type features of `vocabulary`."""
    return [*_BASE_NAMES, *type_feature_names(vocabulary)]


def features_on(
    con: duckdb.DuckDBPyConnection, day: date, vocabulary: Sequence[str]
) -> FeatureFrame:
    """Features of every account with MRR > 0 on `day`, as known on `day`, from the
    warehouse tables."""
    prepare_event_windows(con, day)
    _prepare_lines(con, day)
    table = con.sql(_FEATURES_SQL.format(d=day_sql(day), silent=SILENT_DAYS)).to_arrow_table()
    n = table.num_rows
    base = [float_column(table[f"f{j}"]) for j in range(len(_BASE_NAMES))]
    per_type = pivot_types(con, vocabulary, n)
    values = np.column_stack([*base, per_type]) if n else np.empty((0, len(_BASE_NAMES)))
    names = feature_names(vocabulary)
    values = values.reshape(n, len(names))
    return FeatureFrame(
        account_ids=[str(a) for a in table["account_id"].to_pylist()],
        days=[day] * n,
        names=names,
        values=values,
        categories={k: table[k].to_pylist() for k in CATEGORICAL},
    )


def add_types(
    con: duckdb.DuckDBPyConnection, frame: FeatureFrame, day: date, types: Sequence[str]
) -> FeatureFrame:
    """`frame` (the features of `day`) with the per-type columns of `types` appended:
    only the day's event windows are needed (a scan of its year of events unless the
    connection holds them already), not the rest of the features."""
    if not types:
        return frame
    n = len(frame)
    if n == 0:
        block = np.empty((0, len(type_feature_names(types))))
    else:
        prepare_event_windows(con, day)
        rows = pa.table({"account_id": pa.array(frame.account_ids, pa.string()), "r": np.arange(n)})
        con.register("hf_rows", rows)
        try:
            block = pivot_types(con, types, n, rows="hf_rows")
        finally:
            con.unregister("hf_rows")
    return FeatureFrame(
        frame.account_ids,
        frame.days,
        [*frame.names, *type_feature_names(types)],
        np.hstack([frame.values, block]),
        frame.categories,
    )


def with_types(frame: FeatureFrame, vocabulary: Sequence[str]) -> FeatureFrame:
    """The base features of `frame` and the per-type ones of `vocabulary` (which `frame`
    has, maybe with more), in the order of `feature_names(vocabulary)`."""
    names = feature_names(vocabulary)
    if frame.names == names:
        return frame
    index = {name: j for j, name in enumerate(frame.names)}
    missing = [name for name in names if name not in index]
    if missing:
        raise ValueError(f"the frame has no column {missing[0]!r}")
    return FeatureFrame(
        frame.account_ids,
        frame.days,
        names,
        frame.values[:, [index[name] for name in names]],
        frame.categories,
    )


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

# One row per active account of `hf_active`, in its order (`r`). `{d}` is the day; every
# source is cut at the end of it. Event figures come from `hf_types` / `hf_users`; an
# account with none in them had no event in the lookback: `{silent}` days since the last.
_FEATURES_SQL = """
WITH past AS (
    SELECT account_id, SUM(mrr) AS mrr_then, SUM(seats) AS seats_then,
        MIN(start_date) AS first_start,
        COUNT(*) FILTER (WHERE end_date > {d} - 90 AND end_date <= {d}) AS lines_ended_90d
    FROM hf_lines GROUP BY account_id
),
then_lines AS (
    SELECT account_id, SUM(mrr) AS mrr_90, SUM(seats) AS seats_90
    FROM hf_lines WHERE start_date <= {d} - 90 AND (end_date IS NULL OR end_date > {d} - 90)
    GROUP BY account_id
),
ev AS (
    SELECT account_id,
        SUM(n7) AS events_7d, SUM(n28) AS events_28d, SUM(nprev) AS events_prev_28d,
        SUM(n90) AS events_90d, MIN(days_since) AS days_since_last_event,
        COUNT(*) FILTER (WHERE n28 > 0) AS event_types_28d,
        COUNT(*) FILTER (WHERE nprev > 0) AS event_types_prev_28d
    FROM hf_types GROUP BY account_id
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
    a.mrr AS f0,
    a.mrr / NULLIF(t.mrr_90, 0) - 1 AS f1,
    a.seats AS f2,
    a.seats / NULLIF(t.seats_90, 0) - 1 AS f3,
    a.discount AS f4,
    a.billing_period_months AS f5,
    {d} - p.first_start AS f6,
    r.days_to_renewal AS f7,
    p.lines_ended_90d AS f8,
    COALESCE(ev.events_7d, 0) AS f9, COALESCE(ev.events_28d, 0) AS f10,
    COALESCE(ev.events_prev_28d, 0) AS f11,
    COALESCE(ev.events_90d, 0) AS f12,
    COALESCE(ev.events_28d, 0) / NULLIF(ev.events_prev_28d, 0) - 1 AS f13,
    COALESCE(ev.days_since_last_event, {silent}) AS f14,
    COALESCE(ev.event_types_28d, 0) AS f15, COALESCE(ev.event_types_prev_28d, 0) AS f16,
    COALESCE(u.active_users_7d, 0) AS f17, COALESCE(u.active_users_28d, 0) AS f18,
    COALESCE(u.active_users_prev_28d, 0) AS f19,
    COALESCE(u.active_users_28d, 0) / NULLIF(u.active_users_prev_28d, 0) - 1 AS f20,
    ev.events_28d / NULLIF(u.active_users_28d, 0) AS f21,
    COALESCE(ev.events_28d, 0) / NULLIF(a.seats, 0) AS f22,
    COALESCE(u.active_users_28d, 0) / NULLIF(a.seats, 0) AS f23,
    u.top_user_gone AS f24,
    COALESCE(tk.tickets_28d, 0) AS f25, COALESCE(tk.tickets_90d, 0) AS f26,
    COALESCE(tk.open_tickets, 0) AS f27,
    COALESCE(tk.urgent_tickets_90d, 0) AS f28, COALESCE(tk.slow_first_replies_90d, 0) AS f29,
    tk.ticket_csat_90d AS f30,
    nps.nps_latest AS f31, nps.nps_previous AS f32, nps.nps_latest - nps.nps_previous AS f33,
    csat.survey_csat_180d AS f34,
    COALESCE(inv.failed_invoices_90d, 0) AS f35, inv.days_since_first_failed_invoice AS f36,
    COALESCE(inv.overdue_invoices, 0) AS f37,
    COALESCE(act.touches_90d, 0) AS f38, act.days_since_last_touch AS f39,
    COALESCE(champ.contacts_known, 0) AS f40, champ.champion_changes_180d AS f41
FROM hf_active AS a
JOIN past AS p USING (account_id)
LEFT JOIN then_lines AS t USING (account_id)
LEFT JOIN accounts AS acc USING (account_id)
LEFT JOIN hf_renewals AS r USING (account_id)
LEFT JOIN ev USING (account_id)
LEFT JOIN hf_users AS u USING (account_id)
LEFT JOIN tk USING (account_id)
LEFT JOIN nps USING (account_id)
LEFT JOIN csat USING (account_id)
LEFT JOIN inv USING (account_id)
LEFT JOIN act USING (account_id)
LEFT JOIN champ USING (account_id)
ORDER BY a.r
"""
