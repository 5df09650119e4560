"""Expansion likelihood: learned from the company's own history when there is enough of it,
else rules. Which one was used is always stated (`Scorer.method`).

Learning: at monthly training dates t (each at least `horizon_days` before D, so every
outcome is known on D), the signals are computed exactly as they were knowable on t, and
the label is whether the account's MRR or seats rose within (t, t + horizon] according to
the lines as known on D. A logistic regression over the signal values (standardised)
gives a probability. With fewer than `min_positive_examples` expansions, rules instead:
likelihood = 1 - (1 - base_rate) x product over fired signals of (1 - weight).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from csops.department.expansion.config import SIGNALS, ExpansionConfig
from csops.department.expansion.lines import Line, outcome
from csops.department.expansion.signals import FEATURES, Assessment, features


@dataclass(frozen=True)
class TrainingSet:
    rows: list[list[float]]
    labels: list[bool]
    dates: list[date]

    @property
    def positives(self) -> int:
        return sum(self.labels)


def training_set(
    snapshots: Sequence[tuple[date, Sequence[Assessment]]],
    lines_on_d: Mapping[str, Sequence[Line]],
    horizon_days: int,
) -> TrainingSet:
    rows, labels, dates = [], [], []
    for t, assessments in snapshots:
        for a in assessments:
            lines = lines_on_d.get(a.facts.account_id, ())
            rows.append(features(a))
            labels.append(outcome(lines, t, horizon_days).expanded)
            dates.append(t)
    return TrainingSet(rows, labels, dates)


@dataclass(frozen=True)
class Scorer:
    method: str  # "learned" | "rules"
    base_rate: float  # the historical expansion rate (learned) or the configured one (rules)
    examples: int
    positives: int
    flag_threshold: float
    model: Any = None
    weights: Mapping[str, float] | None = None

    def score(self, assessments: Sequence[Assessment]) -> list[float]:
        if not assessments:
            return []
        if self.model is not None:
            matrix = np.array([features(a) for a in assessments], dtype=float)
            return [float(p) for p in self.model.predict_proba(matrix)[:, 1]]
        weights = self.weights or {}
        result = []
        for a in assessments:
            keep = 1.0 - self.base_rate
            for s in a.signals:
                keep *= 1.0 - weights.get(s.signal, 0.1)
            result.append(1.0 - keep)
        return result

    def describe(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "method": self.method,
            "base_rate": round(self.base_rate, 4),
            "training_examples": self.examples,
            "training_positives": self.positives,
            "flag_threshold": round(self.flag_threshold, 4),
        }
        if self.model is not None:
            coefs = self.model[-1].coef_[0]
            doc["coefficients"] = {
                n: round(float(c), 4) for n, c in zip(FEATURES, coefs, strict=True)
            }
        return doc


def fit_scorer(data: TrainingSet, config: ExpansionConfig) -> Scorer:
    settings = config.likelihood
    negatives = len(data.labels) - data.positives
    if data.positives >= settings.min_positive_examples and negatives >= 10:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        model = make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=1000))
        model.fit(np.array(data.rows, dtype=float), np.array(data.labels, dtype=bool))
        base = data.positives / len(data.labels)
        return Scorer("learned", base, len(data.labels), data.positives, _flag(base, config), model)
    weights = {name: settings.weight(name) for name in SIGNALS}
    base = settings.base_rate
    return Scorer(
        "rules", base, len(data.labels), data.positives, _flag(base, config), weights=weights
    )


def _flag(base: float, config: ExpansionConfig) -> float:
    setting = config.flag.min_likelihood
    if setting != "auto":
        return float(setting)
    return min(0.95, base * config.flag.lift_over_base)
