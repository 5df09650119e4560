"""Where to cut a cluster tree: the cut of best modularity, found exactly.

The graph: texts i and j are joined with weight w_i w_j cos(i, j)^2. Squaring the cosine
mutes the faint similarity every text has with every other (shared function words,
product names). Since cos^2 = <x_i x_i^T, x_j x_j^T>, every sum over a group of texts is
a d x d matrix G_c (the weighted sum of x x^T over the group), and a group's share of the
graph is cheap to get: inside(c) = <G_c, G_c> / T, degree(c) = <G_c, G> / T with G over
all texts and T = <G, G>.

Modularity with resolution gamma (Reichardt and Bornholdt):
    Q = sum over groups of inside(c) - gamma * degree(c)^2
A group is worth keeping whole when its texts are more alike than gamma times what chance
would put together. gamma = 1 is Newman's modularity, which is known to merge small
groups in a large graph (its resolution limit): customer questions are many and small, so
the default asks for twice the chance level.

Q adds up over groups, so the best cut of a tree (any frontier of nodes, not only the
cuts at one height) follows from one pass from the leaves up: a node is split when its two
children's best scores add up to more than its own (dynamic programming over the tree).
The grams are kept only for the nodes still open, so memory is that of the leaves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_RESOLUTION = 2.0
# Merge height of the tree (average cosine distance between the two groups' parts) below
# which two groups ask the same thing.
KEEP_BELOW = 0.3


@dataclass(frozen=True)
class TreeScores:
    """Per node of a scipy linkage tree (leaves 0..m-1, then one node per merge):
    inside and degree shares of the similarity graph, and the children of merges."""

    inside: np.ndarray
    degree: np.ndarray
    children: np.ndarray  # (m - 1, 2) int
    heights: np.ndarray  # (m - 1,) distance at which each merge happened

    @property
    def leaves(self) -> int:
        return len(self.children) + 1

    def best_cut(
        self, resolution: float, keep_below: float = KEEP_BELOW
    ) -> tuple[np.ndarray, np.ndarray]:
        """The nodes of the cut of highest modularity at `resolution`, and each leaf's
        group (0..k-1, in the order of those nodes). A merge closer than `keep_below`
        is never undone: with a resolution above 1, a group holding most of the graph
        would otherwise be split even when its texts are identical."""
        m = self.leaves
        own = self.inside - resolution * self.degree**2
        best = own.copy()
        split = np.zeros(len(own), dtype=bool)
        for i, (a, b) in enumerate(self.children.tolist()):
            children = best[a] + best[b]
            if children > own[m + i] and self.heights[i] > keep_below:
                best[m + i] = children
                split[m + i] = True
        owner = np.arange(len(own))
        for node in range(len(own) - 1, m - 1, -1):  # from the root down
            a, b = self.children[node - m]
            if owner[node] != node or not split[node]:
                owner[a] = owner[b] = owner[node]
        nodes, labels = np.unique(owner[:m], return_inverse=True)
        return nodes, labels.astype(np.int64)

    def modularity(self, nodes: np.ndarray, resolution: float = 1.0) -> float:
        """Q of the cut made of `nodes`."""
        return float((self.inside[nodes] - resolution * self.degree[nodes] ** 2).sum())


def tree_scores(
    points: np.ndarray, weights: np.ndarray, parent: np.ndarray, m: int, tree: np.ndarray
) -> TreeScores:
    """Inside and degree shares of every node of `tree` (a scipy linkage over `m` leaves;
    point p belongs to leaf parent[p])."""
    d = points.shape[1]
    grams = np.zeros((m, d * d), dtype=np.float32)
    order = np.argsort(parent, kind="stable")
    bounds = np.searchsorted(parent[order], np.arange(m + 1))
    for c in range(m):
        rows = order[bounds[c] : bounds[c + 1]]
        x = points[rows]
        grams[c] = ((x * weights[rows, None].astype(np.float32)).T @ x).ravel()
    total = grams.sum(axis=0, dtype=np.float64)
    norm = float(total @ total)
    nodes = 2 * m - 1
    inside = np.zeros(nodes)
    degree = np.zeros(nodes)
    inside[:m] = np.einsum("ij,ij->i", grams, grams, dtype=np.float64) / norm
    degree[:m] = grams @ total / norm
    children = tree[:, :2].astype(np.int64)
    slot = np.arange(nodes)  # where a node's gram lives: a merge reuses its left child's row
    for i, (a, b) in enumerate(children.tolist()):
        row = slot[a]
        grams[row] += grams[slot[b]]
        slot[m + i] = row
        g = grams[row]
        inside[m + i] = float(np.dot(g, g)) / norm
        degree[m + i] = degree[a] + degree[b]
    return TreeScores(inside, degree, children, tree[:, 2].astype(float))
