"""Raw log-odds -> probability, fitted on out-of-time predictions.

Platt's sigmoid (two parameters) or isotonic (enough churn examples to shape a curve),
chosen out of time. Stored as plain numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

Array = npt.NDArray[np.float64]
ISOTONIC_MIN_POSITIVES = 80
# No probability is exactly 0 or 1: a calibration sample cannot prove certainty.
FLOOR = 0.001


@dataclass(frozen=True)
class Calibrator:
    method: str  # "isotonic" | "sigmoid"
    xs: tuple[float, ...] = ()
    ys: tuple[float, ...] = ()
    a: float = 1.0
    b: float = 0.0

    def probability(self, logit: Array) -> Array:
        if self.method == "isotonic":
            p = np.interp(logit, np.array(self.xs), np.array(self.ys))
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


def fit_calibrator(logit: Array, y: Array, days: npt.NDArray[np.int64] | None = None) -> Calibrator:
    """Sigmoid or isotonic, chosen by a time-ordered split of the calibration rows: both
    are fitted on the earlier half of the days and the one with the lower Brier score on
    the later half wins (isotonic only with ISOTONIC_MIN_POSITIVES churns); the winner is
    then refitted on all rows."""
    if y.sum() < ISOTONIC_MIN_POSITIVES:
        return fit_calibrator_sigmoid(logit, y)
    if days is not None and len(set(days.tolist())) >= 2:
        unique = sorted(set(days.tolist()))
        late = days >= unique[len(unique) // 2]
        if y[~late].sum() > 0 and y[late].sum() > 0:
            candidates = {
                "isotonic": _isotonic(logit[~late], y[~late]),
                "sigmoid": fit_calibrator_sigmoid(logit[~late], y[~late]),
            }
            briers = {
                k: float(np.mean((c.probability(logit[late]) - y[late]) ** 2))
                for k, c in candidates.items()
            }
            if briers["sigmoid"] <= briers["isotonic"]:
                return fit_calibrator_sigmoid(logit, y)
    return _isotonic(logit, y)


def fit_calibrator_sigmoid(score: Array, y: Array) -> Calibrator:
    """Platt scaling: probability = 1 / (1 + exp(-(a * score + b)))."""
    logit = score
    lr = LogisticRegression(C=1e6, max_iter=1000)
    lr.fit(logit.reshape(-1, 1), y)
    return Calibrator("sigmoid", a=float(lr.coef_[0][0]), b=float(lr.intercept_[0]))
