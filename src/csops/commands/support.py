"""`csops support …`: SLA compliance, breach warnings and ticket triage."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from csops.commands.common import (
    AS_OF,
    JSON,
    config_option,
    emit_json,
    fail,
    fail_on,
    load_settings,
    out,
    parse_day,
    store,
)
from csops.department.support_ops.policy import PolicyError, PolicySet
from csops.department.support_ops.service import (
    default_period,
    evaluate_tickets,
    instant_of,
    open_support_warehouse,
    resolve_policies,
    sla_report,
)
from csops.department.support_ops.triage import RECENT_DAYS, is_open, knowledge_base_matcher, triage

app = typer.Typer(
    help="Support Ops: SLA compliance and breach warnings, ticket triage.",
    no_args_is_help=True,
)

POLICIES = config_option("SLA policies", "sla.yaml", "defaults", flag="--policies")


def _policies(settings: Any, path: Path | None) -> PolicySet:
    with fail_on(PolicyError):
        return resolve_policies(settings, path)


@app.command()
def sla(
    as_of: str | None = AS_OF,
    date_from: str | None = typer.Option(
        None, "--from", help="First creation day of the period (default 30 days to --to)."
    ),
    date_to: str | None = typer.Option(
        None, "--to", help="Last creation day of the period (default --as-of)."
    ),
    warn_hours: float = typer.Option(
        4.0, "--warn-hours", min=0, help="Warn about targets due within this many hours."
    ),
    policies_path: Path | None = POLICIES,
    tickets: bool = typer.Option(
        False, "--tickets", help="Also list every ticket of the period, target by target."
    ),
    as_json: bool = JSON,
) -> None:
    """SLA compliance per policy and target, reply and resolution times, breaches by
    account, and tickets about to breach ranked by ARR and renewal proximity."""
    day = parse_day(as_of)
    start, end = default_period(
        day,
        parse_day(date_from, "--from") if date_from else None,
        parse_day(date_to, "--to") if date_to else None,
    )
    if end < start:
        raise fail(f"--from {start} is after --to {end}")
    settings = load_settings()
    policies = _policies(settings, policies_path)
    with store(settings) as ctx:
        at = instant_of(day, ctx.now)
        report = sla_report(
            settings, ctx.engine, policies, at, start, end, warn_hours, with_tickets=tickets
        )
    if as_json:
        emit_json(report)
    else:
        _render_sla(report)


@app.command("triage")
def triage_command(
    as_of: str | None = AS_OF,
    ticket: str | None = typer.Option(None, "--ticket", help="Triage this one ticket."),
    open_only: bool = typer.Option(
        False, "--open", help="Triage every ticket open at --as-of (the default)."
    ),
    policies_path: Path | None = POLICIES,
    as_json: bool = JSON,
) -> None:
    """Per open ticket (or one): its SLA and due times, a priority suggestion with the rule
    that fired, the account's value and context, a category and suggested articles."""
    if ticket is not None and open_only:
        raise fail("give --ticket ID or --open, not both")
    day = parse_day(as_of)
    settings = load_settings()
    policies = _policies(settings, policies_path)
    with store(settings) as ctx:
        at = instant_of(day, ctx.now)
        con = open_support_warehouse(settings, ctx.engine)
        try:
            evaluated = evaluate_tickets(con, policies, at, at - timedelta(days=RECENT_DAYS))
            if ticket is not None:
                one = evaluate_tickets(con, policies, at, ticket_id=ticket).results
                if not one:
                    raise fail(f"no ticket {ticket!r} created by {at:%Y-%m-%d %H:%M}")
                chosen = one
            else:
                chosen = [r for r in evaluated.results if is_open(r)]
        finally:
            con.close()
        rows = triage(evaluated, chosen, knowledge_base_matcher(settings))
    document = {"as_of": at, "policies_file": policies.source, "tickets": rows}
    if as_json:
        emit_json(document)
    else:
        _render_triage(rows)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _hours(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} h"


def _render_sla(report: dict[str, Any]) -> None:
    period = report["period"]
    out.print(
        f"SLA for tickets created {period['from']} to {period['to']} "
        f"({period['tickets']} tickets), as of {report['as_of']:%Y-%m-%d %H:%M} UTC"
    )
    table = Table("policy", "target", "achieved", "breached", "running", "compliance")
    overall = report["compliance"]["overall"]
    rows = [("all", overall), *report["compliance"]["policies"].items()]
    for name, block in rows:
        sla_counts = block["sla"]
        table.add_row(
            name,
            "ticket SLA",
            *(str(sla_counts[k]) for k in ("achieved", "breached", "running")),
            _pct(sla_counts["compliance"]),
        )
        for target, c in block["targets"].items():
            table.add_row(
                "",
                target,
                str(c["achieved"]),
                str(c["breached"]),
                str(c["running"]),
                _pct(c["compliance"]),
            )
    out.print(table)
    times = Table(
        "measure",
        "tickets",
        "median (calendar)",
        "p90 (calendar)",
        "median (business)",
        "p90 (business)",
    )
    for name, t in report["times"].items():
        times.add_row(
            name.replace("_", " "),
            str(t["tickets"]),
            _hours(t["calendar_hours"]["median"]),
            _hours(t["calendar_hours"]["p90"]),
            _hours(t["business_hours"]["median"]),
            _hours(t["business_hours"]["p90"]),
        )
    out.print(times)
    warnings = report["breach_warnings"]
    table = Table(
        "ticket",
        "due (UTC)",
        "targets",
        "account",
        "ARR",
        "renews in",
        "CSM",
        title=f"About to breach within {warnings['hours']:g} h",
    )
    for w in warnings["tickets"]:
        table.add_row(
            w["ticket_id"],
            f"{w['due_at']:%Y-%m-%d %H:%M}",
            ", ".join(w["targets"]),
            w["account_name"] or w["account_id"],
            f"{w['arr'] or 0:,.0f}",
            "–" if w["days_to_renewal"] is None else f"{w['days_to_renewal']} d",
            w["owner_email"] or "–",
        )
    out.print(table)


def _render_triage(rows: list[dict[str, Any]]) -> None:
    table = Table(
        "ticket",
        "subject",
        "SLA",
        "next due (UTC)",
        "priority",
        "category",
        "account",
        "ARR",
        "articles",
    )
    for row in rows:
        due = row["next_due_at"]
        p = row["priority"]
        table.add_row(
            row["ticket_id"],
            row["subject"][:40],
            row["sla"]["state"] or "–",
            f"{due:%Y-%m-%d %H:%M}" if due else "–",
            p["suggested"] + (f" (was {p['current']})" if p["changed"] else ""),
            row["category"] or "–",
            row["account"]["name"] or row["account"]["account_id"],
            f"{row['account']['arr'] or 0:,.0f}",
            ", ".join(a["title"] for a in row["suggested_articles"]) or "–",
        )
    out.print(table)
