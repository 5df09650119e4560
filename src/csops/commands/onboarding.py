"""`csops onboarding …`: journey progress, weekly activation cohorts and next-step proposals."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import typer
from rich.table import Table

from csops.commands.common import AS_OF, JSON, config_option, emit_json, err, fail, out, session
from csops.department.onboarding.cohorts import drop_off
from csops.department.onboarding.journey import JourneyError
from csops.department.onboarding.service import (
    OnboardingResult,
    progress_json,
    run_onboarding,
    summary_json,
)

app = typer.Typer(
    help="Onboarding: milestones, time to first value, activation by weekly cohort, proposals.",
    no_args_is_help=True,
)

CONFIG = config_option("Journey", "onboarding.yaml", "journey")


def _run(as_of: str | None, config: Path | None, account_id: str | None = None) -> OnboardingResult:
    with session(as_of, JourneyError, soft_wrap=True) as s:
        return run_onboarding(s.settings, s.engine, s.day, config, account_id)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _days(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


@app.callback(invoke_without_command=True)
def main(
    context: typer.Context,
    as_of: str | None = AS_OF,
    as_json: bool = JSON,
    config: Path | None = CONFIG,
) -> None:
    """Without a command: the same as `status`."""
    if context.invoked_subcommand is None:
        status(as_of=as_of, as_json=as_json, config=config)


@app.command("status")
def status(as_of: str | None = AS_OF, as_json: bool = JSON, config: Path | None = CONFIG) -> None:
    """Weekly start cohorts (activation rate, median and p75 days to first value), the
    milestone funnel, where accounts drop off, and the accounts stalled now."""
    result = _run(as_of, config)
    document = summary_json(result)
    if as_json:
        emit_json(document)
        return
    target = result.config.target_days
    table = Table(title=f"Onboarding cohorts as of {result.as_of} (first value within {target} d)")
    for name in ("week", "accounts", "activated", "rate", "median d", "p75 d", ""):
        table.add_column(name, justify="left" if name == "week" else "right")
    for c in result.cohorts:
        table.add_row(
            c.week.isoformat(),
            str(c.accounts),
            str(c.activated),
            _pct(c.activation_rate),
            _days(c.median_days),
            _days(c.p75_days),
            "" if c.final else "provisional",
        )
    out.print(table)
    funnel = Table(title="Milestone funnel")
    for name in ("journey", "milestone", "reached", "share", "stalled here"):
        funnel.add_column(name, justify="left" if name in ("journey", "milestone") else "right")
    for s in result.funnel:
        share = s.reached / s.accounts if s.accounts else None
        funnel.add_row(s.journey, s.title, str(s.reached), _pct(share), str(s.stalled_here))
    out.print(funnel)
    worst = drop_off(result.funnel)
    if worst is not None:
        out.print(f"Most accounts stall before: {worst.title} ({worst.stalled_here})")
    counts = document["status_counts"]
    out.print(", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()))


@app.command("account")
def account(
    account_id: str = typer.Argument(..., help="The account id."),
    as_of: str | None = AS_OF,
    as_json: bool = JSON,
    config: Path | None = CONFIG,
) -> None:
    """One account's journey: milestones met (when), due, overdue; status; next step."""
    result = _run(as_of, config, account_id)
    if not result.progress:
        raise fail(
            f"account {account_id!r} has no paying subscription line known on "
            f"{result.as_of}: its onboarding has not started",
            1,
            soft_wrap=True,
        )
    p = result.progress[0]
    if as_json:
        emit_json(progress_json(p))
        return
    out.print(
        f"{p.account.name} ({p.account.account_id}) · journey {p.journey} · day {p.day} · "
        f"[bold]{p.status.value.replace('_', ' ')}[/bold]"
    )
    table = Table()
    for name in ("milestone", "due", "done", ""):
        table.add_column(name)
    for m in p.milestones:
        flag = "overdue" if m.overdue else ("first value" if m.first_value else "")
        table.add_row(m.title, m.due.isoformat(), m.done.isoformat() if m.done else "–", flag)
    out.print(table)
    ttfv = "not yet" if p.days_to_first_value is None else f"{p.days_to_first_value} days"
    out.print(f"Time to first value: {ttfv}")
    if p.next_step is not None:
        owner = p.account.owner or "unassigned"
        out.print(f"Next step: {p.next_step.title} — {p.next_step.guide} (owner {owner})")


@app.command("proposals")
def proposals(
    as_of: str | None = AS_OF,
    out_path: Path | None = typer.Option(
        None, "--out", help="Write the proposals as .json or .csv."
    ),
    as_json: bool = JSON,
    config: Path | None = CONFIG,
) -> None:
    """A next step for every behind or stuck account, tied to the milestone where it stalled
    (records for the plays engine; nothing is sent)."""
    result = _run(as_of, config)
    rows = [p.as_dict() for p in result.proposals]
    if out_path is not None:
        write_rows(out_path, rows)
        err.print(f"{len(rows)} proposals written to {out_path}", soft_wrap=True)
    if as_json:
        emit_json({"as_of": result.as_of.isoformat(), "proposals": rows})
        return
    if out_path is None:
        table = Table(title=f"Onboarding proposals as of {result.as_of}")
        for name in ("account", "kind", "owner", "due", "reason"):
            table.add_column(name)
        for p in result.proposals:
            table.add_row(p.account_id, p.kind, p.owner or "–", p.due.isoformat(), p.reason)
        out.print(table)


def write_rows(path: Path, rows: list[dict[str, object]]) -> None:
    """Proposals as JSON (a list) or CSV (lists as JSON text), chosen by the extension."""
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv"):
        raise fail(f"--out {path}: use a .json or .csv file name", soft_wrap=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".json":
        path.write_text(json.dumps(rows, indent=2, default=str) + "\n")
        return
    with path.open("w", newline="") as handle:
        names = list(rows[0]) if rows else ["id", "account_id", "kind"]
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in row.items()}
            )
