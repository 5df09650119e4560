"""The help centre's articles are read, and reading them saves tickets."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter

import pyarrow as pa
import pyarrow.compute as pc

from csops.demo.help_center import HELP_ARTICLES, SUGGEST_EVENT, VIEW_EVENT, article_markdown
from csops.demo.support_text import TOPICS

from .conftest import END, Company

LIVE = {a.article_id: END - dt.timedelta(days=a.live_days) for a in HELP_ARTICLES}


def _reads(company: Company) -> list[dict[str, object]]:
    kinds = company.events["event_type"]
    table = company.events.filter(pc.is_in(kinds, value_set=pa.array([VIEW_EVENT, SUGGEST_EVENT])))
    return table.to_pylist()


def _topic_of_subject() -> list[tuple[re.Pattern[str], str]]:
    patterns = []
    for topic in TOPICS:
        for subject in topic.subjects:
            text = re.sub(r"\\\{\w+\\\}", ".+", re.escape(subject))
            patterns.append((re.compile(rf"^(URGENT: |Re: )?{text}$"), topic.key))
    return patterns


def test_reads_name_a_live_article_and_a_contact_of_the_account(company: Company) -> None:
    reads = _reads(company)
    assert reads
    contacts = {c["contact_id"]: c["account_id"] for c in company.rows("contacts")}
    for row in reads:
        properties = json.loads(str(row["properties"]))
        article = properties["article_id"]
        assert article in LIVE
        assert row["occurred_at"].date() >= LIVE[article]  # type: ignore[attr-defined]
        assert contacts[str(row["user_id"])] == row["account_id"]
        assert properties["source"] == (
            "help_center" if row["event_type"] == VIEW_EVENT else "ticket_form"
        )
    assert Counter(r["event_type"] for r in reads).keys() == {VIEW_EVENT, SUGGEST_EVENT}


def test_some_readers_write_in_soon_after_and_most_do_not(company: Company) -> None:
    email = {c["contact_id"]: c["email"] for c in company.rows("contacts")}
    opened: dict[str, list[dt.datetime]] = {}
    for t in company.rows("tickets"):
        opened.setdefault(t["requester_email"], []).append(
            dt.datetime.fromisoformat(t["created_at"].replace("Z", "+00:00"))
        )
    views = [r for r in _reads(company) if r["event_type"] == VIEW_EVENT]
    followed = sum(
        any(
            dt.timedelta(0) < at - r["occurred_at"] <= dt.timedelta(hours=4)  # type: ignore[operator]
            for at in opened.get(email[str(r["user_id"])], [])
        )
        for r in views
    )
    # 60% of readers are answered by the article; the rest write in within four hours
    assert 0.2 * len(views) < followed < 0.6 * len(views)


def test_tickets_on_a_question_fall_once_its_article_is_live(company: Company) -> None:
    """Per covered topic, its share of all tickets before the article went live predicts
    its tickets after; people who read the article first open about 30% fewer."""
    patterns = _topic_of_subject()
    tickets = [
        (t["created_at"][:10], next((k for p, k in patterns if p.match(t["subject"])), None))
        for t in company.rows("tickets")
    ]
    expected = observed = 0.0
    for article in HELP_ARTICLES:
        live = LIVE[article.article_id].isoformat()
        before = [topic == article.topic for day, topic in tickets if day < live]
        after = [topic == article.topic for day, topic in tickets if day >= live]
        expected += sum(before) / len(before) * len(after)
        observed += sum(after)
    assert observed < 0.85 * expected


def test_articles_are_markdown_with_the_question_and_the_answer() -> None:
    title, body = article_markdown(HELP_ARTICLES[0])
    assert title and body.startswith(f"# {title}")
    assert "## What to do" in body
    assert "{" not in body  # every template field filled with a neutral word
