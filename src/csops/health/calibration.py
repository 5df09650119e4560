"""Raw log-odds -> probability, fitted on out-of-time predictions.

Platt's sigmoid corrects the scale and offset of a learner's log-odds (class weighting,
subsampling, a different churn rate): enough for LightGBM, whose trees already fit the
shape of the risk. A logistic regression's log-odds are linear in the features, so when
the risk is not, its log-odds are bent against the truth and no sigmoid of them is
calibrated in the middle of the table. For it (`shapes=True`) two more candidates are
compared on held-out days: a logistic regression on a restricted cubic spline of the
log-odds (four parameters, linear beyond its outer knots like the sigmoid) and isotonic
regression (any monotone shape, but steps: it needs many churns, and its ties cost AUC).

Why not the flexible candidates for LightGBM too: they are fitted on the predictions of
learners trained on part of the history (see model.py), which are noisier than the final
one, and bend to that noise; on the demo company they under-predicted the riskiest tenth
of accounts by a sixth, where the sigmoid was within the bins' noise.
Stored as plain numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

Array = npt.NDArray[np.float64]
# Churns needed in each half of the calibration rows to consider the flexible candidates.
SPLINE_MIN_POSITIVES = 100
ISOTONIC_MIN_POSITIVES = 500
# The spline's knots: quantiles of the log-odds.
SPLINE_KNOTS = (0.05, 0.35, 0.65, 0.95)
# No probability is exactly 0 or 1: a calibration sample cannot prove certainty.
FLOOR = 0.001


@dataclass(frozen=True)
class Calibrator:
    method: str  # "sigmoid" | "spline" | "isotonic"
    xs: tuple[float, ...] = ()  # isotonic: thresholds; spline: knots
    ys: tuple[float, ...] = ()  # isotonic: values; spline: coefficients of the basis
    a: float = 1.0
    b: float = 0.0

    def probability(self, logit: Array) -> Array:
        if self.method == "isotonic":
            p = np.interp(logit, np.array(self.xs), np.array(self.ys))
        elif self.method == "spline":
            z = spline_basis(logit, np.array(self.xs)) @ np.array(self.ys) + self.b
            p = 1.0 / (1.0 + np.exp(-z))
        else:
            p = 1.0 / (1.0 + np.exp(-(self.a * logit + self.b)))
        return np.asarray(np.clip(p, FLOOR, 1.0 - FLOOR), dtype=np.float64)

    def to_json(self) -> dict[str, Any]:
        return {"method": self.method, "xs": self.xs, "ys": self.ys, "a": self.a, "b": self.b}

    @staticmethod
    def from_json(d: dict[str, Any]) -> Calibrator:
        return Calibrator(d["method"], tuple(d["xs"]), tuple(d["ys"]), float(d["a"]), float(d["b"]))


def _isotonic(logit: Array, y: Array) -> Calibrator:
    iso = IsotonicRegression(out_of_bounds="clip", y_min=FLOOR, y_max=1.0 - FLOOR)
    iso.fit(logit, y)
    return Calibrator(
        "isotonic",
        tuple(float(v) for v in iso.X_thresholds_),
        tuple(float(v) for v in iso.y_thresholds_),
    )


def spline_basis(z: Array, knots: Array) -> Array:
    """Restricted cubic spline basis (Harrell): z itself and len(knots) - 2 cubic terms,
    linear beyond the outer knots."""
    t = knots
    scale = float(t[-1] - t[0]) ** 2 or 1.0
    columns = [z]
    for j in range(len(t) - 2):
        cubic = np.maximum(z - t[j], 0) ** 3
        cubic -= np.maximum(z - t[-2], 0) ** 3 * (t[-1] - t[j]) / (t[-1] - t[-2])
        cubic += np.maximum(z - t[-1], 0) ** 3 * (t[-2] - t[j]) / (t[-1] - t[-2])
        columns.append(cubic / scale)
    return np.column_stack(columns)


def _spline(logit: Array, y: Array) -> Calibrator | None:
    """The spline calibrator, or None when it is not increasing over the data (a
    calibration curve that falls would reorder accounts)."""
    knots = np.quantile(logit, SPLINE_KNOTS)
    if len(np.unique(knots)) < len(knots):
        return None
    lr = LogisticRegression(C=1e4, max_iter=1000)
    lr.fit(spline_basis(logit, knots), y)
    found = Calibrator(
        "spline",
        tuple(float(k) for k in knots),
        tuple(float(c) for c in lr.coef_[0]),
        b=float(lr.intercept_[0]),
    )
    grid = np.linspace(float(logit.min()), float(logit.max()), 200)
    raw = spline_basis(grid, knots) @ np.array(found.ys)
    return found if bool(np.all(np.diff(raw) > -1e-9)) else None


def _log_loss(p: Array, y: Array) -> float:
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def fit_calibrator(
    logit: Array, y: Array, days: npt.NDArray[np.int64] | None = None, shapes: bool = False
) -> Calibrator:
    """The sigmoid; with `shapes`, the candidate with the lowest log loss on the later
    half of the days when fitted on the earlier half (the sigmoid on ties, and alone
    without enough churns in each half for the others), refitted on all rows."""
    sigmoid = fit_calibrator_sigmoid(logit, y)
    if not shapes or days is None or len(set(days.tolist())) < 2:
        return sigmoid
    unique = sorted(set(days.tolist()))
    late = days >= unique[len(unique) // 2]
    churns = min(y[~late].sum(), y[late].sum())
    if churns < SPLINE_MIN_POSITIVES:
        return sigmoid
    early_fits: dict[str, Calibrator | None] = {
        "sigmoid": fit_calibrator_sigmoid(logit[~late], y[~late]),
        "spline": _spline(logit[~late], y[~late]),
        "isotonic": _isotonic(logit[~late], y[~late]) if churns >= ISOTONIC_MIN_POSITIVES else None,
    }
    losses = {
        k: _log_loss(c.probability(logit[late]), y[late])
        for k, c in early_fits.items()
        if c is not None
    }
    best = min(losses, key=lambda k: (losses[k], k != "sigmoid"))
    if best == "spline":
        return _spline(logit, y) or sigmoid
    if best == "isotonic":
        return _isotonic(logit, y)
    return sigmoid


def fit_calibrator_sigmoid(score: Array, y: Array) -> Calibrator:
    """Platt scaling: probability = 1 / (1 + exp(-(a * score + b)))."""
    logit = score
    lr = LogisticRegression(C=1e6, max_iter=1000)
    lr.fit(logit.reshape(-1, 1), y)
    return Calibrator("sigmoid", a=float(lr.coef_[0][0]), b=float(lr.intercept_[0]))
