"""Calibration: probabilities match observed rates, never exactly 0 or 1.

The model test trains on a generated history (known churn probabilities, many observation
days) and checks the reliability table of the next months' accounts bin by bin, within a
binomial tolerance that a 30% over- or under-prediction breaks.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from csops.health.calibration import FLOOR, fit_calibrator
from csops.health.features import FeatureFrame
from csops.health.learners import Learner, LogisticLearner
from csops.health.metrics import ReliabilityBin, auc, reliability
from csops.health.model import (
    account_folds,
    account_split,
    day_folds,
    out_of_fold,
    train_churn_model,
)

Array = npt.NDArray[np.float64]
START = date(2025, 1, 1)
NAMES = ["usage_trend", "tickets", "nps", "seats", "tenure"]


def test_calibrated_probabilities_match_observed_rates() -> None:
    rng = np.random.default_rng(5)
    logit = rng.normal(size=20_000)
    truth = 1 / (1 + np.exp(-(2 * logit - 3)))  # the raw score is over-confident
    y = (rng.random(20_000) < truth).astype(np.float64)
    days = np.repeat(np.arange(4), 5_000).astype(np.int64)
    calibrator = fit_calibrator(logit, y, days, shapes=True)
    p = calibrator.probability(logit)
    for low, high in ((-3, -1), (-1, 0), (0, 1), (1, 3)):
        band = (logit >= low) & (logit < high)
        assert abs(p[band].mean() - y[band].mean()) < 0.02, (low, high)
    assert p.min() >= FLOOR and p.max() <= 1 - FLOOR


def test_few_churns_use_the_sigmoid() -> None:
    logit = np.linspace(-3, 3, 200)
    y = np.zeros(200)
    y[-10:] = 1.0
    days = np.repeat(np.arange(4), 50).astype(np.int64)
    assert fit_calibrator(logit, y, days, shapes=True).method == "sigmoid"


def test_a_bent_score_gets_a_bent_calibration() -> None:
    """A score whose log-odds are a curve of the truth's (a logistic regression missing a
    non-linear effect): a flexible calibrator follows it where no sigmoid can."""
    rng = np.random.default_rng(8)
    score = rng.normal(size=40_000)
    truth = 1 / (1 + np.exp(-(-3.5 + np.exp(score))))
    y = (rng.random(40_000) < truth).astype(np.float64)
    days = np.repeat(np.arange(4), 10_000).astype(np.int64)
    bent = fit_calibrator(score, y, days, shapes=True)
    straight = fit_calibrator(score, y, days)
    assert bent.method in ("spline", "isotonic") and straight.method == "sigmoid"
    for low, high in ((-9, -1.5), (-1.5, 0), (0, 1), (1, 9)):
        band = (score >= low) & (score < high)
        observed = y[band].mean()
        assert abs(bent.probability(score)[band].mean() - observed) < 0.01, (low, high)
    # The sigmoid: about 0.3% for 2.9% observed at the low end, 20% for 14.5% in (0, 1).
    for low, high in ((-9, -1.5), (0, 1)):
        band = (score >= low) & (score < high)
        assert abs(straight.probability(score)[band].mean() - y[band].mean()) > 0.02


def accounts(rng: np.random.Generator, day: date, n: int) -> tuple[FeatureFrame, Array]:
    """One observation day of a generated company: features and whether each churned,
    drawn from a known, non-linear churn probability (about 6% on average)."""
    x = rng.normal(size=(n, len(NAMES)))
    x[:, 1] = rng.poisson(1.0, n)  # tickets: a count
    x[:, 3] = rng.integers(1, 50, n)  # seats
    x[rng.random(n) < 0.3, 2] = np.nan  # no NPS answer yet: missing
    nps = np.nan_to_num(x[:, 2])
    z = -3.4 - 1.3 * x[:, 0] + 0.45 * x[:, 1] - 0.5 * nps + 0.6 * (x[:, 0] < -1) * x[:, 1]
    churned = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(np.float64)
    frame = FeatureFrame(
        [f"a{day.toordinal()}-{i}" for i in range(n)],
        [day] * n,
        list(NAMES),
        x,
        {"plan": [str(p) for p in rng.choice(["basic", "pro"], n)], "segment": [None] * n},
    )
    return frame, churned


def history(rng: np.random.Generator, days: list[date], n: int) -> tuple[FeatureFrame, Array]:
    parts = [accounts(rng, d, n) for d in days]
    return (
        FeatureFrame(
            [a for f, _ in parts for a in f.account_ids],
            [d for f, _ in parts for d in f.days],
            list(NAMES),
            np.vstack([f.values for f, _ in parts]),
            {k: [v for f, _ in parts for v in f.categories[k]] for k in ("plan", "segment")},
        ),
        np.concatenate([y for _, y in parts]),
    )


def within_tolerance(table: list[ReliabilityBin]) -> bool:
    """Every bin's mean prediction within three binomial standard errors (plus half a
    point) of its observed churn rate."""
    for b in table:
        rate = max(b.observed_rate, b.mean_predicted)
        tolerance = 3 * np.sqrt(rate * (1 - rate) / b.accounts) + 0.005
        if abs(b.mean_predicted - b.observed_rate) > tolerance:
            return False
    return True


def test_model_probabilities_match_the_next_months_in_every_reliability_bin() -> None:
    rng = np.random.default_rng(11)
    days = [START + timedelta(days=30 * k) for k in range(10)]
    frame, churned = history(rng, days, 2_500)
    model = train_churn_model(frame, churned, as_of=days[-1] + timedelta(days=90), horizon_days=90)
    assert model.trusted and model.metadata["calibration_rows"].startswith("every")
    later = [days[-1] + timedelta(days=30 * k) for k in range(1, 5)]
    future, outcome = history(rng, later, 5_000)
    p = model.probability(future)
    table = reliability(p, outcome)
    assert within_tolerance(table), [(b.mean_predicted, b.observed_rate) for b in table]
    # The check has teeth: 30% too high or too low everywhere fails it.
    assert not within_tolerance(reliability(np.clip(p * 1.3, 0, 1), outcome))
    assert not within_tolerance(reliability(p / 1.3, outcome))


def test_calibration_folds_never_train_on_days_near_the_ones_they_predict() -> None:
    rng = np.random.default_rng(3)
    days = np.repeat(np.arange(12) * 30, 200).astype(np.int64)
    y = (rng.random(len(days)) < 0.2).astype(np.float64)
    x = rng.normal(size=(len(days), 2))
    seen: list[npt.NDArray[np.int64]] = []

    def fit(rows: npt.NDArray[np.int64]) -> Learner:
        seen.append(rows)
        return LogisticLearner.fit(x[rows], y[rows])

    held_out = out_of_fold(fit, x, y, days, day_folds(days, horizon_days=90))
    assert held_out is not None and len(seen) == 4
    runs = np.array_split(np.arange(12) * 30, 4)  # 0-60, 90-150, 180-240, 270-330
    for rows, run in zip(seen, runs, strict=True):
        trained = np.unique(days[rows])
        # Purged: no training day within 90 days of the run it predicts.
        assert ((trained <= run[0] - 90) | (trained >= run[-1] + 90)).all(), (run, trained)
        assert len(trained) > 0
    assert np.array_equal(np.unique(days[seen[1]]), [0, 240, 270, 300, 330])


def test_a_short_history_holds_out_accounts_instead_of_days() -> None:
    """Three observation days 30 days apart are too few for a purged time split at a
    90-day horizon; with enough churns the model is still chosen, calibrated and trusted,
    on accounts held out."""
    rng = np.random.default_rng(11)
    days = [START + timedelta(days=30 * k) for k in range(3)]
    frame, y = history(rng, days, 3_000)
    model = train_churn_model(frame, y, as_of=days[-1] + timedelta(days=90), horizon_days=90)
    assert model.trusted is True and "warning" not in model.metadata
    assert str(model.metadata["selection"]).startswith("accounts held out")
    future, outcome = history(rng, [days[-1] + timedelta(days=30)], 20_000)
    p = model.probability(future)
    assert within_tolerance(reliability(p, outcome)), reliability(p, outcome)
    auc_value = auc(p, outcome)
    assert auc_value is not None and auc_value > 0.75


def test_account_folds_keep_every_row_of_an_account_together() -> None:
    ids = [f"acc-{i % 500}" for i in range(4_000)]  # each account on 8 days
    train, valid = account_split(ids)
    assert not (train & valid).any() and (train | valid).all()
    assert 0.15 < valid.mean() < 0.35
    held_out = {a for a, v in zip(ids, valid, strict=True) if v}
    assert not held_out & {a for a, t in zip(ids, train, strict=True) if t}
    folds = account_folds(ids)
    predicted = np.zeros(len(ids), dtype=int)
    for inside, away in folds:
        assert not (inside & away).any() and (inside | away).all()
        predicted += inside
    assert (predicted == 1).all()  # every row predicted exactly once


def test_no_observation_rows_give_an_untrusted_model() -> None:
    empty = FeatureFrame(
        [], [], list(NAMES), np.empty((0, len(NAMES))), {"plan": [], "segment": []}
    )
    model = train_churn_model(empty, np.zeros(0), as_of=START, horizon_days=90)
    assert model.trusted is False and str(model.metadata["selection"]).startswith("none")
    rng = np.random.default_rng(2)
    p = model.probability(accounts(rng, START, 10)[0])
    assert p.shape == (10,) and ((p >= FLOOR) & (p <= 1 - FLOOR)).all()
