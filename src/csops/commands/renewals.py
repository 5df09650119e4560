"""`csops renewals`: the renewals calendar (and, from the health issue, its forecast)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import typer
from rich import box
from rich.table import Table

from csops.analytics import metrics
from csops.commands.common import AS_OF, JSON, emit_json, out, parse_day
from csops.commands.metrics import ENGINE, engine_for, jsonable, money
from csops.commands.renewals_forecast import forecast_command

app = typer.Typer(
    help="Renewals due: ARR at stake, owner, days left, conversations missing.",
    invoke_without_command=True,
)

app.command("forecast")(forecast_command)


@app.callback()
def renewals_command(
    ctx: typer.Context,
    as_of: str | None = AS_OF,
    within_days: int = typer.Option(120, "--within-days", min=1, help="Window after as-of."),
    engine: str = ENGINE,
    as_json: bool = JSON,
) -> None:
    """Contracts whose term ends in the window; flags renewals inside 90 days with no
    renewal conversation logged."""
    if ctx.invoked_subcommand is not None:
        return
    day = parse_day(as_of)
    with engine_for(engine) as eng:
        rows = metrics.renewals(eng, day, within_days)
    if as_json:
        total = sum((r["arr"] for r in rows), Decimal(0))
        emit_json(
            {
                "as_of": day.isoformat(),
                "within_days": within_days,
                "renewals": [jsonable(r) for r in rows],
                "arr_at_stake": money(total),
                "needs_conversation": sum(1 for r in rows if r["needs_conversation"]),
            }
        )
        return
    table = Table(
        title=f"Renewals in the {within_days} days after {day}",
        title_justify="left",
        caption="⚠ inside 90 days with no renewal conversation logged",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    # One line per renewal: dates, days and money never wrap or shorten; names give way
    # (and in a narrow terminal the segment column goes).
    wide = out.width >= 100
    table.add_column("renewal", no_wrap=True, min_width=10)
    table.add_column("days", justify="right", no_wrap=True, min_width=4)
    table.add_column("account", overflow="ellipsis", no_wrap=True, max_width=32 if wide else 22)
    if wide:
        table.add_column("segment", overflow="ellipsis", no_wrap=True, max_width=12)
    table.add_column("owner", overflow="ellipsis", no_wrap=True, max_width=16 if wide else 12)
    table.add_column("ARR", justify="right", no_wrap=True, min_width=9)
    table.add_column("last talk", no_wrap=True, min_width=12)
    for r in rows:
        table.add_row(
            r["renewal_date"].isoformat(),
            str(r["days_left"]),
            r["account_name"],
            *([r["segment"] or ""] if wide else []),
            (r["owner"] or "").split("@")[0],
            f"{float(r['arr']):,.0f}",
            _last_talk(r["last_conversation"], r["needs_conversation"]),
        )
    out.print(table)
    flagged = sum(1 for r in rows if r["needs_conversation"])
    out.print(
        f"{len(rows)} renewals; {flagged} inside 90 days with no renewal conversation logged."
    )


def _last_talk(day: date | None, needs_conversation: bool) -> str:
    shown = day.isoformat() if day else "–"
    return f"[red]{shown} ⚠[/red]" if needs_conversation else shown
