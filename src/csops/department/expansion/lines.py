"""Subscription lines for expansion (pure): MRR and seats on a day, whether an account
expanded, the next renewal.

MRR on a day follows DESIGN.md (start ≤ d < end, end exclusive). Seats on a day = the sum
of `seats` over the paying lines (mrr > 0) active that day. An account expanded within h
days after t when, on some day in (t, t + h], its MRR or its seats exceed those on t; both
can only rise on a day a line starts, so only those days are looked at.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal


@dataclass(frozen=True)
class Line:
    account_id: str
    plan: str | None
    product: str | None
    mrr: Decimal
    seats: int | None
    start_date: date
    end_date: date | None
    billing_period_months: int

    def active_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day < self.end_date)


def active_paid(lines: Iterable[Line], day: date) -> list[Line]:
    return [line for line in lines if line.mrr > 0 and line.active_on(day)]


def mrr_on(lines: Iterable[Line], day: date) -> Decimal:
    return sum((line.mrr for line in lines if line.active_on(day)), Decimal(0))


def seats_on(lines: Iterable[Line], day: date) -> int:
    return sum(line.seats or 0 for line in active_paid(lines, day))


def main_line(lines: Sequence[Line]) -> Line | None:
    """The account's largest paying line (ties: the earliest, then by plan name)."""
    if not lines:
        return None
    return max(lines, key=lambda x: (x.mrr, -x.start_date.toordinal(), x.plan or ""))


@dataclass(frozen=True)
class Outcome:
    expanded: bool
    added_mrr: Decimal  # the largest MRR rise within the horizon (0 when seats rose only)
    added_seats: int
    day: date | None  # the first day MRR or seats were above the start


def outcome(lines: Sequence[Line], t: date, horizon_days: int) -> Outcome:
    """Whether the account's MRR or seats rose within (t, t + horizon]."""
    mrr0, seats0 = mrr_on(lines, t), seats_on(lines, t)
    last = t + timedelta(days=horizon_days)
    days = sorted({x.start_date for x in lines if t < x.start_date <= last})
    best_mrr, best_seats, first = Decimal(0), 0, None
    for day in days:
        up_mrr, up_seats = mrr_on(lines, day) - mrr0, seats_on(lines, day) - seats0
        if (up_mrr > 0 or up_seats > 0) and first is None:
            first = day
        best_mrr, best_seats = max(best_mrr, up_mrr), max(best_seats, up_seats)
    return Outcome(first is not None, best_mrr, best_seats, first)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (Jan 31 + 1 = Feb 28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_renewal(lines: Iterable[Line], t: date, min_term_months: int = 12) -> date | None:
    """The earliest term end after t over the paying lines on terms of at least
    `min_term_months` (a monthly plan "renews" every month: that is no conversation)."""
    ends = []
    for line in active_paid(lines, t):
        term = line.billing_period_months
        if term < min_term_months:
            continue
        k = 1
        while add_months(line.start_date, k * term) <= t:
            k += 1
        ends.append(add_months(line.start_date, k * term))
    return min(ends) if ends else None
