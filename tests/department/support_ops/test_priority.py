"""Priority suggestions and renewal dates."""

from __future__ import annotations

from datetime import date

import pytest

from csops.department.support_ops.data import next_term_end
from csops.department.support_ops.priority import suggest_priority


@pytest.mark.parametrize(
    ("priority", "text", "band", "days", "suggested", "rules"),
    [
        ("low", "How do I change my logo?", "small", 200, "low", {"own_priority"}),
        ("low", "Our site is down, total outage", "small", None, "urgent", {"urgency_words"}),
        ("normal", "Login not working for the team", "small", None, "high", {"urgency_words"}),
        ("low", "A question", "large", None, "normal", {"account_value"}),
        ("normal", "A question", "small", 12, "high", {"renewal"}),
        ("high", "A question", "large", 5, "high", {"own_priority", "account_value", "renewal"}),
        (None, "A question", None, None, "normal", {"own_priority"}),
        # Whole words only: "breach" inside "breaches" is no security breach.
        ("low", "Explain SLA breaches in the report", "small", None, "low", {"own_priority"}),
    ],
)  # fmt: skip
def test_priority_suggestion_explains_the_rule(
    priority: str | None, text: str, band: str | None, days: int | None, suggested: str,
    rules: set[str],
) -> None:  # fmt: skip
    result = suggest_priority(priority, text, band, "large", days)
    assert result.suggested == suggested
    deciding = {r["rule"] for r in result.as_dict()["rules"] if r["decides"]}  # type: ignore[attr-defined]
    assert deciding == rules


@pytest.mark.parametrize(
    ("start", "months", "day", "end"),
    [
        (date(2025, 6, 15), 12, date(2026, 5, 29), date(2026, 6, 15)),
        (date(2025, 6, 15), 12, date(2026, 6, 15), date(2027, 6, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 10), date(2026, 2, 28)),
        (date(2026, 1, 31), 1, date(2026, 3, 1), date(2026, 3, 31)),
        (date(2024, 2, 29), 12, date(2025, 1, 1), date(2025, 2, 28)),
        (date(2026, 5, 1), 3, date(2026, 5, 1), date(2026, 8, 1)),
    ],
)
def test_next_term_end_rolls_forward(start: date, months: int, day: date, end: date) -> None:
    assert next_term_end(start, months, day) == end
