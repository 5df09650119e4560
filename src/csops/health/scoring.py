"""One day's health for every active account: churn probability (model), health score and
band (scorecard), and the top signals behind them. Pure: features, model and scorecard in,
rows out.

When the model is not trusted (too few churn examples) the scorecard decides: the churn
probability then comes from the scorecard score through the calibrator fitted on it, and
the signals are the scorecard measures that cost the most points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from csops.health.calibration import Calibrator
from csops.health.explain import Signal, top_signals
from csops.health.features import FeatureFrame
from csops.health.model import ChurnModel
from csops.health.scorecard import Scorecard, ScorecardResult, score

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class AccountHealth:
    account_id: str
    churn_probability: float
    health_score: float | None
    band: str
    model_band: str
    top_signals: list[Signal]
    scorecard_signals: list[Signal]

    def to_json(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "churn_probability": round(self.churn_probability, 4),
            "health_score": None if self.health_score is None else round(self.health_score, 1),
            "band": self.band,
            "model_band": self.model_band,
            "top_signals": [s.to_json() for s in self.top_signals],
            "scorecard_signals": [s.to_json() for s in self.scorecard_signals],
        }


def model_band(card: Scorecard, probability: float) -> str:
    if probability >= card.bands.red_probability:
        return "red"
    return "green" if probability < card.bands.green_probability else "yellow"


def score_day(
    frame: FeatureFrame,
    model: ChurnModel,
    card: Scorecard,
    day: date,
    limit: int = 5,
) -> list[AccountHealth]:
    """Health of every account in `frame` (all active accounts of one day: the scorecard's
    percentiles are relative to that cohort)."""
    if len(frame) == 0:
        return []
    card_result = score(card, frame)
    probability = model.probability(frame)
    fallback = model.metadata.get("scorecard_calibrator")
    if not model.trusted and isinstance(fallback, dict):
        probability = Calibrator.from_json(fallback).probability(scorecard_risk(card_result))
    contributions = model.contributions(frame)
    matrix = model.matrix(frame)
    columns = model.spec.columns
    rows: list[AccountHealth] = []
    for i, account in enumerate(frame.account_ids):
        features = frame.row(i)
        card_signals = scorecard_signals(card_result, i, features, day, limit)
        health = card_result.score[i]
        health_score = None if math.isnan(health) else float(health)
        signals = card_signals
        if model.trusted:
            design_row = {**features, **dict(zip(columns, matrix[i].tolist(), strict=True))}
            signals = top_signals(columns, contributions[i].tolist(), design_row, day, limit)
        rows.append(
            AccountHealth(
                account_id=account,
                churn_probability=float(probability[i]),
                health_score=health_score,
                band=card.bands.band(health_score) if health_score is not None else "yellow",
                model_band=model_band(card, float(probability[i])),
                top_signals=signals,
                scorecard_signals=card_signals,
            )
        )
    return rows


def scorecard_signals(
    result: ScorecardResult, i: int, row: dict[str, float], day: date, limit: int
) -> list[Signal]:
    names = list(result.points_lost)
    lost = [float(result.points_lost[f][i]) for f in names]
    return [s for s in top_signals(names, lost, row, day, limit) if s.contribution > 0]


def scorecard_risk(result: ScorecardResult) -> Array:
    """Higher = riskier, for ranking metrics: 100 - score (missing = the middle)."""
    return 100.0 - np.where(np.isnan(result.score), 50.0, result.score)
