"""The model's input matrix: features plus one-hot categories from a fixed vocabulary.

The vocabulary (plans, segments) is taken from the training rows and stored with the
model, so scoring builds exactly the columns the model was trained on.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from csops.health.features import CATEGORICAL, FeatureFrame

MAX_LEVELS = 12


@dataclass(frozen=True)
class DesignSpec:
    features: list[str]
    levels: dict[str, list[str]]

    @property
    def columns(self) -> list[str]:
        return [*self.features, *(f"{k}={v}" for k, vs in self.levels.items() for v in vs)]

    def to_json(self) -> dict[str, object]:
        return {"features": self.features, "levels": self.levels}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> DesignSpec:
        features = data["features"]
        levels = data["levels"]
        assert isinstance(features, list) and isinstance(levels, dict)
        return cls([str(f) for f in features], {str(k): list(v) for k, v in levels.items()})


def spec_for(frame: FeatureFrame) -> DesignSpec:
    """Columns for a training frame: every feature, and the frequent category levels
    (levels seen in at least 1% of rows, at most MAX_LEVELS per category)."""
    levels: dict[str, list[str]] = {}
    for key in CATEGORICAL:
        counts = Counter(v for v in frame.categories.get(key, []) if v is not None)
        floor = max(1, len(frame) // 100)
        common = [v for v, n in counts.most_common(MAX_LEVELS) if n >= floor]
        levels[key] = sorted(common)
    return DesignSpec(list(frame.names), levels)


def design_matrix(frame: FeatureFrame, spec: DesignSpec) -> npt.NDArray[np.float64]:
    """Rows of `frame` in the spec's columns; a feature the frame lacks is all NaN."""
    n = len(frame)
    cols: list[npt.NDArray[np.float64]] = []
    index = {name: j for j, name in enumerate(frame.names)}
    for name in spec.features:
        j = index.get(name)
        cols.append(frame.values[:, j] if j is not None else np.full(n, np.nan))
    for key, values in spec.levels.items():
        got = np.asarray(frame.categories.get(key, [None] * n), dtype=object)
        for v in values:
            cols.append((got == v).astype(np.float64))
    if not cols:
        return np.empty((n, 0))
    return np.column_stack(cols).astype(np.float64)
