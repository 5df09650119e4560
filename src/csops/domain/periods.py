"""Reporting periods: calendar months, quarters and ISO weeks, as [start, end) day pairs.

A period runs from its first day to the first day of the next period (DESIGN.md's day a
to day b), so consecutive periods chain: one period's end MRR is the next one's start MRR.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Unit(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # the first day of the next period (exclusive), or the as-of day if partial
    partial: bool = False


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months; the 31st becomes the last day of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def period_start(day: date, unit: Unit) -> date:
    if unit is Unit.WEEK:
        return day - timedelta(days=day.weekday())
    if unit is Unit.MONTH:
        return day.replace(day=1)
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def next_start(start: date, unit: Unit) -> date:
    if unit is Unit.WEEK:
        return start + timedelta(days=7)
    return add_months(start, 1 if unit is Unit.MONTH else 3)


def label(start: date, unit: Unit) -> str:
    if unit is Unit.WEEK:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if unit is Unit.MONTH:
        return f"{start:%Y-%m}"
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def periods(first: date, last: date, unit: Unit, as_of: date | None = None) -> list[Period]:
    """Every period that contains a day from `first` to `last` (inclusive). A period that
    ends after `as_of` is cut at `as_of` and marked partial; one starting after it is left
    out."""
    if last < first:
        raise ValueError(f"the range ends ({last}) before it starts ({first})")
    found: list[Period] = []
    start = period_start(first, unit)
    while start <= last and (as_of is None or start < as_of):
        end = next_start(start, unit)
        if as_of is not None and end > as_of:
            found.append(Period(label(start, unit), start, as_of, partial=True))
        else:
            found.append(Period(label(start, unit), start, end))
        start = end
    return found
