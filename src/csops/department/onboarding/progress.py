"""Journey progress of one account on day D (pure).

Definitions (docs/onboarding.md):
- day n of onboarding is start + n days; a milestone is due on start + due_day and
  overdue on D when it is not met and D > start + due_day;
- time to first value = (day the first-value milestone was met) - start, in days;
- status: `completed` when every milestone is met; otherwise `stuck` when no milestone
  was met in the last `stuck_after_days` days (counting from the start when none was),
  else `behind` when a milestone is overdue, else `on_track`. An account older than
  `onboarding_days` is no longer onboarding: `completed` or `not_completed`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from csops.department.onboarding.facts import OnboardingAccount
from csops.department.onboarding.journey import Journey, JourneyConfig, Milestone


class Status(StrEnum):
    ON_TRACK = "on_track"
    BEHIND = "behind"
    STUCK = "stuck"
    COMPLETED = "completed"
    NOT_COMPLETED = "not_completed"  # past the onboarding window with milestones open


@dataclass(frozen=True, slots=True)
class MilestoneState:
    key: str
    title: str
    due: date
    done: date | None
    overdue: bool
    first_value: bool


@dataclass(frozen=True, slots=True)
class AccountProgress:
    account: OnboardingAccount
    journey: str
    day: int  # days since the start, on D
    milestones: tuple[MilestoneState, ...]
    status: Status
    days_to_first_value: int | None
    last_progress: date
    next_step: Milestone | None  # the first open milestone, in journey order

    @property
    def stalled_at(self) -> MilestoneState | None:
        return next((m for m in self.milestones if m.done is None), None)

    @property
    def activated(self) -> bool:
        return self.days_to_first_value is not None


def progress_of(
    account: OnboardingAccount,
    journey: Journey,
    done_days: Mapping[str, date],
    as_of: date,
    config: JourneyConfig,
    ordered: tuple[Milestone, ...] | None = None,
) -> AccountProgress:
    """Progress from the days each milestone was met (`done_days`, key → day, ≤ D).
    `ordered` is `journey.ordered()` when the caller has it at hand."""
    ordered = journey.ordered() if ordered is None else ordered
    states: list[MilestoneState] = []
    for m in ordered:
        done = done_days.get(m.key)
        if done is not None and (done > as_of or done < account.start):
            # Facts are bounded by the caller; clamp anyway so the rules below hold.
            done = None if done > as_of else account.start
        due = account.start + timedelta(days=m.due_day)
        states.append(
            MilestoneState(m.key, m.title, due, done, done is None and as_of > due, m.first_value)
        )
    fv = next(s for s in states if s.first_value)
    ttfv = None if fv.done is None else (fv.done - account.start).days
    met = [s.done for s in states if s.done is not None]
    last = max([account.start, *met])
    day = (as_of - account.start).days
    next_step = next((m for m in ordered if done_days.get(m.key) is None), None)
    return AccountProgress(
        account=account,
        journey=journey.name,
        day=day,
        milestones=tuple(states),
        status=_status(states, last, as_of, day, config),
        days_to_first_value=ttfv,
        last_progress=last,
        next_step=next_step,
    )


def _status(
    states: list[MilestoneState], last: date, as_of: date, day: int, config: JourneyConfig
) -> Status:
    if all(s.done is not None for s in states):
        return Status.COMPLETED
    if day > config.onboarding_days:
        return Status.NOT_COMPLETED
    if (as_of - last).days >= config.stuck_after_days:
        return Status.STUCK
    if any(s.overdue for s in states):
        return Status.BEHIND
    return Status.ON_TRACK


def progress_all(
    accounts: list[OnboardingAccount],
    days: Mapping[tuple[str, str, str], date],
    as_of: date,
    config: JourneyConfig,
) -> list[AccountProgress]:
    ordered = {j.name: j.ordered() for j in config.journeys}
    journeys: dict[tuple[str | None, str | None], Journey] = {}
    result = []
    for account in accounts:
        key = (account.segment, account.plan)
        if key not in journeys:
            journeys[key] = config.journey_for(account.segment, account.plan)
        journey = journeys[key]
        done = {}
        for m in journey.milestones:
            day = days.get((journey.name, account.account_id, m.key))
            if day is not None:
                done[m.key] = day
        result.append(progress_of(account, journey, done, as_of, config, ordered[journey.name]))
    return result
