"""Triage of open tickets: the SLA that applies and its due times, a priority suggestion,
the account's value and context, a category and suggested articles.

Category: the ticket's own `category` when it has one, else the label of the repeat
question the knowledge base matches. Articles come from the knowledge base
(`csops.department.knowledge_base.matching.match_ticket`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from csops.config import Settings
from csops.department.support_ops.data import day_of
from csops.department.support_ops.evaluate import State, TicketSla
from csops.department.support_ops.priority import suggest_priority
from csops.department.support_ops.service import Evaluated

RECENT_DAYS = 30
# (text) -> (category label or None, [article dicts]); the knowledge base by default.
Matcher = Callable[[str], tuple[str | None, list[dict[str, Any]]]]


def knowledge_base_matcher(settings: Settings, top: int = 3) -> Matcher:
    # Imported here: the SLA commands must not depend on the knowledge base loading.
    from csops.department.knowledge_base.matching import match_ticket

    def match(text: str) -> tuple[str | None, list[dict[str, Any]]]:
        found = match_ticket(settings, text, top)
        articles = [
            {"article_id": a.article_id, "title": a.title, "score": a.score} for a in found.articles
        ]
        return found.label, articles

    return match


def is_open(result: TicketSla) -> bool:
    return result.line.solved_at is None


def triage(evaluated: Evaluated, results: list[TicketSla], match: Matcher) -> list[dict[str, Any]]:
    at = evaluated.at
    open_counts = Counter(r.ticket.account_id for r in evaluated.results if is_open(r))
    since = at - timedelta(days=RECENT_DAYS)
    recent_breaches = Counter(
        r.ticket.account_id
        for r in evaluated.results
        if r.state is State.BREACHED and _breach_time(r, since)
    )
    top_band = evaluated.policies.bands[-1][0] if evaluated.policies.bands else None
    rows = []
    for r in results:
        t = r.ticket
        account = evaluated.accounts.get(t.account_id)
        band = evaluated.policies.band_of(account.arr) if account else None
        days = account.days_to_renewal(day_of(at)) if account else None
        text = f"{t.subject}\n\n{t.body}"
        suggestion = suggest_priority(
            t.priority, text, band, top_band, days, evaluated.policies.default_priority or "normal"
        )
        label, articles = match(text)
        dues = [o.due_at for o in r.outcomes if o.running and o.due_at and o.due_at > at]
        rows.append(
            {
                "ticket_id": t.ticket_id,
                "subject": t.subject,
                "created_at": t.created_at,
                "status": t.status,
                "channel": t.channel,
                "open": is_open(r),
                "next_due_at": min(dues) if dues else None,
                "category": t.category or label,
                "category_source": "ticket"
                if t.category
                else ("knowledge_base" if label else None),
                "priority": suggestion.as_dict(),
                "sla": {
                    "policy": r.policy.name if r.policy else None,
                    "state": r.state.value if r.state else None,
                    "targets": [o.as_dict() for o in r.outcomes],
                },
                "account": {
                    "account_id": t.account_id,
                    "name": account.name if account else None,
                    "segment": account.segment if account else None,
                    "plan": account.plan if account else None,
                    "arr": float(account.arr) if account else None,
                    "arr_band": band,
                    "owner_email": account.owner_email if account else None,
                    "renewal_on": account.renewal_on if account else None,
                    "days_to_renewal": days,
                    "open_tickets": open_counts[t.account_id],
                    f"sla_breaches_last_{RECENT_DAYS}_days": recent_breaches[t.account_id],
                },
                "suggested_articles": articles,
            }
        )
    # The queue order: what falls due first, then what has no running due time.
    rows.sort(key=lambda row: (row["next_due_at"] is None, row["next_due_at"] or at))
    return rows


def _breach_time(result: TicketSla, since: datetime) -> bool:
    return any(o.breached_at is not None and o.breached_at >= since for o in result.outcomes)
