"""Grouping text vectors into an unknown number of clusters.

1. Latent semantic analysis: TruncatedSVD to at most 128 dimensions, rows re-normalised,
   so cosine geometry survives and everything after is dense and small.
2. Above `exact_limit` distinct texts, one MiniBatchKMeans run makes a few hundred
   micro-clusters (over-segmenting on purpose); below it, every text is its own
   micro-cluster.
3. Average-linkage (cosine) agglomeration of the micro-clusters gives a whole tree.
4. The number of clusters is where the tree is cut, chosen by the best modularity of the
   texts' squared-cosine similarity graph (`_Modularity`): a cut gains when it keeps
   together texts more alike than chance would put together, and loses when it splits
   them. Squaring the cosine mutes the faint similarity every text has with every other
   (shared function words, product names), and modularity's chance term stops both
   over-splitting (silhouette rewards every tight sub-phrasing) and lumping. Computed
   from per-micro-cluster sums, so it costs the same for 1,000 or 100,000 texts. Cuts are
   searched coarse (about 6% apart) then every one around the best.
5. Clusters smaller than `min_size` (weighted) go to "other" (-1).

Memory stays bounded (micro-clusters and their d x d sums are capped) and time grows
linearly with the number of texts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.cluster import MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]  # sklearn dep

OTHER = -1


@dataclass(frozen=True)
class Clustering:
    labels: np.ndarray  # per input row: cluster number 0..k-1, or OTHER
    n_clusters: int
    silhouette: float  # of the chosen cut (cosine), on a sample; reported, not used to choose
    candidates: tuple[tuple[int, float], ...]  # (clusters, modularity) tried
    modularity: float = 0.0  # of the chosen cut


def reduce(matrix: sp.csr_matrix, dims: int = 128, seed: int = 0) -> np.ndarray:
    """LSA vectors, L2-normalised."""
    n, features = matrix.shape
    k = min(dims, features - 1, n - 1)
    if k < 2:
        return np.asarray(normalize(matrix).toarray(), dtype=np.float32)
    svd = TruncatedSVD(n_components=k, random_state=seed, algorithm="randomized", n_iter=4)
    return np.asarray(normalize(svd.fit_transform(matrix)), dtype=np.float32)


def micro_clusters(
    points: np.ndarray, weights: np.ndarray, exact_limit: int, seed: int
) -> tuple[np.ndarray, int]:
    """Each point's micro-cluster (0..m-1, all used) and m. One k-means run: the tree
    above it is what decides, so extra restarts buy little for their cost."""
    n = points.shape[0]
    if n <= exact_limit:
        return np.arange(n), n
    micro_k = int(min(exact_limit, max(200, 3 * np.sqrt(n))))
    km = MiniBatchKMeans(
        n_clusters=micro_k, random_state=seed, batch_size=4096, n_init=1, max_iter=60
    )
    parent = km.fit_predict(points, sample_weight=weights)
    used = np.unique(parent)
    remap = np.full(micro_k, -1)
    remap[used] = np.arange(len(used))
    return remap[parent], len(used)


class _Modularity:
    """Newman modularity of partitions of the graph whose edge weight between texts i and
    j is w_i w_j cos(i, j)^2. Since cos^2 = <x_i x_i^T, x_j x_j^T>, every sum over a group
    of texts is a d x d matrix: Q = sum_c <G_c, G_c> / T - (<G_c, G> / T)^2 with G_c the
    weighted sum of x x^T over group c, G over all, T = <G, G>."""

    def __init__(self, points: np.ndarray, weights: np.ndarray, parent: np.ndarray, m: int):
        d = points.shape[1]
        grams = np.zeros((m, d * d), dtype=np.float32)
        order = np.argsort(parent, kind="stable")
        bounds = np.searchsorted(parent[order], np.arange(m + 1))
        for c in range(m):
            rows = order[bounds[c] : bounds[c + 1]]
            x = points[rows]
            grams[c] = ((x * weights[rows, None].astype(np.float32)).T @ x).ravel()
        self.grams = grams
        self.total = grams.sum(axis=0, dtype=np.float64)
        self.norm = float(self.total @ self.total)

    def __call__(self, micro_labels: np.ndarray) -> float:
        k = int(micro_labels.max()) + 1
        m = len(micro_labels)
        member = sp.csr_matrix((np.ones(m, dtype=np.float32), (micro_labels, np.arange(m))))
        g = np.asarray(member[:k] @ self.grams, dtype=np.float64)
        inside = np.einsum("ij,ij->i", g, g) / self.norm
        degree = g @ self.total / self.norm
        return float((inside - degree**2).sum())


def cluster_vectors(
    matrix: sp.csr_matrix,
    weights: np.ndarray | None = None,
    *,
    min_size: int = 3,
    exact_limit: int = 600,
    sample_size: int = 2000,
    max_clusters: int = 400,
    seed: int = 0,
) -> Clustering:
    """Cluster the rows of `matrix` (L2-normalised TF-IDF); `weights` counts how many
    tickets each row stands for (identical texts are clustered once)."""
    n = matrix.shape[0]
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if n < 3:
        labels = np.zeros(n, dtype=np.int64) if w.sum() >= min_size else np.full(n, OTHER)
        return Clustering(labels, int(labels.max(initial=-1) + 1), 0.0, ())
    # Small dense algebra: one BLAS thread avoids spin-waiting on a busy machine.
    with threadpool_limits(limits=1, user_api="blas"):
        return _cluster(matrix, w, min_size, exact_limit, sample_size, max_clusters, seed)


def _cluster(
    matrix: sp.csr_matrix,
    w: np.ndarray,
    min_size: int,
    exact_limit: int,
    sample_size: int,
    max_clusters: int,
    seed: int,
) -> Clustering:
    n = matrix.shape[0]
    points = reduce(matrix, seed=seed)
    parent, m = micro_clusters(points, w, exact_limit, seed)
    sums = np.zeros((m, points.shape[1]))
    np.add.at(sums, parent, points * w[:, None])
    tree = linkage(normalize(sums), method="average", metric="cosine")
    quality = _Modularity(points, w, parent, m)
    limit = min(m - 1, max_clusters)
    tried: dict[int, float] = {}

    def score(k: int) -> float:
        if k not in tried:
            tried[k] = quality(fcluster(tree, k, criterion="maxclust") - 1)
        return tried[k]

    coarse = _cuts(limit)
    if not coarse:
        labels = np.zeros(n, dtype=np.int64)
        return Clustering(_drop_small(labels, w, min_size), 1, 0.0, ())
    best = max(coarse, key=lambda k: (score(k), -k))
    at = coarse.index(best)
    lo = coarse[at - 1] if at > 0 else 2
    hi = coarse[at + 1] if at + 1 < len(coarse) else limit
    best = max(range(lo, hi + 1), key=lambda k: (score(k), -k))
    if tried[best] <= 0.0:  # no cut beats keeping everything together
        labels = np.zeros(n, dtype=np.int64)
    else:
        labels = (fcluster(tree, best, criterion="maxclust") - 1)[parent]
    labels = _drop_small(labels, w, min_size)
    candidates = tuple((k, round(q, 4)) for k, q in sorted(tried.items()))
    return Clustering(
        labels,
        int(labels.max(initial=-1) + 1),
        _sample_silhouette(points, labels, sample_size, seed),
        candidates,
        tried[best],
    )


def _sample_silhouette(points: np.ndarray, labels: np.ndarray, size: int, seed: int) -> float:
    """Cosine silhouette of the clustered (not "other") texts, on a sample."""
    rows = np.flatnonzero(labels != OTHER)
    if len(rows) > size:
        rows = np.random.default_rng(seed).choice(rows, size=size, replace=False)
    if len(np.unique(labels[rows])) < 2 or len(np.unique(labels[rows])) >= len(rows):
        return 0.0
    return float(silhouette_score(points[rows], labels[rows], metric="cosine"))


def _cuts(limit: int) -> list[int]:
    """Numbers of clusters to try first: every one up to 30, then about 6% apart."""
    ks: list[int] = list(range(2, min(limit, 30) + 1))
    k = 30.0
    while k < limit:
        k *= 1.06
        if int(k) <= limit and int(k) not in ks:
            ks.append(int(k))
    return ks


def _drop_small(labels: np.ndarray, weights: np.ndarray, min_size: int) -> np.ndarray:
    """Clusters under `min_size` tickets become OTHER; the rest are renumbered by size."""
    sizes = np.bincount(labels, weights=weights)
    keep = [c for c in np.argsort(-sizes, kind="stable") if sizes[c] >= min_size]
    remap = np.full(len(sizes), OTHER)
    remap[keep] = np.arange(len(keep))
    return np.asarray(remap[labels], dtype=np.int64)
