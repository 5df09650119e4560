"""`csops metrics …`: MRR, retention, trend and cohorts, point in time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import typer
from rich.table import Table

from csops.analytics import metrics
from csops.analytics.engines import QueryEngine
from csops.analytics.metrics import MetricError
from csops.analytics.session import ENGINES, query_engine
from csops.commands.common import AS_OF, JSON, emit_json, fail, fail_on, out, parse_day, store
from csops.domain.periods import Unit

app = typer.Typer(help="Revenue and retention metrics (point in time).", no_args_is_help=True)

BY = typer.Option(None, "--by", help="Split by segment, plan, owner or region.")
ENGINE = typer.Option("duckdb", "--engine", help=f"Where the SQL runs: {', '.join(ENGINES)}.")


@contextmanager
def engine_for(engine_name: str) -> Iterator[QueryEngine]:
    with (
        store() as ctx,
        fail_on(MetricError, ValueError),
        query_engine(ctx.settings, ctx.engine, engine_name) as engine,
    ):
        yield engine


def money(value: Decimal | None) -> str:
    """Exact money text: at least two decimals, more only when the data has them."""
    if value is None:
        return ""
    text = format(value, "f")
    if "." in text:
        whole, frac = text.split(".")
        frac = frac.rstrip("0").ljust(2, "0")
        return f"{whole}.{frac}"
    return f"{text}.00"


def jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: money(v) if isinstance(v, Decimal) else v.isoformat() if isinstance(v, date) else v
        for k, v in row.items()
    }


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def thousands(value: Decimal | None) -> str:
    return "–" if value is None else f"{value:,.2f}"


@app.command("mrr")
def mrr_command(
    as_of: str | None = AS_OF, by: str | None = BY, engine: str = ENGINE, as_json: bool = JSON
) -> None:
    """MRR, ARR and paying accounts on a day."""
    day = parse_day(as_of)
    with engine_for(engine) as eng:
        rows = metrics.mrr(eng, day, by)
    total = {
        "mrr": sum((r["mrr"] for r in rows), Decimal(0)),
        "arr": sum((r["arr"] for r in rows), Decimal(0)),
    }
    if as_json:
        emit_json(
            {
                "as_of": day.isoformat(),
                "by": by,
                "groups": [jsonable(r) for r in rows],
                "total": jsonable(total),
            }
        )
        return
    table = Table(title=f"MRR on {day}", title_justify="left")
    for c in (by or "group", "MRR", "ARR", "paying accounts"):
        table.add_column(c, justify="left" if c == (by or "group") else "right")
    for r in rows:
        table.add_row(
            r["grp"], thousands(r["mrr"]), thousands(r["arr"]), f"{r['paying_accounts']:,}"
        )
    out.print(table)


@app.command("retention")
def retention_command(
    start: str = typer.Option(..., "--from", help="First day of the period (MRR measured here)."),
    end: str = typer.Option(..., "--to", help="Last day of the period (MRR measured here)."),
    as_of: str | None = AS_OF,
    by: str | None = BY,
    engine: str = ENGINE,
    as_json: bool = JSON,
) -> None:
    """MRR movements, NRR, GRR and logo churn from one day to another."""
    a, b = parse_day(start, "--from"), parse_day(end, "--to")
    day = parse_day(as_of)
    with engine_for(engine) as eng:
        rows = metrics.retention(eng, a, b, day, by)
    if as_json:
        emit_json(
            {
                "as_of": day.isoformat(),
                "from": a.isoformat(),
                "to": b.isoformat(),
                "by": by,
                "rates": "for the period as given (not annualised)",
                "groups": [jsonable(r) for r in rows],
            }
        )
        return
    render_retention(rows, by, f"Retention {a} → {b}")


def render_retention(
    rows: list[dict[str, Any]], by: str | None, title: str, key: str = "grp"
) -> None:
    table = Table(title=title, title_justify="left")
    first = "period" if key == "period" else (by or "group")
    columns = (
        first,
        "start MRR",
        "new",
        "reactivation",
        "expansion",
        "contraction",
        "churn",
        "end MRR",
        "NRR",
        "GRR",
        "logo churn",
    )
    for c in columns:
        table.add_column(c, justify="left" if c == first else "right")
    for r in rows:
        table.add_row(
            str(r[key]) + (" (partial)" if r.get("partial") else ""),
            thousands(r["start_mrr"]),
            thousands(r["new_mrr"]),
            thousands(r["reactivation_mrr"]),
            thousands(r["expansion_mrr"]),
            thousands(r["contraction_mrr"]),
            thousands(r["churn_mrr"]),
            thousands(r["end_mrr"]),
            pct(r["nrr"]),
            pct(r["grr"]),
            pct(r["logo_churn_rate"]),
        )
    out.print(table)


@app.command("trend")
def trend_command(
    start: str = typer.Option(..., "--from", help="First day of the range."),
    end: str | None = typer.Option(None, "--to", help="Last day of the range (default as-of)."),
    period: Unit = typer.Option(Unit.MONTH, "--period", help="month, quarter or week."),
    as_of: str | None = AS_OF,
    engine: str = ENGINE,
    as_json: bool = JSON,
) -> None:
    """Retention per period, trailing-twelve-month NRR/GRR and annualised monthly rates."""
    day = parse_day(as_of)
    a = parse_day(start, "--from")
    b = parse_day(end, "--to") if end else day
    with engine_for(engine) as eng:
        rows = metrics.trend(eng, a, b, period, day)
    if as_json:
        emit_json(
            {
                "as_of": day.isoformat(),
                "period": period.value,
                "labels": {
                    "nrr, grr, logo_churn_rate": f"per {period.value} (not annualised)",
                    "ttm_nrr, ttm_grr": "trailing twelve months to the period's end",
                    "annualised_*": "monthly loss rate compounded: 1 - (1 - r)^12",
                },
                "periods": [jsonable(r) for r in rows],
            }
        )
        return
    render_retention(
        rows, None, f"Trend by {period.value} (rates per {period.value})", key="period"
    )
    ttm = Table(title="Trailing twelve months", title_justify="left")
    for c in ("period", "TTM NRR", "TTM GRR", "annualised logo churn", "annualised gross churn"):
        ttm.add_column(c, justify="left" if c == "period" else "right")
    for r in rows:
        ttm.add_row(
            r["period"],
            pct(r["ttm_nrr"]),
            pct(r["ttm_grr"]),
            pct(r.get("annualised_logo_churn_rate")),
            pct(r.get("annualised_gross_revenue_churn")),
        )
    out.print(ttm)


@app.command("cohorts")
def cohorts_command(
    by: str = typer.Option("month", "--by", help="Cohort grain (month)."),
    since: str | None = typer.Option(
        None, "--since", help="First cohort month (default 24 months back)."
    ),
    as_of: str | None = AS_OF,
    engine: str = ENGINE,
    as_json: bool = JSON,
) -> None:
    """Logo and revenue retention by monthly start cohort."""
    if by != "month":
        raise fail(f"--by {by!r}: cohorts are by month")
    day = parse_day(as_of)
    first = parse_day(since, "--since") if since else None
    with engine_for(engine) as eng:
        rows = metrics.cohorts(eng, day, first)
    if as_json:
        emit_json({"as_of": day.isoformat(), "by": by, "cells": [jsonable(r) for r in rows]})
        return
    render_cohorts(rows)


def render_cohorts(rows: list[dict[str, Any]]) -> None:
    horizon = max((r["months_since"] for r in rows), default=0)
    shown = list(range(0, horizon + 1, max(1, (horizon + 1) // 12)))
    table = Table(title="Logo retention by start cohort (months since start)", title_justify="left")
    table.add_column("cohort")
    table.add_column("accounts", justify="right")
    for m in shown:
        table.add_column(f"m{m}", justify="right")
    cells: dict[date, dict[int, dict[str, Any]]] = {}
    for r in rows:
        cells.setdefault(r["cohort_month"], {})[r["months_since"]] = r
    for cohort, by_month in cells.items():
        size = next(iter(by_month.values()))["cohort_accounts"]
        table.add_row(
            f"{cohort:%Y-%m}",
            str(size),
            *(pct(by_month[m]["logo_retention"]) if m in by_month else "" for m in shown),
        )
    out.print(table)
