"""The `csops` command. Thin: parse options, build settings, call one function, render.

With `--json` a command prints exactly one JSON document on stdout; progress bars, logs and
errors go to stderr.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from csops.commands.common import (
    AS_OF,
    JSON,
    STATE,
    emit_json,
    err,
    fail,
    load_settings,
    open_context,
    out,
    session,
)
from csops.commands.lazy import LazyGroup
from csops.ingest.batch import ProgressFactory, ingest_paths
from csops.ingest.pipeline import IngestContext
from csops.ingest.summary import IngestReport
from csops.store.status import workspace_status

app = typer.Typer(
    cls=LazyGroup,
    help="csops: a customer-success department in software.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main_options(
    workspace: Path | None = typer.Option(
        None,
        "--workspace",
        "-w",
        help="Workspace folder (env CSOPS_HOME; default ./csops-workspace).",
    ),
) -> None:
    STATE.workspace = workspace


def _progress_factory(progress: Progress) -> ProgressFactory:
    def factory(path: Path, entity: str) -> Any:
        task = progress.add_task(f"{entity}: {path.name}", total=None)

        def update(rows: int, estimate: int | None) -> None:
            total = max(estimate, rows) if estimate else None
            progress.update(
                task,
                completed=rows,
                total=total,
                description=f"{entity}: {path.name} ({rows:,} rows)",
            )

        return update

    return factory


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Files or folders of data-contract files."),
    entity: str | None = typer.Option(None, "--entity", help="Entity of every file given."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when any row is rejected."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document on stdout."),
) -> None:
    """Load CSV, Parquet or JSON Lines files (optionally .gz); bad rows go to quarantine."""
    settings = load_settings()
    ctx = open_context(settings)
    report = run_ingest(ctx, paths, entity)
    if as_json:
        emit_json(report.as_dict())
    else:
        render_ingest(report)
    raise typer.Exit(report.exit_code(strict))


def run_ingest(ctx: IngestContext, paths: list[Path], entity: str | None) -> IngestReport:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        report = ingest_paths(ctx, paths, entity, _progress_factory(progress))
        if any(f.rows_loaded or f.rows_updated for f in report.files):
            _refresh_copies(ctx, progress)
        return report


def _refresh_copies(ctx: IngestContext, progress: Progress) -> None:
    """Copy the tables this ingest changed for analysis now, so the next command starts
    at once (see csops.analytics.store_copy)."""
    from csops.analytics.store_copy import ensure_copies

    task = progress.add_task("preparing the tables for analysis", total=None)

    def on_copy(table: str, rows: int) -> None:
        progress.update(task, description=f"preparing {table} for analysis ({rows:,} rows)")

    ensure_copies(ctx.settings, ctx.engine, on_copy=on_copy)
    progress.remove_task(task)


def render_ingest(report: IngestReport, by_entity: bool = False) -> None:
    first = "files" if by_entity else "file"
    table = Table(title="Ingest", title_justify="left")
    for column in (first, "entity", "read", "loaded", "updated", "unchanged", "rejected"):
        table.add_column(column, justify="right" if column not in (first, "entity") else "left")
    rows = report.by_entity() if by_entity else [(1, f) for f in report.files]
    for files, f in rows:
        table.add_row(
            str(files) if by_entity else Path(f.path).name,
            f.entity or "?",
            f"{f.rows_read:,}",
            f"{f.rows_loaded:,}",
            f"{f.rows_updated:,}",
            f"{f.rows_unchanged:,}",
            f"[red]{f.rows_rejected:,}[/red]" if f.rows_rejected else "0",
        )
    out.print(table)
    for f in report.files:
        if f.error:
            err.print(f"[red]refused[/red] {f.error}")
        elif f.reasons:
            reasons = ", ".join(f"{k} ×{v}" for k, v in f.reasons.items())
            err.print(f"[yellow]{Path(f.path).name}[/yellow]: {reasons} → {f.quarantine_path}")
    if report.files and all(f.changed_nothing for f in report.files):
        out.print("Nothing changed: every row was already in the store.")
    elif report.files and not any(f.rows_loaded or f.rows_updated for f in report.files):
        out.print("No new or changed rows; rejected rows are in quarantine.")


@app.command()
def status(as_json: bool = typer.Option(False, "--json", help="Print JSON on stdout.")) -> None:
    """What the workspace holds: rows, events, recent ingests, quarantine, schema."""
    settings = load_settings()
    if settings.database_url is None and not settings.workspace.exists():
        err.print(
            f"[red]no workspace at {settings.workspace}: run `csops ingest` or "
            "`csops demo` first, or pass --workspace[/red]"
        )
        raise typer.Exit(2)
    ctx = open_context(settings)
    info = workspace_status(settings, ctx.engine)
    if as_json:
        emit_json(info)
        return
    out.print(f"[bold]Workspace[/bold] {info['workspace']}")
    out.print(f"Store {info['database_url']} (schema {info['schema_version']})")
    rows = Table(title="Rows", title_justify="left")
    rows.add_column("entity")
    rows.add_column("rows", justify="right")
    for name, count in info["rows"].items():
        rows.add_row(name, f"{count:,}")
    ev = info["events"]
    rows.add_row("events (Parquet)", f"{ev['count']:,}")
    out.print(rows)
    if ev["count"]:
        out.print(f"Events from {ev['first']} to {ev['last']} in {ev['files']} files")
    if info["quarantine"]:
        out.print("Quarantine: " + ", ".join(f"{k} {v:,}" for k, v in info["quarantine"].items()))
    if info["recent_ingests"]:
        recent = Table(title="Recent ingests", title_justify="left")
        for c in ("id", "file", "entity", "loaded", "updated", "unchanged", "rejected"):
            recent.add_column(c)
        for r in info["recent_ingests"]:
            recent.add_row(
                str(r["id"]),
                Path(r["path"]).name,
                r["entity"],
                f"{r['rows_loaded']:,}",
                f"{r['rows_updated']:,}",
                f"{r['rows_unchanged']:,}",
                f"{r['rows_rejected']:,}",
            )
        out.print(recent)


@app.command()
def demo(
    accounts: int = typer.Option(2000, "--accounts", min=10, help="Number of customer accounts."),
    months: int = typer.Option(24, "--months", min=2, help="Months of history."),
    seed: int = typer.Option(7, "--seed", help="Random seed (same seed, same company)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
) -> None:
    """Generate a believable demo company, ingest it, and run what the department can do."""
    from csops.demo.run import run_demo

    settings = load_settings()
    ctx = open_context(settings)
    result = run_demo(
        ctx,
        accounts=accounts,
        months=months,
        seed=seed,
        end=date.today(),
        console=err,
        ingest=lambda paths: run_ingest(ctx, paths, None),
    )
    run_department_steps(ctx, date.today())
    report_path = write_demo_report(ctx, date.today())
    if as_json:
        emit_json({**result.as_dict(), "report": str(report_path)})
        return
    render_ingest(result.report, by_entity=True)
    out.print(
        f"Demo company ({accounts:,} accounts, {months} months) generated in "
        f"{result.seconds_generate:.1f}s and ingested in {result.seconds_ingest:.1f}s"
    )
    out.print(f"Data files: {result.data_dir}")
    out.print(f"Weekly report: {report_path}")
    out.print(f"Workspace: {settings.workspace}  —  try `csops status`, `csops metrics trend`")


def run_department_steps(ctx: IngestContext, as_of: date) -> None:
    from csops.demo.department import run_department

    with err.status("The department is at work…") as status:
        run_department(
            ctx,
            as_of,
            on_step=lambda name: status.update(f"{name}…"),
            on_error=lambda name, exc: err.print(f"[yellow]{name}: {exc}[/yellow]"),
        )


@app.command("run")
def run_cycle(
    as_of: str | None = AS_OF,
    fmt: str = typer.Option("html", "--format", help="Weekly report format: html, md or json."),
    as_json: bool = JSON,
) -> None:
    """Run the department's cycle on the workspace's data: train (or reuse) the churn and
    expansion models, find repeat questions in the tickets, write the weekly report."""
    from csops.commands.report import write_weekly
    from csops.department.cycle import CYCLE, run_steps
    from csops.reports.render import FORMATS

    if fmt not in FORMATS:
        raise fail(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    failed: dict[str, str] = {}
    with session(as_of) as s:
        with err.status("The department is at work…") as status:
            done = run_steps(
                s.ctx,
                s.day,
                CYCLE,
                on_step=lambda name: status.update(f"{name}…"),
                on_error=lambda name, exc: failed.__setitem__(name, str(exc)),
            )
        with err.status("Writing the weekly report…"):
            _, path = write_weekly(s.settings, s.engine, s.day, fmt)
    if as_json:
        emit_json({"as_of": s.day.isoformat(), "done": done, "failed": failed, "report": str(path)})
    else:
        for line in done.values():
            out.print(f"[green]✓[/green] {line}")
        for name, why in failed.items():
            err.print(f"[yellow]✗ {name}: {why}[/yellow]", soft_wrap=True)
        out.print(f"Weekly report: {path}")
    if failed:
        raise typer.Exit(1)


def write_demo_report(ctx: IngestContext, as_of: date) -> Path:
    from csops.commands.report import write_weekly

    with err.status("Writing the weekly report…"):
        return write_weekly(ctx.settings, ctx.engine, as_of, "html")[1]


def main() -> None:
    app()
