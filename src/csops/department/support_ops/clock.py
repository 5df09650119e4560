"""Clock arithmetic for SLA targets: working time between two instants, an instant plus N
working minutes, and pauses. Pure: no I/O, no "now".

Every instant is a naive UTC `datetime`, as in the store. A schedule's working hours are
wall-clock times in its own time zone; they are turned into UTC intervals one local day at
a time, so a daylight-saving change moves them the way a support team's day moves. A
calendar clock is the schedule that always works.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]
# The end of a pause that has not ended (yet, as far as the data knows).
OPEN_END = datetime(9999, 1, 1)
# How far `add_minutes` looks for working time before giving up (a schedule of holidays).
_HORIZON = timedelta(days=3 * 366)
_EPOCH = datetime(1970, 1, 1)
_MICRO = timedelta(microseconds=1)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, eq=False)
class Schedule:
    """Working hours per weekday (Monday first) as (start, end) minutes after local
    midnight, end up to 1440; holidays are local dates without working time.

    Compared and hashed by identity: a schedule is built once per policies file, and the
    per-day cache below is looked up many times per ticket."""

    name: str
    zone: str = "UTC"
    week: tuple[tuple[tuple[int, int], ...], ...] = ((),) * 7
    holidays: frozenset[date] = field(default_factory=frozenset)
    always: bool = False  # the calendar clock: every minute counts

    def __post_init__(self) -> None:
        ZoneInfo(self.zone)  # raises for an unknown zone
        if len(self.week) != 7:
            raise ValueError("a schedule needs working hours for 7 weekdays")
        for windows in self.week:
            for start, end in windows:
                if not 0 <= start < end <= 1440:
                    raise ValueError(f"working window {start}-{end} is not inside one day")
        if not self.always and not any(self.week):
            raise ValueError(f"schedule {self.name!r} has no working hours in the week")


CALENDAR = Schedule("calendar", always=True)


def business_schedule(
    name: str,
    zone: str,
    hours: Mapping[str, Sequence[tuple[time, time | None]]],
    holidays: Iterable[date] = (),
) -> Schedule:
    """A schedule from weekday keys (mon..sun) to (start, end) wall times; end None = 24:00."""
    week = []
    for key in WEEKDAYS:
        windows = []
        for start, end in hours.get(key, ()):
            end_minute = 1440 if end is None else end.hour * 60 + end.minute
            windows.append((start.hour * 60 + start.minute, end_minute))
        week.append(tuple(sorted(windows)))
    return Schedule(name, zone, tuple(week), frozenset(holidays))


@lru_cache(maxsize=65536)
def _day_intervals(schedule: Schedule, day: date) -> tuple[Interval, ...]:
    """The schedule's working intervals on local `day`, in naive UTC."""
    if day in schedule.holidays:
        return ()
    zone = ZoneInfo(schedule.zone)
    result: list[Interval] = []
    for start, end in schedule.week[day.weekday()]:
        a = _local_to_utc(day, start, zone)
        b = _local_to_utc(day, end, zone)
        if a < b:
            result.append((a, b))
    return tuple(result)


def _local_to_utc(day: date, minute: int, zone: ZoneInfo) -> datetime:
    # Wall-clock arithmetic: 24:00 is the next day's 00:00 local, whatever the day's length.
    wall = datetime.combine(day + timedelta(days=minute // 1440), time(), tzinfo=zone)
    wall = wall.replace(hour=(minute % 1440) // 60, minute=minute % 60)
    return wall.astimezone(UTC).replace(tzinfo=None)


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for a, b in sorted(i for i in intervals if i[0] < i[1]):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _us(t: datetime) -> int:
    return (t - _EPOCH) // _MICRO


class _WorkIndex:
    """A schedule's working intervals over whole years, with the working time before each,
    so that "working time up to t" and its inverse are binary searches. Grows on demand."""

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self.years: tuple[int, int] | None = None
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.before: list[int] = []  # working µs before interval i
        self.after: list[int] = []  # working µs up to the end of interval i

    def cover(self, year_from: int, year_to: int) -> None:
        if self.years is not None:
            if self.years[0] <= year_from and year_to <= self.years[1]:
                return
            year_from, year_to = min(year_from, self.years[0]), max(year_to, self.years[1])
        year_from, year_to = max(year_from, 1), min(year_to, 9998)
        day, last = date(year_from, 1, 1), date(year_to, 12, 31)
        intervals: list[Interval] = []
        while day <= last:
            intervals.extend(_day_intervals(self.schedule, day))
            day += timedelta(days=1)
        self.starts, self.ends, self.before, self.after = [], [], [], []
        total = 0
        for a, b in _merge(intervals):
            self.starts.append(_us(a))
            self.ends.append(_us(b))
            self.before.append(total)
            total += self.ends[-1] - self.starts[-1]
            self.after.append(total)
        self.years = (year_from, year_to)

    def _worked(self, at: int) -> int:
        i = bisect_right(self.starts, at) - 1
        return 0 if i < 0 else self.before[i] + min(at, self.ends[i]) - self.starts[i]

    def between(self, a: datetime, b: datetime) -> int:
        """Working µs in [a, b). Covers both ends first: growing the index backwards
        shifts every cumulative figure, so both must come from the same build."""
        self.cover(a.year - 1, b.year + 1)
        return self._worked(_us(b)) - self._worked(_us(a))

    def instant(self, start: datetime, work: int) -> datetime | None:
        """The earliest instant by which `work` (> 0) µs have been worked since `start`;
        None past the horizon. Growing the index forwards keeps earlier figures."""
        self.cover(start.year - 1, start.year + 1)
        target = self._worked(_us(start)) + work
        while True:
            i = bisect_left(self.after, target)
            if i < len(self.after):
                return _EPOCH + timedelta(microseconds=self.starts[i] + target - self.before[i])
            assert self.years is not None
            if self.years[1] > (start + _HORIZON).year:
                return None
            self.cover(self.years[0], self.years[1] + 2)


@lru_cache(maxsize=64)
def _index(schedule: Schedule) -> _WorkIndex:
    return _WorkIndex(schedule)


def _between(schedule: Schedule, a: datetime, b: datetime) -> int:
    """Working µs of `schedule` in [a, b)."""
    if b <= a:
        return 0
    return _us(b) - _us(a) if schedule.always else _index(schedule).between(a, b)


def elapsed_minutes(
    schedule: Schedule, start: datetime, end: datetime, pauses: Sequence[Interval] = ()
) -> float:
    """Working minutes of `schedule` between `start` and `end`, paused time excluded."""
    if end <= start:
        return 0.0
    total = _between(schedule, start, end)
    for a, b in _merge((max(a, start), min(b, end)) for a, b in pauses):
        total -= _between(schedule, a, b)
    return total / 60e6


def add_minutes(
    schedule: Schedule, start: datetime, minutes: float, pauses: Sequence[Interval] = ()
) -> datetime | None:
    """The instant at which `minutes` of working time have passed since `start`, pauses
    excluded; None when a pause that has not ended (end `OPEN_END`) comes first."""
    if minutes <= 0:
        return start
    need = round(minutes * 60e6)
    cuts = [(max(a, start), b) for a, b in _merge(pauses) if b > start]
    paused = 0
    while True:
        # Where the target lands counting the paused working time found so far; a pause
        # before that point pushes it out, which may bring in the next pause (monotone).
        work = need + paused
        due = (
            start + timedelta(microseconds=work)
            if schedule.always
            else _index(schedule).instant(start, work)
        )
        if due is None:
            raise ValueError(
                f"schedule {schedule.name!r} has no {minutes:g} working minutes within "
                f"{_HORIZON.days} days of {start:%Y-%m-%d %H:%M}"
            )
        if any(a < due and b >= OPEN_END for a, b in cuts):
            return None
        found = sum(_between(schedule, a, min(b, due)) for a, b in cuts if a < due)
        if found == paused:
            return due
        paused = found
