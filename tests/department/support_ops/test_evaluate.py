"""SLA outcomes per ticket and target against hand-computed cases.

Policy: business hours Mon-Fri 09:00-17:00 UTC; first reply 120 business minutes, next
reply 60 business minutes, periodic update 240 calendar minutes, resolution 960 business
minutes; `pending` pauses. 2026-06-01 is a Monday.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from csops.department.support_ops.evaluate import State, TicketSla, evaluate
from csops.department.support_ops.policy import PolicySet, TicketTraits, parse_policies
from csops.department.support_ops.timeline import Comment, TicketRecord

POLICIES = """
pause_statuses: [pending]
schedules:
  office: {timezone: UTC, hours: {mon: "09:00-17:00", tue: "09:00-17:00", wed: "09:00-17:00",
           thu: "09:00-17:00", fri: "09:00-17:00"}}
policies:
  - name: standard
    hours: business
    targets:
      first_reply: 120
      next_reply: 60
      periodic_update: {minutes: 240, hours: calendar}
      resolution: 960
"""


@pytest.fixture(scope="module")
def policies() -> PolicySet:
    return parse_policies(POLICIES, "test.yaml")


def at(text: str) -> datetime:
    return datetime.fromisoformat(f"2026-06-{text}")


def customer(when: str, public: bool = True) -> Comment:
    return Comment(at(when), "customer", public)


def agent(when: str, public: bool = True, status: str | None = None) -> Comment:
    return Comment(at(when), "agent", public, status=status)


def system(when: str, body: str) -> Comment:
    return Comment(at(when), "system", True, body)


def ticket(created: str, *comments: Comment, **fields: object) -> TicketRecord:
    return TicketRecord("t1", "a1", at(created), tuple(comments), **fields)  # type: ignore[arg-type]


def sla(policies: PolicySet, record: TicketRecord, as_of: str) -> TicketSla:
    policy = policies.policy_for(TicketTraits(record.priority))
    return evaluate(record, policy, policies, at(as_of))


def test_first_reply_overnight_breaches_at_the_due_time(policies: PolicySet) -> None:
    record = ticket("01 16:00", customer("01 16:00"), agent("02 10:30"))
    first = sla(policies, record, "02 12:00").outcome("first_reply")
    assert first is not None
    # 16:00-17:00 Monday (60) + 09:00-10:30 Tuesday (90) = 150 > 120.
    assert first.state is State.BREACHED
    assert first.breached_at == at("02 10:00")
    assert first.minutes == 150


def test_reply_outside_business_hours_takes_no_business_time(policies: PolicySet) -> None:
    record = ticket("06 10:00", customer("06 10:00"), agent("06 20:00"))
    first = sla(policies, record, "06 21:00").outcome("first_reply")
    assert first is not None
    assert (first.state, first.minutes, first.due_at) == (State.ACHIEVED, 0, at("08 11:00"))


def test_agent_created_ticket_opening_comment_is_not_a_reply(policies: PolicySet) -> None:
    record = ticket("01 09:00", agent("01 09:00"), customer("01 09:30"), agent("01 10:30"))
    result = sla(policies, record, "01 12:00")
    first, following, update = (
        result.outcome("first_reply"),
        result.outcome("next_reply"),
        result.outcome("periodic_update"),
    )
    assert first is not None and (first.state, first.minutes) == (State.ACHIEVED, 90)
    # The customer spoke before the first reply: that wait is the first reply's, not a next.
    assert following is None
    assert update is not None
    assert (update.state, update.due_at) == (State.ACTIVE, at("01 14:30"))


def test_private_agent_comment_is_not_a_reply(policies: PolicySet) -> None:
    record = ticket(
        "01 09:00", customer("01 09:00"), agent("01 09:10", public=False), agent("01 12:00")
    )
    first = sla(policies, record, "01 13:00").outcome("first_reply")
    assert first is not None
    assert (first.state, first.breached_at) == (State.BREACHED, at("01 11:00"))


def test_next_reply_runs_from_the_oldest_unanswered_customer_comment(
    policies: PolicySet,
) -> None:
    record = ticket(
        "01 09:00",
        customer("01 09:00"),
        agent("01 09:30"),
        customer("01 10:00"),
        customer("01 10:20"),
        agent("01 11:30"),
    )
    following = sla(policies, record, "01 12:00").outcome("next_reply")
    assert following is not None
    assert (following.state, following.cycles) == (State.BREACHED, 1)
    assert following.breached_at == at("01 11:00")


def test_pause_and_resume_move_the_resolution_due_time(policies: PolicySet) -> None:
    record = ticket(
        "01 09:00",
        customer("01 09:00"),
        agent("01 09:45"),
        system("01 10:00", "Status changed from open to pending."),
        customer("01 13:00"),  # the customer writes: the ticket reopens
        solved_at=at("02 12:00"),
    )
    resolution = sla(policies, record, "03 09:00").outcome("resolution")
    assert resolution is not None
    # Working, unpaused: Mon 09-10 (60) + 13-17 (240) + Tue 09-12 (180) = 480.
    assert (resolution.state, resolution.minutes) == (State.ACHIEVED, 480)
    # 960 minutes: Mon 300, Tue 480 (780), Wed 180 more -> Wed 12:00.
    assert resolution.due_at == at("03 12:00")


def test_paused_ticket_has_no_due_time(policies: PolicySet) -> None:
    record = ticket("01 09:00", customer("01 09:00"), agent("01 09:30", status="pending"))
    result = sla(policies, record, "02 12:00")
    resolution = result.outcome("resolution")
    assert resolution is not None and (resolution.state, resolution.due_at) == (State.PAUSED, None)
    assert result.state is State.PAUSED


def test_current_pending_status_pauses_from_the_last_agent_reply(policies: PolicySet) -> None:
    record = ticket("01 09:00", customer("01 09:00"), agent("01 10:00"), status="Pending")
    result = sla(policies, record, "01 15:00")
    resolution = result.outcome("resolution")
    assert resolution is not None and resolution.state is State.PAUSED
    assert resolution.minutes == 60
    assert result.line.status_source == "current-status"


def test_active_target_has_a_due_time(policies: PolicySet) -> None:
    record = ticket("01 16:30", customer("01 16:30"))
    first = sla(policies, record, "01 16:45").outcome("first_reply")
    assert first is not None
    assert (first.state, first.due_at, first.running) == (State.ACTIVE, at("02 10:30"), True)


def test_only_what_was_known_at_the_instant_counts(policies: PolicySet) -> None:
    record = ticket("01 09:00", customer("01 09:00"), agent("01 12:00"))
    first = sla(policies, record, "01 10:00").outcome("first_reply")
    assert first is not None and (first.state, first.due_at) == (State.ACTIVE, at("01 11:00"))
    later = sla(policies, record, "01 11:30").outcome("first_reply")
    assert later is not None and (later.state, later.breached_at) == (
        State.BREACHED,
        at("01 11:00"),
    )


def test_ticket_without_comments_uses_its_first_reply_and_solved_columns(
    policies: PolicySet,
) -> None:
    record = ticket("01 09:00", first_reply_at=at("01 13:00"), solved_at=at("01 14:00"))
    result = sla(policies, record, "02 09:00")
    first, resolution = result.outcome("first_reply"), result.outcome("resolution")
    assert first is not None and (first.state, first.breached_at) == (
        State.BREACHED,
        at("01 11:00"),
    )
    assert resolution is not None and (resolution.state, resolution.minutes) == (
        State.ACHIEVED,
        300,
    )
    assert result.state is State.BREACHED


def test_solving_ends_running_reply_cycles(policies: PolicySet) -> None:
    record = ticket(
        "01 09:00",
        customer("01 09:00"),
        agent("01 09:30"),
        customer("01 09:40"),
        solved_at=at("01 10:00"),
    )
    result = sla(policies, record, "01 15:00")
    following = result.outcome("next_reply")
    assert following is not None and following.state is State.ACHIEVED
    assert result.state is State.ACHIEVED


def test_ticket_created_after_the_instant_has_no_outcome(policies: PolicySet) -> None:
    record = ticket("05 09:00", customer("05 09:00"))
    assert sla(policies, record, "01 12:00").outcomes == ()


def test_pause_targets_limit_which_clocks_stop() -> None:
    only_resolution = parse_policies(
        POLICIES.replace("pause_statuses: [pending]", "pause_statuses: [pending]\n"
                         "pause_targets: [resolution]"),
        "test.yaml",
    )  # fmt: skip
    record = ticket("01 09:00", customer("01 09:00"), system("01 09:00", "Status: pending"))
    result = sla(only_resolution, record, "01 12:00")
    first, resolution = result.outcome("first_reply"), result.outcome("resolution")
    assert first is not None and (first.state, first.breached_at) == (
        State.BREACHED,
        at("01 11:00"),
    )
    assert resolution is not None and resolution.state is State.PAUSED


@pytest.mark.parametrize(
    ("body", "paused"),
    [
        ("Status changed from open to pending.", True),
        ("Status: Pending", True),
        ("The status page says to wait.", False),
        ("Assigned to group Tier 1.", False),
    ],
)
def test_status_changes_are_read_from_system_comments(
    policies: PolicySet, body: str, paused: bool
) -> None:
    record = ticket("01 09:00", customer("01 09:00"), agent("01 09:30"), system("01 09:31", body))
    resolution = sla(policies, record, "01 12:00").outcome("resolution")
    assert resolution is not None
    assert (resolution.state is State.PAUSED) is paused


def test_first_reply_column_fills_in_when_comments_hold_no_reply(policies: PolicySet) -> None:
    record = ticket("01 09:00", customer("01 09:00"), first_reply_at=at("01 10:00"))
    first = sla(policies, record, "01 12:00").outcome("first_reply")
    assert first is not None and (first.state, first.minutes) == (State.ACHIEVED, 60)


def test_ticket_whose_only_running_targets_are_paused_is_paused(policies: PolicySet) -> None:
    # An agent-created ticket set to pending at once: first reply and resolution both wait.
    record = ticket("01 09:00", agent("01 09:00", status="pending"))
    result = sla(policies, record, "01 12:00")
    assert {o.state for o in result.outcomes} == {State.PAUSED}
    assert result.state is State.PAUSED
