"""Calibration: probabilities match observed rates, never exactly 0 or 1."""

from __future__ import annotations

import numpy as np

from csops.health.calibration import FLOOR, fit_calibrator


def test_calibrated_probabilities_match_observed_rates() -> None:
    rng = np.random.default_rng(5)
    logit = rng.normal(size=20_000)
    truth = 1 / (1 + np.exp(-(2 * logit - 3)))  # the raw score is over-confident
    y = (rng.random(20_000) < truth).astype(np.float64)
    days = np.repeat(np.arange(4), 5_000).astype(np.int64)
    calibrator = fit_calibrator(logit, y, days)
    p = calibrator.probability(logit)
    for low, high in ((-3, -1), (-1, 0), (0, 1), (1, 3)):
        band = (logit >= low) & (logit < high)
        assert abs(p[band].mean() - y[band].mean()) < 0.02, (low, high)
    assert p.min() >= FLOOR and p.max() <= 1 - FLOOR


def test_few_churns_use_the_sigmoid() -> None:
    logit = np.linspace(-3, 3, 200)
    y = np.zeros(200)
    y[-10:] = 1.0
    assert fit_calibrator(logit, y).method == "sigmoid"
