from __future__ import annotations

from datetime import date, datetime

from csops.department.knowledge_base.articles import Article
from csops.department.knowledge_base.deflection import Exposure, QuestionTicket, article_deflection

PUBLISHED = datetime(2026, 5, 2)
ARTICLE = Article("reset", "Reset", (3,), "published", "", PUBLISHED, "", PUBLISHED, "lead")


def view(day: int, person: str | None = "ann@a.io", account: str = "acc_a") -> Exposure:
    return Exposure("reset", "view", account, person, datetime(2026, 5, day, 9))


def ticket(
    month: int, day: int, question: int = 3, who: str = "ann@a.io", account: str = "acc_a"
) -> QuestionTicket:
    return QuestionTicket(question, account, who, datetime(2026, month, day, 10))


def test_hand_computed_deflection() -> None:
    # as of 31 May: 30 days since publication -> compare 30 days before and after.
    exposures = [
        view(3),  # followed by ann's ticket on 5 May -> not deflected
        view(4),  # within 7 days of the 3 May view -> not counted again
        view(12),  # nothing after -> deflected
        view(12, person="bob@a.io"),  # bob's ticket on 14 May is on another question -> deflected
        view(12, person=None, account="acc_b"),  # account-level: acc_b ticket on 15 May -> not
        view(28),  # window not over by 31 May -> not judged
        Exposure("reset", "suggestion", "acc_c", None, datetime(2026, 5, 20)),  # deflected
    ]
    tickets = [
        ticket(4, 10),  # before
        ticket(4, 1),  # before, outside the 30-day comparison window (2 Apr..1 May)
        ticket(5, 5),
        ticket(5, 14, question=9, who="bob@a.io"),
        ticket(5, 15, who="cy@b.io", account="acc_b"),
    ]
    result = article_deflection(ARTICLE, exposures, tickets, as_of=date(2026, 5, 31))
    assert result.compare_days == 30
    assert (result.tickets_before, result.tickets_after) == (1, 2)
    assert (result.views, result.suggestions) == (6, 1)
    assert result.judged == 5
    assert result.deflected == 3
    assert result.deflection_rate == 3 / 5
    assert result.self_service_ratio == 6 / 2


def test_unpublished_article_has_no_before_after() -> None:
    draft = Article("reset", "Reset", (3,), "draft", "", PUBLISHED, "")
    result = article_deflection(draft, [], [ticket(5, 5)], as_of=date(2026, 5, 31))
    assert (result.tickets_before, result.tickets_after, result.judged) == (0, 0, 0)
    assert result.deflection_rate is None


def test_a_period_counts_its_own_exposures_and_judges_them_on_later_tickets() -> None:
    exposures = [view(3), view(12), view(28)]
    tickets = [ticket(5, 5), ticket(5, 11), ticket(5, 14)]
    result = article_deflection(
        ARTICLE,
        exposures,
        tickets,
        as_of=date(2026, 5, 31),
        start=date(2026, 5, 10),
        end=date(2026, 5, 12),
    )
    # only the view of 12 May is in the period; ann's ticket of 14 May (after the period,
    # before the as-of date) follows it within 7 days
    assert (result.views, result.judged, result.deflected) == (1, 1, 0)
    # one view in the period over the one ticket in it (11 May)
    assert result.self_service_ratio == 1.0
    # before/after publication do not depend on the period
    assert (result.tickets_before, result.tickets_after) == (0, 3)
