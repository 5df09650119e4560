from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.cluster.hierarchy import linkage

from csops.text.modularity import tree_scores


def _brute_q(points: np.ndarray, groups: list[list[int]], resolution: float) -> float:
    """Modularity straight from the text-by-text squared-cosine matrix."""
    sim = (points @ points.T) ** 2
    total = sim.sum()
    return float(
        sum(
            sim[np.ix_(g, g)].sum() / total - resolution * (sim[g].sum() / total) ** 2
            for g in groups
        )
    )


def _leaves(tree: np.ndarray, node: int, m: int) -> list[int]:
    if node < m:
        return [node]
    a, b = tree[node - m, :2].astype(int)
    return _leaves(tree, a, m) + _leaves(tree, b, m)


def _frontiers(tree: np.ndarray, node: int, m: int) -> list[list[int]]:
    """Every cut of the subtree under `node`, as lists of nodes."""
    if node < m:
        return [[node]]
    a, b = tree[node - m, :2].astype(int)
    below = [x + y for x, y in itertools.product(_frontiers(tree, a, m), _frontiers(tree, b, m))]
    return [[node], *below]


def test_two_pairs_of_identical_texts_make_two_groups() -> None:
    # e1, e1, e2, e2: T = 8; a pair has inside 4/8 and degree 4/8.
    points = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=np.float32)
    tree = linkage(points, method="average", metric="cosine")
    scores = tree_scores(points, np.ones(4), np.arange(4), 4, tree)
    root = 2 * 4 - 2
    assert scores.inside[root] == pytest.approx(1.0)
    assert scores.degree[root] == pytest.approx(1.0)
    assert scores.inside[:4] == pytest.approx([1 / 8] * 4)
    nodes, labels = scores.best_cut(1.0)
    assert scores.modularity(nodes) == pytest.approx(2 * (0.5 - 0.25))
    assert labels[0] == labels[1] != labels[2] == labels[3]
    # at resolution 2 a pair scores 0.5 - 2 * 0.25 = 0: still better than the root (-1)
    _, labels = scores.best_cut(2.0)
    assert len(set(labels.tolist())) == 2


@pytest.mark.parametrize("resolution", [1.0, 2.0, 3.0])
def test_node_scores_and_best_cut_agree_with_brute_force(resolution: float) -> None:
    rng = np.random.default_rng(5)
    centres = rng.normal(size=(3, 6))
    points = np.repeat(centres, 3, axis=0) + 0.5 * rng.normal(size=(9, 6))
    points = (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)
    weights = rng.integers(1, 4, size=9).astype(float)
    # weights as repeated texts, for the brute-force side
    repeated = np.repeat(points, weights.astype(int), axis=0)
    index = np.repeat(np.arange(9), weights.astype(int))
    tree = linkage(points, method="average", metric="cosine")
    scores = tree_scores(points, weights, np.arange(9), 9, tree)

    def q(nodes: list[int]) -> float:
        groups = [list(np.flatnonzero(np.isin(index, _leaves(tree, n, 9)))) for n in nodes]
        return _brute_q(repeated, groups, resolution)

    for node in range(2 * 9 - 1):
        assert scores.modularity(np.array([node]), resolution) == pytest.approx(q([node]), abs=1e-5)
    best = max(q(f) for f in _frontiers(tree, 2 * 9 - 2, 9))
    nodes, _ = scores.best_cut(resolution, keep_below=0.0)
    assert scores.modularity(nodes, resolution) == pytest.approx(best, abs=1e-5)


def test_a_higher_resolution_keeps_weakly_related_groups_apart() -> None:
    """Three copies each of a and b with cos(a, b)^2 = 0.1, ten of an unrelated c.
    T = 9 + 9 + 2 * 0.9 + 100 = 119.8; merging a and b gains 2 * (0.9 / T - gamma *
    (9.9 / T)^2): positive at gamma 1 (0.9 * 119.8 > 98.01), negative at gamma 2."""
    cos = np.sqrt(0.1)
    a, b, c = [1, 0, 0], [cos, np.sqrt(1 - cos**2), 0], [0, 0, 1]
    points = np.array([a] * 3 + [b] * 3 + [c] * 10, dtype=np.float32)
    tree = linkage(points, method="average", metric="cosine")
    scores = tree_scores(points, np.ones(16), np.arange(16), 16, tree)
    _, merged = scores.best_cut(1.0)
    _, apart = scores.best_cut(2.0)
    assert len(set(merged.tolist())) == 2  # {a, b} and {c}
    assert merged[0] == merged[3] != merged[6]
    assert len(set(apart.tolist())) == 3


def test_identical_texts_are_never_split_even_when_they_dominate() -> None:
    points = np.array([[1, 0]] * 5 + [[0, 1]], dtype=np.float32)
    tree = linkage(points, method="average", metric="cosine")
    scores = tree_scores(points, np.ones(6), np.arange(6), 6, tree)
    _, labels = scores.best_cut(2.0)
    assert len(set(labels[:5].tolist())) == 1
    assert labels[5] != labels[0]
