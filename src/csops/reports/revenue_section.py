"""The Lead's revenue section of the weekly report: NRR, GRR, logo churn, the MRR
waterfall, renewals due, biggest movers and the split by segment."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from csops.analytics import metrics
from csops.analytics.engines import QueryEngine
from csops.analytics.session import query_engine
from csops.analytics.sql_models import Value
from csops.domain.periods import Unit, add_months
from csops.reports import charts
from csops.reports.section import Chart, Figure, Figures, ReportContext, Section, TableBlock, Text

RENEWAL_WINDOWS = (30, 60, 90, 120)


def build_section(ctx: ReportContext) -> Section:
    with query_engine(ctx.settings, ctx.engine) as engine:
        return _build(engine, ctx.as_of)


def _build(engine: QueryEngine, as_of: date) -> Section:
    week_start = as_of - timedelta(days=7)
    [week] = metrics.retention(engine, week_start, as_of, as_of)
    months = [
        r
        for r in metrics.trend(engine, add_months(as_of, -12), as_of, Unit.MONTH, as_of)
        if not r["partial"]
    ]
    last = months[-1] if months else None
    [now] = metrics.mrr(engine, as_of) or [
        {"mrr": Decimal(0), "arr": Decimal(0), "paying_accounts": 0}
    ]
    renewals = metrics.renewals(engine, as_of, max(RENEWAL_WINDOWS))
    movers = _movers(engine, week_start, as_of)
    by_segment = (
        metrics.retention(engine, last["period_start"], last["period_end"], as_of, "segment")
        if last
        else []
    )

    blocks: list[Any] = [_figures(now, week, last)]
    if months:
        labels = [r["period"] for r in months]
        blocks.append(
            Chart(
                "NRR and GRR by month",
                charts.line_chart(
                    labels,
                    {
                        "NRR (monthly)": [r["nrr"] for r in months],
                        "GRR (monthly)": [r["grr"] for r in months],
                        "NRR (trailing 12 months)": [r["ttm_nrr"] for r in months],
                        "GRR (trailing 12 months)": [r["ttm_grr"] for r in months],
                    },
                    percent=True,
                ),
                "Monthly rates are for the month itself, not annualised.",
            )
        )
        blocks.append(_trend_table(months))
    blocks.append(
        Chart(
            f"MRR movement, {week_start} → {as_of}",
            charts.waterfall(
                [
                    ("Start", float(week["start_mrr"])),
                    ("New", float(week["new_mrr"])),
                    ("Reactivation", float(week["reactivation_mrr"])),
                    ("Expansion", float(week["expansion_mrr"])),
                    ("Contraction", -float(week["contraction_mrr"])),
                    ("Churn", -float(week["churn_mrr"])),
                ]
            ),
            "The axis starts near the lowest level, not at zero, so the movements show.",
        )
    )
    blocks.append(_renewals_table(renewals))
    blocks.append(_movers_table(movers))
    if by_segment:
        blocks.append(_segment_table(by_segment, last["period"] if last else ""))
    if not months:
        blocks.append(Text("Not a full month of history yet: monthly rates start next month."))
    return Section(
        key="revenue",
        title="Revenue and retention",
        summary=_summary(now, week, last, renewals),
        blocks=tuple(blocks),
        data={
            "mrr": _plain(now),
            "week": _plain(week),
            "months": [_plain(r) for r in months],
            "renewals_due": _renewal_windows(renewals),
            "renewals": [_plain(r) for r in renewals],
            "biggest_movers": [_plain(r) for r in movers],
            "by_segment": [_plain(r) for r in by_segment],
        },
    )


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: str(v) if isinstance(v, Decimal) else v.isoformat() if isinstance(v, date) else v
        for k, v in row.items()
    }


def _money(value: Decimal | float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _figures(now: dict[str, Any], week: dict[str, Any], last: dict[str, Any] | None) -> Figures:
    net = week["end_mrr"] - week["start_mrr"]
    items = [
        Figure("MRR", _money(now["mrr"]), f"ARR {_money(now['arr'])}"),
        Figure("Paying accounts", f"{now['paying_accounts']:,}"),
        Figure("Net MRR this week", f"{net:+,.0f}", tone="good" if net >= 0 else "bad"),
    ]
    if last:
        items += [
            Figure("NRR", _pct(last["nrr"]), f"{last['period']}, monthly"),
            Figure("GRR", _pct(last["grr"]), f"{last['period']}, monthly"),
            Figure("Logo churn", _pct(last["logo_churn_rate"]), f"{last['period']}, monthly"),
            Figure("NRR", _pct(last["ttm_nrr"]), "trailing 12 months"),
            Figure("GRR", _pct(last["ttm_grr"]), "trailing 12 months"),
            Figure(
                "Logo churn",
                _pct(last.get("annualised_logo_churn_rate")),
                "annualised from the month",
            ),
        ]
    return Figures(tuple(items))


def _summary(
    now: dict[str, Any], week: dict[str, Any], last: dict[str, Any] | None, renewals: list[Any]
) -> str:
    net = week["end_mrr"] - week["start_mrr"]
    parts = [f"MRR {_money(now['mrr'])} ({net:+,.0f} this week)."]
    if last:
        parts.append(
            f"{last['period']}: NRR {_pct(last['nrr'])}, GRR {_pct(last['grr'])} (monthly)."
        )
    urgent = [r for r in renewals if r["needs_conversation"]]
    if urgent:
        at_stake = sum((r["arr"] for r in urgent), Decimal(0))
        parts.append(
            f"{len(urgent)} renewals inside 90 days have no renewal conversation logged "
            f"(ARR {_money(at_stake)})."
        )
    return " ".join(parts)


def _trend_table(months: list[dict[str, Any]]) -> TableBlock:
    cols = (
        "month",
        "start MRR",
        "new",
        "expansion",
        "contraction",
        "churn",
        "end MRR",
        "NRR",
        "GRR",
        "logo churn",
    )
    return TableBlock(
        "Monthly movements (rates per month)",
        cols,
        tuple(
            (
                r["period"],
                _money(r["start_mrr"]),
                _money(r["new_mrr"] + r["reactivation_mrr"]),
                _money(r["expansion_mrr"]),
                _money(r["contraction_mrr"]),
                _money(r["churn_mrr"]),
                _money(r["end_mrr"]),
                _pct(r["nrr"]),
                _pct(r["grr"]),
                _pct(r["logo_churn_rate"]),
            )
            for r in months
        ),
        numeric=cols[1:],
    )


def _renewal_windows(renewals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for days in RENEWAL_WINDOWS:
        due = [r for r in renewals if r["days_left"] <= days]
        rows.append(
            {
                "within_days": days,
                "renewals": len(due),
                "arr": str(sum((r["arr"] for r in due), Decimal(0))),
                "needs_conversation": sum(1 for r in due if r["needs_conversation"]),
            }
        )
    return rows


def _renewals_table(renewals: list[dict[str, Any]]) -> TableBlock:
    cols = ("due within", "renewals", "ARR at stake", "no renewal conversation")
    return TableBlock(
        "Renewals due",
        cols,
        tuple(
            (
                f"{w['within_days']} days",
                str(w["renewals"]),
                _money(Decimal(w["arr"])),
                str(w["needs_conversation"]),
            )
            for w in _renewal_windows(renewals)
        ),
        numeric=cols[1:],
    )


def _movers(engine: QueryEngine, start: date, end: date) -> list[dict[str, Any]]:
    inputs: dict[str, list[dict[str, Value]]] = {
        "periods": [{"period": "week", "period_start": start, "period_end": end}],
        "days": [{"day": start}, {"day": end}],
    }
    rows = metrics.run(engine, "movements", {"as_of": end}, inputs)
    moved = [r for r in rows if r["movement"] != "flat"]
    moved.sort(key=lambda r: (-abs(r["m1"] - r["m0"]), r["account_id"]))
    top = moved[:10]
    if top:
        ids = ", ".join("'" + r["account_id"].replace("'", "''") + "'" for r in top)
        names = engine.query(f"SELECT account_id, name FROM accounts WHERE account_id IN ({ids})")
        by_id = {n["account_id"]: n["name"] for n in names}
        top = [{**r, "account_name": by_id.get(r["account_id"], r["account_id"])} for r in top]
    return top


def _movers_table(movers: list[dict[str, Any]]) -> TableBlock:
    cols = ("account", "movement", "MRR before", "MRR after", "change")
    return TableBlock(
        "Biggest movers this week",
        cols,
        tuple(
            (
                r["account_id"],
                r["movement"],
                _money(r["m0"]),
                _money(r["m1"]),
                f"{r['m1'] - r['m0']:+,.0f}",
            )
            for r in movers
        ),
        numeric=cols[2:],
        empty="No account's MRR moved this week.",
    )


def _segment_table(rows: list[dict[str, Any]], period: str) -> TableBlock:
    cols = ("segment", "start MRR", "end MRR", "NRR", "GRR", "logo churn", "accounts")
    return TableBlock(
        f"By segment, {period} (monthly rates)",
        cols,
        tuple(
            (
                r["grp"],
                _money(r["start_mrr"]),
                _money(r["end_mrr"]),
                _pct(r["nrr"]),
                _pct(r["grr"]),
                _pct(r["logo_churn_rate"]),
                str(r["accounts_start"]),
            )
            for r in rows
        ),
        numeric=cols[1:],
    )
