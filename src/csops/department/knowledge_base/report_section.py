"""The weekly report's Knowledge Base section: top repeat questions with trend, emerging
ones, coverage by articles, and deflection per published article.

Reads what `csops kb repeat-questions` saved (it does not re-cluster: the report must be
quick and reproducible) and measures deflection as of the report's date.
"""

from __future__ import annotations

from typing import Any

from csops.department.knowledge_base.kb_io import deflection_document, measure_deflection
from csops.department.knowledge_base.service import load_questions
from csops.reports.charts import bar_chart
from csops.reports.section import Chart, Figure, Figures, ReportContext, Section, TableBlock, Text

TOP = 20


def _trend(q: dict[str, Any]) -> str:
    return "new" if q["trend"] is None else f"{q['trend']:+.0%}"


def build_section(ctx: ReportContext) -> Section | None:
    questions = load_questions(ctx.settings)
    if questions is None:
        return None
    deflection = deflection_document(
        measure_deflection(ctx.settings, ctx.engine, ctx.as_of), ctx.as_of, 7
    )
    top = questions["questions"][:TOP]
    covered = sum(q["tickets"] for q in questions["questions"] if q["covered"])
    in_questions = sum(q["tickets"] for q in questions["questions"])
    emerging = [q for q in questions["questions"] if q["emerging"]]
    rate = deflection["deflection_rate"]
    figures = Figures(
        (
            Figure(
                "Repeat questions",
                str(questions["questions_found"]),
                f"{questions['from']} to {questions['to']}",
            ),
            Figure(
                "Emerging",
                str(len(emerging)),
                "weekly volume jump",
                "bad" if emerging else "neutral",
            ),
            Figure(
                "Covered by an article",
                f"{covered / in_questions:.0%}" if in_questions else "-",
                "of tickets in questions",
            ),
            Figure("Deflection rate", "-" if rate is None else f"{rate:.0%}", "7-day window"),
            Figure(
                "Tickets avoided",
                str(deflection["tickets_avoided"]),
                "views/suggestions without a ticket",
                "good",
            ),
        )
    )
    table = TableBlock(
        "Top repeat questions",
        ("id", "question", "tickets", "accounts", "trend", "emerging", "article"),
        tuple(
            (
                str(q["question_id"]),
                q["label"],
                str(q["tickets"]),
                str(q["accounts"]),
                _trend(q),
                "yes" if q["emerging"] else "",
                ", ".join(q["covered_by"]) or "none",
            )
            for q in top
        ),
        numeric=("tickets", "accounts"),
    )
    blocks: list[Figures | TableBlock | Chart | Text] = [figures, table]
    if top:
        blocks.append(
            Chart(
                "Tickets per question",
                bar_chart(
                    [q["label"][:40] for q in top[:10]],
                    {"tickets": [float(q["tickets"]) for q in top[:10]]},
                    horizontal=True,
                ),
            )
        )
    blocks.append(
        TableBlock(
            "Deflection per article",
            ("article", "before", "after", "views", "deflection", "avoided"),
            tuple(
                (
                    a["article_id"],
                    str(a["tickets_before"]),
                    str(a["tickets_after"]),
                    str(a["views"]),
                    "-" if a["deflection_rate"] is None else f"{a['deflection_rate']:.0%}",
                    str(a["tickets_avoided"]),
                )
                for a in deflection["articles"]
            ),
            numeric=("before", "after", "views", "avoided"),
            empty="No published article yet.",
        )
    )
    if emerging:
        blocks.append(Text("Emerging: " + "; ".join(q["label"] for q in emerging)))
    return Section(
        key="knowledge_base",
        title="Knowledge Base",
        blocks=tuple(blocks),
        data={"repeat_questions": {**questions, "questions": top}, "deflection": deflection},
        summary=f"{questions['questions_found']} repeat questions, {len(emerging)} emerging",
    )
