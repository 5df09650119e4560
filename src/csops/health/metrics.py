"""How well a risk score predicted churn: pure functions over arrays.

`risk` is any score where higher means more likely to churn; `y` is 1 for churned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


def auc(risk: Array, y: Array) -> float | None:
    """Area under the ROC curve (Mann-Whitney, ties count half); None with one class."""
    pos = int(y.sum())
    neg = len(y) - pos
    if pos == 0 or neg == 0:
        return None
    order = np.argsort(risk, kind="mergesort")
    ranks = np.empty(len(risk), dtype=np.float64)
    sorted_risk = risk[order]
    # Average ranks over ties.
    _, first, counts = np.unique(sorted_risk, return_index=True, return_counts=True)
    avg = first + (counts + 1) / 2.0
    ranks[order] = np.repeat(avg, counts)
    return float((ranks[y == 1].sum() - pos * (pos + 1) / 2.0) / (pos * neg))


def top_decile_lift(risk: Array, y: Array) -> float | None:
    """Churn rate among the riskiest 10% (at least one account) over the overall rate."""
    if len(y) == 0 or y.sum() == 0:
        return None
    k = max(1, int(np.ceil(len(y) * 0.1)))
    top = np.argsort(-risk, kind="mergesort")[:k]
    return float(y[top].mean() / y.mean())


def brier(probability: Array, y: Array) -> float | None:
    if len(y) == 0:
        return None
    return float(np.mean((probability - y) ** 2))


@dataclass(frozen=True)
class ReliabilityBin:
    low: float
    high: float
    accounts: int
    mean_predicted: float
    observed_rate: float


def reliability(probability: Array, y: Array, bins: int = 10) -> list[ReliabilityBin]:
    """Predicted vs observed churn in equal-count bins of predicted probability."""
    order = np.argsort(probability, kind="mergesort")
    table: list[ReliabilityBin] = []
    for chunk in np.array_split(order, min(bins, len(order))) if len(order) else []:
        if len(chunk) == 0:
            continue
        p = probability[chunk]
        table.append(
            ReliabilityBin(
                low=float(p.min()),
                high=float(p.max()),
                accounts=len(chunk),
                mean_predicted=float(p.mean()),
                observed_rate=float(y[chunk].mean()),
            )
        )
    return table


def precision(flagged: npt.NDArray[np.bool_], y: Array) -> float | None:
    """Share of flagged accounts that churned."""
    if not flagged.any():
        return None
    return float(y[flagged].mean())


def share_of_churned(flagged: npt.NDArray[np.bool_], y: Array) -> float | None:
    """Share of churned accounts that were flagged (e.g. green beforehand)."""
    churned = y == 1
    if not churned.any():
        return None
    return float(flagged[churned].mean())
