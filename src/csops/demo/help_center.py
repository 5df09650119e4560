"""The demo company's help centre: a few self-service articles, when each went live, and
what they do to the tickets.

Once an article on a question is live, some of the people about to ask that question read
it first (an `article_viewed` event by the contact, `{"article_id": ...}` in properties)
and some of those never open the ticket; others get the article suggested by the ticket
form as they type (`article_suggested`) and some of them give up on the ticket too. Those
who still write in do so within minutes or hours, so csops sees the view followed by a
ticket. The articles themselves are Markdown the demo's department step imports into the
knowledge base (`article_markdown`); nothing here knows how csops matches them to its
repeat questions.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from csops.demo.contacts import Contact
from csops.demo.dice import Dice
from csops.demo.support_text import TOPICS
from csops.demo.texts.topic import Topic
from csops.demo.timeline import DAY, Calendar

VIEW_EVENT = "article_viewed"
SUGGEST_EVENT = "article_suggested"

READ_FIRST = 0.4  # people about to ask a covered question who search the help centre
READ_SOLVES = 0.6  # readers whose question the article answers: no ticket
SUGGESTED = 0.35  # of the others, the ticket form shows the article as they type
SUGGESTION_SOLVES = 0.3


@dataclass(frozen=True, slots=True)
class HelpArticle:
    topic: str  # the demo topic it answers (known only to the generator)
    live_days: int  # went live this many days before the end of history

    @property
    def article_id(self) -> str:
        return self.topic.replace("_", "-")


HELP_ARTICLES: tuple[HelpArticle, ...] = (
    HelpArticle("password_reset", 330),
    HelpArticle("how_to_filter", 260),
    HelpArticle("csv_export_failing", 200),
    HelpArticle("add_seats", 150),
    HelpArticle("report_timezone", 120),
    HelpArticle("two_factor_lost", 95),
    HelpArticle("remove_user", 75),
    HelpArticle("google_sheets_import", 50),
)
_BY_TOPIC = {a.topic: a for a in HELP_ARTICLES}
_TOPIC = {t.key: t for t in TOPICS}


@dataclass(frozen=True, slots=True)
class ArticleEvent:
    contact: Contact
    kind: str  # VIEW_EVENT | SUGGEST_EVENT
    at: int  # epoch seconds
    article_id: str

    @property
    def properties(self) -> str:
        source = "help_center" if self.kind == VIEW_EVENT else "ticket_form"
        return json.dumps({"article_id": self.article_id, "source": source}, sort_keys=True)


def live_article(topic: Topic, day: int, cal: Calendar) -> HelpArticle | None:
    """The help-centre article answering `topic` if it is live on `day`."""
    article = _BY_TOPIC.get(topic.key)
    if article is None or day < cal.days - article.live_days:
        return None
    return article


@dataclass(frozen=True, slots=True)
class SelfService:
    """What a person about to ask a covered question did first."""

    events: tuple[ArticleEvent, ...]
    solved: bool  # the article answered it: no ticket


def self_service(
    dice: Dice, article: HelpArticle, person: Contact, day: int, cal: Calendar, tz: int
) -> SelfService:
    """Whether `person` reads the article (or is shown it) and whether that ends it. Event
    times are placeholders on `day` until `place` puts them before the ticket."""
    local = min(max(dice.normal(12.5, 3.0), 5.0), 23.0)
    at = cal.epoch(day, int((local - tz) * 3600) % DAY + dice.integer(0, 60))
    if dice.chance(READ_FIRST):
        event = ArticleEvent(person, VIEW_EVENT, at, article.article_id)
        return SelfService((event,), dice.chance(READ_SOLVES))
    if dice.chance(SUGGESTED):
        event = ArticleEvent(person, SUGGEST_EVENT, at, article.article_id)
        return SelfService((event,), dice.chance(SUGGESTION_SOLVES))
    return SelfService((), False)


def place(
    dice: Dice, events: tuple[ArticleEvent, ...], created: int, first: int
) -> list[ArticleEvent]:
    """The events of someone who wrote in anyway, moved to just before the ticket (never
    before `first`, the start of history): a read minutes to hours before, a suggestion
    while typing it."""
    placed = []
    for e in events:
        gap = dice.integer(600, 4 * 3600) if e.kind == VIEW_EVENT else dice.integer(30, 600)
        placed.append(ArticleEvent(e.contact, e.kind, max(created - gap, first), e.article_id))
    return placed


class _Neutral(dict[str, str]):
    """Template fields of an article: generic words instead of one customer's values."""

    def __missing__(self, key: str) -> str:
        return {
            "error": "an error",
            "integration": "your integration",
            "report": "the report",
            "n": "many",
            "idp": "your identity provider",
            "feature": "the feature",
            "tz": "your time zone",
            "month": "last month",
            "plan": "your plan",
        }.get(key, f"your {key.replace('_', ' ')}")


def article_markdown(article: HelpArticle) -> tuple[str, str]:
    """Title and body of the article: what people ask, then the agents' answer."""
    topic = _TOPIC[article.topic]
    values = _Neutral()
    asks = [s.format_map(values) for s in topic.subjects]
    symptoms = [b.format_map(values) for b in topic.bodies[:3]]
    answers = [a.format_map(values) for a in topic.answers]
    title = asks[0]
    body = "\n".join(
        [
            f"# {title}",
            "",
            "You may be asking: " + "; ".join(asks) + ".",
            "",
            *(f"- {_sentence(s)}" for s in symptoms),
            "",
            "## What to do",
            "",
            *(f"{a}\n" for a in answers),
        ]
    )
    return title, body.strip() + "\n"


def _sentence(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
