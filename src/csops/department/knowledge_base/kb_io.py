"""Loading what drafts and deflection need from the store (the I/O edge)."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine

from csops.analytics.warehouse import open_warehouse
from csops.config import Settings
from csops.department.knowledge_base.articles import Article, load_articles
from csops.department.knowledge_base.deflection import (
    ArticleDeflection,
    Exposure,
    QuestionTicket,
    article_deflection,
)
from csops.department.knowledge_base.drafting import Answer, draft_article
from csops.department.knowledge_base.paths import assignments_path
from csops.department.knowledge_base.question_model import QuestionModel, load_model
from csops.department.knowledge_base.repeat_questions import COVER_SIMILARITY, article_cover
from csops.department.knowledge_base.service import load_questions
from csops.text.clean import clean_message
from csops.text.redact import Redactor


def saved_assignments(settings: Settings) -> dict[str, int]:
    path = assignments_path(settings)
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as handle:
        return {row["ticket_id"]: int(row["cluster_id"]) for row in csv.DictReader(handle)}


def _need_run(settings: Settings) -> dict[str, Any]:
    questions = load_questions(settings)
    if questions is None:
        raise ValueError("no repeat questions yet: run `csops kb repeat-questions` first")
    return questions


def build_draft(
    settings: Settings, engine: Engine, question_id: int, owner: str, now: datetime
) -> Article:
    """A draft for `question_id` from the last repeat-question run."""
    questions = _need_run(settings)
    question = next((q for q in questions["questions"] if q["question_id"] == question_id), None)
    if question is None:
        known = ", ".join(str(q["question_id"]) for q in questions["questions"][:20])
        raise ValueError(f"unknown question {question_id}; known ids include {known}")
    members = {t for t, q in saved_assignments(settings).items() if q == question_id}
    con = open_warehouse(settings, engine, ["tickets", "ticket_comments", "contacts"])
    try:
        rows = con.execute(
            "SELECT c.ticket_id, c.body, t.csat, c.created_at, t.solved_at FROM ticket_comments c "
            "JOIN tickets t USING (ticket_id) "
            "WHERE c.author_kind = 'agent' AND coalesce(c.public, true) AND c.body IS NOT NULL "
            "AND (t.solved_at IS NOT NULL OR t.status IN ('solved', 'closed')) "
            "ORDER BY c.ticket_id, c.created_at"
        ).fetchall()
        names = [
            r[0] for r in con.execute("SELECT name FROM contacts WHERE name IS NOT NULL").fetchall()
        ]
    finally:
        con.close()
    # The solving reply: a ticket's last public agent comment up to its solve time.
    last: dict[str, tuple[str, float | None]] = {}
    for ticket_id, body, csat, created, solved in rows:
        if solved is None or created <= solved:
            last[ticket_id] = (body, None if csat is None else float(csat))
    answers = [Answer(t, b, c) for t, (b, c) in last.items() if t in members]
    return draft_article(
        question_id=question_id,
        label=question["label"],
        phrasings=question["phrasings"],
        answers=answers,
        all_answers=[b for b, _ in last.values()],
        redactor=Redactor.for_names(names),
        owner=owner,
        now=now,
    )


def measure_deflection(
    settings: Settings,
    engine: Engine,
    as_of: date,
    *,
    window_days: int = 7,
    view_event: str = "article_viewed",
    suggest_event: str = "article_suggested",
    start: date | None = None,
    end: date | None = None,
) -> list[ArticleDeflection]:
    """Deflection of every published article as of `as_of`, for the views and suggestions
    from `start` to `end` (inclusive; default all history up to `as_of`)."""
    articles = [a for a in load_articles(settings) if a.status == "published"]
    if not articles:
        return []
    known = datetime.combine(as_of + timedelta(days=1), time())
    con = open_warehouse(settings, engine, ["tickets", "contacts"])
    try:
        events = con.execute(
            "SELECT event_type, account_id, user_id, occurred_at, "
            "json_extract_string(properties, '$.article_id') FROM events "
            "WHERE event_type IN (?, ?) AND occurred_at < ?",
            [view_event, suggest_event, known],
        ).fetchall()
        contacts = con.execute("SELECT contact_id, lower(email) FROM contacts").fetchall()
        tickets = con.execute(
            "SELECT ticket_id, account_id, lower(requester_email), created_at, "
            "coalesce(subject, ''), coalesce(body, '') FROM tickets WHERE created_at < ?",
            [known],
        ).fetchall()
    finally:
        con.close()
    email_of = {cid: email for cid, email in contacts}
    emails = set(email_of.values())
    exposures = []
    for kind, account, user, at, article_id in events:
        if not article_id:
            continue
        person = email_of.get(user) or (user.lower() if user and user.lower() in emails else None)
        exposures.append(
            Exposure(
                article_id, "view" if kind == view_event else "suggestion", account, person, at
            )
        )
    model = load_model(settings)
    question_tickets = _questions_of(settings, model, tickets)
    covered = covered_questions(model, articles)
    return [
        article_deflection(
            replace(a, questions=covered[i]),
            exposures,
            question_tickets,
            as_of=as_of,
            window_days=window_days,
            start=start,
            end=end,
        )
        for i, a in enumerate(articles)
    ]


def covered_questions(
    model: QuestionModel | None, articles: list[Article]
) -> list[tuple[int, ...]]:
    """Per article: the questions its front matter names, and those whose tickets read like
    it (an article imported from a help centre names no question id of ours)."""
    declared = [set(a.questions) for a in articles]
    if model is not None and model.question_ids:
        sims = article_cover(model.vectorizer, model.centroids, articles)
        for j in range(len(articles)):
            declared[j].update(
                model.question_ids[i] for i in np.flatnonzero(sims[:, j] >= COVER_SIMILARITY)
            )
    return [tuple(sorted(q)) for q in declared]


def _questions_of(
    settings: Settings, model: QuestionModel | None, tickets: list[tuple[Any, ...]]
) -> list[QuestionTicket]:
    """Each ticket's question: from the last run, or by the saved model for the others."""
    known = saved_assignments(settings)
    result: list[QuestionTicket] = []
    unknown = [t for t in tickets if t[0] not in known]
    if unknown and model is not None:
        index, _ = model.nearest([clean_message(t[4], t[5]) for t in unknown])
        for t, i in zip(unknown, index.tolist(), strict=True):
            known[t[0]] = model.question_ids[i] if i >= 0 else -1
    for ticket_id, account, requester, at, _, _ in tickets:
        q = known.get(ticket_id, -1)
        if q != -1:
            result.append(QuestionTicket(q, account, requester, at))
    return result


def deflection_document(
    rows: list[ArticleDeflection],
    as_of: date,
    window_days: int,
    start: date | None = None,
    end: date | None = None,
) -> dict[str, Any]:
    judged = sum(r.judged for r in rows)
    deflected = sum(r.deflected for r in rows)
    document: dict[str, Any] = json.loads(
        json.dumps(
            {
                "as_of": as_of.isoformat(),
                "from": None if start is None else start.isoformat(),
                "to": (end or as_of).isoformat(),
                "window_days": window_days,
                "articles": [r.as_dict() for r in rows],
                "exposures_judged": judged,
                "tickets_avoided": deflected,
                "deflection_rate": None if judged == 0 else round(deflected / judged, 4),
            }
        )
    )
    return document
