"""Tree SHAP values of a LightGBM model, for many rows at once with numpy.

The same numbers as LightGBM's `pred_contrib=True` (path-dependent tree SHAP, covers from
the training counts), computed leaf by leaf instead of row by row: for scoring a whole
company this is an order of magnitude faster for shallow trees.

Why it works: for one leaf with value v whose path splits on the distinct features
F (d of them), the path-dependent expectation given a feature set S is
v x prod_{j in S} o_j x prod_{j in F - S} z_j, where z_j is the share of training rows
that followed the path at the splits on j and o_j is 1 when the row itself follows it
(else 0). Its Shapley value for feature k is

    v (o_k - z_k) sum_{S in F - {k}} |S|! (d - |S| - 1)! / d! prod_{S} o_j prod_{F - S - k} z_j

which depends on the row only through the d bits o_j: a table of 2^d x d numbers per
leaf, looked up by each row's bits. A tree's SHAP values are the sum over its leaves.
Trees deeper than MAX_DEPTH (tables of 2^d rows) are left to LightGBM.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from math import factorial
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
MAX_DEPTH = 8
# LightGBM's IsZero: |value| <= kZeroThreshold.
_ZERO = 1e-35


@dataclass(frozen=True)
class _Leaf:
    features: tuple[int, ...]  # distinct split features on the path (design columns)
    # Per feature: the path's (node, goes left) steps on it.
    steps: tuple[tuple[tuple[int, bool], ...], ...]
    table_by_feature: Array  # (d, 2^d): contribution per feature, by the row's path bits


@dataclass(frozen=True)
class _Tree:
    feature: npt.NDArray[np.int64]  # per split node
    threshold: Array
    default_left: npt.NDArray[np.bool_]
    missing: tuple[str, ...]  # "None" | "Zero" | "NaN"
    leaves: tuple[_Leaf, ...]


class UnsupportedTree(ValueError):
    """A tree this module does not handle (categorical split, deeper than MAX_DEPTH)."""


@cache
def _subset_terms(d: int) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], Array]:
    """For d path features, over every subset S of them (as bit masks): which row codes
    contain S, which features are in S, and the Shapley weight |S|! (d - |S| - 1)! / d!."""
    masks = np.arange(1 << d)
    bits = ((masks[:, None] >> np.arange(d)) & 1).astype(bool)  # subset x feature
    size = bits.sum(axis=1)
    weight = np.array(
        [factorial(k) * factorial(d - k - 1) / factorial(d) if k < d else 0.0 for k in size]
    )
    contains = (masks[None, :] & ~masks[:, None]) == 0  # code x subset: subset in code
    return contains, bits, weight


def _leaf_table(value: float, zero: list[float]) -> Array:
    """(2^d, d): the leaf's SHAP value for each feature, by the row's path bits (code)."""
    d = len(zero)
    z = np.array(zero)
    contains, in_subset, weight = _subset_terms(d)
    # term[S, k] = w(|S|) x prod of z over the features neither in S nor k (k not in S).
    absent = np.where(in_subset, 1.0, z[None, :])  # subset x feature: z_j for j not in S
    everything = absent.prod(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        without_k = np.where(z[None, :] > 0, everything[:, None] / z[None, :], 0.0)
    # A zero fraction of 0 cannot happen for a split LightGBM made (both children have
    # rows), so the division is exact; recompute the product directly if it ever does.
    if (z <= 0).any():
        without_k = np.stack(
            [np.prod(np.delete(absent, k, axis=1), axis=1) for k in range(d)], axis=1
        )
    term = np.where(in_subset, 0.0, weight[:, None] * without_k)
    w = contains.astype(np.float64) @ term  # code x feature
    ones = in_subset.astype(np.float64)  # code bits, same layout as subsets
    return np.asarray(value * (ones - z[None, :]) * w, dtype=np.float64)


def _count(node: dict[str, Any]) -> float:
    return float(node["leaf_count"] if "leaf_value" in node else node["internal_count"])


def _parse(structure: dict[str, Any]) -> _Tree:
    features: list[int] = []
    thresholds: list[float] = []
    defaults: list[bool] = []
    missing: list[str] = []
    leaves: list[_Leaf] = []

    def walk(node: dict[str, Any], path: list[tuple[int, int, bool, float]]) -> None:
        if "leaf_value" in node:
            if not path:
                return  # a single-leaf tree: everything is in the expected value
            order: list[int] = []
            steps: dict[int, list[tuple[int, bool]]] = {}
            zero: dict[int, float] = {}
            for split, feature, left, share in path:
                if feature not in steps:
                    order.append(feature)
                    steps[feature] = []
                    zero[feature] = 1.0
                steps[feature].append((split, left))
                zero[feature] *= share
            if len(order) > MAX_DEPTH:
                raise UnsupportedTree(f"a path with {len(order)} features")
            leaves.append(
                _Leaf(
                    tuple(order),
                    tuple(tuple(steps[f]) for f in order),
                    np.ascontiguousarray(
                        _leaf_table(float(node["leaf_value"]), [zero[f] for f in order]).T
                    ),
                )
            )
            return
        if node.get("decision_type") != "<=":
            raise UnsupportedTree(f"split {node.get('decision_type')!r}")
        split = len(features)
        features.append(int(node["split_feature"]))
        thresholds.append(float(node["threshold"]))
        defaults.append(bool(node["default_left"]))
        missing.append(str(node["missing_type"]))
        total = _count(node)
        for child, left in ((node["left_child"], True), (node["right_child"], False)):
            walk(child, [*path, (split, features[split], left, _count(child) / total)])

    walk(structure, [])
    return _Tree(
        np.array(features, dtype=np.int64),
        np.array(thresholds, dtype=np.float64),
        np.array(defaults, dtype=bool),
        tuple(missing),
        tuple(leaves),
    )


class TreeExplainer:
    """SHAP values of a LightGBM model from its dump (`Booster.dump_model()`)."""

    def __init__(self, dump: dict[str, Any]) -> None:
        self.trees = [_parse(t["tree_structure"]) for t in dump["tree_info"]]

    def contributions(self, x: Array) -> Array:
        """Per row and column of `x`, the SHAP value in raw log-odds (no expected value)."""
        n, p = x.shape
        columns = np.ascontiguousarray(x.T)  # feature-major: each node reads one row
        phi = np.zeros((p, n))
        for tree in self.trees:
            left = _goes_left(tree, columns)
            right = ~left
            for leaf in tree.leaves:
                code = np.zeros(n, dtype=np.uint8)
                for k, steps in enumerate(leaf.steps):
                    split, to_left = steps[0]
                    follows = left[split] if to_left else right[split]
                    for split, to_left in steps[1:]:
                        follows = follows & (left[split] if to_left else right[split])
                    code |= follows.view(np.uint8) << k
                values = leaf.table_by_feature[:, code]
                for k, feature in enumerate(leaf.features):
                    phi[feature] += values[k]
        return np.ascontiguousarray(phi.T)


def _goes_left(tree: _Tree, columns: Array) -> npt.NDArray[np.bool_]:
    """LightGBM's numerical decision at every split node for every row (nodes x rows);
    `columns` is the input transposed (features x rows)."""
    out = np.empty((len(tree.feature), columns.shape[1]), dtype=bool)
    for i, feature in enumerate(tree.feature.tolist()):
        value = columns[feature]
        nan = np.isnan(value)
        kind = tree.missing[i]
        with np.errstate(invalid="ignore"):
            if kind == "NaN":
                out[i] = np.where(nan, bool(tree.default_left[i]), value <= tree.threshold[i])
                continue
            value = np.where(nan, 0.0, value)
            by_value = value <= tree.threshold[i]
        if kind == "Zero":
            by_value = np.where(np.abs(value) <= _ZERO, bool(tree.default_left[i]), by_value)
        out[i] = by_value
    return out
