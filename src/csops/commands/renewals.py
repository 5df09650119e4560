"""`csops renewals`: the renewals calendar (and, from the health issue, its forecast)."""

from __future__ import annotations

from decimal import Decimal

import typer
from rich.table import Table

from csops.analytics import metrics
from csops.commands.common import AS_OF, JSON, emit_json, out, parse_day
from csops.commands.metrics import ENGINE, engine_for, jsonable, money, thousands
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
    table = Table(title=f"Renewals in the {within_days} days after {day}", title_justify="left")
    for c in (
        "renewal",
        "days left",
        "account",
        "segment",
        "owner",
        "ARR",
        "last conversation",
        "",
    ):
        table.add_column(c, justify="right" if c in ("days left", "ARR") else "left")
    for r in rows:
        table.add_row(
            r["renewal_date"].isoformat(),
            str(r["days_left"]),
            r["account_name"],
            r["segment"] or "",
            r["owner"] or "",
            thousands(r["arr"]),
            r["last_conversation"].isoformat() if r["last_conversation"] else "–",
            "[red]no renewal conversation[/red]" if r["needs_conversation"] else "",
        )
    out.print(table)
    flagged = sum(1 for r in rows if r["needs_conversation"])
    out.print(
        f"{len(rows)} renewals; {flagged} inside 90 days with no renewal conversation logged."
    )
