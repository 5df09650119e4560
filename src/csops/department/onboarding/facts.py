"""What the warehouse knows about onboarding accounts on day D (the I/O side).

Point in time: lines come from the `lines_known` model on D, events and activities up to
the end of D. Onboarding start = the account's first paying subscription line start
(mrr > 0) as known on D; a free line (a sandbox) does not start onboarding.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb

from csops.analytics.sql_models import compile_model
from csops.department.onboarding.journey import (
    ActiveUsers,
    ActivityRule,
    AnyEvent,
    EventBreadth,
    EventRule,
    JourneyConfig,
    Rule,
    SeatsAssigned,
)


@dataclass(frozen=True, slots=True)
class OnboardingAccount:
    account_id: str
    name: str
    start: date
    segment: str | None
    plan: str | None  # plan of the largest paying line on the start day
    owner: str | None
    seats: int  # seats on the paying lines active on D (else the last ones known)


def _day_end(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time())


def _sql_date(day: date) -> str:
    return f"DATE '{day.isoformat()}'"


def _sql_ts(moment: datetime) -> str:
    return f"TIMESTAMP '{moment.isoformat(sep=' ')}'"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def load_accounts(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    started_since: date | None = None,
    account_id: str | None = None,
) -> list[OnboardingAccount]:
    """Accounts whose onboarding started on or before D (and on or after `started_since`).

    Leaves a temp table `onb_acc` behind for `milestone_days`."""
    lines = compile_model("lines_known", "duckdb", {"as_of": as_of})
    con.execute(f"CREATE OR REPLACE TEMP TABLE onb_lines AS {lines}").fetchall()
    filters = []
    if started_since is not None:
        filters.append(f"s.start_date >= {_sql_date(started_since)}")
    if account_id is not None:
        filters.append(f"s.account_id = {_quote(account_id)}")
    where = ("WHERE " + " AND ".join(filters)) if filters else ""
    d = _sql_date(as_of)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE onb_acc AS
        WITH paid AS (SELECT * FROM onb_lines WHERE mrr > 0),
        starts AS (SELECT account_id, min(start_date) AS start_date FROM paid GROUP BY 1),
        first_plan AS (
            SELECT p.account_id, arg_max(p.plan, p.mrr) AS plan
            FROM paid p JOIN starts s
              ON p.account_id = s.account_id AND p.start_date = s.start_date
            GROUP BY 1
        ),
        seats_now AS (
            SELECT account_id, sum(coalesce(seats, 0)) AS seats FROM paid
            WHERE end_date IS NULL OR end_date > {d} GROUP BY 1
        ),
        seats_last AS (
            SELECT account_id, arg_max(coalesce(seats, 0), start_date) AS seats
            FROM paid GROUP BY 1
        )
        SELECT s.account_id, coalesce(a.name, s.account_id) AS name, s.start_date,
               a.segment, fp.plan, a.owner_email,
               CAST(coalesce(n.seats, l.seats, 0) AS BIGINT) AS seats
        FROM starts s
        LEFT JOIN accounts a USING (account_id)
        LEFT JOIN first_plan fp USING (account_id)
        LEFT JOIN seats_now n USING (account_id)
        LEFT JOIN seats_last l USING (account_id)
        {where}
        """
    ).fetchall()
    rows = con.execute(
        "SELECT account_id, name, start_date, segment, plan, owner_email, seats "
        "FROM onb_acc ORDER BY account_id"
    ).fetchall()
    return [OnboardingAccount(*row) for row in rows]


def event_types(con: duckdb.DuckDBPyConnection, since: date, as_of: date) -> list[str]:
    """The company's vocabulary while these accounts onboarded: every event type seen
    from `since` to D (nothing later is known on D)."""
    rows = con.execute(
        "SELECT DISTINCT event_type FROM events WHERE occurred_at >= ? AND occurred_at < ?",
        [datetime.combine(since, datetime.min.time()), _day_end(as_of)],
    ).fetchall()
    return [r[0] for r in rows]


def _rule_sql(rule: Rule, known_types: list[str]) -> str | None:
    """A query of (account_id, done_at) for one rule over `onb_types` / `onb_users` /
    `onb_ev` / ...; None when the rule can never be met (no matching event type)."""
    if isinstance(rule, AnyEvent):
        if rule.min_count == 1:
            return _nth("onb_types", "TRUE", 1)
        return _nth("onb_ev", "TRUE", rule.min_count)
    if isinstance(rule, EventRule):
        matched = sorted(
            {t for t in known_types for p in rule.event_types if fnmatch.fnmatchcase(t, p)}
        )
        if not matched:
            return None
        condition = f"event_type IN ({', '.join(map(_quote, matched))})"
        return _nth("onb_types" if rule.min_count == 1 else "onb_ev", condition, rule.min_count)
    if isinstance(rule, ActiveUsers):
        return _nth("onb_users", "TRUE", rule.min_users)
    if isinstance(rule, EventBreadth):
        return _nth("onb_types", "TRUE", rule.min_types)
    if isinstance(rule, SeatsAssigned):
        # The k-th distinct user, k = ceil(share x seats): seats known on D.
        return (
            "SELECT u.account_id, u.occurred_at AS done_at FROM ("
            "SELECT account_id, occurred_at, row_number() OVER "
            "(PARTITION BY account_id ORDER BY occurred_at) AS rn FROM onb_users) u "
            "JOIN onb_acc a USING (account_id) "
            f"WHERE a.seats > 0 AND u.rn = CAST(ceil({rule.min_share!r} * a.seats) AS BIGINT)"
        )
    if isinstance(rule, ActivityRule):
        kinds = ", ".join(map(_quote, rule.activity_kinds))
        return _nth("onb_act", f"kind IN ({kinds})", rule.min_count)
    raise TypeError(f"unknown rule {rule!r}")  # pragma: no cover - the union is closed


def _needs_every_event(config: JourneyConfig) -> bool:
    """Whether a rule counts events (the n-th one, n > 1): only then are the onboarding
    accounts' events kept one by one."""
    return any(
        isinstance(m.rule, AnyEvent | EventRule) and m.rule.min_count > 1
        for journey in config.journeys
        for m in journey.milestones
    )


def _nth(table: str, condition: str, n: int) -> str:
    if n == 1:
        return (
            f"SELECT account_id, min(occurred_at) AS done_at FROM {table} "
            f"WHERE {condition} GROUP BY 1"
        )
    return (
        f"SELECT account_id, occurred_at AS done_at FROM (SELECT account_id, occurred_at, "
        f"row_number() OVER (PARTITION BY account_id ORDER BY occurred_at) AS rn "
        f"FROM {table} WHERE {condition}) WHERE rn = {n}"
    )


def milestone_days(
    con: duckdb.DuckDBPyConnection, config: JourneyConfig, as_of: date, known_types: list[str]
) -> dict[tuple[str, str, str], date]:
    """(journey, account_id, milestone key) → the day the milestone was met, for every
    milestone of every journey, over the accounts in `onb_acc`. Facts before the start (a
    kickoff call within the lookback) count on the start day.

    The events are read once, from the earliest start on: when each user and each event
    type was first seen since the account's start is all the rules need, unless one
    counts events (then the events are kept one by one, `onb_ev`)."""
    first = con.execute("SELECT min(start_date) FROM onb_acc").fetchall()[0][0]
    if first is None:
        return {}
    end = _sql_ts(_day_end(as_of))
    since = f"e.occurred_at >= {_sql_ts(datetime.combine(first, datetime.min.time()))}"
    own = "e.occurred_at >= CAST(a.start_date AS TIMESTAMP)"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE onb_first AS
        SELECT e.account_id, e.user_id, e.event_type, min(e.occurred_at) AS occurred_at,
               grouping(e.event_type) = 1 AS by_user
        FROM events e JOIN onb_acc a USING (account_id)
        WHERE {since} AND e.occurred_at < {end} AND {own}
        GROUP BY GROUPING SETS ((e.account_id, e.user_id), (e.account_id, e.event_type))
        """
    ).fetchall()
    if _needs_every_event(config):
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE onb_ev AS
            SELECT e.account_id, e.event_type, e.occurred_at
            FROM events e JOIN onb_acc a USING (account_id)
            WHERE {since} AND e.occurred_at < {end} AND {own}
            """
        ).fetchall()
    con.execute(
        "CREATE OR REPLACE TEMP VIEW onb_users AS SELECT account_id, user_id, occurred_at "
        "FROM onb_first WHERE by_user AND user_id IS NOT NULL"
    ).fetchall()
    con.execute(
        "CREATE OR REPLACE TEMP VIEW onb_types AS SELECT account_id, event_type, occurred_at "
        "FROM onb_first WHERE NOT by_user"
    ).fetchall()
    lookback = config.activity_lookback_days
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE onb_act AS
        SELECT t.account_id, t.kind, greatest(t.occurred_at, CAST(a.start_date AS TIMESTAMP))
               AS occurred_at
        FROM activities t JOIN onb_acc a USING (account_id)
        WHERE t.occurred_at >= CAST(a.start_date AS TIMESTAMP) - INTERVAL {lookback} DAY
          AND t.occurred_at < {end}
        """
    ).fetchall()
    queries: list[str] = []
    for journey in config.journeys:
        for milestone in journey.milestones:
            sql = _rule_sql(milestone.rule, known_types)
            if sql is not None:
                queries.append(
                    f"SELECT {_quote(journey.name)} AS journey, {_quote(milestone.key)} AS key, "
                    f"account_id, CAST(done_at AS DATE) AS day FROM ({sql})"
                )
    if not queries:
        return {}
    rows = con.execute(" UNION ALL ".join(queries)).fetchall()
    return {(journey, account, key): day for journey, key, account, day in rows}
