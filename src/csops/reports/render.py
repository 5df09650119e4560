"""Render a report (a title, an as-of date and sections) as HTML, Markdown or JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from csops.reports.section import Chart, Figures, Section, TableBlock, Text

FORMATS = ("html", "md", "json")


@dataclass(frozen=True)
class Report:
    title: str
    as_of: date
    generated_at: datetime
    sections: tuple[Section, ...]
    period: str = ""


def render(report: Report, fmt: str) -> str:
    if fmt == "html":
        return render_html(report)
    if fmt == "md":
        return render_markdown(report)
    if fmt == "json":
        return json.dumps(as_json(report), indent=2, default=str) + "\n"
    raise ValueError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")


def as_json(report: Report) -> dict[str, Any]:
    return {
        "title": report.title,
        "as_of": report.as_of.isoformat(),
        "period": report.period,
        "generated_at": report.generated_at.isoformat(timespec="seconds"),
        "sections": {
            s.key: {"title": s.title, "summary": s.summary, **s.data} for s in report.sections
        },
    }


_ENV = Environment(
    loader=PackageLoader("csops.reports", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(report: Report) -> str:
    template = _ENV.get_template("report.html")
    return template.render(report=report, kind=_kind, svg=lambda s: Markup(s))


def _kind(block: object) -> str:
    return type(block).__name__.lower()


def render_markdown(report: Report) -> str:
    lines = [f"# {report.title}", "", f"As of {report.as_of.isoformat()}"]
    if report.period:
        lines[-1] += f" · {report.period}"
    for section in report.sections:
        lines += ["", f"## {section.title}", ""]
        if section.summary:
            lines += [section.summary, ""]
        for block in section.blocks:
            lines += [*_markdown_block(block), ""]
    return "\n".join(lines).rstrip() + "\n"


def _markdown_block(block: object) -> list[str]:
    if isinstance(block, Figures):
        return [
            f"- **{f.label}**: {f.value}" + (f" ({f.note})" if f.note else "") for f in block.items
        ]
    if isinstance(block, TableBlock):
        out = [f"**{block.title}**", ""] if block.title else []
        if not block.rows:
            return [*out, f"_{block.empty}_"]
        out.append("| " + " | ".join(block.columns) + " |")
        out.append(
            "|" + "|".join("---:" if c in block.numeric else "---" for c in block.columns) + "|"
        )
        out += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in block.rows]
        return out
    if isinstance(block, Chart):
        return [f"_Chart: {block.title}_" + (f" — {block.caption}" if block.caption else "")]
    if isinstance(block, Text):
        return [block.text]
    raise TypeError(f"unknown report block {block!r}")


def _md_cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")
