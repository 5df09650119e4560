"""Product-event aggregates of one day, in one pass over the event store per question.

For day D (events known by the end of D, windows of whole days ending with D: "28 days"
is (D - 28, D]):

- `hf_types`: per account and event type, counts over 7 / 28 / 90 days, the 28 days
  before the last 28, the year, and days since the last one (within 365 days);
- `hf_users`: per account, distinct active users over 7 / 28 days and the 28 days
  before, and whether the most active user of days 29-90 back (ties: the first user id)
  was silent in the last 28 days.

Each is a single GROUP BY over the events of its window, read straight from the Parquet
event store (the time filter skips the months outside it), into a small temp table: the
result has one row per account and type (or per account), so the scan, not the grouping,
is the cost, and nothing earlier than a year back is read. The per-type counts are then
pivoted in numpy into a vocabulary of event types: the company's own, the most frequent
types of the year up to a day (`vocabulary_of_windows` for the day held, `vocabularies_on`
for many days in one scan), or a stored model's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from csops.analytics.duck import literal, run

Array = npt.NDArray[np.float64]
MAX_EVENT_TYPES = 25
# "Days since" looks this far back (the events of (D - 365, D]: 0 to 364 days ago), and
# the scan stays bounded however long the history. Beyond it a type's "days since" is
# missing; an active account with no event at all in it is SILENT_DAYS silent ("more
# than 365"), so that a measure or a model sees it as the longest silence there is.
LOOKBACK_DAYS = 365
SILENT_DAYS = LOOKBACK_DAYS + 1
# Per event type: counts over 7 / 28 / 90 days, trend (28 days vs the 28 before), recency.
TYPE_SUFFIXES = ("7d", "28d", "90d", "trend_28d", "days_since")
_TYPE_FEATURE = re.compile(r"^events\[(?P<type>.+)\]_(?:" + "|".join(TYPE_SUFFIXES) + ")$")


def type_feature(event_type: str, suffix: str) -> str:
    return f"events[{event_type}]_{suffix}"


def event_types_of(names: Iterable[str]) -> list[str]:
    """The event types of the per-type features among `names`, in order of appearance."""
    found = (m.group("type") for m in map(_TYPE_FEATURE.match, names) if m)
    return list(dict.fromkeys(found))


def _start(day: date, days_back: int) -> str:
    """The first instant of the `days_back`-day window ending with `day`."""
    return f"TIMESTAMP {literal((day - timedelta(days=days_back - 1)).isoformat())}"


def _end(day: date) -> str:
    """The first instant after `day`."""
    return f"TIMESTAMP {literal((day + timedelta(days=1)).isoformat())}"


def windows_day(con: duckdb.DuckDBPyConnection) -> date | None:
    """The day `hf_types` and `hf_users` hold on this connection, if any."""
    try:
        rows = con.execute("SELECT day FROM hf_windows_day").fetchall()
    except duckdb.CatalogException:
        return None
    return rows[0][0] if rows and isinstance(rows[0][0], date) else None


def prepare_event_windows(con: duckdb.DuckDBPyConnection, day: date) -> None:
    """(Re)build `hf_types` and `hf_users` for `day` (unless they already hold it)."""
    if windows_day(con) == day:
        return
    run(con, "DROP TABLE IF EXISTS hf_windows_day")
    end = _end(day)
    d7, d28, d56, d90 = (_start(day, n) for n in (7, 28, 56, 90))
    run(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE hf_types AS
        SELECT account_id, event_type,
            COUNT(*) FILTER (WHERE occurred_at >= {d7}) AS n7,
            COUNT(*) FILTER (WHERE occurred_at >= {d28}) AS n28,
            COUNT(*) FILTER (WHERE occurred_at >= {d56} AND occurred_at < {d28}) AS nprev,
            COUNT(*) FILTER (WHERE occurred_at >= {d90}) AS n90,
            COUNT(*) AS n365,
            DATE {literal(day.isoformat())} - CAST(MAX(occurred_at) AS DATE) AS days_since
        FROM events
        WHERE occurred_at >= {_start(day, LOOKBACK_DAYS)} AND occurred_at < {end}
        GROUP BY account_id, event_type
        """,
    )
    run(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE hf_users AS
        WITH per_user AS (
            SELECT account_id, user_id,
                COUNT(*) FILTER (WHERE occurred_at >= {d7}) AS n7,
                COUNT(*) FILTER (WHERE occurred_at >= {d28}) AS n28,
                COUNT(*) FILTER (WHERE occurred_at >= {d56} AND occurred_at < {d28}) AS nprev,
                COUNT(*) FILTER (WHERE occurred_at < {d28}) AS before_n
            FROM events
            WHERE occurred_at >= {d90} AND occurred_at < {end} AND user_id IS NOT NULL
            GROUP BY account_id, user_id
        )
        SELECT account_id,
            COUNT(*) FILTER (WHERE n7 > 0) AS active_users_7d,
            COUNT(*) FILTER (WHERE n28 > 0) AS active_users_28d,
            COUNT(*) FILTER (WHERE nprev > 0) AS active_users_prev_28d,
            FIRST(CASE WHEN n28 = 0 THEN 1 ELSE 0 END ORDER BY before_n DESC, user_id)
                FILTER (WHERE before_n > 0) AS top_user_gone
        FROM per_user GROUP BY account_id
        """,
    )
    run(con, f"CREATE TEMP TABLE hf_windows_day AS SELECT DATE {literal(day.isoformat())} AS day")


def vocabulary_of_windows(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The most frequent event types of the year in `hf_types` (ties by name)."""
    rows = con.execute(
        "SELECT event_type FROM hf_types GROUP BY event_type "
        "ORDER BY SUM(n365) DESC, event_type LIMIT ?",
        [MAX_EVENT_TYPES],
    ).fetchall()
    return [str(r[0]) for r in rows]


def vocabularies_on(con: duckdb.DuckDBPyConnection, days: Iterable[date]) -> dict[date, list[str]]:
    """The vocabulary known on each of `days`: its MAX_EVENT_TYPES most frequent event
    types over the LOOKBACK_DAYS up to it (ties by name), as `vocabulary_of_windows` gives
    after `prepare_event_windows(con, day)`, for every day from one scan of the events of
    their years (a count per day and type), without building any day's windows."""
    wanted = sorted(set(days))
    if not wanted:
        return {}
    counts = ", ".join(
        f"COUNT(*) FILTER (WHERE occurred_at >= {_start(d, LOOKBACK_DAYS)} "
        f"AND occurred_at < {_end(d)}) AS n{k}"
        for k, d in enumerate(wanted)
    )
    run(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE hf_vocab_counts AS
        SELECT event_type, {counts} FROM events
        WHERE occurred_at >= {_start(wanted[0], LOOKBACK_DAYS)} AND occurred_at < {_end(wanted[-1])}
        GROUP BY event_type
        """,
    )
    per_day = " UNION ALL ".join(
        f"SELECT {k} AS k, event_type, n{k} AS n FROM hf_vocab_counts" for k in range(len(wanted))
    )
    try:
        rows = con.execute(
            f"""
            SELECT k, event_type FROM (
                SELECT k, event_type,
                    ROW_NUMBER() OVER (PARTITION BY k ORDER BY n DESC, event_type) AS rank
                FROM ({per_day}) WHERE n > 0
            ) WHERE rank <= ? ORDER BY k, rank
            """,
            [MAX_EVENT_TYPES],
        ).fetchall()
    finally:
        run(con, "DROP TABLE IF EXISTS hf_vocab_counts")
    found: dict[date, list[str]] = {d: [] for d in wanted}
    for k, event_type in rows:
        found[wanted[int(k)]].append(str(event_type))
    return found


def type_feature_names(vocabulary: Sequence[str]) -> list[str]:
    return [type_feature(t, s) for t in vocabulary for s in TYPE_SUFFIXES]


def pivot_types(
    con: duckdb.DuckDBPyConnection,
    vocabulary: Sequence[str],
    accounts: int,
    rows: str = "hf_active",
) -> Array:
    """The per-type features (columns as `type_feature_names`) of the accounts of the
    table `rows` (row = its `r`), from `hf_types`. Counts of a type not used in the last
    LOOKBACK_DAYS (or not at all) are 0; trend and days since are missing then."""
    width = len(TYPE_SUFFIXES)
    out = np.zeros((accounts, width * len(vocabulary)))
    if not vocabulary:
        return out
    for k, suffix in enumerate(TYPE_SUFFIXES):
        if suffix in ("trend_28d", "days_since"):
            out[:, k::width] = np.nan
    vocab = pa.table({"event_type": list(vocabulary), "i": list(range(len(vocabulary)))})
    con.register("hf_vocab", vocab)
    try:
        table = con.sql(
            "SELECT a.r, v.i, t.n7, t.n28, t.n90, t.nprev, t.days_since "
            f"FROM hf_types AS t JOIN {rows} AS a USING (account_id) "
            "JOIN hf_vocab AS v USING (event_type)"
        ).to_arrow_table()
    finally:
        con.unregister("hf_vocab")
    if table.num_rows == 0:
        return out
    row = _ints(table["r"])
    col = _ints(table["i"]) * width
    n28 = float_column(table["n28"])
    nprev = float_column(table["nprev"])
    out[row, col] = float_column(table["n7"])
    out[row, col + 1] = n28
    out[row, col + 2] = float_column(table["n90"])
    with np.errstate(divide="ignore", invalid="ignore"):
        out[row, col + 3] = np.where(nprev > 0, n28 / nprev - 1.0, np.nan)
    out[row, col + 4] = float_column(table["days_since"])
    return out


def _ints(column: pa.ChunkedArray) -> npt.NDArray[np.int64]:
    return np.asarray(column.to_numpy(), dtype=np.int64)


def float_column(column: pa.ChunkedArray) -> Array:
    """A numeric column as float64, NULL as NaN."""
    cast = pc.cast(column, pa.float64())
    return np.asarray(cast.to_numpy(zero_copy_only=False), dtype=np.float64)
