"""SLA figures over evaluated tickets: compliance per policy and target, reply and
resolution times, breaches by account, breach warnings. Pure.

Compliance (DESIGN.md) = achieved / tickets with an applicable target. A target still
running at the instant (active or paused) has been neither met nor missed, so it is left
out of the denominator and reported on its own line (`running`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from csops.department.support_ops.clock import CALENDAR, Schedule, elapsed_minutes
from csops.department.support_ops.data import AccountContext, day_of
from csops.department.support_ops.evaluate import State, TicketSla
from csops.department.support_ops.policy import TARGETS

# How much nearer a renewal makes a warning: (days to renewal at most, weight).
RENEWAL_WEIGHTS: tuple[tuple[int, float], ...] = ((30, 2.0), (90, 1.5))


def quantile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _counts(states: Iterable[State | None]) -> dict[str, Any]:
    c = Counter(s for s in states if s is not None)
    achieved, breached = c[State.ACHIEVED], c[State.BREACHED]
    decided = achieved + breached
    return {
        "tickets": decided + c[State.ACTIVE] + c[State.PAUSED],
        "achieved": achieved,
        "breached": breached,
        "running": c[State.ACTIVE] + c[State.PAUSED],
        "compliance": round(achieved / decided, 4) if decided else None,
    }


def compliance(results: Sequence[TicketSla]) -> dict[str, Any]:
    """Overall and per policy: the ticket's SLA and each target."""
    by_policy: dict[str, list[TicketSla]] = defaultdict(list)
    for r in results:
        if r.policy is not None:
            by_policy[r.policy.name].append(r)

    def block(group: Sequence[TicketSla]) -> dict[str, Any]:
        targets = {}
        for target in TARGETS:
            states = [o.state for r in group if (o := r.outcome(target)) is not None]
            if states:
                targets[target] = _counts(states)
        return {"sla": _counts(r.state for r in group), "targets": targets}

    return {
        "overall": block(results),
        "no_policy": sum(1 for r in results if r.policy is None),
        "policies": {name: block(group) for name, group in sorted(by_policy.items())},
    }


def durations(results: Sequence[TicketSla], default: Schedule) -> dict[str, Any]:
    """First reply and resolution times, in calendar hours and in business hours of the
    ticket's policy schedule (the file's default schedule without one). Raw times:
    paused time is not taken out of these figures."""
    figures: dict[str, Any] = {}
    for name in ("first_reply_time", "resolution_time"):
        calendar_hours: list[float] = []
        business_hours: list[float] = []
        for r in results:
            end = r.line.first_reply if name == "first_reply_time" else r.line.solved_at
            if end is None or end < r.ticket.created_at:
                continue
            schedule = r.policy.schedule if r.policy is not None else default
            if schedule is CALENDAR or schedule.always:
                schedule = default
            calendar_hours.append((end - r.ticket.created_at).total_seconds() / 3600)
            business_hours.append(elapsed_minutes(schedule, r.ticket.created_at, end) / 60)
        figures[name] = {
            "tickets": len(calendar_hours),
            "calendar_hours": _spread(calendar_hours),
            "business_hours": _spread(business_hours),
        }
    return figures


def _spread(values: Sequence[float]) -> dict[str, float | None]:
    def r(v: float | None) -> float | None:
        return None if v is None else round(v, 2)

    return {"median": r(quantile(values, 0.5)), "p90": r(quantile(values, 0.9))}


def breaches_by_account(
    results: Sequence[TicketSla], accounts: dict[str, AccountContext]
) -> list[dict[str, Any]]:
    tickets: dict[str, list[str]] = defaultdict(list)
    for r in results:
        if r.state is State.BREACHED:
            tickets[r.ticket.account_id].append(r.ticket.ticket_id)
    rows: list[dict[str, Any]] = []
    for account_id, ids in tickets.items():
        account = accounts.get(account_id)
        rows.append(
            {
                "account_id": account_id,
                "name": account.name if account else None,
                "breached_tickets": len(ids),
                "arr": float(account.arr) if account else None,
                "owner_email": account.owner_email if account else None,
                "ticket_ids": sorted(ids),
            }
        )
    rows.sort(key=lambda row: (-row["breached_tickets"], -(row["arr"] or 0), row["account_id"]))
    return rows


def renewal_weight(days: int | None) -> float:
    if days is None:
        return 1.0
    return next((w for limit, w in RENEWAL_WEIGHTS if 0 <= days <= limit), 1.0)


@dataclass(frozen=True)
class Warning:
    result: TicketSla
    due_at: datetime
    targets: tuple[str, ...]
    account: AccountContext | None
    days_to_renewal: int | None
    score: Decimal

    def as_dict(self, at: datetime) -> dict[str, Any]:
        t, a = self.result.ticket, self.account
        return {
            "ticket_id": t.ticket_id,
            "subject": t.subject,
            "priority": t.priority,
            "policy": self.result.policy.name if self.result.policy else None,
            "targets": list(self.targets),
            "due_at": self.due_at,
            "hours_left": round((self.due_at - at).total_seconds() / 3600, 2),
            "account_id": t.account_id,
            "account_name": a.name if a else None,
            "arr": float(a.arr) if a else None,
            "renewal_on": a.renewal_on if a else None,
            "days_to_renewal": self.days_to_renewal,
            "owner_email": a.owner_email if a else None,
            "rank_score": float(self.score),
            "why": _why(a, self.days_to_renewal),
        }


def _why(account: AccountContext | None, days: int | None) -> str:
    if account is None:
        return "account unknown: ARR 0"
    text = f"ARR {account.arr:,.0f}"
    weight = renewal_weight(days)
    if weight != 1.0:
        text += f" × {weight:g} (renews in {days} days)"
    return text


def breach_warnings(
    results: Sequence[TicketSla],
    accounts: dict[str, AccountContext],
    at: datetime,
    hours: float,
) -> list[Warning]:
    """Tickets with a running target due within `hours` after `at`, ranked by the
    account's ARR weighted by renewal proximity, then by due time."""
    horizon = at + timedelta(hours=hours)
    warnings = []
    day: date = day_of(at)
    for r in results:
        due = [
            o for o in r.outcomes if o.running and o.due_at is not None and at < o.due_at <= horizon
        ]
        if not due:
            continue
        account = accounts.get(r.ticket.account_id)
        days = account.days_to_renewal(day) if account else None
        arr = account.arr if account else Decimal(0)
        warnings.append(
            Warning(
                r,
                min(o.due_at for o in due if o.due_at is not None),
                tuple(o.target for o in sorted(due, key=lambda o: o.due_at or at)),
                account,
                days,
                (arr * Decimal(str(renewal_weight(days)))).quantize(Decimal("0.01")),
            )
        )
    warnings.sort(key=lambda w: (-w.score, w.due_at, w.result.ticket.ticket_id))
    return warnings
