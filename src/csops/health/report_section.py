"""The health section of the weekly report: bands, backtest figures (model vs scorecard vs
naive baseline), the riskiest accounts with their signals, renewal forecast vs actual.

The backtest figures are those stored with the model in use (worked out once per model),
so a report does not train a backtest model each time."""

from __future__ import annotations

from collections import Counter

from csops.health.scorecard import ScorecardError
from csops.health.service import (
    backtest_for,
    card_for,
    health_data,
    model_for,
    score_all,
    scorecard_path,
)
from csops.reports.charts import bar_chart
from csops.reports.section import Chart, Figure, Figures, ReportContext, Section, TableBlock, Text

HORIZON_DAYS = 90


def _pct(v: object) -> str:
    return "—" if not isinstance(v, float) else f"{v:.0%}"


def _num(v: object) -> str:
    return "—" if not isinstance(v, float) else f"{v:.2f}"


def build_section(ctx: ReportContext) -> Section | None:
    with health_data(ctx.settings, ctx.engine, ctx.as_of) as data:
        if not data.vocabulary:
            return None
        try:
            card = card_for(data, scorecard_path(ctx.settings, None))
        except ScorecardError as exc:
            return Section("health", "Health", (Text(f"Scorecard error: {exc}"),))
        model = model_for(data, ctx.settings, card, HORIZON_DAYS, retrain=False)
        _, scores = score_all(data, model, card)
        bt = backtest_for(data, ctx.settings, card, model)
    if not scores:
        return None
    bands = Counter(s.band for s in scores)
    risky = sorted(scores, key=lambda s: -s.churn_probability)[:10]
    blocks: list[Figures | TableBlock | Chart | Text] = [
        Figures(
            tuple(
                Figure(
                    b.title(), str(bands.get(b, 0)), "accounts", "bad" if b == "red" else "neutral"
                )
                for b in ("green", "yellow", "red")
            )
        ),
        Chart(
            "Accounts by band",
            bar_chart(
                ["green", "yellow", "red"],
                {"accounts": [float(bands.get(b, 0)) for b in ("green", "yellow", "red")]},
            ),
        ),
    ]
    if "error" not in bt:
        blocks.append(
            TableBlock(
                f"How predictive (90-day churn, accounts active on {bt['origins'][0]})",
                ("predictor", "AUC", "top-decile lift", "red precision", "churned that were green"),
                tuple(
                    (
                        name,
                        _num(bt[key]["auc"]),
                        _num(bt[key]["top_decile_lift"]),
                        _pct(bt[key]["red_precision"]),
                        _pct(bt[key]["churned_green_before"]),
                    )
                    for name, key in (
                        ("churn model", "model"),
                        ("scorecard", "scorecard"),
                        ("usage fell by half", "naive"),
                    )
                ),
                numeric=("AUC", "top-decile lift", "red precision", "churned that were green"),
            )
        )
        blocks.append(
            TableBlock(
                "Renewal forecast vs actual (renewals in the 30 days after)",
                ("from", "forecast ARR", "renewed ARR", "error"),
                tuple(
                    (
                        f["origin"],
                        f"{f['forecast_arr']:,.0f}",
                        f"{f['actual_renewed_arr']:,.0f}",
                        _pct(f["error"]),
                    )
                    for f in bt["renewal_forecast"]
                ),
                numeric=("forecast ARR", "renewed ARR", "error"),
            )
        )
    blocks.append(
        TableBlock(
            "Biggest risks",
            ("account", "churn risk", "health", "band", "signals"),
            tuple(
                (
                    s.account_id,
                    f"{s.churn_probability:.0%}",
                    "—" if s.health_score is None else f"{s.health_score:.0f}",
                    s.band,
                    "; ".join(x.text for x in s.top_signals[:3]),
                )
                for s in risky
            ),
            numeric=("churn risk", "health"),
        )
    )
    if not model.trusted:
        blocks.append(Text(str(model.metadata.get("warning", "The model is not trusted."))))
    return Section(
        "health",
        "Health",
        tuple(blocks),
        data={"bands": dict(bands), "backtest": bt, "at_risk": [s.to_json() for s in risky]},
        summary=f"{bands.get('red', 0)} accounts red, {bands.get('yellow', 0)} yellow.",
    )
