"""The `csops kb` commands end to end on a small company, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

from typer.testing import CliRunner

from csops.commands.kb import app
from csops.department.knowledge_base.articles import (
    Article,
    load_articles,
    mark_published,
    save_article,
)
from csops.department.knowledge_base.report_section import build_section
from csops.department.knowledge_base.service import Window, run_repeat_questions
from csops.ingest.batch import ingest_paths
from csops.ingest.pipeline import IngestContext
from csops.reports.section import ReportContext, TableBlock

TOPICS = {
    "login": (
        ["Can't log in", "Password reset not working"],
        ["The password reset email never arrives.", "The reset link says it expired."],
        "Reset links expire after 60 minutes and only the newest link works.",
    ),
    "export": (
        ["CSV export failing", "Export is empty"],
        ["The CSV export downloads an empty file.", "Exported CSV has garbled characters."],
        "Open the export settings and choose UTF-8 encoding before exporting.",
    ),
    "invoice": (
        ["Wrong VAT number on invoice", "Invoice correction"],
        ["Our invoice shows the wrong VAT number.", "Please correct the VAT id on the invoice."],
        "Update the VAT number under Billing and we reissue the invoice within a day.",
    ),
}


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def company(tmp: Path) -> list[Path]:
    accounts = [[f"acc_{i}", f"Account {i}"] for i in range(1, 5)]
    contacts = [
        [f"c{i}", f"acc_{i}", f"user{i}@acc{i}.io", f"Petra Nilsen{i}"] for i in range(1, 5)
    ]
    contacts[1][2] = "bob@acc2.io"
    tickets, comments = [], []
    n = 0
    for subjects, bodies, answer in TOPICS.values():
        for i in range(8):
            n += 1
            account = (i % 4) + 1
            created = f"2026-04-{1 + i * 3:02d}T10:00:00"
            body = f"Hi team,\n\n{bodies[i % 2]}\n\nThanks,\nPetra Nilsen{account}"
            tid = f"t{n:02d}"
            tickets.append(
                [
                    tid,
                    f"acc_{account}",
                    subjects[i % 2],
                    created,
                    body,
                    contacts[account - 1][2],
                    "solved",
                    f"2026-04-{2 + i * 3:02d}T10:00:00",
                    "5",
                ]
            )
            comments.append([tid, "customer", created, body, "true"])
            reply = (
                f"Hi Petra,\n\nThanks for reaching out. {answer} "
                "Call me at +1 415 555 0199.\n\nBest,\nSam"
            )
            comments.append([tid, "agent", f"2026-04-{1 + i * 3:02d}T12:00:00", reply, "true"])
    # bob (acc_2) opens a login ticket two days after viewing the article
    tickets.append(
        [
            "t99",
            "acc_2",
            "Can't log in",
            "2026-05-14T10:00:00",
            "The password reset email never arrives.",
            "bob@acc2.io",
            "open",
            "",
            "",
        ]
    )
    events = [
        ["acc_1", "c1", "article_viewed", "2026-05-12T09:00:00", '{"article_id": "ART"}'],
        ["acc_2", "bob@acc2.io", "article_viewed", "2026-05-12T09:00:00", '{"article_id": "ART"}'],
        ["acc_3", "", "article_suggested", "2026-05-28T09:00:00", '{"article_id": "ART"}'],
    ]
    return [
        write(tmp / "accounts.csv", ["account_id", "name"], accounts),
        write(tmp / "contacts.csv", ["contact_id", "account_id", "email", "name"], contacts),
        write(
            tmp / "tickets.csv",
            [
                "ticket_id",
                "account_id",
                "subject",
                "created_at",
                "body",
                "requester_email",
                "status",
                "solved_at",
                "csat",
            ],
            tickets,
        ),
        write(
            tmp / "ticket_comments.csv",
            ["ticket_id", "author_kind", "created_at", "body", "public"],
            comments,
        ),
        write(
            tmp / "events.csv",
            ["account_id", "user_id", "event_type", "occurred_at", "properties"],
            events,
        ),
    ]


def invoke(ctx: IngestContext, *args: str) -> dict[str, object]:
    env = {"CSOPS_HOME": str(ctx.settings.workspace)}
    if ctx.settings.database_url:
        env["CSOPS_DATABASE_URL"] = ctx.settings.database_url
    result = CliRunner().invoke(app, [*args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


def test_repeat_questions_draft_suggest_and_deflection(ctx: IngestContext, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    ingest_paths(ctx, company(data))
    assignments = tmp_path / "assign.csv"
    found = invoke(
        ctx, "repeat-questions", "--as-of", "2026-05-31", "--assignments", str(assignments)
    )
    assert found["tickets"] == 25
    with assignments.open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 25
    by_ticket = {r["ticket_id"]: int(r["cluster_id"]) for r in rows}
    login = by_ticket["t01"]
    assert login != -1 and by_ticket["t99"] == login
    assert by_ticket["t09"] != login  # an export ticket

    drafted = invoke(ctx, "draft", "--question", str(login), "--owner", "kb@us.io")
    article = load_articles(ctx.settings)[0]
    assert drafted["status"] == "draft" and article.questions == (login,)
    assert "Reset links expire" in article.body
    assert (
        "Petra" not in article.body
        and "415" not in article.body
        and "Thanks for reaching out" not in article.body
    )

    assert invoke(ctx, "suggest", "password reset email missing")["articles"] == []  # drafts hidden
    with_drafts = invoke(ctx, "suggest", "password reset email missing", "--drafts")
    assert with_drafts["question_id"] == login
    assert with_drafts["articles"][0]["article_id"] == article.article_id  # type: ignore[index]

    # publication (the approval step's job later); events refer to the article by id
    published = mark_published(article, "lead@us.io", datetime(2026, 5, 10))
    save_article(ctx.settings, published)
    events = data / "events.csv"
    events.write_text(events.read_text().replace("ART", article.article_id))
    ingest_paths(ctx, [events])
    report = invoke(ctx, "deflection", "--as-of", "2026-05-31")
    row = report["articles"][0]  # type: ignore[index]
    # c1 viewed and opened nothing; bob viewed and opened t99 two days later; the
    # suggestion of 28 May has not had its 7 days yet.
    assert (row["views"], row["suggestions"], row["exposures_judged"], row["tickets_avoided"]) == (
        2,
        1,
        2,
        1,
    )
    assert row["deflection_rate"] == 0.5
    assert invoke(ctx, "articles")["articles"][0]["status"] == "published"  # type: ignore[index]


def test_suggest_with_nothing_saved_returns_nothing(ctx: IngestContext) -> None:
    assert invoke(ctx, "suggest", "anything") == {
        "question_id": None,
        "label": None,
        "articles": [],
    }


def test_report_section_lists_questions_once_computed(ctx: IngestContext, tmp_path: Path) -> None:
    report = ReportContext(ctx.settings, ctx.engine, date(2026, 5, 31))
    assert build_section(report) is None  # nothing computed yet
    data = tmp_path / "data"
    data.mkdir()
    ingest_paths(ctx, company(data))
    as_of = date(2026, 5, 31)
    run_repeat_questions(ctx.settings, ctx.engine, as_of, Window.of(as_of, None, None))
    section = build_section(report)
    assert section is not None
    table = next(b for b in section.blocks if isinstance(b, TableBlock))
    other = section.data["repeat_questions"]["other_tickets"]
    assert sum(int(row[2]) for row in table.rows) + other == 25


def test_deflection_links_an_imported_article_by_its_text_and_counts_a_period(
    ctx: IngestContext, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    *files, events = company(data)
    ingest_paths(ctx, files)
    assignments = tmp_path / "assign.csv"
    invoke(ctx, "repeat-questions", "--as-of", "2026-05-31", "--assignments", str(assignments))
    with assignments.open() as handle:
        question = {r["ticket_id"]: int(r["cluster_id"]) for r in csv.DictReader(handle)}
    login = {question["t01"], question["t02"]}  # both wordings of the login question
    # a help-centre article that names no question id of ours
    live = datetime(2026, 5, 10)
    text = (
        "Password reset not working? The password reset email never arrives or the reset "
        "link says it expired: reset links expire after 60 minutes and only the newest works."
    )
    save_article(
        ctx.settings,
        Article("reset-help", "Can't log in", (), "published", "", live, text, live, "import"),
    )
    events.write_text(events.read_text().replace("ART", "reset-help"))
    ingest_paths(ctx, [events])

    row = invoke(ctx, "deflection", "--as-of", "2026-05-31")["articles"][0]  # type: ignore[index]
    assert set(row["questions"]) == login
    # as in the drafted article's case: c1 deflected, bob wrote in, the suggestion too recent
    assert (row["views"], row["exposures_judged"], row["tickets_avoided"]) == (2, 2, 1)
    # 22 days from publication to 1 June: login tickets of 19 and 22 April before, t99 after
    assert (row["compare_days"], row["tickets_before"], row["tickets_after"]) == (22, 2, 1)

    later = invoke(ctx, "deflection", "--as-of", "2026-05-31", "--from", "2026-05-13")
    row = later["articles"][0]  # type: ignore[index]
    assert (later["from"], later["to"]) == ("2026-05-13", "2026-05-31")
    assert (row["views"], row["suggestions"], row["exposures_judged"]) == (0, 1, 0)
    # the same suggestion is judged when the as-of date leaves it its seven days
    judged = invoke(ctx, "deflection", "--as-of", "2026-06-10", "--from", "2026-05-13")
    assert judged["articles"][0]["tickets_avoided"] == 1  # type: ignore[index]

    env = {"CSOPS_HOME": str(ctx.settings.workspace)}
    if ctx.settings.database_url:
        env["CSOPS_DATABASE_URL"] = ctx.settings.database_url
    bad = CliRunner().invoke(
        app, ["deflection", "--as-of", "2026-05-31", "--to", "2026-06-02"], env=env
    )
    assert bad.exit_code == 2 and "after --as-of" in bad.output
