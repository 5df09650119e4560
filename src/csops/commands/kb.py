"""`csops kb`: repeat questions, article drafts, suggestions, articles, deflection."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.table import Table

from csops.commands.common import (
    JSON,
    as_of_option,
    emit_json,
    err,
    fail,
    fail_on,
    load_settings,
    out,
    parse_day,
    store,
)
from csops.department.knowledge_base.articles import (
    ArticleError,
    article_file,
    load_articles,
    save_article,
)
from csops.department.knowledge_base.kb_io import (
    build_draft,
    deflection_document,
    measure_deflection,
)
from csops.department.knowledge_base.matching import match_ticket
from csops.department.knowledge_base.service import (
    Window,
    result_document,
    run_repeat_questions,
    write_assignments,
)

app = typer.Typer(
    help="Knowledge Base: repeat questions, articles, suggestions, deflection.",
    no_args_is_help=True,
)

AS_OF = as_of_option("Day the figures are as of (YYYY-MM-DD; default today).")
# what a knowledge-base command cannot do ends it with its message (exit 2)
KB_ERRORS = (ValueError, ArticleError)


@app.command("repeat-questions")
def repeat_questions(
    as_of: str | None = AS_OF,
    start: str | None = typer.Option(
        None, "--from", help="First day of tickets (default 180 days before --to)."
    ),
    end: str | None = typer.Option(None, "--to", help="Last day of tickets (default --as-of)."),
    top: int = typer.Option(20, "--top", min=1, help="Questions to show."),
    assignments: Path | None = typer.Option(
        None, "--assignments", help="Write ticket_id,cluster_id CSV here (-1: other)."
    ),
    as_json: bool = JSON,
) -> None:
    """Group tickets into the questions customers keep asking; save the model for suggest."""
    settings = load_settings()
    day = parse_day(as_of)
    with fail_on(*KB_ERRORS):
        window = Window.of(
            day,
            parse_day(start, "--from") if start else None,
            parse_day(end, "--to") if end else None,
        )
        err.print(f"Clustering tickets from {window.start} to {window.end}…")
        with store(settings) as ctx:
            result = run_repeat_questions(settings, ctx.engine, day, window)
    if assignments is not None:
        write_assignments(assignments, result.assignments)
    document = result_document(result, window, top)
    if as_json:
        emit_json(document)
        return
    out.print(
        f"{document['tickets']:,} tickets → {document['questions_found']} questions "
        f"({document['other_tickets']:,} in other)"
    )
    table = Table(title="Repeat questions", title_justify="left")
    for column in ("id", "question", "tickets", "accounts", "trend", "emerging", "article"):
        table.add_column(column)
    for q in document["questions"]:
        trend = "new" if q["trend"] is None else f"{q['trend']:+.0%}"
        table.add_row(
            str(q["question_id"]),
            q["label"],
            str(q["tickets"]),
            str(q["accounts"]),
            trend,
            "yes" if q["emerging"] else "",
            ", ".join(q["covered_by"]) or "-",
        )
    out.print(table)


@app.command()
def draft(
    question: int = typer.Option(..., "--question", help="Question id from repeat-questions."),
    owner: str = typer.Option("", "--owner", help="Who owns the article (e-mail)."),
    force: bool = typer.Option(
        False, "--force", help="Replace an existing draft with the same id."
    ),
    as_of: str | None = AS_OF,
    as_json: bool = JSON,
) -> None:
    """Draft an article from agents' replies on the question's well-rated solved tickets."""
    settings = load_settings()
    parse_day(as_of)
    with fail_on(*KB_ERRORS):
        with store(settings) as ctx:
            now = datetime.now(UTC).replace(tzinfo=None)
            article = build_draft(settings, ctx.engine, question, owner, now)
        existing = {a.article_id: a for a in load_articles(settings)}.get(article.article_id)
    if existing is not None and (existing.status == "published" or not force):
        raise fail(
            f"{article_file(settings, article.article_id)} exists ({existing.status}); "
            + (
                "published articles are never overwritten"
                if existing.status == "published"
                else "use --force"
            )
        )
    path = save_article(settings, article)
    if as_json:
        emit_json({"article_id": article.article_id, "path": str(path), **article.front_matter()})
        return
    out.print(f"Draft written to {path}")


@app.command()
def suggest(
    text: str = typer.Argument(..., help="The ticket's text (subject and body)."),
    top: int = typer.Option(3, "--top", min=1, help="Articles to return."),
    drafts: bool = typer.Option(False, "--drafts", help="Include draft articles."),
    as_of: str | None = AS_OF,
    as_json: bool = JSON,
) -> None:
    """The best matching articles for a ticket, with scores."""
    settings = load_settings()
    parse_day(as_of)
    with fail_on(*KB_ERRORS):
        match = match_ticket(settings, text, top, include_drafts=drafts)
    document = {
        "question_id": match.question_id,
        "label": match.label,
        "articles": [
            {"article_id": a.article_id, "title": a.title, "score": a.score} for a in match.articles
        ],
    }
    if as_json:
        emit_json(document)
        return
    out.print(f"Question: {match.label or 'none known'}")
    for a in match.articles:
        out.print(f"  {a.score:.2f}  {a.article_id}  {a.title}")
    if not match.articles:
        out.print("No matching article.")


@app.command()
def articles(as_of: str | None = AS_OF, as_json: bool = JSON) -> None:
    """List the knowledge-base articles and their state."""
    settings = load_settings()
    parse_day(as_of)
    with fail_on(ArticleError):
        found = load_articles(settings)
    if as_json:
        emit_json({"articles": [a.front_matter() for a in found]})
        return
    table = Table(title="Articles", title_justify="left")
    for column in ("id", "title", "questions", "status", "owner", "updated"):
        table.add_column(column)
    for a in found:
        table.add_row(
            a.article_id,
            a.title,
            ", ".join(map(str, a.questions)),
            a.status,
            a.owner,
            a.updated.isoformat(timespec="minutes"),
        )
    out.print(table)


@app.command()
def deflection(
    as_of: str | None = AS_OF,
    start: str | None = typer.Option(
        None, "--from", help="First day of views and suggestions counted (default: all)."
    ),
    end: str | None = typer.Option(
        None, "--to", help="Last day of views and suggestions counted (default --as-of)."
    ),
    window_days: int = typer.Option(
        7, "--window-days", min=1, help="Days a view or suggestion must go without a ticket."
    ),
    view_event: str = typer.Option(
        "article_viewed", "--view-event", help="Event type of an article view."
    ),
    suggest_event: str = typer.Option(
        "article_suggested", "--suggest-event", help="Event type of an article suggestion."
    ),
    as_json: bool = JSON,
) -> None:
    """Tickets before/after each published article, self-service ratio, deflection rate.

    Views and suggestions from --from to --to are judged on the tickets up to --as-of."""
    settings = load_settings()
    day = parse_day(as_of)
    first = parse_day(start, "--from") if start else None
    last = parse_day(end, "--to") if end else None
    if last is not None and last > day:
        raise fail(f"--to {last} is after --as-of {day}")
    if first is not None and first > (last or day):
        raise fail(f"--from {first} is after --to {last or day}")
    with fail_on(*KB_ERRORS), store(settings) as ctx:
        rows = measure_deflection(
            settings,
            ctx.engine,
            day,
            window_days=window_days,
            view_event=view_event,
            suggest_event=suggest_event,
            start=first,
            end=last,
        )
    document = deflection_document(rows, day, window_days, first, last)
    if as_json:
        emit_json(document)
        return
    period = f"{first or 'start'} to {last or day}"
    table = Table(title=f"Deflection of views from {period}, as of {day}", title_justify="left")
    for column in (
        "article",
        "before",
        "after",
        "views",
        "suggested",
        "deflection",
        "avoided",
        "self-service",
    ):
        table.add_column(column)
    for r in document["articles"]:
        rate = r["deflection_rate"]
        ratio = r["self_service_ratio"]
        table.add_row(
            r["article_id"],
            str(r["tickets_before"]),
            str(r["tickets_after"]),
            str(r["views"]),
            str(r["suggestions"]),
            "-" if rate is None else f"{rate:.0%}",
            str(r["tickets_avoided"]),
            "-" if ratio is None else f"{ratio:.2f}",
        )
    out.print(table)
    if not document["articles"]:
        out.print("No published article yet.")
