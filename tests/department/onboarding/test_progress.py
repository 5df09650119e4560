"""Status, time to first value, cohorts, funnel and proposals on hand-made progress."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from csops.department.onboarding.cohorts import cohorts, drop_off, funnel, percentile, week_of
from csops.department.onboarding.facts import OnboardingAccount
from csops.department.onboarding.journey import JourneyConfig
from csops.department.onboarding.progress import Status, progress_of
from csops.department.onboarding.proposals import onboarding_proposals

START = date(2026, 3, 2)  # a Monday


def account(account_id: str = "acc", start: date = START) -> OnboardingAccount:
    return OnboardingAccount(account_id, account_id.title(), start, "SMB", "Team", "ann@x.test", 4)


def day(n: int) -> date:
    return START + timedelta(days=n)


@pytest.mark.parametrize(
    ("done", "on_day", "status", "ttfv"),
    [
        ({}, 0, Status.ON_TRACK, None),  # nothing due yet
        ({}, 2, Status.BEHIND, None),  # first_activity was due on day 1
        ({"first_activity": 0}, 5, Status.ON_TRACK, None),
        ({"first_activity": 0}, 13, Status.BEHIND, None),  # kickoff due day 7; 13 d < 14
        ({"first_activity": 0}, 14, Status.STUCK, None),  # 14 days without progress
        ({"first_activity": 0, "kickoff": 10, "team": 12}, 20, Status.BEHIND, 12),
        ({"first_activity": 0}, 91, Status.NOT_COMPLETED, None),  # past onboarding_days
        (
            {"first_activity": 0, "kickoff": 1, "integration": 2, "team": 3, "seats": 3},
            4,
            Status.COMPLETED,
            3,
        ),
    ],
)
def test_status_and_time_to_first_value(
    journey: JourneyConfig, done: dict[str, int], on_day: int, status: Status, ttfv: int | None
) -> None:
    p = progress_of(
        account(), journey.journeys[0], {k: day(v) for k, v in done.items()}, day(on_day), journey
    )
    assert p.status is status
    assert p.days_to_first_value == ttfv
    assert p.day == on_day


def test_overdue_and_next_step_follow_journey_order(journey: JourneyConfig) -> None:
    p = progress_of(account(), journey.journeys[0], {"first_activity": day(0)}, day(8), journey)
    assert {m.key: m.overdue for m in p.milestones} == {
        "first_activity": False,
        "kickoff": True,
        "integration": False,
        "team": False,
        "seats": False,
    }
    assert p.next_step is not None and p.next_step.key == "kickoff"
    assert p.last_progress == day(0)


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([3.0, 52.0], 50, 27.5),
        ([3.0, 52.0], 75, 39.75),
        ([1.0, 2.0, 3.0, 4.0], 75, 3.25),
        ([4.0, 1.0, 3.0], 50, 3.0),
        ([5.0], 75, 5.0),
        ([], 50, None),
    ],
)
def test_percentile_is_linear_between_ranks(
    values: list[float], q: float, expected: float | None
) -> None:
    assert percentile(values, q) == expected


def test_weekly_cohort_activation_counts_only_within_target(journey: JourneyConfig) -> None:
    j = journey.journeys[0]
    as_of = date(2026, 5, 1)
    people = [
        # week of 2026-03-02: ttfv 3 and 52 (beyond the 30-day target) and never
        progress_of(account("a"), j, {"team": day(3)}, as_of, journey),
        progress_of(account("b", day(2)), j, {"team": day(54)}, as_of, journey),
        progress_of(account("c", day(6)), j, {}, as_of, journey),
        # week of 2026-04-27: one account, window still open
        progress_of(account("d", date(2026, 4, 28)), j, {}, as_of, journey),
    ]
    result = cohorts(people, as_of, journey)
    assert [(c.week, c.accounts, c.activated, c.reached_first_value) for c in result] == [
        (date(2026, 3, 2), 3, 1, 2),
        (date(2026, 4, 27), 1, 0, 0),
    ]
    first, last = result
    assert first.activation_rate == pytest.approx(1 / 3)
    assert (first.median_days, first.p75_days) == (27.5, 39.75)
    assert first.final and not last.final
    assert last.median_days is None


def test_target_window_boundary_counts_day_30(journey: JourneyConfig) -> None:
    j = journey.journeys[0]
    on_time = progress_of(account("a"), j, {"team": day(30)}, day(60), journey)
    late = progress_of(account("b"), j, {"team": day(31)}, day(60), journey)
    [cohort] = cohorts([on_time, late], day(60), journey)
    assert cohort.activated == 1


def test_week_of_is_monday() -> None:
    assert week_of(date(2026, 3, 8)) == date(2026, 3, 2)  # a Sunday
    assert week_of(date(2026, 3, 2)) == date(2026, 3, 2)


def test_funnel_and_drop_off(journey: JourneyConfig) -> None:
    j = journey.journeys[0]
    people = [
        progress_of(account("a"), j, {"first_activity": day(0)}, day(20), journey),
        progress_of(account("b"), j, {"first_activity": day(0)}, day(20), journey),
        progress_of(
            account("c"), j, {"first_activity": day(0), "kickoff": day(2)}, day(20), journey
        ),
        progress_of(account("d"), j, {}, day(20), journey),
    ]
    steps = funnel(people)
    assert [(s.key, s.reached, s.accounts, s.stalled_here) for s in steps] == [
        ("first_activity", 3, 4, 1),
        ("kickoff", 1, 4, 2),
        ("integration", 0, 4, 1),
        ("team", 0, 4, 0),
        ("seats", 0, 4, 0),
    ]
    worst = drop_off(steps)
    assert worst is not None and worst.key == "kickoff"


def test_proposals_tie_to_stalled_milestone_with_stable_ids(journey: JourneyConfig) -> None:
    j = journey.journeys[0]
    stuck = progress_of(account("stuck"), j, {"first_activity": day(0)}, day(20), journey)
    behind = progress_of(
        account("behind"), j, {"first_activity": day(0), "kickoff": day(15)}, day(20), journey
    )
    fine = progress_of(account("fine"), j, {"first_activity": day(0)}, day(3), journey)
    proposals = onboarding_proposals([stuck, behind, fine], day(20), journey)
    assert [(p.account_id, p.kind, p.trigger, p.channel, p.due) for p in proposals] == [
        ("stuck", "check_in_call", "onboarding:kickoff", "call", day(22)),
        ("behind", "training_offer", "onboarding:integration", "email", day(23)),
    ]
    assert "Kickoff agenda" in proposals[0].reason
    assert proposals[0].owner == "ann@x.test"
    again = onboarding_proposals([stuck], day(21), journey)
    assert again[0].id == proposals[0].id  # same account, same milestone: same record
    assert proposals[0].id != proposals[1].id
