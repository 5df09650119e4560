"""`csops report weekly`: the weekly report as HTML, Markdown or JSON."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from sqlalchemy import Engine

from csops.commands.common import as_of_option, emit_json, err, fail, json_option, out, session
from csops.config import Settings
from csops.reports.render import FORMATS, Report, render
from csops.reports.weekly import build_weekly

app = typer.Typer(help="Reports.", no_args_is_help=True)


@app.callback()
def reports() -> None:
    """Reports: the weekly report (more to come), as HTML, Markdown or JSON."""


@app.command("weekly")
def weekly(
    as_of: str | None = as_of_option("Report as of this day (default today)."),
    fmt: str = typer.Option("html", "--format", help="html, md or json."),
    out_path: Path | None = typer.Option(
        None, "--out", help="File to write (default in the workspace)."
    ),
    as_json: bool = json_option("Print where it was written, as JSON."),
) -> None:
    """Write the weekly report: NRR, GRR, logo churn, MRR waterfall, renewals, movers, and
    every specialist's section."""
    if fmt not in FORMATS:
        raise fail(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    with session(as_of) as s:
        report, path = write_weekly(s.settings, s.engine, s.day, fmt, out_path)
    if as_json:
        emit_json(
            {
                "path": str(path),
                "format": fmt,
                "as_of": s.day.isoformat(),
                "sections": [section.key for section in report.sections],
                "bytes": path.stat().st_size,
            }
        )
    else:
        out.print(f"Weekly report written to {path}")


def write_weekly(
    settings: Settings, engine: Engine, day: date, fmt: str, out_path: Path | None = None
) -> tuple[Report, Path]:
    """Build the weekly report as of `day` and write it (by default into
    WORKSPACE/reports/); a failing section is reported on stderr and left as a note."""
    report = build_weekly(
        settings,
        engine,
        day,
        on_error=lambda title, exc: err.print(f"[yellow]{title}: {exc}[/yellow]"),
    )
    path = out_path or settings.workspace / "reports" / f"weekly-{day}.{fmt}"
    return report, write_report(render(report, fmt), path)


def write_report(text: str, path: Path) -> Path:
    """Write atomically: a reader never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
    return path
