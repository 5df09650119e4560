"""Weekly start cohorts, activation and the milestone funnel (pure).

Activation rate of a weekly cohort (DESIGN.md "Metric definitions") = share of the
accounts that started that week (Monday to Sunday) that reached first value within the
target window (time to first value ≤ target_days). A cohort is `final` once every member
has had the whole window (its Sunday + target_days ≤ D); before that the rate can only go
up and is marked provisional.
Median and p75 time to first value are over the cohort's accounts that reached first
value by D, with linear interpolation between ranks (numpy's default percentile).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from csops.department.onboarding.journey import JourneyConfig
from csops.department.onboarding.progress import AccountProgress, Status


@dataclass(frozen=True)
class Cohort:
    week: date  # the Monday
    accounts: int
    activated: int  # reached first value within target_days
    reached_first_value: int  # by D, whatever it took
    final: bool
    median_days: float | None
    p75_days: float | None

    @property
    def activation_rate(self) -> float | None:
        return self.activated / self.accounts if self.accounts else None


@dataclass(frozen=True)
class FunnelStep:
    journey: str
    key: str
    title: str
    reached: int
    accounts: int
    stalled_here: int  # open accounts whose first open milestone is this one


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0 to 100), linear between closest ranks; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def cohorts(
    progress: Sequence[AccountProgress], as_of: date, config: JourneyConfig
) -> list[Cohort]:
    """One cohort per week of the last `cohort_weeks` weeks up to D's week, oldest first;
    weeks where no account started are left out."""
    first_week = week_of(as_of) - timedelta(weeks=config.cohort_weeks - 1)
    by_week: dict[date, list[AccountProgress]] = {}
    for p in progress:
        week = week_of(p.account.start)
        if week >= first_week:
            by_week.setdefault(week, []).append(p)
    result = []
    for week in sorted(by_week):
        members = by_week[week]
        days = [float(p.days_to_first_value) for p in members if p.days_to_first_value is not None]
        result.append(
            Cohort(
                week=week,
                accounts=len(members),
                activated=sum(
                    1
                    for p in members
                    if p.days_to_first_value is not None
                    and p.days_to_first_value <= config.target_days
                ),
                reached_first_value=len(days),
                final=week + timedelta(days=6 + config.target_days) <= as_of,
                median_days=percentile(days, 50),
                p75_days=percentile(days, 75),
            )
        )
    return result


def funnel(progress: Sequence[AccountProgress]) -> list[FunnelStep]:
    """Per journey, in journey order: how many accounts met each milestone, and where the
    accounts that have not completed stand (their first open milestone)."""
    steps: dict[tuple[str, str], FunnelStep] = {}
    order: list[tuple[str, str]] = []
    totals: dict[str, int] = {}
    for p in progress:
        totals[p.journey] = totals.get(p.journey, 0) + 1
        stalled = p.stalled_at
        for m in p.milestones:
            key = (p.journey, m.key)
            if key not in steps:
                order.append(key)
                steps[key] = FunnelStep(p.journey, m.key, m.title, 0, 0, 0)
            s = steps[key]
            steps[key] = FunnelStep(
                s.journey,
                s.key,
                s.title,
                s.reached + (m.done is not None),
                s.accounts,
                s.stalled_here + (stalled is not None and stalled.key == m.key),
            )
    return [
        FunnelStep(s.journey, s.key, s.title, s.reached, totals[s.journey], s.stalled_here)
        for s in (steps[k] for k in order)
    ]


def drop_off(steps: Sequence[FunnelStep]) -> FunnelStep | None:
    """The milestone where the most open accounts stand (ties: the earliest)."""
    open_steps = [s for s in steps if s.stalled_here > 0]
    return max(open_steps, key=lambda s: s.stalled_here) if open_steps else None


def stalled_now(progress: Sequence[AccountProgress]) -> list[AccountProgress]:
    """Accounts stuck today, the longest without progress first."""
    stuck = [p for p in progress if p.status is Status.STUCK]
    return sorted(stuck, key=lambda p: (p.last_progress, p.account.account_id))
