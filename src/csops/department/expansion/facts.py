"""What the warehouse knows on day t about the accounts paying that day (the I/O side).

Point in time: subscription lines come from the `lines_known` model on t; events, surveys
and contacts are read up to the end of t. "The window" is the `window_days` days ending
with t (t included).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import duckdb
import pyarrow as pa

from csops.analytics.sql_models import compile_model
from csops.department.expansion.config import ExpansionConfig
from csops.department.expansion.lines import Line, active_paid

_KEY = re.compile(r"^[A-Za-z0-9_]+$")


@dataclass(frozen=True)
class Usage:
    users: int  # distinct users in the window
    events_now: int  # events in the window
    events_before: int  # events in the window before it
    events_90: int  # events in the 90 days ending with t
    events_before_90: int  # events in the 90 days before those
    types_now: tuple[str, ...]  # event types seen in the window


NO_USAGE = Usage(0, 0, 0, 0, 0, ())


@dataclass(frozen=True)
class LimitHits:
    count: int
    last: datetime
    detail: str | None  # the properties of the latest hit (JSON text)


@dataclass(frozen=True)
class Group:
    label: str  # "team: finance"
    first_seen: datetime
    users_now: int  # distinct users of the group in the window


@dataclass(frozen=True)
class Nps:
    score: Decimal
    day: date
    contact: str | None


@dataclass(frozen=True)
class Contact:
    name: str | None
    email: str
    role: str | None


@dataclass(frozen=True)
class AccountFacts:
    account_id: str
    name: str
    segment: str | None
    region: str | None
    owner: str | None
    lines: tuple[Line, ...]  # its paying lines active on t
    usage: Usage
    limits: LimitHits | None
    groups: tuple[Group, ...]
    nps: Nps | None


@dataclass(frozen=True)
class Snapshot:
    as_of: date
    accounts: tuple[AccountFacts, ...]  # paying on t, by account id
    lines: tuple[Line, ...]  # every line known on t (the plan ladder is read from them)


def _end(day: date) -> str:
    moment = datetime.combine(day + timedelta(days=1), datetime.min.time())
    return f"TIMESTAMP '{moment.isoformat(sep=' ')}'"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _id_table(con: duckdb.DuckDBPyConnection, name: str, ids: list[str]) -> None:
    """A temp table of account ids (through Arrow: row-by-row inserts are slow)."""
    con.register("_exp_ids", pa.table({"account_id": pa.array(ids, pa.string())}))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _exp_ids").fetchall()
    con.unregister("_exp_ids")


def load_lines(con: duckdb.DuckDBPyConnection, as_of: date) -> list[Line]:
    sql = compile_model("lines_known", "duckdb", {"as_of": as_of})
    rows = con.execute(
        f"SELECT account_id, plan, product, mrr, seats, start_date, end_date, "
        f"billing_period_months FROM ({sql}) ORDER BY account_id, start_date, subscription_id"
    ).fetchall()
    return [Line(*row) for row in rows]


def load_snapshot(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    config: ExpansionConfig,
    limit_types: list[str],
) -> Snapshot:
    """Facts about every account paying on `as_of`. `limit_types` are the company's
    plan-limit event types (empty: no plan-limit facts). `prepare_groups` must have
    covered `as_of`."""
    lines = load_lines(con, as_of)
    paying: dict[str, list[Line]] = {}
    for line in active_paid(lines, as_of):
        paying.setdefault(line.account_id, []).append(line)
    _id_table(con, "exp_paying", list(paying))
    usage, limits = _usage(con, as_of, config, limit_types)
    groups = _groups(con, as_of, config)
    nps = _nps(con, as_of, config)
    info = {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT a.account_id, a.name, a.segment, a.region, a.owner_email "
            "FROM accounts a JOIN exp_paying p USING (account_id)"
        ).fetchall()
    }
    accounts = []
    for account_id in sorted(paying):
        name, segment, region, owner = info.get(account_id, (account_id, None, None, None))
        accounts.append(
            AccountFacts(
                account_id=account_id,
                name=name,
                segment=segment,
                region=region,
                owner=owner,
                lines=tuple(paying[account_id]),
                usage=usage.get(account_id, NO_USAGE),
                limits=limits.get(account_id),
                groups=tuple(groups.get(account_id, ())),
                nps=nps.get(account_id),
            )
        )
    return Snapshot(as_of, tuple(accounts), tuple(lines))


def _usage(
    con: duckdb.DuckDBPyConnection, as_of: date, config: ExpansionConfig, limit_types: list[str]
) -> tuple[dict[str, Usage], dict[str, LimitHits]]:
    # Three queries, not one: DISTINCT aggregates with a FILTER over the long span cost
    # three times more than the same aggregates over the window alone.
    end = _end(as_of)
    w = config.window_days
    now = f"{end} - INTERVAL {w} DAY"
    before = f"{end} - INTERVAL {2 * w} DAY"
    d90 = f"{end} - INTERVAL 90 DAY"
    since = f"{end} - INTERVAL {max(2 * w, 180)} DAY"
    limit_in = f"event_type IN ({', '.join(map(_quote, limit_types))})" if limit_types else "FALSE"
    counts = con.execute(
        f"""
        SELECT e.account_id,
            count(*) FILTER (WHERE e.occurred_at >= {now}),
            count(*) FILTER (WHERE e.occurred_at >= {before} AND e.occurred_at < {now}),
            count(*) FILTER (WHERE e.occurred_at >= {d90}),
            count(*) FILTER (WHERE e.occurred_at >= {d90} - INTERVAL 90 DAY
                             AND e.occurred_at < {d90}),
            count(*) FILTER (WHERE e.occurred_at >= {now} AND {limit_in}),
            max(e.occurred_at) FILTER (WHERE e.occurred_at >= {now} AND {limit_in}),
            arg_max(e.properties, e.occurred_at) FILTER (WHERE e.occurred_at >= {now}
                                                          AND {limit_in})
        FROM events e JOIN exp_paying p USING (account_id)
        WHERE e.occurred_at >= {since} AND e.occurred_at < {end}
        GROUP BY 1
        """
    ).fetchall()
    window = f"e.occurred_at >= {now} AND e.occurred_at < {end}"
    users = dict(
        con.execute(
            f"SELECT e.account_id, count(DISTINCT e.user_id) FROM events e "
            f"JOIN exp_paying p USING (account_id) WHERE {window} GROUP BY 1"
        ).fetchall()
    )
    types = dict(
        con.execute(
            f"SELECT account_id, list(event_type ORDER BY event_type) FROM ("
            f"SELECT DISTINCT e.account_id, e.event_type FROM events e "
            f"JOIN exp_paying p USING (account_id) WHERE {window}) GROUP BY 1"
        ).fetchall()
    )
    usage: dict[str, Usage] = {}
    limits: dict[str, LimitHits] = {}
    for account_id, ev, ev_b, ev90, ev_b90, hits, last, detail in counts:
        kinds = tuple(types.get(account_id) or ())
        usage[account_id] = Usage(users.get(account_id, 0), ev, ev_b, ev90, ev_b90, kinds)
        if hits:
            limits[account_id] = LimitHits(hits, last, detail)
    return usage, limits


def prepare_groups(
    con: duckdb.DuckDBPyConnection, first: date, last: date, config: ExpansionConfig
) -> None:
    """Events that carry a group (a team, a department, ...) between the earliest window
    any snapshot from `first` to `last` looks at and the end of `last`, with the group
    label: the temp table `exp_group_events`, shared by every snapshot so the JSON is
    parsed once. Call before `load_snapshot`."""
    keys = [k for k in config.signals.new_team.group_keys if _KEY.match(k)]
    end = _end(last)
    since = (
        f"{_end(first)} - INTERVAL {config.window_days + config.signals.new_team.lookback_days} DAY"
    )
    label = (
        "coalesce("
        + ", ".join(
            f"'{k}: ' || json_extract_string({col}, '$.{k}')"
            for k in keys
            for col in ("properties", "attributes")
        )
        + ")"
        if keys
        else "NULL"
    )
    # A text search for the key names first: parsing JSON is the costly part.
    prefilter = " OR ".join(
        f"contains({col}, '\"{k}\"')" for k in keys for col in ("properties", "attributes")
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE exp_group_events AS
        SELECT account_id, user_id, occurred_at, grp FROM (
            SELECT account_id, user_id, occurred_at, {label} AS grp FROM events
            WHERE occurred_at >= {since} AND occurred_at < {end} AND ({prefilter or "FALSE"})
        ) WHERE grp IS NOT NULL
        """
    ).fetchall()


def _groups(
    con: duckdb.DuckDBPyConnection, as_of: date, config: ExpansionConfig
) -> dict[str, list[Group]]:
    end = _end(as_of)
    now = f"{end} - INTERVAL {config.window_days} DAY"
    since = f"{now} - INTERVAL {config.signals.new_team.lookback_days} DAY"
    rows = con.execute(
        f"""
        SELECT g.account_id, g.grp, min(g.occurred_at) AS first_seen,
               count(DISTINCT g.user_id) FILTER (WHERE g.occurred_at >= {now}) AS users_now
        FROM exp_group_events g JOIN exp_paying p USING (account_id)
        WHERE g.occurred_at >= {since} AND g.occurred_at < {end}
        GROUP BY 1, 2
        ORDER BY 1, 3, 2
        """
    ).fetchall()
    groups: dict[str, list[Group]] = {}
    for account_id, grp, first_seen, users_now in rows:
        groups.setdefault(account_id, []).append(Group(grp, first_seen, users_now))
    return groups


def _nps(con: duckdb.DuckDBPyConnection, as_of: date, config: ExpansionConfig) -> dict[str, Nps]:
    end = _end(as_of)
    lookback = config.signals.promoter_nps.lookback_days
    rows = con.execute(
        f"""
        SELECT s.account_id, arg_max(s.score, s.responded_at), max(s.responded_at),
               arg_max(c.name, s.responded_at)
        FROM surveys s JOIN exp_paying p USING (account_id)
        LEFT JOIN contacts c ON c.contact_id = s.contact_id
        WHERE s.kind = 'nps' AND s.responded_at < {end}
          AND s.responded_at >= {end} - INTERVAL {lookback} DAY
        GROUP BY 1
        """
    ).fetchall()
    return {a: Nps(score, when.date(), who) for a, score, when, who in rows}


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
