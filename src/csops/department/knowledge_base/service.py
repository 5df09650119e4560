"""The Knowledge Base's I/O edge: read tickets from the store, save the model and the
question list in the workspace. The rules live in the pure modules beside it."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from csops.analytics.warehouse import open_warehouse
from csops.config import Settings
from csops.department.knowledge_base.articles import load_articles
from csops.department.knowledge_base.paths import assignments_path, questions_path
from csops.department.knowledge_base.question_model import load_model, save_model
from csops.department.knowledge_base.repeat_questions import (
    RepeatQuestions,
    TicketText,
    find_repeat_questions,
)
from csops.files import write_text_atomic
from csops.text.embed import bundled_embedder

DEFAULT_DAYS = 180


@dataclass(frozen=True)
class Window:
    start: date
    end: date  # inclusive

    @classmethod
    def of(
        cls, as_of: date, start: date | None, end: date | None, days: int = DEFAULT_DAYS
    ) -> Window:
        last = end or as_of
        first = start or last - timedelta(days=days - 1)
        if first > last:
            raise ValueError(f"--from {first} is after --to {last}")
        return cls(first, last)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return datetime.combine(self.start, time()), datetime.combine(
            self.end + timedelta(days=1), time()
        )


def load_tickets(
    settings: Settings, engine: Engine, window: Window
) -> tuple[list[TicketText], list[str]]:
    """Tickets created in the window, and every contact name (for redaction)."""
    con = open_warehouse(settings, engine, ["tickets", "contacts"])
    try:
        lo, hi = window.bounds
        rows = con.execute(
            "SELECT ticket_id, account_id, created_at, coalesce(subject, ''), coalesce(body, '') "
            "FROM tickets WHERE created_at >= ? AND created_at < ? ORDER BY created_at, ticket_id",
            [lo, hi],
        ).fetchall()
        names = [
            r[0] for r in con.execute("SELECT name FROM contacts WHERE name IS NOT NULL").fetchall()
        ]
    finally:
        con.close()
    return [TicketText(*r) for r in rows], names


def run_repeat_questions(
    settings: Settings, engine: Engine, as_of: date, window: Window
) -> RepeatQuestions:
    """Find the repeat questions of the window and save the model and the list."""
    tickets, names = load_tickets(settings, engine, window)
    if not tickets:
        raise ValueError(f"no tickets created between {window.start} and {window.end}")
    result = find_repeat_questions(
        tickets,
        as_of=min(as_of, window.end),
        names=names,
        previous=load_model(settings),
        articles=load_articles(settings),
        embedder=bundled_embedder(),
    )
    save_model(settings, result.model)
    save_questions(settings, result, window)
    write_assignments(assignments_path(settings), result.assignments)
    return result


def result_document(
    result: RepeatQuestions, window: Window, top: int | None = None
) -> dict[str, Any]:
    questions = result.questions if top is None else result.questions[:top]
    total = len(result.assignments)
    return {
        "from": window.start.isoformat(),
        "to": window.end.isoformat(),
        "tickets": total,
        "questions_found": len(result.questions),
        "other_tickets": result.other,
        "silhouette": round(result.silhouette, 4),
        "modularity": round(result.modularity, 4),
        "features": result.features,
        "emerging": [q.question_id for q in result.questions if q.emerging],
        "questions": [q.as_dict() for q in questions],
    }


def save_questions(settings: Settings, result: RepeatQuestions, window: Window) -> Path:
    document = json.dumps(result_document(result, window), indent=2)
    return write_text_atomic(questions_path(settings), document)


def load_questions(settings: Settings) -> dict[str, Any] | None:
    """The last saved run (see `result_document`), or None."""
    path = questions_path(settings)
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def write_assignments(path: Path, assignments: dict[str, int]) -> None:
    """CSV `ticket_id,cluster_id` (-1: other)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ticket_id", "cluster_id"])
        for ticket_id, cluster in sorted(assignments.items()):
            writer.writerow([ticket_id, cluster])
