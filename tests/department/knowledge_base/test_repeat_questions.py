from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from csops.department.knowledge_base.matching import rank
from csops.department.knowledge_base.repeat_questions import (
    TicketText,
    find_repeat_questions,
    is_emerging,
)

AS_OF = date(2026, 5, 31)
LOGIN = [
    "Can't log in: the password reset email never arrives",
    "Password reset link expired, cannot log in",
    "Reset password says invalid token",
]
EXPORT = [
    "CSV export downloads an empty file",
    "Export to CSV shows garbled characters",
    "Scheduled CSV export is empty",
]
INVOICE = [
    "Invoice shows the wrong VAT number",
    "Please send a copy of the last invoice",
    "Change the billing address on our invoice",
]


@pytest.mark.parametrize(
    ("recent", "baseline", "expected"),
    [
        (3, 0, False),  # too few tickets to call it
        (4, 0, True),  # expected 0: 4 > 3*sqrt(1)
        (8, 16, False),  # same rate as the baseline (4 per two weeks)
        (12, 16, True),  # 3x the rate: 12 - 4 = 8 > 3*sqrt(5) = 6.7
        (9, 16, False),  # double the rate but 9 - 4 = 5 < 6.7: noise
    ],
)
def test_emerging_rule(recent: int, baseline: int, expected: bool) -> None:
    assert is_emerging(recent, baseline) is expected


def tickets() -> list[TicketText]:
    rows: list[TicketText] = []
    start = datetime(2026, 3, 2, 10)
    n = 0
    for group, phrasings in (("login", LOGIN), ("export", EXPORT), ("invoice", INVOICE)):
        for i in range(12):
            n += 1
            when = start + timedelta(days=5 * i)
            body = f"Hi team,\n\n{phrasings[i % 3]}.\n\nThanks,\nAnn Berg"
            rows.append(
                TicketText(f"t{n:03d}", f"acc_{group}_{i % 4}", when, phrasings[(i + 1) % 3], body)
            )
    # a surge of login tickets in the last two weeks
    for i in range(8):
        n += 1
        rows.append(
            TicketText(
                f"t{n:03d}", "acc_new", datetime(2026, 5, 20 + i % 10, 9), LOGIN[i % 3], LOGIN[0]
            )
        )
    return rows


def test_groups_tickets_and_flags_the_surge() -> None:
    data = tickets()
    result = find_repeat_questions(data, as_of=AS_OF, names=["Ann Berg"])
    # no question mixes topics (the surge's account asks about login)
    topics: dict[int, set[str]] = {}
    for t in data:
        topic = "login" if t.account_id == "acc_new" else t.account_id.split("_")[1]
        topics.setdefault(result.assignments[t.ticket_id], set()).add(topic)
    assert all(len(v) == 1 for k, v in topics.items() if k != -1)
    login_ids = {
        result.assignments[t.ticket_id]
        for t in data
        if "login" in t.account_id or t.account_id == "acc_new"
    }
    assert -1 not in login_ids
    for q in result.questions:
        assert q.tickets == sum(1 for v in result.assignments.values() if v == q.question_id)
        assert "Ann" not in " ".join(q.phrasings) and "Berg" not in q.label
    emerging = [q for q in result.questions if q.emerging]
    assert emerging and all(q.question_id in login_ids for q in emerging)


def test_model_matches_new_wording_to_the_right_question() -> None:
    data = tickets()
    result = find_repeat_questions(data, as_of=AS_OF)
    match = rank(result.model, [], "the password reset email does not arrive")
    login_ids = {result.assignments[t.ticket_id] for t in data if "login" in t.account_id}
    assert match.question_id in login_ids
    assert rank(result.model, [], "").question_id is None
