"""Grouping text vectors into an unknown number of clusters.

1. Latent semantic analysis: TruncatedSVD to at most 128 dimensions (learnt on a sample
   of at most `FIT_ROWS` texts, applied to all), rows re-normalised, so cosine geometry
   survives and everything after is dense and small. With sentence vectors (`embed.py`)
   the two are combined and projected back to that width (`combine`).
2. Above `exact_limit` distinct texts, one MiniBatchKMeans run makes a few hundred
   micro-clusters (over-segmenting on purpose, about eight texts each); below it, every
   text is its own micro-cluster.
3. Average-linkage (cosine) agglomeration of the micro-clusters gives a whole tree.
4. The clusters are the cut of that tree with the best modularity of the texts'
   squared-cosine similarity graph at resolution 2 (`modularity.py`): a group is kept
   whole when its texts are more alike than twice what chance would put together. The
   cut is found exactly by one pass over the tree (it may cut branches at different
   heights), from per-micro-cluster sums, so it costs the same for 1,000 or 100,000
   texts. Plain modularity (resolution 1) merged small related questions; silhouette
   rewards every tight sub-phrasing.
5. Clusters smaller than `min_size` (weighted) go to "other" (-1).

Memory stays bounded (micro-clusters and their d x d sums are capped) and time grows
linearly with the number of texts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.cluster.hierarchy import linkage
from sklearn.cluster import MiniBatchKMeans
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]  # sklearn dep

from csops.text.modularity import DEFAULT_RESOLUTION, tree_scores

OTHER = -1
FIT_ROWS = 10_000


@dataclass(frozen=True)
class Clustering:
    labels: np.ndarray  # per input row: cluster number 0..k-1, or OTHER
    n_clusters: int
    silhouette: float  # of the chosen cut (cosine), on a sample; reported, not used to choose
    # (clusters, modularity) of the best cut at a few resolutions, the chosen one among them
    candidates: tuple[tuple[int, float], ...]
    modularity: float = 0.0  # of the chosen cut


def reduce(
    matrix: sp.csr_matrix, dims: int = 128, seed: int = 0, fit_rows: int = FIT_ROWS
) -> np.ndarray:
    """LSA vectors, L2-normalised. The projection is learnt on at most `fit_rows` texts
    (a random sample: the directions of the vocabulary settle long before that) and
    applied to all, so its cost stops growing with the number of texts."""
    n, features = matrix.shape
    k = min(dims, features - 1, n - 1)
    if k < 2:
        return np.asarray(normalize(matrix).toarray(), dtype=np.float32)
    svd = TruncatedSVD(n_components=k, random_state=seed, algorithm="randomized", n_iter=4)
    if n > fit_rows:
        rows = np.sort(np.random.default_rng(seed).choice(n, size=fit_rows, replace=False))
        svd.fit(matrix[rows])
        vectors = svd.transform(matrix)
    else:
        vectors = svd.fit_transform(matrix)
    return np.asarray(normalize(vectors), dtype=np.float32)


def combine(
    points: np.ndarray, dense: np.ndarray, weight: float = 1.0, seed: int = 0
) -> np.ndarray:
    """LSA vectors and sentence vectors (L2-normalised, the latter then scaled by `weight`)
    side by side, projected back to the LSA width by PCA (learnt on at most `FIT_ROWS`
    rows): TF-IDF tells product words and error codes apart, the sentence model joins the
    wordings of one question that share no word."""
    both = np.hstack([points, weight * normalize(dense)]).astype(np.float32)
    k = min(points.shape[1], both.shape[0] - 1, both.shape[1])
    if k < 2:
        return np.asarray(normalize(both), dtype=np.float32)
    pca = PCA(n_components=k, svd_solver="randomized", random_state=seed)
    if len(both) > FIT_ROWS:
        rows = np.random.default_rng(seed).choice(len(both), size=FIT_ROWS, replace=False)
        pca.fit(both[np.sort(rows)])
    else:
        pca.fit(both)
    return np.asarray(normalize(pca.transform(both)), dtype=np.float32)


def sentence_weight(words: float) -> float:
    """How much sentence vectors count against TF-IDF for texts of a median `words` words:
    twice as much for one-sentence queries (12 words or fewer), where two wordings of one
    question rarely share a word, as much for longer messages (20 or more), where shared
    words are plenty and product terms matter; linear between."""
    return float(np.clip(2.0 - (words - 12.0) / 8.0, 1.0, 2.0))


def micro_clusters(
    points: np.ndarray, weights: np.ndarray, exact_limit: int, seed: int
) -> tuple[np.ndarray, int]:
    """Each point's micro-cluster (0..m-1, all used) and m. About eight texts per
    micro-cluster, at most `exact_limit` of them: a corpus of a few thousand queries may
    hold 150 intents, and two intents in one micro-cluster can never be told apart. One
    k-means run: the tree above it is what decides, so restarts buy little."""
    n = points.shape[0]
    if n <= exact_limit:
        return np.arange(n), n
    micro_k = int(min(exact_limit, max(200, n // 8)))
    km = MiniBatchKMeans(
        n_clusters=micro_k, random_state=seed, batch_size=4096, n_init=1, max_iter=60
    )
    parent = km.fit_predict(points, sample_weight=weights)
    used = np.unique(parent)
    remap = np.full(micro_k, -1)
    remap[used] = np.arange(len(used))
    return remap[parent], len(used)


def cluster_vectors(
    matrix: sp.csr_matrix,
    weights: np.ndarray | None = None,
    *,
    min_size: int = 3,
    exact_limit: int = 600,
    sample_size: int = 2000,
    resolution: float = DEFAULT_RESOLUTION,
    dense: np.ndarray | None = None,
    dense_weight: float = 1.0,
    seed: int = 0,
) -> Clustering:
    """Cluster the rows of `matrix` (L2-normalised TF-IDF); `weights` counts how many
    tickets each row stands for (identical texts are clustered once); `dense`, when
    given, holds sentence vectors of the same rows, weighted by `dense_weight` (see
    `combine`)."""
    n = matrix.shape[0]
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if n < 3:
        labels = np.zeros(n, dtype=np.int64) if w.sum() >= min_size else np.full(n, OTHER)
        return Clustering(labels, int(labels.max(initial=-1) + 1), 0.0, ())
    # Small dense algebra: one BLAS thread avoids spin-waiting on a busy machine.
    with threadpool_limits(limits=1, user_api="blas"):
        return _cluster(
            matrix, w, min_size, exact_limit, sample_size, resolution, dense, dense_weight, seed
        )


def _cluster(
    matrix: sp.csr_matrix,
    w: np.ndarray,
    min_size: int,
    exact_limit: int,
    sample_size: int,
    resolution: float,
    dense: np.ndarray | None,
    dense_weight: float,
    seed: int,
) -> Clustering:
    n = matrix.shape[0]
    points = reduce(matrix, seed=seed)
    if dense is not None:
        points = combine(points, dense, dense_weight, seed)
    parent, m = micro_clusters(points, w, exact_limit, seed)
    if m < 2:
        labels = _drop_small(np.zeros(n, dtype=np.int64), w, min_size)
        return Clustering(labels, int(labels.max(initial=-1) + 1), 0.0, ())
    sums = np.zeros((m, points.shape[1]))
    np.add.at(sums, parent, points * w[:, None])
    tree = linkage(normalize(sums), method="average", metric="cosine")
    scores = tree_scores(points, w, parent, m, tree)
    candidates = []
    for gamma in sorted({1.0, 1.5, resolution, 2.0 * resolution}):
        nodes, _ = scores.best_cut(gamma)
        candidates.append((len(nodes), round(scores.modularity(nodes), 4)))
    nodes, micro_labels = scores.best_cut(resolution)
    modularity = scores.modularity(nodes)
    # no better than chance: nothing to tell apart
    labels = np.zeros(n, dtype=np.int64) if modularity <= 0.0 else micro_labels[parent]
    labels = _drop_small(labels, w, min_size)
    return Clustering(
        labels,
        int(labels.max(initial=-1) + 1),
        _sample_silhouette(points, labels, sample_size, seed),
        tuple(candidates),
        modularity,
    )


def _sample_silhouette(points: np.ndarray, labels: np.ndarray, size: int, seed: int) -> float:
    """Cosine silhouette of the clustered (not "other") texts, on a sample."""
    rows = np.flatnonzero(labels != OTHER)
    if len(rows) > size:
        rows = np.random.default_rng(seed).choice(rows, size=size, replace=False)
    if len(np.unique(labels[rows])) < 2 or len(np.unique(labels[rows])) >= len(rows):
        return 0.0
    return float(silhouette_score(points[rows], labels[rows], metric="cosine"))


def _drop_small(labels: np.ndarray, weights: np.ndarray, min_size: int) -> np.ndarray:
    """Clusters under `min_size` tickets become OTHER; the rest are renumbered by size."""
    sizes = np.bincount(labels, weights=weights)
    keep = [c for c in np.argsort(-sizes, kind="stable") if sizes[c] >= min_size]
    remap = np.full(len(sizes), OTHER)
    remap[keep] = np.arange(len(keep))
    return np.asarray(remap[labels], dtype=np.int64)
