"""Scorecard weights fitted to outcomes.

Each measure's "shortfall" (100 - points) / 100 on past observation days is regressed on
whether the account churned within the horizon, with weights forced to be >= 0 (a
measure can only lower health) and both classes weighted equally. A missing measure
counts as no shortfall, the same as the scorecard re-weighting it away. The coefficients
become the measure weights; a group's weight is the sum of its measures'. Measures,
scales and bands stay as the CS ops person wrote them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LinearRegression

from csops.health.features import FeatureFrame
from csops.health.scorecard import Scorecard, score

Array = npt.NDArray[np.float64]


def fitted_weights(
    card: Scorecard, frames: Sequence[FeatureFrame], churned: Sequence[Array]
) -> dict[str, dict[str, float]]:
    """{group: {feature: weight}} fitted on one frame (one day's cohort) per entry."""
    features = [m.feature for m in card.measures()]
    shortfall = []
    for frame in frames:
        points = score(card, frame).measure_points
        shortfall.append(
            np.column_stack([(100.0 - np.nan_to_num(points[f], nan=100.0)) / 100 for f in features])
        )
    x = np.vstack(shortfall)
    y = np.concatenate(churned)
    pos = max(float(y.sum()), 1.0)
    neg = max(float(len(y) - y.sum()), 1.0)
    weight = np.where(y == 1, len(y) / (2 * pos), len(y) / (2 * neg))
    reg = LinearRegression(positive=True)
    reg.fit(x, y, sample_weight=weight)
    coef = dict(zip(features, reg.coef_.tolist(), strict=True))
    return {g.name: {m.feature: float(coef[m.feature]) for m in g.measures} for g in card.groups}


def with_weights(raw: dict[str, Any], weights: dict[str, dict[str, float]]) -> dict[str, Any]:
    """The scorecard document `raw` with fitted weights, rounded for people: group weights
    as points out of 100, measure weights out of 10 within their group (a measure the fit
    found useless gets 0 and stays listed, so a person can see it and decide)."""
    total = sum(sum(ms.values()) for ms in weights.values()) or 1.0
    out = dict(raw)
    groups = {}
    for name, group in raw["groups"].items():
        ms = weights.get(name, {})
        group_sum = sum(ms.values())
        measures = []
        for m in group["measures"]:
            w = ms.get(m["feature"], 0.0)
            measures.append({**m, "weight": round(10 * w / group_sum, 1) if group_sum else 0})
        groups[name] = {**group, "weight": round(100 * group_sum / total), "measures": measures}
    out["groups"] = groups
    return out
