"""Scorecard, metrics and plain-word explanations against hand-computed cases."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from csops.health.explain import describe, top_signals
from csops.health.features import FeatureFrame
from csops.health.forecast import ForecastRow, Renewal, by_term, renew_probability
from csops.health.metrics import auc, top_decile_lift
from csops.health.scorecard import ScorecardError, load_scorecard, parse_scorecard, score

KNOWN = {"events_trend_28d", "nps_latest", "open_tickets"}
CARD = {
    "bands": {"green": 70, "yellow": 40},
    "groups": {
        "usage": {
            "weight": 3,
            "measures": [{"feature": "events_trend_28d", "scale": {"bad": -0.5, "good": 0.0}}],
        },
        "voice": {
            "weight": 1,
            "measures": [
                {"feature": "nps_latest", "scale": {"bad": 0, "good": 10}, "weight": 1},
                {"feature": "open_tickets", "better": "lower", "weight": 3},
            ],
        },
    },
}


def frame(rows: list[list[float]]) -> FeatureFrame:
    names = ["events_trend_28d", "nps_latest", "open_tickets"]
    return FeatureFrame(
        [f"a{i}" for i in range(len(rows))],
        [date(2026, 1, 1)] * len(rows),
        names,
        np.array(rows, dtype=np.float64),
    )


def test_scorecard_weights_and_reweights_missing_measures() -> None:
    card = parse_scorecard(CARD, "card.yaml", KNOWN)
    result = score(card, frame([[-0.25, 8, 0], [0.1, math.nan, 2], [math.nan, math.nan, math.nan]]))
    # a0: usage 50; voice: nps 80 (w1), open_tickets percentile among 2 values, lower is
    # better: 0 -> 75 (w3) -> (80 + 225) / 4 = 76.25; total (3*50 + 76.25) / 4 = 56.5625
    assert result.score[0] == pytest.approx(56.5625)
    # a1: usage 100; voice: nps missing -> open_tickets alone, 25 -> (300 + 25) / 4
    assert result.score[1] == pytest.approx(81.25)
    assert math.isnan(result.score[2])
    assert card.bands.band(81.25) == "green" and card.bands.band(56.6) == "yellow"
    assert card.bands.band(39.9) == "red"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"bands": {"green": 30, "yellow": 50}}, "bands: need 0 <= yellow <= green"),
        (
            {"groups": {"u": {"weight": 1, "measures": [{"feature": "nope"}]}}},
            "groups.u.measures[0].feature: unknown feature 'nope'",
        ),
        (
            {"groups": {"u": {"weight": "x", "measures": [{"feature": "nps_latest"}]}}},
            "groups.u.weight: must be a number",
        ),
        (
            {
                "groups": {
                    "u": {
                        "weight": 1,
                        "measures": [{"feature": "nps_latest", "scale": {"bad": 1, "good": 1}}],
                    }
                }
            },
            "groups.u.measures[0].scale: bad and good must differ",
        ),
    ],
)
def test_scorecard_errors_name_file_and_key(change: dict[str, object], message: str) -> None:
    with pytest.raises(
        ScorecardError,
        match=r"card\.yaml: " + message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\("),
    ):
        parse_scorecard({**CARD, **change}, "card.yaml", KNOWN)


def test_broken_yaml_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("bands: [green\n")
    with pytest.raises(ScorecardError, match=r"s\.yaml: not valid YAML"):
        load_scorecard(path, KNOWN)


def test_default_scorecard_loads() -> None:
    from csops.health.features import _BASE_NAMES

    card = load_scorecard(None, set(_BASE_NAMES))
    assert {g.name for g in card.groups} >= {"usage", "support", "billing"}


def test_auc_and_lift_by_hand() -> None:
    risk = np.array([0.9, 0.8, 0.8, 0.1, 0.3, 0.2, 0.5, 0.4, 0.6, 0.7])
    y = np.array([1, 0, 1, 0, 0, 0, 1, 0, 0, 0], dtype=np.float64)
    # Positives 0.9, 0.8, 0.5 vs 7 negatives: 7 + (6 + 0.5 tie) + 4 = 17.5 of 21 pairs.
    assert auc(risk, y) == pytest.approx(17.5 / 21)
    # Top decile = 1 account (0.9, churned): rate 1 / base 0.3.
    assert top_decile_lift(risk, y) == pytest.approx(1 / 0.3)
    assert auc(risk, np.zeros(10)) is None


@pytest.mark.parametrize(
    ("feature", "row", "text"),
    [
        (
            "active_users_trend_28d",
            {"active_users_28d": 10, "active_users_prev_28d": 24, "active_users_trend_28d": -0.583},
            "active users down 58% vs the prior 28 days (24 → 10)",
        ),
        (
            "failed_invoices_90d",
            {"failed_invoices_90d": 2, "days_since_first_failed_invoice": 29},
            "2 failed invoices since May 3",
        ),
        (
            "nps_change",
            {"nps_latest": 4, "nps_previous": 9, "nps_change": -5},
            "NPS fell from 9 to 4",
        ),
        ("events[login]_days_since", {"events[login]_days_since": 12}, "last 'login' 12 days ago"),
        (
            "events[login]_days_since",
            {"events[login]_days_since": math.nan},
            "no 'login' in the last 365 days",
        ),
        (
            "days_since_last_event",
            {"days_since_last_event": 366},
            "no product activity in the last 365 days",
        ),
        ("days_since_last_event", {"days_since_last_event": 9}, "no product activity for 9 days"),
        ("nps_latest", {"nps_latest": math.nan}, "nps latest: no data"),
    ],
)
def test_plain_words(feature: str, row: dict[str, float], text: str) -> None:
    assert describe(feature, row, date(2026, 6, 1)) == text


def test_top_signals_merge_features_that_say_the_same() -> None:
    row = {"failed_invoices_90d": 2.0, "days_since_first_failed_invoice": 29.0, "nps_latest": 9.0}
    signals = top_signals(
        ["failed_invoices_90d", "days_since_first_failed_invoice", "nps_latest"],
        [0.5, 0.25, -0.1],
        row,
        date(2026, 6, 1),
    )
    assert [(s.text, s.contribution, s.direction) for s in signals] == [
        ("2 failed invoices since May 3", 0.75, "raises risk"),
        ("latest NPS answer 9", -0.1, "lowers risk"),
    ]


def test_few_churns_mark_the_model_untrusted_and_the_scorecard_decides() -> None:
    from csops.health.model import MIN_TRUSTED_CHURNS, train_churn_model
    from csops.health.scoring import score_day

    rng = np.random.default_rng(1)
    days = [date(2025, m, 1) for m in range(1, 13)]
    n = 40
    rows = rng.normal(size=(n * len(days), 3))
    y = np.zeros(n * len(days))
    y[:: len(y) // 12] = 1.0  # 12 churns in 480 rows: fewer than MIN_TRUSTED_CHURNS
    assert y.sum() < MIN_TRUSTED_CHURNS
    big = FeatureFrame(
        [f"a{i % n}" for i in range(len(y))],
        [d for d in days for _ in range(n)],
        ["events_trend_28d", "nps_latest", "open_tickets"],
        rows,
    )
    model = train_churn_model(big, y, as_of=date(2026, 1, 1), horizon_days=30)
    assert model.trusted is False and "not trustworthy" in str(model.metadata.get("warning", ""))
    card = parse_scorecard(CARD, "card.yaml", KNOWN)
    today = frame([[-0.5, 2, 3], [0.0, 10, 0]])
    health = score_day(today, model, card, date(2026, 1, 1))
    # The signals are the scorecard's: points lost, largest first.
    assert health[0].top_signals == health[0].scorecard_signals
    assert health[0].top_signals[0].signal == "events_trend_28d"
    assert health[0].band == "red" and health[1].band == "green"


def test_scores_written_as_parquet_and_json(tmp_path: Path) -> None:
    import json

    import pyarrow.parquet as pq
    import typer

    from csops.commands.health import write_scores

    signal = {
        "signal": "nps_latest",
        "value": 3.0,
        "direction": "raises risk",
        "contribution": 0.5,
        "text": "latest NPS answer 3",
    }
    rows = [
        {
            "account_id": "a1",
            "churn_probability": 0.25,
            "health_score": 41.0,
            "band": "red",
            "top_signals": [signal],
        }
    ]
    write_scores(tmp_path / "s.parquet", rows)
    table = pq.read_table(tmp_path / "s.parquet").to_pylist()
    assert table[0]["account_id"] == "a1" and json.loads(table[0]["top_signals"]) == [signal]
    write_scores(tmp_path / "s.json", rows)
    assert json.loads((tmp_path / "s.json").read_text()) == rows
    with pytest.raises(typer.Exit):
        write_scores(tmp_path / "s.xlsx", rows)


def test_tree_shap_values_are_lightgbms() -> None:
    """Our block-at-once tree SHAP gives LightGBM's own `pred_contrib` values, missing
    values and zeros included, for the model's trees and for deeper ones."""
    import lightgbm as lgb

    from csops.health.learners import LGB_PARAMS
    from csops.health.tree_shap import TreeExplainer

    rng = np.random.default_rng(4)
    x = rng.normal(size=(4_000, 6))
    x[rng.random(x.shape) < 0.2] = np.nan
    x[:, 2] = rng.integers(0, 3, len(x))  # many exact zeros
    signal = np.nan_to_num(x[:, 0]) - np.nan_to_num(x[:, 1]) + (x[:, 2] == 0)
    y = (rng.random(len(x)) < 1 / (1 + np.exp(-(2 * signal - 2)))).astype(np.float64)
    for params in (LGB_PARAMS, {**LGB_PARAMS, "max_depth": -1, "num_leaves": 31}):
        booster = lgb.train(params, lgb.Dataset(x, y), num_boost_round=30)
        theirs = np.asarray(booster.predict(x, pred_contrib=True))
        ours = TreeExplainer(booster.dump_model()).contributions(x)
        assert np.allclose(ours, theirs[:, :-1], rtol=0, atol=1e-9)


@pytest.mark.parametrize(
    ("sums", "raising_only", "picked"),
    [
        # Raising first, largest first; then the strongest protective ones; -1 padded.
        ([[0.5, -0.2, 0.0, 0.9, -0.7]], False, [[3, 0, 4]]),
        ([[0.5, -0.2, 0.0, 0.9, -0.7]], True, [[3, 0, -1]]),
        ([[-0.1, -0.3, 0.0, -0.2, 0.0]], False, [[1, 3, 0]]),
        ([[0.0, 0.0, 0.0, 0.0, 0.0]], False, [[-1, -1, -1]]),
        ([[0.2, 0.4, 0.3, 0.1, 0.5]], False, [[4, 1, 2]]),
    ],
)
def test_pick_signals_by_hand(
    sums: list[list[float]], raising_only: bool, picked: list[list[int]]
) -> None:
    from csops.health.explain import pick_signals

    got = pick_signals(np.array(sums), 3, raising_only)
    assert got.tolist() == picked


@pytest.mark.parametrize("days_left", [0, 12, 29])
def test_renew_probability_by_hand(days_left: int) -> None:
    def renewal(months: int) -> Renewal:
        return Renewal("a1", "A", None, date(2026, 3, 1), days_left, months, 12_000.0)

    # An annual term renews at most once in 90 days: the whole churn risk is on it.
    assert renew_probability(0.271, renewal(12), 90) == pytest.approx(0.729)
    # A monthly term renews 3 times in 90 days, each with an equal share of the risk:
    # 0.729 ** (1/3) = 0.9, however near this renewal is.
    assert renew_probability(0.271, renewal(1), 90) == pytest.approx(0.9)
    # A quarterly term of 90 days takes the whole 90-day risk.
    assert renew_probability(0.271, renewal(3), 90) == pytest.approx(0.729)


def test_forecast_by_term_by_hand() -> None:
    day = date(2026, 3, 1)

    def row(account: str, months: int, arr: float, renew: float) -> ForecastRow:
        renewal = Renewal(account, account, None, day, 5, months, arr)
        return ForecastRow(renewal, 1 - renew, renew, arr * renew)

    rows = [
        row("m1", 1, 1_200.0, 0.9),
        row("m2", 1, 2_400.0, 0.8),
        row("y1", 12, 50_000.0, 0.7),
    ]
    done = {("m1", day): True, ("m2", day): False, ("y1", day): False}
    assert by_term(rows, done) == [
        # m2 lost (2,400 ARR); expected lost 0.1 + 0.2 accounts, 120 + 480 ARR
        {
            "billing_period_months": 1,
            "renewals": 2,
            "lost": 1,
            "expected_lost": 0.3,
            "arr_lost": 2_400.0,
            "expected_arr_lost": 600.0,
        },
        {
            "billing_period_months": 12,
            "renewals": 1,
            "lost": 1,
            "expected_lost": 0.3,
            "arr_lost": 50_000.0,
            "expected_arr_lost": 15_000.0,
        },
    ]
