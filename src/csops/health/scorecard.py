"""The health scorecard: measures -> groups -> weights, from a YAML file a CS ops person
edits (the package default is `default_scorecard.yaml`).

Each measure turns one feature into 0-100 points:
- `scale: percentile` ranks the account among the accounts active that day (so it works
  for any company's volumes), `better: higher` or `lower`;
- `scale: {bad: B, good: G}` maps B to 0 and G to 100 in a straight line, clipped.
A group's score is the weighted mean of its measures that have a value; the health score
is the weighted mean of the groups that have one (missing measures are re-weighted, not
counted as zero). Bands come from the `bands` thresholds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

from csops.health.features import FeatureFrame

Array = npt.NDArray[np.float64]
_TYPE_FEATURE = re.compile(r"^events\[.+\]_(7d|28d|90d|trend_28d|days_since)$")


class ScorecardError(ValueError):
    """The scorecard file is not valid: names the file, the key and why."""


@dataclass(frozen=True)
class Measure:
    feature: str
    weight: float
    better: str  # "higher" | "lower"
    percentile: bool
    bad: float = 0.0
    good: float = 0.0


@dataclass(frozen=True)
class Group:
    name: str
    weight: float
    measures: tuple[Measure, ...]


@dataclass(frozen=True)
class Bands:
    green: float
    yellow: float
    red_probability: float
    green_probability: float

    def band(self, score: float) -> str:
        if score >= self.green:
            return "green"
        return "yellow" if score >= self.yellow else "red"


@dataclass(frozen=True)
class Scorecard:
    groups: tuple[Group, ...]
    bands: Bands
    source: str

    def measures(self) -> list[Measure]:
        return [m for g in self.groups for m in g.measures]


@dataclass(frozen=True)
class ScorecardResult:
    score: Array  # 0-100, NaN when no measure has a value
    measure_points: dict[str, Array]  # feature -> 0-100 (NaN = missing)
    group_scores: dict[str, Array]
    # Points each measure costs the account vs a perfect 100, after re-weighting.
    points_lost: dict[str, Array]


def default_path() -> Path:
    return Path(str(resources.files("csops.health") / "default_scorecard.yaml"))


def load_scorecard(path: Path | None, known_features: set[str]) -> Scorecard:
    """Read and check a scorecard file (the package default when `path` is None)."""
    where = path or default_path()
    try:
        raw = yaml.safe_load(where.read_text())
    except OSError as exc:
        raise ScorecardError(f"{where}: cannot read the scorecard: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ScorecardError(f"{where}: not valid YAML: {exc}") from exc
    return parse_scorecard(raw, str(where), known_features)


def _number(value: Any, where: str, key: str, minimum: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScorecardError(f"{where}: {key}: must be a number, got {value!r}")
    if minimum is not None and value < minimum:
        raise ScorecardError(f"{where}: {key}: must be >= {minimum}, got {value}")
    return float(value)


def parse_scorecard(raw: Any, where: str, known_features: set[str]) -> Scorecard:
    if not isinstance(raw, dict):
        raise ScorecardError(f"{where}: the file must be a mapping with `bands` and `groups`")
    bands_raw = raw.get("bands")
    if not isinstance(bands_raw, dict):
        raise ScorecardError(f"{where}: bands: missing (need green and yellow thresholds)")
    bands = Bands(
        green=_number(bands_raw.get("green"), where, "bands.green", 0),
        yellow=_number(bands_raw.get("yellow"), where, "bands.yellow", 0),
        red_probability=_number(
            bands_raw.get("red_probability", 0.25), where, "bands.red_probability", 0
        ),
        green_probability=_number(
            bands_raw.get("green_probability", 0.05), where, "bands.green_probability", 0
        ),
    )
    if not bands.yellow <= bands.green <= 100:
        raise ScorecardError(f"{where}: bands: need 0 <= yellow <= green <= 100")
    groups_raw = raw.get("groups")
    if not isinstance(groups_raw, dict) or not groups_raw:
        raise ScorecardError(f"{where}: groups: missing or empty (a mapping of group names)")
    groups = []
    for name, g in groups_raw.items():
        key = f"groups.{name}"
        if not isinstance(g, dict):
            raise ScorecardError(f"{where}: {key}: must be a mapping with weight and measures")
        weight = _number(g.get("weight"), where, f"{key}.weight", 0)
        measures_raw = g.get("measures")
        if not isinstance(measures_raw, list) or not measures_raw:
            raise ScorecardError(f"{where}: {key}.measures: must be a non-empty list")
        measures = tuple(
            _measure(m, where, f"{key}.measures[{i}]", known_features)
            for i, m in enumerate(measures_raw)
        )
        groups.append(Group(str(name), weight, measures))
    if sum(g.weight for g in groups) <= 0:
        raise ScorecardError(f"{where}: groups: at least one group needs a weight above 0")
    return Scorecard(tuple(groups), bands, where)


def _measure(m: Any, where: str, key: str, known: set[str]) -> Measure:
    if not isinstance(m, dict):
        raise ScorecardError(f"{where}: {key}: must be a mapping with feature, better, scale")
    feature = m.get("feature")
    if not isinstance(feature, str):
        raise ScorecardError(f"{where}: {key}.feature: missing")
    if feature not in known and not _TYPE_FEATURE.match(feature):
        raise ScorecardError(
            f"{where}: {key}.feature: unknown feature {feature!r} "
            f"(known: {', '.join(sorted(known))}, or events[TYPE]_28d and the like)"
        )
    better = m.get("better", "higher")
    if better not in ("higher", "lower"):
        raise ScorecardError(f"{where}: {key}.better: must be 'higher' or 'lower', got {better!r}")
    weight = _number(m.get("weight", 1), where, f"{key}.weight", 0)
    scale = m.get("scale", "percentile")
    if scale == "percentile":
        return Measure(feature, weight, better, True)
    if isinstance(scale, dict) and set(scale) == {"bad", "good"}:
        bad = _number(scale["bad"], where, f"{key}.scale.bad")
        good = _number(scale["good"], where, f"{key}.scale.good")
        if bad == good:
            raise ScorecardError(f"{where}: {key}.scale: bad and good must differ")
        return Measure(feature, weight, better, False, bad, good)
    raise ScorecardError(
        f"{where}: {key}.scale: must be 'percentile' or {{bad: number, good: number}}, "
        f"got {scale!r}"
    )


def measure_points(measure: Measure, values: Array) -> Array:
    """0-100 points per account for one measure; NaN where the value is missing."""
    out = np.full(len(values), np.nan)
    have = ~np.isnan(values)
    if not have.any():
        return out
    v = values[have]
    if measure.percentile:
        # Mid-rank percentile among accounts that have a value (ties share a rank).
        order = np.sort(v)
        below = np.searchsorted(order, v, side="left")
        equal = np.searchsorted(order, v, side="right") - below
        pct = 100.0 * (below + 0.5 * equal) / len(v)
        out[have] = pct if measure.better == "higher" else 100.0 - pct
    else:
        out[have] = np.clip(100.0 * (v - measure.bad) / (measure.good - measure.bad), 0, 100)
    return out


def _weighted(parts: list[tuple[float, Array]], n: int) -> tuple[Array, list[Array]]:
    """Weighted mean ignoring NaN parts, and each part's effective weight per row."""
    total = np.zeros(n)
    weights = np.zeros(n)
    for w, p in parts:
        have = ~np.isnan(p)
        total += np.where(have, w * np.nan_to_num(p), 0.0)
        weights += np.where(have, w, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(weights > 0, total / weights, np.nan)
        shares = [np.where(~np.isnan(p) & (weights > 0), w / weights, 0.0) for w, p in parts]
    return mean, shares


def score(card: Scorecard, frame: FeatureFrame) -> ScorecardResult:
    """Scorecard points for every account of `frame` (a single day's cohort)."""
    n = len(frame)
    names = set(frame.names)
    points: dict[str, Array] = {}
    group_scores: dict[str, Array] = {}
    group_parts: list[tuple[float, Array]] = []
    measure_share: dict[str, tuple[str, Array]] = {}
    for g in card.groups:
        parts = []
        for m in g.measures:
            values = frame.column(m.feature) if m.feature in names else np.full(n, np.nan)
            points[m.feature] = measure_points(m, values)
            parts.append((m.weight, points[m.feature]))
        group_scores[g.name], shares = _weighted(parts, n)
        for m, share in zip(g.measures, shares, strict=True):
            measure_share[m.feature] = (g.name, share)
        group_parts.append((g.weight, group_scores[g.name]))
    total, group_shares = _weighted(group_parts, n)
    share_of_group = {g.name: s for g, s in zip(card.groups, group_shares, strict=True)}
    lost = {
        f: share_of_group[gname] * share * (100.0 - np.nan_to_num(points[f], nan=100.0))
        for f, (gname, share) in measure_share.items()
    }
    return ScorecardResult(total, points, group_scores, lost)
