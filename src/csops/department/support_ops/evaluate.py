"""Per ticket and target, as of an instant: achieved, breached (with the breach time),
active (with the due time) or paused. Pure.

Semantics (docs/support.md): a reply is a public agent comment, never the comment that
opened a ticket an agent created.
  * first_reply: from creation to the first reply.
  * next_reply: from a public customer comment made after the first reply (the oldest one
    not yet answered) to the next reply; one cycle per unanswered customer turn.
  * periodic_update: from each reply to the next reply, while the ticket is unsolved.
  * resolution: from creation to solved.
Solving a ticket ends every running cycle (met if solved before its due time). Clocks stand
still while the ticket is paused; a target whose clock is paused has no due time yet.
A target with several cycles is breached when any cycle was, else active or paused while a
cycle runs, else achieved; with no cycle at all it does not apply (yet).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from csops.department.support_ops.clock import Interval, add_minutes, elapsed_minutes
from csops.department.support_ops.policy import TARGETS, Policy, PolicySet, TargetRule
from csops.department.support_ops.timeline import TicketRecord, Timeline, timeline


class State(StrEnum):
    ACHIEVED = "achieved"
    BREACHED = "breached"
    ACTIVE = "active"
    PAUSED = "paused"


@dataclass(frozen=True)
class Cycle:
    start: datetime
    end: datetime | None  # the reply or solve that ended it; None: still running


@dataclass(frozen=True)
class TargetOutcome:
    target: str
    state: State
    rule: TargetRule
    cycles: int
    due_at: datetime | None  # of the running cycle (or of the last one)
    breached_at: datetime | None  # the first breach
    ended_at: datetime | None  # when the last cycle ended (reply or solve)
    running: bool  # the last cycle has not ended
    # Working minutes from the first cycle's start to its end (or to the instant).
    minutes: float

    def as_dict(self) -> dict[str, object]:
        return {
            "target": self.target,
            "state": self.state.value,
            "target_minutes": self.rule.minutes,
            "hours": "business" if self.rule.business else "calendar",
            "schedule": self.rule.schedule.name if self.rule.business else None,
            "cycles": self.cycles,
            "due_at": self.due_at,
            "breached_at": self.breached_at,
            "ended_at": self.ended_at,
            "running": self.running,
            "elapsed_minutes": round(self.minutes, 1),
        }


@dataclass(frozen=True)
class TicketSla:
    ticket: TicketRecord
    policy: Policy | None
    line: Timeline
    outcomes: tuple[TargetOutcome, ...]

    @property
    def state(self) -> State | None:
        """The ticket's SLA: breached if any target was, achieved when every target that
        applies was met, else running (active or paused); None without a target."""
        states = {o.state for o in self.outcomes}
        if not states:
            return None
        if State.BREACHED in states:
            return State.BREACHED
        if states == {State.ACHIEVED}:
            return State.ACHIEVED
        return State.PAUSED if states <= {State.ACHIEVED, State.PAUSED} else State.ACTIVE

    def outcome(self, target: str) -> TargetOutcome | None:
        return next((o for o in self.outcomes if o.target == target), None)


def evaluate(
    ticket: TicketRecord, policy: Policy | None, policies: PolicySet, at: datetime
) -> TicketSla:
    line = timeline(ticket, at, policies.pause_statuses, policies.solved_statuses)
    if policy is None or ticket.created_at > at:
        return TicketSla(ticket, policy, line, ())
    outcomes = []
    for target in TARGETS:
        rule = policy.targets.get(target)
        if rule is None:
            continue
        cycles = list(_cycles(target, ticket, line))
        if cycles:
            pausable = target in policies.pause_targets
            outcomes.append(_outcome(rule, cycles, line, line.pauses if pausable else ()))
    return TicketSla(ticket, policy, line, tuple(outcomes))


def _cycles(target: str, ticket: TicketRecord, line: Timeline) -> Iterator[Cycle]:
    solved = line.solved_at
    replies = [r for r in line.replies if solved is None or r <= solved]

    def ended(start: datetime) -> datetime | None:
        after = next((r for r in replies if r > start), None)
        if after is not None:
            return after
        return solved if solved is not None and solved >= start else None

    if target == "first_reply":
        first = replies[0] if replies else None
        yield Cycle(ticket.created_at, first if first is not None else ended(ticket.created_at))
    elif target == "resolution":
        yield Cycle(ticket.created_at, solved)
    elif target == "next_reply" and replies:
        waiting_since: datetime | None = None
        events = sorted([(t, 1) for t in line.customer_comments] + [(t, 0) for t in replies])
        for t, is_customer in events:
            if solved is not None and t > solved:
                break
            if is_customer and t > replies[0] and waiting_since is None:
                waiting_since = t
            elif not is_customer and waiting_since is not None:
                yield Cycle(waiting_since, t)
                waiting_since = None
        if waiting_since is not None:
            yield Cycle(waiting_since, solved)
    elif target == "periodic_update" and replies:
        for reply in replies:
            yield Cycle(reply, ended(reply))


def _outcome(
    rule: TargetRule, cycles: list[Cycle], line: Timeline, pauses: tuple[Interval, ...]
) -> TargetOutcome:
    breached_at: datetime | None = None
    due: datetime | None = None
    state = State.ACHIEVED
    for cycle in cycles:
        due = add_minutes(rule.schedule, cycle.start, rule.minutes, pauses)
        if cycle.end is not None:
            if due is not None and cycle.end > due:
                breached_at = breached_at or due
            state = State.ACHIEVED
        elif due is not None and due <= line.at:
            breached_at = breached_at or due
            state = State.ACHIEVED  # decided; the breach wins below
        else:
            state = State.PAUSED if any(a <= line.at < b for a, b in pauses) else State.ACTIVE
    first = cycles[0]
    minutes = elapsed_minutes(rule.schedule, first.start, first.end or line.at, pauses)
    return TargetOutcome(
        target=rule.target,
        state=State.BREACHED if breached_at is not None else state,
        rule=rule,
        cycles=len(cycles),
        due_at=due,
        breached_at=breached_at,
        ended_at=cycles[-1].end,
        running=cycles[-1].end is None,
        minutes=minutes,
    )
