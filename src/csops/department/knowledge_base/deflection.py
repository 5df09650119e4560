"""Deflection: did people who saw an article stop opening tickets on its question?

Definitions (DESIGN.md, "Deflection"):
- exposure: an `article_viewed` or `article_suggested` event for a published article. Repeat
  exposures of the same person to the same article within the window count once (the first).
- the person: the event's user_id when it names a contact (contact_id or e-mail) — then only
  that person's tickets count against it; otherwise the whole account's tickets do.
- deflected: no ticket on any question the article covers, by that person (or account),
  within `window_days` after the exposure. Only exposures whose window has ended by the
  as-of date are judged. Deflection rate = deflected / judged; tickets avoided = deflected.
- period: exposures are counted from `start` (default: all history) to `end` (default: the
  as-of date), both inclusive; tickets up to the as-of date decide whether they were
  followed by a ticket, so a period that ends in the past is judged on what came after.
- before / after: tickets on the article's questions in the same-length windows before and
  after publication (length = days from publication to the as-of date, at most 90).
- self-service ratio = views / tickets on the article's questions, both in the period and
  since publication.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from csops.department.knowledge_base.articles import Article

MAX_COMPARE_DAYS = 90


@dataclass(frozen=True)
class Exposure:
    article_id: str
    kind: str  # "view" | "suggestion"
    account_id: str
    person: str | None  # resolved e-mail (lower case), None: account level
    at: datetime


@dataclass(frozen=True)
class QuestionTicket:
    question_id: int
    account_id: str
    requester: str | None  # e-mail, lower case
    at: datetime


@dataclass(frozen=True)
class ArticleDeflection:
    article_id: str
    title: str
    questions: tuple[int, ...]
    published_at: datetime | None
    compare_days: int
    tickets_before: int
    tickets_after: int
    views: int
    suggestions: int
    judged: int
    deflected: int
    self_service_ratio: float | None

    @property
    def deflection_rate(self) -> float | None:
        return None if self.judged == 0 else self.deflected / self.judged

    def as_dict(self) -> dict[str, object]:
        rate = self.deflection_rate
        return {
            "article_id": self.article_id,
            "title": self.title,
            "questions": list(self.questions),
            "published_at": None if self.published_at is None else self.published_at.isoformat(),
            "compare_days": self.compare_days,
            "tickets_before": self.tickets_before,
            "tickets_after": self.tickets_after,
            "views": self.views,
            "suggestions": self.suggestions,
            "exposures_judged": self.judged,
            "deflected": self.deflected,
            "deflection_rate": None if rate is None else round(rate, 4),
            "tickets_avoided": self.deflected,
            "self_service_ratio": None
            if self.self_service_ratio is None
            else round(self.self_service_ratio, 3),
        }


def first_exposures(exposures: Sequence[Exposure], window: timedelta) -> list[Exposure]:
    """Repeat exposures of one person (or account) to one article within `window` of the
    counted one are dropped."""
    kept: list[Exposure] = []
    last: dict[tuple[str, str, str | None], datetime] = {}
    for e in sorted(exposures, key=lambda e: e.at):
        key = (e.article_id, e.account_id, e.person)
        if key in last and e.at < last[key] + window:
            continue
        last[key] = e.at
        kept.append(e)
    return kept


def _followed(
    e: Exposure, questions: set[int], tickets: Sequence[QuestionTicket], window: timedelta
) -> bool:
    for t in tickets:
        if (
            t.question_id in questions
            and t.account_id == e.account_id
            and e.at <= t.at < e.at + window
        ) and (e.person is None or t.requester == e.person):
            return True
    return False


def article_deflection(
    article: Article,
    exposures: Sequence[Exposure],
    tickets: Sequence[QuestionTicket],
    *,
    as_of: date,
    window_days: int = 7,
    start: date | None = None,
    end: date | None = None,
) -> ArticleDeflection:
    window = timedelta(days=window_days)
    known = datetime.combine(as_of + timedelta(days=1), time())  # data ends here
    first = datetime.min if start is None else datetime.combine(start, time())
    last = datetime.combine(min(end or as_of, as_of) + timedelta(days=1), time())
    questions = set(article.questions)
    on_question = [t for t in tickets if t.question_id in questions and t.at < known]
    published = article.published_at
    compare = 0
    before = after = 0
    if published is not None and published < known:
        compare = min(MAX_COMPARE_DAYS, (known - published).days)
        span = timedelta(days=compare)
        before = sum(1 for t in on_question if published - span <= t.at < published)
        after = sum(1 for t in on_question if published <= t.at < published + span)
    mine = [e for e in exposures if e.article_id == article.article_id and first <= e.at < last]
    counted = first_exposures(mine, window)
    judged = [e for e in counted if e.at + window <= known]
    by_account: dict[str, list[QuestionTicket]] = {}
    for t in on_question:
        by_account.setdefault(t.account_id, []).append(t)
    deflected = sum(
        1 for e in judged if not _followed(e, questions, by_account.get(e.account_id, []), window)
    )
    views = sum(1 for e in mine if e.kind == "view")
    since = [
        t for t in on_question if first <= t.at < last and (published is None or t.at >= published)
    ]
    ratio = views / len(since) if since else None
    return ArticleDeflection(
        article_id=article.article_id,
        title=article.title,
        questions=article.questions,
        published_at=published,
        compare_days=compare,
        tickets_before=before,
        tickets_after=after,
        views=views,
        suggestions=sum(1 for e in mine if e.kind == "suggestion"),
        judged=len(judged),
        deflected=deflected,
        self_service_ratio=ratio,
    )
