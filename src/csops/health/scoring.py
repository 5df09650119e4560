"""One day's health for every active account: churn probability (model), health score and
band (scorecard), and the top signals behind them. Pure: features, model and scorecard in,
rows out.

Probabilities, scores and bands are computed for every account at once. The signals are
worked out when first asked for, a block of accounts at a time: exact contributions
(tree SHAP) cost more than everything else together, and a renewal forecast or a report
of the ten riskiest accounts needs none or few of them. Which signals to show is chosen
with numpy over a block's contribution matrix; only those are put into words.

When the model is not trusted (too few churn examples) the scorecard decides: the churn
probability then comes from the scorecard score through the calibrator fitted on it, and
the signals are the scorecard measures that cost the most points.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from csops.health.calibration import Calibrator
from csops.health.explain import Picks, Signal, SignalGroups
from csops.health.features import FeatureFrame
from csops.health.model import ChurnModel
from csops.health.scorecard import Scorecard, ScorecardResult, score

Array = npt.NDArray[np.float64]
# Accounts whose signals are chosen together (see the module docstring): large enough
# that numpy's per-call overhead does not matter, small enough that explaining a few
# accounts (a report's riskiest ten) does not cost the whole company's.
BLOCK = 16_384


class RowView(Mapping[str, float]):
    """One account's values by name: its features, and its category levels as the model's
    one-hot columns ("plan=Pro" is 1.0 or 0.0). What `describe` reads, without a dict per
    account."""

    def __init__(self, frame: FeatureFrame, index: dict[str, int], i: int) -> None:
        self._row = frame.values[i]
        self._index = index
        self._categories = frame.categories
        self._i = i

    def get(self, key: str, default: Any = None) -> Any:
        j = self._index.get(key)
        if j is not None:
            return self._row[j].item()
        category, _, level = key.partition("=")
        levels = self._categories.get(category) if level else None
        if levels is not None:
            return 1.0 if levels[self._i] == level else 0.0
        return default

    def __getitem__(self, key: str) -> float:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return float(value)

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


class DayExplanations:
    """The signals of every account of one day, by row: chosen a block of accounts at a
    time (numpy), put into words one account at a time."""

    def __init__(
        self,
        frame: FeatureFrame,
        model: ChurnModel,
        card_result: ScorecardResult,
        day: date,
        limit: int,
    ) -> None:
        self.frame = frame
        self.model = model
        self.card_result = card_result
        self.day = day
        self.limit = limit
        self._index = {n: j for j, n in enumerate(frame.names)}
        self._model_names = model.spec.columns
        self._model_groups = SignalGroups.of(self._model_names)
        self._card_names = list(card_result.points_lost)
        self._card_groups = SignalGroups.of(self._card_names)
        self._model_picks: dict[int, Picks] = {}
        self._card_picks: dict[int, Picks] = {}

    def model_signals(self, i: int) -> list[Signal]:
        block, k = divmod(i, BLOCK)
        if block not in self._model_picks:
            rows = self._rows(block)
            sub = _take(self.frame, rows)
            contributions = self.model.contributions(sub)
            self._model_picks[block] = self._model_groups.pick(contributions, self.limit)
        picks = self._model_picks[block]
        return picks.signals(k, self._model_names, RowView(self.frame, self._index, i), self.day)

    def card_signals(self, i: int) -> list[Signal]:
        block, k = divmod(i, BLOCK)
        if block not in self._card_picks:
            rows = self._rows(block)
            lost = self.card_result.points_lost
            matrix = np.column_stack([lost[f][rows.start : rows.stop] for f in self._card_names])
            self._card_picks[block] = self._card_groups.pick(matrix, self.limit, True)
        picks = self._card_picks[block]
        return picks.signals(k, self._card_names, RowView(self.frame, self._index, i), self.day)

    def _rows(self, block: int) -> range:
        return range(block * BLOCK, min((block + 1) * BLOCK, len(self.frame)))


def _take(frame: FeatureFrame, rows: range) -> FeatureFrame:
    part = slice(rows.start, rows.stop)
    return FeatureFrame(
        frame.account_ids[part],
        frame.days[part],
        frame.names,
        frame.values[part],
        {k: v[part] for k, v in frame.categories.items()},
    )


@dataclass(frozen=True)
class AccountHealth:
    account_id: str
    churn_probability: float
    health_score: float | None
    band: str
    model_band: str
    explanations: DayExplanations = field(repr=False, compare=False)
    row: int = field(repr=False, compare=False)
    model_decides: bool = field(default=True, repr=False, compare=False)

    @cached_property
    def scorecard_signals(self) -> list[Signal]:
        return self.explanations.card_signals(self.row)

    @cached_property
    def top_signals(self) -> list[Signal]:
        if not self.model_decides:
            return self.scorecard_signals
        return self.explanations.model_signals(self.row)

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


def model_bands(card: Scorecard, probability: Array) -> npt.NDArray[np.str_]:
    """`model_band` of every probability."""
    return np.where(
        probability >= card.bands.red_probability,
        "red",
        np.where(probability < card.bands.green_probability, "green", "yellow"),
    )


def card_bands(card: Scorecard, health: Array) -> npt.NDArray[np.str_]:
    """The scorecard band of every health score; no score at all is yellow."""
    return np.where(
        np.isnan(health),
        "yellow",
        np.where(
            health >= card.bands.green,
            "green",
            np.where(health >= card.bands.yellow, "yellow", "red"),
        ),
    )


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
    probability = churn_probability(model, frame, card_result)
    explanations = DayExplanations(frame, model, card_result, day, limit)
    health = card_result.score
    bands = card_bands(card, health).tolist()
    by_model = model_bands(card, probability).tolist()
    scores = [None if np.isnan(h) else h for h in health.tolist()]
    return [
        AccountHealth(
            account_id=account,
            churn_probability=p,
            health_score=h,
            band=b,
            model_band=m,
            explanations=explanations,
            row=i,
            model_decides=model.trusted,
        )
        for i, (account, p, h, b, m) in enumerate(
            zip(frame.account_ids, probability.tolist(), scores, bands, by_model, strict=True)
        )
    ]


def churn_probability(model: ChurnModel, frame: FeatureFrame, card: ScorecardResult) -> Array:
    """The churn probability of every account of `frame`: the model's, or, when the model
    is not trusted, the scorecard's through the calibrator fitted on it."""
    fallback = model.metadata.get("scorecard_calibrator")
    if not model.trusted and isinstance(fallback, dict):
        return Calibrator.from_json(fallback).probability(scorecard_risk(card))
    return model.probability(frame)


def scorecard_risk(result: ScorecardResult) -> Array:
    """Higher = riskier, for ranking metrics: 100 - score (missing = the middle)."""
    return 100.0 - np.where(np.isnan(result.score), 50.0, result.score)
