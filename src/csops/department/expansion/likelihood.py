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

import importlib
import threading
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from csops.department.expansion.config import SIGNALS, ExpansionConfig
from csops.department.expansion.signals import FEATURES


@dataclass(frozen=True)
class TrainingSet:
    rows: Sequence[Sequence[float]] | npt.NDArray[np.float64]  # FEATURES per example
    labels: Sequence[bool] | npt.NDArray[np.bool_]
    dates: Sequence[date]

    @property
    def positives(self) -> int:
        return int(np.sum(np.asarray(self.labels, dtype=bool)))


def training_set(
    parts: Sequence[tuple[date, npt.NDArray[np.float64], npt.NDArray[np.bool_]]],
) -> TrainingSet:
    """The examples of every training date: (t, features, expanded within the horizon)."""
    if not parts:
        return TrainingSet(np.zeros((0, len(FEATURES))), np.zeros(0, dtype=bool), [])
    return TrainingSet(
        np.vstack([rows for _, rows, _ in parts]),
        np.concatenate([labels for _, _, labels in parts]),
        [t for t, rows, _ in parts for _ in range(len(rows))],
    )


@dataclass(frozen=True)
class LogisticModel:
    """A fitted standardised logistic regression, kept as its numbers: scoring needs only
    numpy (no scikit-learn import) and the model file is plain JSON."""

    mean: tuple[float, ...]  # per feature, of the training rows
    scale: tuple[float, ...]  # per feature (1 where the feature never varied)
    coef: tuple[float, ...]
    intercept: float

    def predict(self, features: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        z = ((features - np.asarray(self.mean)) / np.asarray(self.scale)) @ np.asarray(
            self.coef
        ) + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)


@dataclass(frozen=True)
class Scorer:
    method: str  # "learned" | "rules"
    base_rate: float  # the historical expansion rate (learned) or the configured one (rules)
    examples: int
    positives: int
    flag_threshold: float
    model: LogisticModel | None = None
    weights: Mapping[str, float] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "base_rate": self.base_rate,
            "examples": self.examples,
            "positives": self.positives,
            "flag_threshold": self.flag_threshold,
            "features": list(FEATURES),
            "model": None if self.model is None else asdict(self.model),
            "weights": None if self.weights is None else dict(self.weights),
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Scorer:
        if list(doc["features"]) != list(FEATURES):
            raise ValueError("the stored expansion model was trained on other features")
        model = doc["model"]
        return cls(
            method=str(doc["method"]),
            base_rate=float(doc["base_rate"]),
            examples=int(doc["examples"]),
            positives=int(doc["positives"]),
            flag_threshold=float(doc["flag_threshold"]),
            model=None
            if model is None
            else LogisticModel(
                tuple(model["mean"]),
                tuple(model["scale"]),
                tuple(model["coef"]),
                float(model["intercept"]),
            ),
            weights=doc["weights"],
        )

    def score(
        self,
        features: npt.NDArray[np.float64],
        fired: Mapping[str, Sequence[bool] | npt.NDArray[np.bool_]],
    ) -> npt.NDArray[np.float64]:
        """Likelihoods from the model inputs (`FEATURES`, one row per account) or, with
        the rules, from which signals fired (a mask per signal)."""
        if len(features) == 0:
            return np.zeros(0)
        if self.model is not None:
            return self.model.predict(np.asarray(features, dtype=np.float64))
        weights = self.weights or {}
        keep = np.full(len(features), 1.0 - self.base_rate)
        for name in SIGNALS:  # the order signals are listed in, as the product is taken
            if name in fired:
                keep = np.where(
                    np.asarray(fired[name]), keep * (1.0 - weights.get(name, 0.1)), keep
                )
        return 1.0 - keep

    def describe(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "method": self.method,
            "base_rate": round(self.base_rate, 4),
            "training_examples": self.examples,
            "training_positives": self.positives,
            "flag_threshold": round(self.flag_threshold, 4),
        }
        if self.model is not None:
            doc["coefficients"] = {
                n: round(float(c), 4) for n, c in zip(FEATURES, self.model.coef, strict=True)
            }
        return doc


_LEARNER_MODULES = ("sklearn.linear_model", "sklearn.pipeline", "sklearn.preprocessing")
_preload: threading.Thread | None = None


def _import_learner() -> None:
    for name in _LEARNER_MODULES:
        importlib.import_module(name)


def preload_learner() -> None:
    """Start importing scikit-learn (about two seconds) in the background, so that it
    overlaps the SQL that comes before the fit (DuckDB releases the GIL). Harmless when
    the rules are used in the end; `fit_scorer` waits for it before importing."""
    global _preload
    if _preload is None:
        _preload = threading.Thread(target=_import_learner, name="sklearn-import", daemon=True)
        _preload.start()


def fit_scorer(data: TrainingSet, config: ExpansionConfig) -> Scorer:
    settings = config.likelihood
    negatives = len(data.labels) - data.positives
    if data.positives >= settings.min_positive_examples and negatives >= 10:
        if _preload is not None:
            _preload.join()  # one importer at a time: no import-lock races
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=1000))
        pipeline.fit(np.asarray(data.rows, dtype=float), np.asarray(data.labels, dtype=bool))
        scaler, learner = pipeline[0], pipeline[-1]
        model = LogisticModel(
            tuple(float(x) for x in scaler.mean_),
            tuple(float(x) for x in scaler.scale_),
            tuple(float(x) for x in learner.coef_[0]),
            float(learner.intercept_[0]),
        )
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
