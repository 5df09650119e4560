"""The weekly report's Support section: SLA compliance of the week per target and its
trend over eight weeks, first reply and resolution medians, breaches by account and the
tickets about to breach, ranked by ARR and renewal proximity."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any

from csops.department.support_ops.metrics import (
    breach_warnings,
    breaches_by_account,
    compliance,
    durations,
)
from csops.department.support_ops.policy import TARGETS, PolicyError
from csops.department.support_ops.service import (
    evaluate_tickets,
    instant_of,
    open_support_warehouse,
    resolve_policies,
)
from csops.reports.charts import line_chart
from csops.reports.section import Chart, Figure, Figures, ReportContext, Section, TableBlock, Text

WEEKS = 8
WARN_HOURS = 24.0


def build_section(ctx: ReportContext) -> Section | None:
    try:
        policies = resolve_policies(ctx.settings)
    except PolicyError as exc:
        return Section("support", "Support", (Text(f"SLA policies unusable: {exc}"),))
    at = instant_of(ctx.as_of)
    week_end = datetime.combine(ctx.as_of + timedelta(days=1), time())
    starts = [week_end - timedelta(days=7 * k) for k in range(WEEKS, 0, -1)]
    con = open_support_warehouse(ctx.settings, ctx.engine)
    try:
        evaluated = evaluate_tickets(con, policies, at, created_from=starts[0])
    finally:
        con.close()
    if not evaluated.results:
        return None
    weeks = [
        [r for r in evaluated.results if s <= r.ticket.created_at < s + timedelta(days=7)]
        for s in starts
    ]
    week = weeks[-1]
    figures = compliance(week)
    times = durations(week, policies.default_schedule)
    warnings = breach_warnings(evaluated.results, evaluated.accounts, at, WARN_HOURS)
    breaches = breaches_by_account(week, evaluated.accounts)
    trend: dict[str, Sequence[float | None]] = {
        "ticket SLA": [compliance(w)["overall"]["sla"]["compliance"] for w in weeks],
        **{
            t: [compliance(w)["overall"]["targets"].get(t, {}).get("compliance") for w in weeks]
            for t in TARGETS
            if any(r.outcome(t) for r in evaluated.results)
        },
    }
    labels = [f"{s:%m-%d}" for s in starts]
    blocks = (
        Figures(
            (
                Figure(
                    "SLA compliance",
                    _pct(figures["overall"]["sla"]["compliance"]),
                    "tickets created this week",
                ),
                Figure(
                    "First reply, median",
                    _hours(times["first_reply_time"]["business_hours"]["median"]),
                    "business hours",
                ),
                Figure(
                    "Resolution, median",
                    _hours(times["resolution_time"]["business_hours"]["median"]),
                    "business hours",
                ),
                Figure(
                    "About to breach",
                    str(len(warnings)),
                    f"next {WARN_HOURS:g} h",
                    "bad" if warnings else "neutral",
                ),
            )
        ),
        Chart(
            "SLA compliance by week",
            line_chart(labels, trend, percent=True),
            "Share of decided targets met, tickets by creation week.",
        ),
        _target_table(figures),
        TableBlock(
            "About to breach (ranked by ARR and renewal proximity)",
            ("ticket", "due (UTC)", "targets", "account", "ARR", "renews in", "CSM"),
            tuple(_warning_row(w.as_dict(at)) for w in warnings[:10]),
            numeric=("ARR",),
            empty="No ticket is due to breach.",
        ),
        TableBlock(
            "Breaches by account (this week)",
            ("account", "breached tickets", "ARR", "CSM"),
            tuple(
                (
                    b["name"] or b["account_id"],
                    str(b["breached_tickets"]),
                    f"{b['arr'] or 0:,.0f}",
                    b["owner_email"] or "–",
                )
                for b in breaches[:10]
            ),
            numeric=("breached tickets", "ARR"),
            empty="No breach this week.",
        ),
    )
    data: dict[str, Any] = {
        "as_of": at.isoformat(),
        "compliance": figures,
        "times": times,
        "trend": {"weeks": labels, "series": trend},
        "breach_warnings": [w.as_dict(at) for w in warnings],
        "breaches_by_account": breaches,
    }
    return Section("support", "Support", blocks, _jsonable(data), _summary(figures, warnings))


def _target_table(figures: dict[str, Any]) -> TableBlock:
    rows = []
    for policy, block in [("all", figures["overall"]), *figures["policies"].items()]:
        for target, c in block["targets"].items():
            rows.append(
                (policy, target, str(c["achieved"]), str(c["breached"]), str(c["running"]),
                 _pct(c["compliance"]))
            )  # fmt: skip
    return TableBlock(
        "Compliance per policy and target (this week)",
        ("policy", "target", "achieved", "breached", "running", "compliance"),
        tuple(rows),
        numeric=("achieved", "breached", "running", "compliance"),
        empty="No ticket this week.",
    )


def _warning_row(w: dict[str, Any]) -> tuple[str, ...]:
    days = w["days_to_renewal"]
    return (
        w["ticket_id"],
        f"{w['due_at']:%Y-%m-%d %H:%M}",
        ", ".join(w["targets"]),
        w["account_name"] or w["account_id"],
        f"{w['arr'] or 0:,.0f}",
        "–" if days is None else f"{days} d",
        w["owner_email"] or "–",
    )


def _summary(figures: dict[str, Any], warnings: list[Any]) -> str:
    sla = figures["overall"]["sla"]
    return (
        f"SLA compliance {_pct(sla['compliance'])} this week ({sla['breached']} breached); "
        f"{len(warnings)} ticket(s) about to breach."
    )


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _hours(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} h"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
