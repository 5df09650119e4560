"""Scorecard weights fitted to outcomes.

Each measure's "shortfall" (100 - points) / 100 on past observation days is regressed on
whether the account churned within the horizon, with weights forced to be >= 0 (a
measure can only lower health) and both classes weighted equally. A missing measure
counts as no shortfall, the same as the scorecard re-weighting it away. The coefficients
become the measure weights; a group's weight is the sum of its measures'. Measures,
scales and bands stay as the CS ops person wrote them.

A fit is judged out of time as well as on the days it saw: the weights are fitted again
on the days of the churn model's purged split (`purged_split`) and both scorecards, the
old and the refitted, are scored on its validation days, which that fit never saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml
from sklearn.linear_model import LinearRegression

from csops.health.features import FeatureFrame
from csops.health.metrics import auc
from csops.health.model import purged_split
from csops.health.scorecard import Scorecard, parse_scorecard, score
from csops.health.scoring import scorecard_risk

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


class ScorecardFitError(ValueError):
    """The history holds nothing to fit weights to."""


@dataclass(frozen=True)
class ScorecardFit:
    """A scorecard document with fitted weights and how well each scorecard ranks churn:
    on every observation day (the fit saw them) and on the held-out days of a purged
    time split (weights fitted on the earlier days only). Without held-out figures,
    `held_out_missing` says why."""

    document: dict[str, Any]
    auc_before: float | None
    auc_after: float | None
    held_out_days: list[date]
    held_out_auc_before: float | None
    held_out_auc_after: float | None
    held_out_missing: str | None = None

    def summary(self) -> dict[str, Any]:
        """The figures, JSON-ready."""
        return {
            "auc_before": self.auc_before,
            "auc_after": self.auc_after,
            "held_out_days": [d.isoformat() for d in self.held_out_days],
            "held_out_auc_before": self.held_out_auc_before,
            "held_out_auc_after": self.held_out_auc_after,
            "held_out_missing": self.held_out_missing,
        }


def fitted_scorecard(
    raw: dict[str, Any],
    card: Scorecard,
    frames: Sequence[FeatureFrame],
    labels: Sequence[Array],
    horizon_days: int,
) -> ScorecardFit:
    """`raw` (the document `card` was parsed from) with weights fitted to `labels` (churned
    within `horizon_days` or not) of the accounts of `frames` (one observation day each,
    oldest first)."""
    kept = [(f, y) for f, y in zip(frames, labels, strict=True) if len(f)]
    if not kept or not any(y.sum() for _, y in kept):
        raise ScorecardFitError(
            "no account churned within the horizon on the observation days known "
            "then: there is nothing to fit the weights to"
        )
    frames = [f for f, _ in kept]
    labels = [y for _, y in kept]
    known = set(frames[0].names)

    def refitted(on: Sequence[int]) -> tuple[dict[str, Any], Scorecard] | None:
        """The document and scorecard fitted on the frames `on`; None when no measure
        gets any weight (none lowers health more for the accounts that churned)."""
        weights = fitted_weights(card, [frames[i] for i in on], [labels[i] for i in on])
        if not any(w > 0 for ms in weights.values() for w in ms.values()):
            return None
        document = with_weights(raw, weights)
        return document, parse_scorecard(document, card.source, known)

    def pooled_auc(c: Scorecard, on: Sequence[int]) -> float | None:
        risk = np.concatenate([scorecard_risk(score(c, frames[i])) for i in on])
        return auc(risk, np.concatenate([labels[i] for i in on]))

    every = range(len(frames))
    fit = refitted(every)
    if fit is None:
        raise ScorecardFitError(
            "no measure of the scorecard is lower for the accounts that churned than for "
            "the others: there is no weight to give them"
        )
    document, fitted = fit
    days = np.array([f.days[0].toordinal() for f in frames], dtype=np.int64)
    is_train, is_valid, _ = purged_split(days, horizon_days)
    train, valid = np.flatnonzero(is_train).tolist(), np.flatnonzero(is_valid).tolist()
    early_churns = sum(labels[i].sum() for i in train)
    early = refitted(train) if early_churns else None
    held_out: tuple[list[date], float | None, float | None, str | None]
    if early is not None:
        held_out = (
            [frames[i].days[0] for i in valid],
            pooled_auc(card, valid),
            pooled_auc(early[1], valid),
            None,
        )
    elif early_churns:
        held_out = (
            [],
            None,
            None,
            "on the earlier days no measure was lower for the accounts that churned",
        )
    else:
        held_out = ([], None, None, "too little history to measure the fit on days held out")
    return ScorecardFit(document, pooled_auc(card, every), pooled_auc(fitted, every), *held_out)


def render_scorecard(document: dict[str, Any], header: str = "") -> str:
    """The scorecard as YAML a person reads like the default file: one line per measure."""
    rest = {k: v for k, v in document.items() if k != "groups"}
    lines = [header.rstrip("\n")] if header else []
    if rest:
        lines.append(yaml.safe_dump(rest, sort_keys=False).rstrip("\n"))
    lines.append("groups:")
    for name, group in document.get("groups", {}).items():
        lines.append(f"  {_inline(name)}:")
        for key, value in group.items():
            if key != "measures":
                lines.append(f"    {_inline(key)}: {_inline(value)}")
        lines.append("    measures:")
        lines.extend(f"      - {_inline(m)}" for m in group.get("measures", []))
    return "\n".join(lines) + "\n"


def _inline(value: Any) -> str:
    """`value` as one line of YAML flow style."""
    text: str = yaml.safe_dump(value, default_flow_style=True, width=10**9, sort_keys=False)
    return text.strip("\n").removesuffix("\n...")
