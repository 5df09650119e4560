"""The Expansion section of the weekly report: what is flagged now and its expected ARR,
the signals behind it, owners' load, and the pipeline flagged a horizon ago with what it
won (read from subscriptions)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from csops.department.expansion.backtest import run_backtest
from csops.department.expansion.config import ExpansionConfigError
from csops.department.expansion.service import run_expansion, summary
from csops.reports.charts import bar_chart
from csops.reports.section import Chart, Figure, Figures, ReportContext, Section, TableBlock, Text

Block = Figures | TableBlock | Chart | Text


def _money(value: float) -> str:
    return f"{value:,.0f}"


def build_section(ctx: ReportContext) -> Section | None:
    try:
        result = run_expansion(ctx.settings, ctx.engine, ctx.as_of)
    except ExpansionConfigError as exc:
        return Section("expansion", "Expansion", (Text(f"Configuration error: {exc}"),))
    if not result.rows:
        return None
    doc = summary(result)
    flagged = result.flagged()
    horizon = result.config.horizon_days
    earlier = ctx.as_of - timedelta(days=horizon)
    past = run_backtest(ctx.settings, ctx.engine, earlier)
    counts = Counter(s.signal for q in result.rows for s in q.assessment.signals)
    loads = Counter(q.owner or "(unassigned)" for q in flagged)
    method = doc["likelihood"]["method"]
    blocks: list[Block] = [
        Figures(
            (
                Figure(
                    "Flagged for expansion",
                    str(len(flagged)),
                    f"of {len(result.rows)} paying accounts",
                ),
                Figure(
                    "Added ARR if all close",
                    _money(doc["expected_added_arr_flagged"]),
                    ctx.settings.currency,
                ),
                Figure(
                    "Weighted by likelihood",
                    _money(doc["weighted_added_arr_flagged"]),
                    f"likelihood {method}",
                ),
                Figure(
                    f"Won from those flagged {horizon} days ago",
                    _money(float(past.won_arr)),
                    f"{past.flagged_expanded} of {past.flagged} expanded",
                    "good" if past.flagged_expanded else "neutral",
                ),
                Figure(
                    "Lift of the flag",
                    "–" if past.lift is None else f"{past.lift:.1f}x",
                    f"expansion rate flagged / unflagged, flagged on {earlier.isoformat()}",
                ),
            )
        ),
        Chart(
            "Accounts by signal",
            bar_chart(
                sorted(counts),
                {"accounts": [float(counts[k]) for k in sorted(counts)]},
                horizontal=True,
            ),
        ),
        TableBlock(
            "Top flagged accounts (by likelihood x added ARR)",
            ("account", "likelihood", "added ARR", "owner", "signals"),
            tuple(
                (
                    f"{q.assessment.facts.name} ({q.account_id})",
                    f"{q.likelihood:.0%}",
                    _money(float(q.value.added_arr)),
                    q.owner or "–",
                    ", ".join(s.signal for s in q.assessment.signals),
                )
                for q in flagged[:15]
            ),
            numeric=("likelihood", "added ARR"),
            empty="No account is flagged.",
        ),
        TableBlock(
            "Flagged accounts per owner",
            ("owner", "accounts"),
            tuple((owner, str(n)) for owner, n in loads.most_common()),
            numeric=("accounts",),
        ),
    ]
    if not result.limit_types:
        blocks.append(Text("The plan-limit signal is off: no plan-limit event is configured."))
    data = {**doc, "pipeline_flagged_a_horizon_ago": past.as_dict()}
    return Section(
        key="expansion",
        title="Expansion",
        blocks=tuple(blocks),
        data=data,
        summary=(
            f"{len(flagged)} accounts flagged, {_money(doc['weighted_added_arr_flagged'])} "
            f"added ARR weighted by likelihood ({method}); of those flagged {horizon} days ago, "
            f"{past.flagged_expanded} of {past.flagged} expanded."
        ),
    )
