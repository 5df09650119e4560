"""The churn model: chosen between logistic regression and LightGBM by a time-ordered
backtest on the company's own history, then calibrated.

Training rows are (account, observation day) pairs. The latest quarter of observation
days is the validation period; the training period ends `horizon` days before it starts,
so no training label looks into the validation period (a purged split). Both learners
fit the training period; the one with the higher validation AUC wins (LightGBM's rounds
by early stopping there).

Calibration: the winner, with its settings, is fitted again on the days away from each
of four runs of observation days (purged by the horizon on both sides) and predicts that
run; the calibrator is fitted on those out-of-time predictions of every observation day
(the validation days alone are a thin slice: a few hundred churns at demo size, whose
churn rate can differ from the next months' by a quarter). Finally the winner is refitted
on all days with the same settings and rounds, so its log-odds are on the scale the
calibrator saw. Large companies fit on a sample (every churn, a share of the others,
weighted back, see `fit_sample`).

Short histories (fewer than four observation days, about 8 months of events at a 90-day
horizon, or too few churns on the training days of a purged split): the learners are
compared on a quarter of the accounts held out, and calibrated on out-of-fold
predictions of four groups of accounts, every row of an account in the same group. The
model is trusted from MIN_TRUSTED_CHURNS churn examples as before; the metadata's
`selection` says which split was used.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from csops.health.calibration import Calibrator, fit_calibrator
from csops.health.design import DesignSpec, design_matrix, spec_for
from csops.health.event_windows import event_types_of
from csops.health.features import FeatureFrame
from csops.health.learners import (
    BoostedLearner,
    Learner,
    LogisticLearner,
    learner_from_json,
)
from csops.health.metrics import auc, brier

Array = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
# Fewer churn examples than this and the model is not trusted: the scorecard decides.
MIN_TRUSTED_CHURNS = 30
LOGISTIC_C = (0.01, 0.05, 0.3)
# Rows the learners are fitted on at most (see `fit_sample`).
MAX_FIT_ROWS = 150_000
LOGISTIC_FIT_ROWS = 60_000
# Calibration rows: every observation day, predicted by learners fitted on the days away
# from its run of days (see `day_folds`); a fold needs this many churns to learn from.
CALIBRATION_FOLDS = 4
MIN_FOLD_CHURNS = 10


@dataclass
class ChurnModel:
    spec: DesignSpec
    learner: Learner
    calibrator: Calibrator
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def trusted(self) -> bool:
        return bool(self.metadata.get("trusted", False))

    @property
    def event_types(self) -> list[str]:
        """The model's event vocabulary: the types of the per-type features it was trained
        on (the metadata's `event_types`), in order. A frame scored by the model needs
        their columns (`HealthData.frame(day, model.event_types)`)."""
        return event_types_of(self.spec.features)

    def matrix(self, frame: FeatureFrame) -> Array:
        return design_matrix(frame, self.spec)

    def probability(self, frame: FeatureFrame) -> Array:
        return self.calibrator.probability(self.learner.logit(self.matrix(frame)))

    def contributions(self, frame: FeatureFrame) -> Array:
        """Per design column, in log-odds (before calibration)."""
        return self.learner.contributions(self.matrix(frame))

    def to_json(self) -> dict[str, Any]:
        return {
            "metadata": self.metadata,
            "spec": self.spec.to_json(),
            "learner": self.learner.to_json(),
            "calibrator": self.calibrator.to_json(),
        }

    @staticmethod
    def from_json(d: dict[str, Any]) -> ChurnModel:
        return ChurnModel(
            DesignSpec.from_json(d["spec"]),
            learner_from_json(d["learner"]),
            Calibrator.from_json(d["calibrator"]),
            dict(d["metadata"]),
        )


def _fit_logistic(
    x: Array, y: Array, w: Array | None, valid: tuple[Array, Array]
) -> tuple[LogisticLearner, float]:
    """The logistic learner with the C that validates best, and that C."""
    learners = LogisticLearner.fit_path(x, y, LOGISTIC_C, w)
    scored = [
        (auc(m.logit(valid[0]), valid[1]) or 0.0, c, m)
        for c, m in zip(LOGISTIC_C, learners, strict=True)
    ]
    best = max(scored, key=lambda t: t[0])
    return best[2], best[1]


def fit_sample(
    y: Array, limit: int = MAX_FIT_ROWS, seed: int = 7
) -> tuple[npt.NDArray[np.int64], Array | None]:
    """Rows to fit on and their weights: every row when there are at most `limit`;
    otherwise every churned row and a random share of the others, each weighted by the
    inverse of that share (so the learners still see the real churn rate). Churn rows are
    the scarce ones; the many negatives of a large company repeat each other."""
    n = len(y)
    if n <= limit:
        return np.arange(n, dtype=np.int64), None
    positive = y == 1
    negatives = int(n - positive.sum())
    share = max(limit - int(positive.sum()), limit // 2) / max(negatives, 1)
    if share >= 1:
        return np.arange(n, dtype=np.int64), None
    rng = np.random.default_rng(seed)
    keep = positive | (rng.random(n) < share)
    idx = np.flatnonzero(keep).astype(np.int64)
    weight = np.where(positive[idx], 1.0, 1.0 / share)
    return idx, weight


def train_churn_model(
    frame: FeatureFrame, churned: Array, *, as_of: date, horizon_days: int
) -> ChurnModel:
    """Fit, choose, calibrate and refit on rows of many observation days."""
    spec = spec_for(frame)
    x = design_matrix(frame, spec)
    y = churned.astype(np.float64)
    days = np.array([d.toordinal() for d in frame.days])
    unique = sorted(set(days.tolist()))
    is_train, is_valid, valid_start = purged_split(days, horizon_days)
    meta: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "horizon_days": horizon_days,
        "observation_days": [date.fromordinal(d).isoformat() for d in unique],
        "rows": len(y),
        "churned_rows": int(y.sum()),
        "base_rate": float(y.mean()) if len(y) else None,
        "features": spec.columns,
    }
    folds = day_folds(days, horizon_days)
    if _can_select(y, is_train, is_valid):
        selection = (
            "time-ordered: train on days up to "
            f"{date.fromordinal(valid_start - horizon_days)}, validate on days from "
            f"{date.fromordinal(valid_start)}"
        )
    else:
        # No purged time split to compare the learners on (a short history, or few
        # churns): a quarter of the accounts held out instead, every day of an account on
        # the same side.
        cause = (
            f"a time-ordered split leaves {int(y[is_train].sum())} churns to train on and "
            f"{int(y[is_valid].sum())} to validate (10 and 5 needed)"
            if is_train.any()
            else f"{len(unique)} observation days are too few for a time-ordered split"
        )
        selection = f"accounts held out: {cause}, so a quarter of the accounts validates"
        is_train, is_valid = account_split(frame.account_ids)
        folds = account_folds(frame.account_ids)
    if not _can_select(y, is_train, is_valid):
        both = len(set(y.tolist())) > 1
        learner: Learner = LogisticLearner.fit(x, y, LOGISTIC_C[1]) if both else _constant(x)
        rate = min(max(float(y.mean()) if len(y) else 0.0, 1e-6), 1 - 1e-6)
        calibrator = (
            fit_calibrator(learner.logit(x), y)
            if both
            else Calibrator("sigmoid", a=0.0, b=float(np.log(rate / (1 - rate))))
        )
        meta.update(
            chosen="logistic",
            selection="none: too few churns to compare the learners on days or accounts held out",
            trusted=False,
            warning=f"only {int(y.sum())} churn examples in {len(unique)} observation days: "
            "the model is not trustworthy; the scorecard decides",
        )
        return ChurnModel(spec, learner, calibrator, meta)

    train_rows = np.flatnonzero(is_train)
    pick, w = fit_sample(y[train_rows])
    xt, yt = x[train_rows[pick]], y[train_rows[pick]]
    xv, yv = x[is_valid], y[is_valid]
    # The logistic learner has few parameters: a smaller sample chooses its C as well.
    lpick, lw = fit_sample(y[train_rows], LOGISTIC_FIT_ROWS)
    rows = train_rows[lpick]
    logistic, c = _fit_logistic(x[rows], y[rows], lw, (xv, yv))
    boosted, rounds = BoostedLearner.fit(xt, yt, valid=(xv, yv), weight=w)
    scores = {
        "logistic": _validation(logistic, xv, yv),
        "lightgbm": _validation(boosted, xv, yv),
    }
    chosen = max(scores, key=lambda k: scores[k]["auc"] or 0.0)

    def fit(rows: npt.NDArray[np.int64]) -> Learner:
        """The chosen learner, with its chosen settings, fitted on `rows` (sampled)."""
        keep, weight = fit_sample(y[rows])
        fit_rows = rows[keep]
        if chosen == "logistic":
            return LogisticLearner.fit(x[fit_rows], y[fit_rows], c, weight)
        return BoostedLearner.fit(x[fit_rows], y[fit_rows], rounds=rounds, weight=weight)[0]

    # Calibrated on out-of-time predictions of learners fitted like the final one.
    held_out = out_of_fold(fit, x, y, days, folds)
    if held_out is None:
        picked: Learner = logistic if chosen == "logistic" else boosted
        held_out = (picked.logit(xv), yv, days[is_valid])
        calibration_rows = "the validation days"
    else:
        calibration_rows = f"every observation day, predicted out of fold ({CALIBRATION_FOLDS})"
    calibrator = fit_calibrator(*held_out, shapes=chosen == "logistic")
    # The refit keeps the settings and rounds of the learners the calibrator saw, so its
    # log-odds stay on their scale (more rounds would make them more extreme).
    final = fit(np.arange(len(y), dtype=np.int64))
    meta.update(
        chosen=chosen,
        selection=selection,
        validation=scores,
        validation_rows=int(is_valid.sum()),
        validation_churned=int(yv.sum()),
        calibration=calibrator.method,
        calibration_rows=calibration_rows,
        trusted=bool(y.sum() >= MIN_TRUSTED_CHURNS),
    )
    if not meta["trusted"]:
        meta["warning"] = (
            f"only {int(y.sum())} churn examples (< {MIN_TRUSTED_CHURNS}): "
            "the model is not trustworthy; the scorecard decides"
        )
    return ChurnModel(spec, final, calibrator, meta)


def purged_split(days: npt.NDArray[np.int64], horizon_days: int) -> tuple[Mask, Mask, int]:
    """The time-ordered split of rows observed on `days` (ordinals): the latest quarter of
    the distinct days validates; only days at least `horizon_days` before the first of
    them train, so no training label looks into the validation period. Returns the
    training mask, the validation mask and the first validation day's ordinal."""
    unique = sorted(set(days.tolist()))
    n_valid = max(1, round(len(unique) / 4))
    valid_start = unique[-n_valid] if unique else 0
    return days <= valid_start - horizon_days, days >= valid_start, valid_start


def _can_select(y: Array, is_train: Mask, is_valid: Mask) -> bool:
    """Enough churns on both sides of a split to compare the learners on it."""
    return bool(is_train.any() and y[is_train].sum() >= 10 and y[is_valid].sum() >= 5)


def account_groups(
    account_ids: Sequence[str], folds: int = CALIBRATION_FOLDS
) -> npt.NDArray[np.int64]:
    """Each account's group 0..folds-1, by a stable hash of its id."""
    hashes = (zlib.crc32(a.encode()) % folds for a in account_ids)
    return np.fromiter(hashes, dtype=np.int64, count=len(account_ids))


def account_split(account_ids: Sequence[str]) -> tuple[Mask, Mask]:
    """Training and validation masks that hold out one group of accounts (see
    `account_groups`), every row of an account on the same side."""
    group = account_groups(account_ids)
    return group != 0, group == 0


def day_folds(days: npt.NDArray[np.int64], horizon_days: int) -> list[tuple[Mask, Mask]] | None:
    """(rows predicted, rows fitted on) per fold of a purged time split: the observation
    days cut into CALIBRATION_FOLDS runs, each fitted on the days more than `horizon_days`
    away from it (on both sides, so no training label overlaps the run's outcomes). None
    with fewer days than folds."""
    unique = np.array(sorted(set(days.tolist())), dtype=np.int64)
    if len(unique) < CALIBRATION_FOLDS:
        return None
    return [
        (
            (days >= run[0]) & (days <= run[-1]),
            (days <= run[0] - horizon_days) | (days >= run[-1] + horizon_days),
        )
        for run in np.array_split(unique, CALIBRATION_FOLDS)
    ]


def account_folds(account_ids: Sequence[str]) -> list[tuple[Mask, Mask]]:
    """(rows predicted, rows fitted on) per group of accounts (see `account_groups`)."""
    group = account_groups(account_ids)
    return [(group == k, group != k) for k in range(CALIBRATION_FOLDS)]


def out_of_fold(
    fit: Callable[[npt.NDArray[np.int64]], Learner],
    x: Array,
    y: Array,
    days: npt.NDArray[np.int64],
    folds: list[tuple[Mask, Mask]] | None,
) -> tuple[Array, Array, npt.NDArray[np.int64]] | None:
    """Log-odds of every row from a learner that did not see it: each fold's rows are
    predicted by `fit` on that fold's training rows. None when a fold has too few churns
    to learn from (short histories): the caller falls back to the validation rows."""
    if folds is None:
        return None
    logit = np.empty(len(y))
    for inside, away in folds:
        if y[away].sum() < MIN_FOLD_CHURNS or y[away].sum() == away.sum():
            return None
        learner = fit(np.flatnonzero(away).astype(np.int64))
        logit[inside] = learner.logit(x[inside])
    return logit, y, days


def _validation(learner: Learner, x: Array, y: Array) -> dict[str, float | None]:
    logit = learner.logit(x)
    return {"auc": auc(logit, y), "brier_uncalibrated": brier(1 / (1 + np.exp(-logit)), y)}


def _constant(x: Array) -> LogisticLearner:
    p = x.shape[1]
    z = np.zeros(p)
    return LogisticLearner(
        z, np.zeros(p, dtype=bool), np.zeros(p, dtype=bool), z, np.ones(p), z, 0.0
    )


def observation_days(first_day: date, last_day: date, step_days: int = 30) -> list[date]:
    """Training observation days: every `step_days` back from `last_day`, not before
    `first_day`, oldest first."""
    days: list[date] = []
    d = last_day
    while d >= first_day:
        days.append(d)
        d -= timedelta(days=step_days)
    return sorted(days)
