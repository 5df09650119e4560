"""Clock arithmetic against hand-computed cases.

Calendar: 2026-06-01 is a Monday. Europe/Berlin moves to summer time on Sunday
2026-03-29 (UTC+1 → UTC+2) and back on Sunday 2026-10-25.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from csops.department.support_ops.clock import (
    CALENDAR,
    OPEN_END,
    Interval,
    Schedule,
    add_minutes,
    business_schedule,
    elapsed_minutes,
)

NINE_TO_FIVE = {d: [(time(9), time(17))] for d in ("mon", "tue", "wed", "thu", "fri")}
UTC_OFFICE = business_schedule("office", "UTC", NINE_TO_FIVE)
HOLIDAY_OFFICE = business_schedule("office", "UTC", NINE_TO_FIVE, [date(2026, 6, 2)])
BERLIN_OFFICE = business_schedule("berlin", "Europe/Berlin", NINE_TO_FIVE)
BERLIN_SUNDAYS = business_schedule("sundays", "Europe/Berlin", {"sun": [(time(0), None)]})


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


PAUSE_10_12: tuple[Interval, ...] = ((at("2026-06-01 10:00"), at("2026-06-01 12:00")),)


@pytest.mark.parametrize(
    ("case", "schedule", "start", "end", "pauses", "minutes"),
    [
        ("same day", UTC_OFFICE, "2026-06-01 10:00", "2026-06-01 12:00", (), 120),
        ("overnight", UTC_OFFICE, "2026-06-01 16:00", "2026-06-02 10:00", (), 120),
        ("weekend", UTC_OFFICE, "2026-06-05 16:00", "2026-06-08 10:00", (), 120),
        ("reply outside hours", UTC_OFFICE, "2026-06-06 10:00", "2026-06-06 12:00", (), 0),
        ("created before opening", UTC_OFFICE, "2026-06-01 07:00", "2026-06-01 09:30", (), 30),
        ("holiday skipped", HOLIDAY_OFFICE, "2026-06-01 16:00", "2026-06-03 10:00", (), 120),
        (
            "pause inside the day",
            UTC_OFFICE,
            "2026-06-01 09:00",
            "2026-06-01 17:00",
            PAUSE_10_12,
            360,
        ),
        ("calendar hours", CALENDAR, "2026-06-05 16:00", "2026-06-08 10:00", (), 2 * 1440 + 1080),
        # CET: 09-17 local = 08-16 UTC on Friday; CEST: 07-15 UTC on Monday.
        ("DST spring", BERLIN_OFFICE, "2026-03-27 15:00", "2026-03-30 08:00", (), 120),
        # CEST: 07-15 UTC on Friday; CET: 08-16 UTC on Monday.
        ("DST autumn", BERLIN_OFFICE, "2026-10-23 14:00", "2026-10-26 09:00", (), 120),
        ("23-hour Sunday", BERLIN_SUNDAYS, "2026-03-28 00:00", "2026-03-30 00:00", (), 23 * 60),
        ("25-hour Sunday", BERLIN_SUNDAYS, "2026-10-24 00:00", "2026-10-27 00:00", (), 25 * 60),
        ("end before start", UTC_OFFICE, "2026-06-01 12:00", "2026-06-01 10:00", (), 0),
    ],
)
def test_elapsed_minutes(
    case: str,
    schedule: Schedule,
    start: str,
    end: str,
    pauses: tuple[Interval, ...],
    minutes: float,
) -> None:
    assert elapsed_minutes(schedule, at(start), at(end), pauses) == minutes, case


@pytest.mark.parametrize(
    ("case", "schedule", "start", "minutes", "pauses", "due"),
    [
        ("within the day", UTC_OFFICE, "2026-06-01 10:00", 60, (), "2026-06-01 11:00"),
        ("to closing exactly", UTC_OFFICE, "2026-06-01 09:00", 480, (), "2026-06-01 17:00"),
        ("overnight", UTC_OFFICE, "2026-06-01 16:00", 120, (), "2026-06-02 10:00"),
        ("over the weekend", UTC_OFFICE, "2026-06-05 16:30", 60, (), "2026-06-08 09:30"),
        ("created on Saturday", UTC_OFFICE, "2026-06-06 10:00", 30, (), "2026-06-08 09:30"),
        ("holiday skipped", HOLIDAY_OFFICE, "2026-06-01 16:00", 120, (), "2026-06-03 10:00"),
        ("DST spring", BERLIN_OFFICE, "2026-03-27 15:00", 120, (), "2026-03-30 08:00"),
        ("DST autumn", BERLIN_OFFICE, "2026-10-23 14:00", 120, (), "2026-10-26 09:00"),
        ("pause and resume", UTC_OFFICE, "2026-06-01 09:00", 240, PAUSE_10_12, "2026-06-01 15:00"),
        ("calendar", CALENDAR, "2026-06-05 16:00", 120, (), "2026-06-05 18:00"),
        ("zero minutes", UTC_OFFICE, "2026-06-06 10:00", 0, (), "2026-06-06 10:00"),
    ],
)
def test_add_minutes(
    case: str,
    schedule: Schedule,
    start: str,
    minutes: float,
    pauses: tuple[Interval, ...],
    due: str,
) -> None:
    assert add_minutes(schedule, at(start), minutes, pauses) == at(due), case


def test_a_pause_that_has_not_ended_leaves_no_due_time() -> None:
    open_pause = ((at("2026-06-01 10:00"), OPEN_END),)
    assert add_minutes(UTC_OFFICE, at("2026-06-01 09:00"), 240, open_pause) is None
    # ...but a target reached before the pause began still has one.
    assert add_minutes(UTC_OFFICE, at("2026-06-01 09:00"), 30, open_pause) == at("2026-06-01 09:30")


def test_adding_then_measuring_gives_the_same_minutes() -> None:
    start = at("2026-03-26 13:17")
    for minutes in (1, 59, 480, 1000, 4321):
        due = add_minutes(BERLIN_OFFICE, start, minutes)
        assert due is not None
        assert elapsed_minutes(BERLIN_OFFICE, start, due) == pytest.approx(minutes)


def test_schedule_without_working_hours_is_rejected() -> None:
    with pytest.raises(ValueError, match="no working hours"):
        business_schedule("empty", "UTC", {})


def test_unknown_time_zone_is_rejected() -> None:
    with pytest.raises(Exception, match="Mars/Olympus"):
        business_schedule("mars", "Mars/Olympus", NINE_TO_FIVE)
