"""Grouping text vectors into an unknown number of clusters.

1. Latent semantic analysis: TruncatedSVD to at most 128 dimensions, rows re-normalised,
   so cosine geometry survives and everything after is dense and small.
2. Above `exact_limit` distinct texts, MiniBatchKMeans makes a few hundred micro-clusters
   (over-segmenting on purpose); below it, every text is its own micro-cluster.
3. Average-linkage (cosine) agglomeration of the micro-clusters gives a whole tree; the
   number of clusters is where the tree is cut, chosen by the best silhouette (cosine) on
   a sample of texts.
4. Clusters smaller than `min_size` (weighted) go to "other" (-1).

Memory stays bounded (the sample's distance matrix and the micro-cluster tree are capped)
and time grows linearly with the number of texts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.cluster import MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.metrics import pairwise_distances, silhouette_score
from sklearn.preprocessing import normalize

OTHER = -1


@dataclass(frozen=True)
class Clustering:
    labels: np.ndarray  # per input row: cluster number 0..k-1, or OTHER
    n_clusters: int
    silhouette: float  # of the chosen cut, on the sample
    candidates: tuple[tuple[int, float], ...]  # (clusters, silhouette) tried


def reduce(matrix: sp.csr_matrix, dims: int = 128, seed: int = 0) -> np.ndarray:
    """LSA vectors, L2-normalised."""
    n, features = matrix.shape
    k = min(dims, features - 1, n - 1)
    if k < 2:
        return np.asarray(normalize(matrix).toarray(), dtype=np.float32)
    svd = TruncatedSVD(n_components=k, random_state=seed, algorithm="randomized", n_iter=4)
    return np.asarray(normalize(svd.fit_transform(matrix)), dtype=np.float32)


def cluster_vectors(
    matrix: sp.csr_matrix,
    weights: np.ndarray | None = None,
    *,
    min_size: int = 3,
    exact_limit: int = 2000,
    sample_size: int = 3000,
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
    points = reduce(matrix, seed=seed)
    rng = np.random.default_rng(seed)
    if n > exact_limit:
        micro_k = int(min(exact_limit, max(100, 4 * np.sqrt(n))))
        km = MiniBatchKMeans(
            n_clusters=micro_k, random_state=seed, batch_size=4096, n_init=3, max_iter=60
        )
        parent = km.fit_predict(points, sample_weight=w)
        used = np.unique(parent)
        remap = np.full(micro_k, -1)
        remap[used] = np.arange(len(used))
        parent = remap[parent]
        centers = normalize(km.cluster_centers_[used])
    else:
        parent = np.arange(n)
        centers = points
    m = centers.shape[0]
    tree = linkage(centers, method="average", metric="cosine")
    sample = rng.choice(n, size=min(n, sample_size), replace=False)
    distances = pairwise_distances(points[sample], metric="cosine")
    np.clip(distances, 0.0, None, out=distances)
    np.fill_diagonal(distances, 0.0)
    candidates: list[tuple[int, float]] = []
    best: tuple[float, int, np.ndarray] | None = None
    for k in _cuts(min(m - 1, max_clusters, len(sample) - 1)):
        micro_labels = fcluster(tree, k, criterion="maxclust") - 1
        labels = micro_labels[parent]
        in_sample = labels[sample]
        if len(np.unique(in_sample)) < 2:
            continue
        score = float(silhouette_score(distances, in_sample, metric="precomputed"))
        candidates.append((k, round(score, 4)))
        if best is None or score > best[0]:
            best = (score, k, labels)
    if best is None:
        labels = np.zeros(n, dtype=np.int64)
        return Clustering(_drop_small(labels, w, min_size), 1, 0.0, tuple(candidates))
    score, _, labels = best
    labels = _drop_small(labels, w, min_size)
    return Clustering(labels, int(labels.max(initial=-1) + 1), score, tuple(candidates))


def _cuts(limit: int) -> list[int]:
    """Numbers of clusters to try: every one up to 30, then about 6% apart."""
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
