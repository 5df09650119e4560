"""The generator's small rules, pinned by hand-computed examples."""

from __future__ import annotations

import datetime as dt
import string

import numpy as np
import pytest

from csops.demo.dice import Dice
from csops.demo.support import add_business_hours
from csops.demo.support_text import TOPICS
from csops.demo.texts import crm, phrases
from csops.demo.timeline import Calendar, add_months


def _epoch(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp())


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2024-01-31", 1, "2024-02-29"),
        ("2023-01-31", 1, "2023-02-28"),
        ("2024-03-15", -24, "2022-03-15"),
        ("2024-12-10", 1, "2025-01-10"),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day: str, months: int, expected: str) -> None:
    assert add_months(dt.date.fromisoformat(day), months).isoformat() == expected


@pytest.mark.parametrize(
    ("start", "hours", "offset", "expected"),
    [
        ("2024-06-03 10:00", 2, 0, "2024-06-03 12:00"),  # Monday, inside business hours
        ("2024-06-07 17:00", 2, 0, "2024-06-10 09:00"),  # Friday evening runs into Monday
        ("2024-06-08 12:00", 1, 0, "2024-06-10 09:00"),  # Saturday waits for Monday 08:00
        ("2024-06-03 20:00", 8, -5, "2024-06-04 18:00"),  # 15:00 local: 3h today, 5h tomorrow
    ],
)
def test_business_hours_skip_nights_and_weekends(
    start: str, hours: float, offset: int, expected: str
) -> None:
    assert add_business_hours(_epoch(start), hours, offset) == _epoch(expected)


def test_calendar_counts_history_back_from_the_end() -> None:
    cal = Calendar.ending(dt.date(2025, 3, 10), 12)
    assert cal.start == dt.date(2024, 3, 10)
    assert cal.days == 365
    assert cal.month_starts.tolist()[:3] == [0, 31, 61]
    assert cal.calendar_months[0] == "2024-03" and cal.calendar_months[-1] == "2025-03"
    assert cal.end_epoch == _epoch("2025-03-10 00:00")


def test_dice_is_a_function_of_the_seed() -> None:
    a, b = Dice(np.random.default_rng(5)), Dice(np.random.default_rng(5))
    draws_a = [a.random(), a.integer(3, 9), a.normal(), a.pick("xyz"), a.poisson(2.5)]
    draws_b = [b.random(), b.integer(3, 9), b.normal(), b.pick("xyz"), b.poisson(2.5)]
    assert draws_a == draws_b
    assert all(3 <= Dice(np.random.default_rng(s)).integer(3, 9) < 9 for s in range(50))


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_template_uses_only_known_slots() -> None:
    known = {
        *phrases.SLOT_VALUES,
        "first",
        "last",
        "title",
        "company",
        "domain",
        "colleague",
        "colleague_email",
        "plan",
        "seats",
        "agent",
        "csm",
        "phone",
        "customer_email",
        "n",
        "invoice",
        "month",
        "weekday",
        "quoted_date",
        "quoted_time",
    }
    templates = [t for topic in TOPICS for t in (*topic.subjects, *topic.bodies, *topic.answers)]
    templates += [
        *phrases.CONTEXT,
        *phrases.PII_LINES,
        *phrases.SIGNATURES,
        *phrases.CUSTOMER_FOLLOWUPS,
        *phrases.INTERNAL_NOTES,
        phrases.QUOTE_HEADER,
    ]
    for template in templates:
        assert _fields(template) <= known, template
    crm_known = {
        "contact",
        "integration",
        "team",
        "feature",
        "weeks",
        "users",
        "plan",
        "seats",
        "company",
        "reason",
        "detail",
        "old_contact",
        "renewal_date",
    }
    for options in crm.ACTIVITY_SUMMARIES.values():
        for template in options:
            assert _fields(template) <= crm_known, template


def test_there_are_about_forty_topics_with_several_phrasings() -> None:
    assert 35 <= len(TOPICS) <= 45
    assert len({t.key for t in TOPICS}) == len(TOPICS)
    for topic in TOPICS:
        assert all(isinstance(x, tuple) for x in (topic.subjects, topic.bodies, topic.answers))
        assert len(topic.subjects) >= 3 and len(topic.bodies) >= 2 and topic.answers
    assert sum(t.emerging_days > 0 for t in TOPICS) in (1, 2)
