"""What the warehouse knows on day t about the accounts paying that day (the I/O side).

Point in time: subscription lines come from the `lines_known` model on t; events, surveys
and contacts are read up to the end of t. "The window" is the `window_days` days ending
with t (t included).

Every date of a run (D and the training dates) is loaded together, so the events are
read as few times as possible: one pass for the event counts of every date, one for the
grouped events (teams, departments) of every date, and one per date over its window for
the distinct users and event types. The result is columnar: one `Frame` per date.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import duckdb
import pyarrow as pa

from csops.analytics.sql_models import compile_model
from csops.department.expansion.config import ExpansionConfig
from csops.department.expansion.frame import Frame
from csops.department.expansion.lines import Outcome, outcome_sql, paying_sql, prices_sql

_KEY = re.compile(r"^[A-Za-z0-9_]+$")
SINCE_DAYS = 180  # the growth signals compare the last 90 days with the 90 before


@dataclass(frozen=True, slots=True)
class Contact:
    name: str | None
    email: str
    role: str | None


def _end(day: date) -> str:
    moment = datetime.combine(day + timedelta(days=1), datetime.min.time())
    return f"TIMESTAMP '{moment.isoformat(sep=' ')}'"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _run(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    con.execute(sql).fetchall()


def _id_table(con: duckdb.DuckDBPyConnection, name: str, ids: list[str]) -> None:
    """A temp table of account ids (through Arrow: row-by-row inserts are slow)."""
    con.register("_exp_ids", pa.table({"account_id": pa.array(ids, pa.string())}))
    _run(con, f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _exp_ids")
    con.unregister("_exp_ids")


def known_lines(con: duckdb.DuckDBPyConnection, day: date) -> str:
    """The name of a temp table holding every subscription line as known on `day` (made
    once per session: the store copy a session reads does not change under it)."""
    name = f"exp_lines_{day:%Y%m%d}"
    made = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?", [name]
    ).fetchall()[0][0]
    if not made:
        sql = compile_model("lines_known", "duckdb", {"as_of": day})
        _run(con, f"CREATE TEMP TABLE {name} AS {sql}")
    return name


def paying_counts(con: duckdb.DuckDBPyConnection, dates: Sequence[date]) -> dict[date, int]:
    """How many accounts pay on each date (cheap: lines only)."""
    counts = {}
    for day in dates:
        sql = paying_sql(known_lines(con, day), day)
        counts[day] = int(con.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0])
    return counts


def load_frames(
    con: duckdb.DuckDBPyConnection,
    dates: Sequence[date],
    config: ExpansionConfig,
    limit_types: Sequence[str],
    caps: Mapping[date, int] | None = None,
) -> dict[date, Frame]:
    """The facts of every account paying on each date. `caps[t]` keeps at most that many
    of t's accounts (a fixed pseudo-random sample: the lowest md5 of the id), for
    training dates of a large book. `limit_types` are the company's plan-limit event
    types (empty: no plan-limit facts)."""
    caps = caps or {}
    for i, day in enumerate(dates):
        lines = known_lines(con, day)
        cap = f"ORDER BY md5(account_id) LIMIT {int(caps[day])}" if day in caps else ""
        sql = paying_sql(lines, day)
        _run(con, f"CREATE OR REPLACE TEMP TABLE exp_pay_{i} AS SELECT * FROM ({sql}) {cap}")
    _counts(con, dates, config)
    _groups(con, dates, config)
    frames = {}
    for i, day in enumerate(dates):
        _window(con, i, day, config, limit_types)
        _new_groups(con, i, day, config)
        _nps(con, i, day, config)
        table = con.sql(_assemble(i)).to_arrow_table()
        prices = con.execute(prices_sql(known_lines(con, day))).fetchall()
        frames[day] = Frame(day, table, {(product, plan): (m, s) for product, plan, m, s in prices})
    return frames


def _counts(con: duckdb.DuckDBPyConnection, dates: Sequence[date], config: ExpansionConfig) -> None:
    """Events per account in each date's windows: the window, the window before it, the
    last 90 days and the 90 before those (one pass over the events for every date)."""
    w = config.window_days
    since = max(2 * w, SINCE_DAYS)
    columns = []
    for i, day in enumerate(dates):
        end = _end(day)
        spans = {
            "now": (w, 0),
            "before": (2 * w, w),
            "d90": (90, 0),
            "before90": (180, 90),
        }
        for name, (start, stop) in spans.items():
            columns.append(
                f"count(*) FILTER (WHERE occurred_at >= {end} - INTERVAL {start} DAY "
                f"AND occurred_at < {end} - INTERVAL {stop} DAY) AS {name}_{i}"
            )
    low = f"{_end(min(dates))} - INTERVAL {since} DAY"
    _run(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE exp_counts AS
        SELECT account_id, {", ".join(columns)} FROM events
        WHERE occurred_at >= {low} AND occurred_at < {_end(max(dates))}
        GROUP BY 1
        """,
    )


def _window(
    con: duckdb.DuckDBPyConnection,
    i: int,
    day: date,
    config: ExpansionConfig,
    limit_types: Sequence[str],
) -> None:
    """Distinct users and event types in the window of date i (and plan-limit hits)."""
    end = _end(day)
    window = f"e.occurred_at >= {end} - INTERVAL {config.window_days} DAY AND e.occurred_at < {end}"
    _run(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE exp_use_{i} AS
        SELECT e.account_id, count(DISTINCT e.user_id) AS users,
               list(DISTINCT e.event_type ORDER BY e.event_type) AS types
        FROM events e JOIN exp_pay_{i} p USING (account_id) WHERE {window} GROUP BY 1
        """,
    )
    hits = (
        f"""
        SELECT e.account_id, count(*) AS hits, max(e.occurred_at) AS last_hit,
               arg_max(e.properties, e.occurred_at) AS hit_detail
        FROM events e JOIN exp_pay_{i} p USING (account_id)
        WHERE {window} AND e.event_type IN ({", ".join(map(_quote, limit_types))}) GROUP BY 1
        """
        if limit_types
        else "SELECT NULL::VARCHAR AS account_id, 0::BIGINT AS hits, "
        "NULL::TIMESTAMP AS last_hit, NULL::VARCHAR AS hit_detail WHERE FALSE"
    )
    _run(con, f"CREATE OR REPLACE TEMP TABLE exp_limit_{i} AS {hits}")


def _group_label(config: ExpansionConfig, columns: Sequence[str]) -> tuple[str, str, str]:
    """The SQL of an event's group label ("team: finance": the first configured key found
    in its properties, then its attributes), of the parsed values it is built from (each
    JSON column is parsed once, for every key: the costly part) and a cheap text test that
    must hold for it to have one. `columns`: the JSON columns that may hold a key."""
    keys = [k for k in config.signals.new_team.group_keys if _KEY.match(k)]
    if not keys or not columns:
        return "NULL", "NULL AS _no_values", "FALSE"
    paths = "[" + ", ".join(_quote(f"$.{k}") for k in keys) + "]"
    values = ", ".join(f"json_extract_string({col}, {paths}) AS _{col}" for col in columns)
    label = ", ".join(
        f"'{k}: ' || _{col}[{n}]" for n, k in enumerate(keys, start=1) for col in columns
    )

    def mentions(col: str) -> str:
        found = " OR ".join(f"contains({col}, {_quote(chr(34) + k + chr(34))})" for k in keys)
        return f"({col} IS NOT NULL AND ({found}))"

    return f"coalesce({label})", values, "(" + " OR ".join(map(mentions, columns)) + ")"


def _json_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The event JSON columns that hold anything: `attributes` is often empty throughout,
    which the Parquet statistics tell without reading it."""
    filled = con.execute("SELECT count(*) FROM events WHERE attributes IS NOT NULL").fetchall()
    return ["properties", "attributes"] if filled[0][0] else ["properties"]


def _groups(con: duckdb.DuckDBPyConnection, dates: Sequence[date], config: ExpansionConfig) -> None:
    """Per account and group (a team, a department, ...), for each date i: when the group
    was first seen within the lookback before the window up to the date (`first_i`), and
    its distinct users in the window (`users_i`). One pass over the events of every date;
    the user is kept only on events inside a window, so the groups stay few. Events that
    mention a key but carry no label stay in as the group NULL, dropped by the readers:
    a filter here would be pushed down and parse the JSON twice. Only the accounts paying
    on one of the dates are read (the readers join on them)."""
    columns = _json_columns(con)
    label, values, mentioned = _group_label(config, columns)
    w, lookback = config.window_days, config.signals.new_team.lookback_days
    in_window, per_user, per_group = [], [], []
    for i, day in enumerate(dates):
        end = _end(day)
        window = f"occurred_at >= {end} - INTERVAL {w} DAY AND occurred_at < {end}"
        since = f"{end} - INTERVAL {w + lookback} DAY"
        in_window.append(f"({window})")
        per_user += [
            f"min(occurred_at) FILTER (WHERE occurred_at >= {since} AND occurred_at < {end}) "
            f"AS first_{i}",
            f"bool_or({window}) AS active_{i}",
        ]
        per_group += [
            f"min(first_{i}) AS first_{i}",
            f"count(window_user) FILTER (WHERE active_{i}) AS users_{i}",
        ]
    low = f"{_end(min(dates))} - INTERVAL {w + lookback} DAY"
    paying = " UNION ".join(f"SELECT account_id FROM exp_pay_{i}" for i in range(len(dates)))
    _run(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE exp_groups AS
        WITH mentioned AS (
            SELECT account_id, occurred_at, user_id, {", ".join(columns)}
            FROM events
            WHERE occurred_at >= {low} AND occurred_at < {_end(max(dates))} AND {mentioned}
              AND account_id IN ({paying})
        ),
        parsed AS (SELECT *, {values} FROM mentioned),
        grouped AS (
            SELECT account_id, occurred_at, {label} AS grp,
                   CASE WHEN {" OR ".join(in_window)} THEN user_id END AS window_user
            FROM parsed
        ),
        per_user AS (
            SELECT account_id, grp, window_user, {", ".join(per_user)}
            FROM grouped GROUP BY 1, 2, 3
        )
        SELECT account_id, grp, {", ".join(per_group)} FROM per_user GROUP BY 1, 2
        """,
    )


def _new_groups(con: duckdb.DuckDBPyConnection, i: int, day: date, config: ExpansionConfig) -> None:
    """Per account paying on date i: whether a group was active before the window within
    the lookback (`old`), and the groups first seen in the window with at least
    `min_users` users in it (`new`: label, first seen, users), oldest first."""
    start = f"{_end(day)} - INTERVAL {config.window_days} DAY"
    min_users = config.signals.new_team.min_users
    _run(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE exp_new_{i} AS
        SELECT g.account_id, bool_or(g.first_{i} < {start}) AS old,
            list({{'label': g.grp, 'first_seen': g.first_{i}, 'users': g.users_{i}}}
                 ORDER BY g.first_{i}, g.grp)
                FILTER (WHERE g.first_{i} >= {start} AND g.users_{i} >= {min_users}) AS new
        FROM exp_groups g JOIN exp_pay_{i} p USING (account_id)
        WHERE g.first_{i} IS NOT NULL AND g.grp IS NOT NULL
        GROUP BY 1
        """,
    )


def _nps(con: duckdb.DuckDBPyConnection, i: int, day: date, config: ExpansionConfig) -> None:
    end = _end(day)
    lookback = config.signals.promoter_nps.lookback_days
    _run(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE exp_nps_{i} AS
        SELECT s.account_id, arg_max(s.score, s.responded_at) AS nps_score,
               CAST(max(s.responded_at) AS DATE) AS nps_day,
               arg_max(c.name, s.responded_at) AS nps_contact
        FROM surveys s JOIN exp_pay_{i} p USING (account_id)
        LEFT JOIN contacts c ON c.contact_id = s.contact_id
        WHERE s.kind = 'nps' AND s.responded_at < {end}
          AND s.responded_at >= {end} - INTERVAL {lookback} DAY
        GROUP BY 1
        """,
    )


def _assemble(i: int) -> str:
    return f"""
        SELECT p.*, coalesce(a.name, p.account_id) AS name, a.segment, a.region,
            a.owner_email AS owner,
            coalesce(c.now_{i}, 0) AS events_now, coalesce(c.before_{i}, 0) AS events_before,
            coalesce(c.d90_{i}, 0) AS events_90, coalesce(c.before90_{i}, 0) AS events_before_90,
            coalesce(u.users, 0) AS users, u.types,
            coalesce(l.hits, 0) AS limit_hits, l.last_hit, l.hit_detail,
            CASE WHEN g.old THEN g.new END AS new_groups,
            n.nps_score, n.nps_day, n.nps_contact
        FROM exp_pay_{i} p
        LEFT JOIN accounts a USING (account_id)
        LEFT JOIN exp_counts c USING (account_id)
        LEFT JOIN exp_use_{i} u USING (account_id)
        LEFT JOIN exp_limit_{i} l USING (account_id)
        LEFT JOIN exp_new_{i} g USING (account_id)
        LEFT JOIN exp_nps_{i} n USING (account_id)
        ORDER BY p.account_id
    """


def load_outcomes(
    con: duckdb.DuckDBPyConnection,
    lines: str,
    t: date,
    horizon_days: int,
    account_ids: Sequence[str],
) -> dict[str, Outcome]:
    """Whether each account expanded within (t, t + horizon], per the lines in the table
    `lines` (see `known_lines`); accounts with no line starting in the horizon are left
    out (no expansion)."""
    _id_table(con, "exp_outcome_ids", list(account_ids))
    rows = con.execute(outcome_sql(lines, t, horizon_days, "exp_outcome_ids")).fetchall()
    return {
        account_id: Outcome(bool(expanded), Decimal(added_mrr), int(added_seats), day)
        for account_id, expanded, added_mrr, added_seats, day in rows
    }


def load_contacts(
    con: duckdb.DuckDBPyConnection, account_ids: list[str]
) -> dict[str, list[Contact]]:
    """Contacts of the accounts, the people Sales should talk to first."""
    if not account_ids:
        return {}
    _id_table(con, "exp_wanted", account_ids)
    rows = con.execute(
        """
        SELECT c.account_id, c.name, c.email, c.role FROM contacts c
        JOIN exp_wanted USING (account_id)
        ORDER BY c.account_id,
                 CASE c.role WHEN 'executive' THEN 0 WHEN 'champion' THEN 1 WHEN 'admin' THEN 2
                             WHEN 'billing' THEN 3 ELSE 4 END,
                 coalesce(c.is_primary, FALSE) DESC, c.email
        """
    ).fetchall()
    contacts: dict[str, list[Contact]] = {}
    for account_id, name, email, role in rows:
        contacts.setdefault(account_id, []).append(Contact(name, email, role))
    return contacts
