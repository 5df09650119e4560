"""Onboarding proposals (pure): a next step for every behind or stuck account, as the
department's common `Proposal` record (csops.department.proposals)."""

from __future__ import annotations

from datetime import date, timedelta

from csops.department.onboarding.journey import JourneyConfig
from csops.department.onboarding.progress import AccountProgress, Status
from csops.department.proposals import Proposal, propose


def onboarding_proposals(
    progress: list[AccountProgress], as_of: date, config: JourneyConfig
) -> list[Proposal]:
    """One proposal per behind or stuck account, tied to its first open milestone:
    stuck → a check-in call with an agenda; behind → a training offer when the milestone
    has one, else an email with the milestone's guide."""
    result = []
    for p in progress:
        milestone = p.next_step
        state = p.stalled_at
        if p.status not in (Status.BEHIND, Status.STUCK) or milestone is None or state is None:
            continue
        late = (as_of - state.due).days
        evidence = [
            f"day {p.day} of onboarding (started {p.account.start.isoformat()})",
            f"{sum(m.done is not None for m in p.milestones)} of {len(p.milestones)} "
            "milestones met",
            f"'{milestone.title}' due {state.due.isoformat()}"
            + (f", {late} days overdue" if late > 0 else ""),
            f"last progress {p.last_progress.isoformat()} "
            f"({(as_of - p.last_progress).days} days ago)",
        ]
        if p.status is Status.STUCK:
            kind, channel = "check_in_call", "call"
            agenda = milestone.guide or milestone.title
            reason = f"Stuck before '{milestone.title}': check-in call. Agenda: {agenda}"
            due = as_of + timedelta(days=config.proposal_due_days.stuck)
        elif milestone.training:
            kind, channel = "training_offer", "email"
            reason = f"Behind on '{milestone.title}': offer {milestone.training}"
            due = as_of + timedelta(days=config.proposal_due_days.behind)
        else:
            kind, channel = "guide_email", "email"
            reason = f"Behind on '{milestone.title}': send the guide. {milestone.guide}".strip()
            due = as_of + timedelta(days=config.proposal_due_days.behind)
        result.append(
            propose(
                account_id=p.account.account_id,
                kind=kind,
                reason=reason,
                evidence=tuple(evidence),
                owner=p.account.owner,
                due=due,
                channel=channel,
                trigger=f"onboarding:{milestone.key}",
                as_of=as_of,
            )
        )
    return result
