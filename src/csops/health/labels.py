"""Churn labels: did an account with MRR on day t have none on day t + horizon?

Labels may look past t (that is what they are for) but never past the as-of day of the
command: they read the subscription lines as known on the as-of day, so a label is only
asked for when t + horizon <= as-of, and scoring the full history as of D gives the same
labels as the data cut at D.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import duckdb

from csops.analytics.duck import run
from csops.analytics.sql_models import compile_model
from csops.health.features import day_sql


class LabelError(ValueError):
    """A label was asked for that the as-of day cannot know yet."""


def churned_after(
    con: duckdb.DuckDBPyConnection,
    known_on: date,
    days: Sequence[date],
    horizon_days: int,
) -> dict[tuple[str, date], bool]:
    """(account_id, t) -> whether its MRR was 0 on t + horizon, for accounts with MRR > 0
    on t, from the lines as known on `known_on`."""
    late = [t for t in days if t + timedelta(days=horizon_days) > known_on]
    if late:
        raise LabelError(
            f"the outcome of {late[0]} (+{horizon_days} days) is not known on {known_on}"
        )
    if not days:
        return {}
    lines = compile_model("lines_known", "duckdb", {"as_of": known_on})
    run(con, f"CREATE OR REPLACE TEMP TABLE hl_lines AS {lines}")
    obs = " UNION ALL ".join(f"SELECT {day_sql(t)} AS t" for t in sorted(set(days)))
    rows = con.execute(
        f"""
        WITH obs AS ({obs}),
        mrr AS (
            SELECT l.account_id, o.t,
                SUM(l.mrr) FILTER (WHERE l.start_date <= o.t
                    AND (l.end_date IS NULL OR l.end_date > o.t)) AS mrr_t,
                SUM(l.mrr) FILTER (WHERE l.start_date <= o.t + {horizon_days}
                    AND (l.end_date IS NULL OR l.end_date > o.t + {horizon_days})) AS mrr_h
            FROM hl_lines AS l CROSS JOIN obs AS o
            GROUP BY l.account_id, o.t
        )
        SELECT account_id, t, COALESCE(mrr_h, 0) = 0 FROM mrr WHERE mrr_t > 0
        """
    ).fetchall()
    return {(str(a), t): bool(c) for a, t, c in rows}
