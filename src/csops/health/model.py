"""The churn model: chosen between logistic regression and LightGBM by a time-ordered
backtest on the company's own history, then calibrated.

Training rows are (account, observation day) pairs. The latest quarter of observation
days is the validation period; the training period ends `horizon` days before it starts,
so no training label looks into the validation period (a purged split). Both learners
fit the training period; the one with the higher validation AUC wins; its calibrator is
fitted on its validation predictions (out of time); finally it is refitted on all days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from csops.health.calibration import Calibrator, fit_calibrator
from csops.health.design import DesignSpec, design_matrix, spec_for
from csops.health.features import FeatureFrame
from csops.health.learners import (
    BoostedLearner,
    Learner,
    LogisticLearner,
    learner_from_json,
)
from csops.health.metrics import auc, brier

Array = npt.NDArray[np.float64]
# Fewer churn examples than this and the model is not trusted: the scorecard decides.
MIN_TRUSTED_CHURNS = 30
LOGISTIC_C = (0.01, 0.05, 0.3)


@dataclass
class ChurnModel:
    spec: DesignSpec
    learner: Learner
    calibrator: Calibrator
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def trusted(self) -> bool:
        return bool(self.metadata.get("trusted", False))

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


def _fit_logistic(x: Array, y: Array, valid: tuple[Array, Array] | None) -> LogisticLearner:
    if valid is None:
        return LogisticLearner.fit(x, y, LOGISTIC_C[1])
    best: tuple[float, LogisticLearner] | None = None
    for c in LOGISTIC_C:
        candidate = LogisticLearner.fit(x, y, c)
        score = auc(candidate.logit(valid[0]), valid[1]) or 0.0
        if best is None or score > best[0]:
            best = (score, candidate)
    assert best is not None
    return best[1]


def train_churn_model(
    frame: FeatureFrame, churned: Array, *, as_of: date, horizon_days: int
) -> ChurnModel:
    """Fit, choose, calibrate and refit on rows of many observation days."""
    spec = spec_for(frame)
    x = design_matrix(frame, spec)
    y = churned.astype(np.float64)
    days = np.array([d.toordinal() for d in frame.days])
    unique = sorted(set(days.tolist()))
    n_valid = max(1, round(len(unique) / 4))
    valid_start = unique[-n_valid] if unique else 0
    is_valid = days >= valid_start
    is_train = days <= valid_start - horizon_days
    meta: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "horizon_days": horizon_days,
        "observation_days": [date.fromordinal(d).isoformat() for d in unique],
        "rows": len(y),
        "churned_rows": int(y.sum()),
        "base_rate": float(y.mean()) if len(y) else None,
        "features": spec.columns,
    }
    can_select = is_train.sum() > 0 and y[is_train].sum() >= 10 and y[is_valid].sum() >= 5
    if not can_select:
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
            selection="none: too little history for a time-ordered split",
            trusted=False,
            warning=f"only {int(y.sum())} churn examples in {len(unique)} observation days: "
            "the model is not trustworthy; the scorecard decides",
        )
        return ChurnModel(spec, learner, calibrator, meta)

    xt, yt, xv, yv = x[is_train], y[is_train], x[is_valid], y[is_valid]
    logistic = _fit_logistic(xt, yt, (xv, yv))
    boosted, rounds = BoostedLearner.fit(xt, yt, valid=(xv, yv))
    scores = {
        "logistic": _validation(logistic, xv, yv),
        "lightgbm": _validation(boosted, xv, yv),
    }
    chosen = max(scores, key=lambda k: scores[k]["auc"] or 0.0)
    picked: Learner = logistic if chosen == "logistic" else boosted
    calibrator = fit_calibrator(picked.logit(xv), yv, days[is_valid])
    final: Learner
    if chosen == "logistic":
        assert isinstance(logistic, LogisticLearner)
        final = _fit_logistic(x, y, None)
    else:
        scale = len(y) / max(len(yt), 1)
        final, _ = BoostedLearner.fit(x, y, rounds=max(20, int(rounds * min(scale, 1.3))))
    meta.update(
        chosen=chosen,
        selection="time-ordered: train on days up to "
        f"{date.fromordinal(valid_start - horizon_days)}, validate on days from "
        f"{date.fromordinal(valid_start)}",
        validation=scores,
        validation_rows=int(is_valid.sum()),
        validation_churned=int(yv.sum()),
        calibration=calibrator.method,
        trusted=bool(y.sum() >= MIN_TRUSTED_CHURNS),
    )
    if not meta["trusted"]:
        meta["warning"] = (
            f"only {int(y.sum())} churn examples (< {MIN_TRUSTED_CHURNS}): "
            "the model is not trustworthy; the scorecard decides"
        )
    return ChurnModel(spec, final, calibrator, meta)


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
