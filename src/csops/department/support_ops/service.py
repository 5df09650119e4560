"""Support Ops use cases: the SLA report of a period, and tickets evaluated as of an
instant. Opens the warehouse, reads, evaluates, hands back plain data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import Engine

from csops.analytics.warehouse import open_warehouse
from csops.config import Settings
from csops.department.support_ops.data import AccountContext, day_of, load_accounts, load_tickets
from csops.department.support_ops.evaluate import TicketSla, evaluate
from csops.department.support_ops.metrics import (
    breach_warnings,
    breaches_by_account,
    compliance,
    durations,
)
from csops.department.support_ops.policy import (
    PolicySet,
    TicketTraits,
    load_policies,
    workspace_policies_path,
)

TABLES = ("accounts", "tickets", "ticket_comments", "subscription_versions")
DEFAULT_DAYS = 30


def resolve_policies(settings: Settings, path: Path | None = None) -> PolicySet:
    """`path`, else the workspace's config/sla.yaml, else the built-in defaults."""
    if path is not None:
        return load_policies(path)
    own = workspace_policies_path(settings.workspace)
    return load_policies(own if own.exists() else None)


def instant_of(as_of: date, now: datetime | None = None) -> datetime:
    """The end of day `as_of`, or now when that is earlier (naive UTC)."""
    end = datetime.combine(as_of + timedelta(days=1), time())
    current = now or datetime.now(UTC).replace(tzinfo=None)
    return min(end, current)


@dataclass(frozen=True)
class Evaluated:
    at: datetime
    policies: PolicySet
    accounts: dict[str, AccountContext]
    results: list[TicketSla]


def evaluate_tickets(
    con: duckdb.DuckDBPyConnection,
    policies: PolicySet,
    at: datetime,
    created_from: datetime | None = None,
    ticket_id: str | None = None,
) -> Evaluated:
    accounts = load_accounts(con, day_of(at))
    results = []
    for ticket in load_tickets(con, at, created_from, ticket_id):
        account = accounts.get(ticket.account_id)
        traits = TicketTraits(
            priority=ticket.priority,
            channel=ticket.channel,
            segment=account.segment if account else None,
            plan=account.plan if account else None,
            arr=account.arr if account else None,
        )
        results.append(evaluate(ticket, policies.policy_for(traits), policies, at))
    return Evaluated(at, policies, accounts, results)


def open_support_warehouse(settings: Settings, engine: Engine) -> duckdb.DuckDBPyConnection:
    return open_warehouse(settings, engine, TABLES)


def sla_report(
    settings: Settings,
    engine: Engine,
    policies: PolicySet,
    at: datetime,
    date_from: date,
    date_to: date,
    warn_hours: float = 4.0,
    with_tickets: bool = False,
) -> dict[str, Any]:
    """Compliance, reply and resolution times and breaches of the tickets created from
    `date_from` to `date_to` (inclusive), and warnings over every ticket open at `at`;
    `with_tickets` adds every ticket of the period, target by target."""
    start = datetime.combine(date_from, time())
    end = datetime.combine(date_to + timedelta(days=1), time())
    con = open_support_warehouse(settings, engine)
    try:
        evaluated = evaluate_tickets(con, policies, at, created_from=start)
    finally:
        con.close()
    period = [r for r in evaluated.results if start <= r.ticket.created_at < end]
    warnings = breach_warnings(evaluated.results, evaluated.accounts, at, warn_hours)
    report: dict[str, Any] = {
        "as_of": at,
        "period": {"from": date_from, "to": date_to, "tickets": len(period)},
        "policies_file": policies.source,
        "compliance": compliance(period),
        "times": durations(period, policies.default_schedule),
        "breaches_by_account": breaches_by_account(period, evaluated.accounts),
        "breach_warnings": {
            "hours": warn_hours,
            "tickets": [w.as_dict(at) for w in warnings],
        },
    }
    if with_tickets:
        report["tickets"] = ticket_rows(period)
    return report


def default_period(as_of: date, date_from: date | None, date_to: date | None) -> tuple[date, date]:
    to = date_to or as_of
    return (date_from or to - timedelta(days=DEFAULT_DAYS - 1)), to


def ticket_rows(results: Sequence[TicketSla]) -> list[dict[str, Any]]:
    """Per ticket and target, for `--tickets` style output and tests."""
    return [
        {
            "ticket_id": r.ticket.ticket_id,
            "policy": r.policy.name if r.policy else None,
            "state": r.state.value if r.state else None,
            "targets": [o.as_dict() for o in r.outcomes],
        }
        for r in results
    ]
