"""Scorecard weights fitted to outcomes, against a hand-made history whose churn one
measure explains exactly."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
import yaml

from csops.commands.health import fit_lines
from csops.health.features import FeatureFrame
from csops.health.scorecard import parse_scorecard
from csops.health.scorecard_fit import ScorecardFitError, fitted_scorecard, render_scorecard

NAMES = ["events_trend_28d", "open_tickets"]
# Usage weighted 9 to 1: the noise measure dominates until the fit corrects it.
DOCUMENT = {
    "bands": {"green": 70, "yellow": 45},
    "groups": {
        "usage": {
            "weight": 9,
            "measures": [{"feature": "events_trend_28d", "scale": {"bad": -0.5, "good": 0.0}}],
        },
        "support": {
            "weight": 1,
            "measures": [{"feature": "open_tickets", "scale": {"bad": 3, "good": 0}}],
        },
    },
}
HORIZON = 60
DAYS = [date(2025, 1, 1) + timedelta(days=30 * i) for i in range(8)]


def history(churn: bool = True) -> tuple[list[FeatureFrame], list[np.ndarray]]:
    """Eight observation days 30 days apart, 40 accounts each: an account churns exactly
    when it has 3 open tickets (0 points on that measure); the usage trend is noise."""
    rng = np.random.default_rng(7)
    frames, labels = [], []
    for day in DAYS:
        churned = (np.arange(40) % 5 == 0) & churn
        values = np.column_stack([rng.uniform(-0.5, 0.0, 40), np.where(churned, 3.0, 0.0)])
        ids = [f"a{i}" for i in range(40)]
        frames.append(FeatureFrame(ids, [day] * 40, NAMES, values))
        labels.append(churned.astype(np.float64))
    return frames, labels


def test_fit_moves_the_weight_to_the_measure_that_explains_churn() -> None:
    card = parse_scorecard(DOCUMENT, "card.yaml", set(NAMES))
    frames, labels = history()
    fit = fitted_scorecard(DOCUMENT, card, frames, labels, HORIZON)
    # churn = shortfall of open_tickets exactly: the regression gives it all the weight.
    groups = fit.document["groups"]
    assert groups["support"]["weight"] == 100 and groups["usage"]["weight"] == 0
    assert groups["support"]["measures"][0]["weight"] == 10
    assert fit.document["bands"] == DOCUMENT["bands"]
    assert fit.auc_after == 1.0 and fit.auc_before is not None and fit.auc_before < 0.9
    # Purged split: the last 2 of 8 days are held out; the fit there saw days up to 60
    # days before the first of them.
    assert fit.held_out_days == DAYS[-2:]
    assert fit.held_out_auc_after == 1.0
    assert fit.held_out_auc_before is not None and fit.held_out_auc_before < 0.9
    assert fit.summary()["held_out_days"] == ["2025-06-30", "2025-07-30"]


def test_short_history_has_no_held_out_figures() -> None:
    card = parse_scorecard(DOCUMENT, "card.yaml", set(NAMES))
    frames, labels = history()
    fit = fitted_scorecard(DOCUMENT, card, frames[:2], labels[:2], HORIZON)
    assert fit.auc_after == 1.0
    assert fit.held_out_days == [] and fit.held_out_auc_after is None


def test_no_churn_is_a_clear_error() -> None:
    card = parse_scorecard(DOCUMENT, "card.yaml", set(NAMES))
    frames, labels = history(churn=False)
    with pytest.raises(ScorecardFitError, match="no account churned"):
        fitted_scorecard(DOCUMENT, card, frames, labels, HORIZON)


def test_written_scorecard_reads_back_one_measure_per_line() -> None:
    text = render_scorecard(DOCUMENT, "# fitted\n# on 2026-01-01\n")
    assert yaml.safe_load(text) == DOCUMENT
    lines = text.splitlines()
    assert lines[:2] == ["# fitted", "# on 2026-01-01"]
    assert "      - {feature: open_tickets, scale: {bad: 3, good: 0}}" in lines


def reversed_early_history() -> tuple[list[FeatureFrame], list[np.ndarray]]:
    """`history`, except that on the first five days the churned accounts are the ones
    with no open tickets while the others have 3, and the usage trend is the same for
    everyone."""
    frames, labels = history()
    out = []
    for k, (frame, y) in enumerate(zip(frames, labels, strict=True)):
        values = frame.values.copy()
        if k < 5:
            values[:, 0] = 0.0  # usage the same for everyone: no signal either way
            values[:, 1] = np.where(y == 1, 0.0, 3.0)
        out.append(FeatureFrame(frame.account_ids, frame.days, frame.names, values))
    return out, labels


def test_a_refit_that_finds_nothing_early_is_not_tested_on_days_held_out() -> None:
    card = parse_scorecard(DOCUMENT, "card.yaml", set(NAMES))
    frames, labels = reversed_early_history()
    # On every day together, open tickets still tell most churns apart...
    late_only = fitted_scorecard(DOCUMENT, card, frames[5:], labels[5:], HORIZON)
    assert late_only.document["groups"]["support"]["weight"] == 100
    fit = fitted_scorecard(DOCUMENT, card, frames, labels, HORIZON)
    # ...but the fit on the days before the held-out ones finds no measure at all.
    assert fit.held_out_days == [] and fit.held_out_auc_after is None
    assert fit.held_out_missing == (
        "on the earlier days no measure was lower for the accounts that churned"
    )
    assert fit_lines(fit)[-1] == fit.held_out_missing


def test_a_history_where_no_measure_explains_churn_is_a_clear_error() -> None:
    card = parse_scorecard(DOCUMENT, "card.yaml", set(NAMES))
    frames, labels = reversed_early_history()
    with pytest.raises(ScorecardFitError, match="no measure of the scorecard is lower"):
        fitted_scorecard(DOCUMENT, card, frames[:5], labels[:5], HORIZON)


def test_fit_lines_say_whether_the_new_weights_predict_better() -> None:
    card = parse_scorecard(DOCUMENT, "card.yaml", set(NAMES))
    frames, labels = history()
    better = fit_lines(fitted_scorecard(DOCUMENT, card, frames, labels, HORIZON))
    assert better[0].startswith("AUC on the days fitted: ") and better[0].endswith(" after")
    assert better[1].startswith("AUC on days held out (2025-06-30..2025-07-30): ")
    assert better[1].endswith("1.000 after") and len(better) == 2
    # The same weights again: no better on days they did not see, and it says so.
    fitted = fitted_scorecard(DOCUMENT, card, frames, labels, HORIZON).document
    again = fitted_scorecard(
        fitted, parse_scorecard(fitted, "card.yaml", set(NAMES)), frames, labels, HORIZON
    )
    assert fit_lines(again)[-1] == "the new weights rank churn no better on days they did not see"
    short = fitted_scorecard(DOCUMENT, card, frames[:2], labels[:2], HORIZON)
    assert fit_lines(short)[-1] == "too little history to measure the fit on days held out"


def test_group_names_that_need_quotes_are_quoted() -> None:
    document = {
        "groups": {
            "usage #1": DOCUMENT["groups"]["usage"],
            "yes": DOCUMENT["groups"]["support"],
        }
    }
    assert yaml.safe_load(render_scorecard(document)) == document
