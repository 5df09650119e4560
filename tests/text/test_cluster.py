from __future__ import annotations

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from tests.text.short_queries import short_queries

from csops.text.cluster import OTHER, cluster_vectors
from csops.text.vectorize import fit_vectors

GROUPS = {
    "login": [
        "password reset email never arrives",
        "cannot log in reset link expired",
        "reset password link invalid token",
    ],
    "export": [
        "csv export file is empty",
        "export to excel garbled characters",
        "scheduled csv export failed empty file",
    ],
    "invoice": [
        "invoice shows wrong vat number",
        "need a copy of last invoice vat",
        "invoice address and vat id wrong",
    ],
}


def test_finds_the_groups_without_being_told_how_many() -> None:
    texts, truth = [], []
    for name, phrasings in GROUPS.items():
        for i in range(4):
            for p in phrasings:
                texts.append(f"{p} {['please', 'help', 'urgent', 'today'][i]}")
                truth.append(name)
    _, matrix = fit_vectors(texts)
    result = cluster_vectors(matrix, min_size=3)
    assert result.n_clusters >= 3
    # every found cluster is pure
    for c in set(result.labels.tolist()) - {OTHER}:
        assert len({truth[i] for i in np.flatnonzero(result.labels == c)}) == 1


def test_small_clusters_go_to_other() -> None:
    texts = ["password reset email missing"] * 5 + ["completely unrelated question about pricing"]
    _, matrix = fit_vectors(texts)
    result = cluster_vectors(matrix, min_size=3)
    assert result.labels[-1] == OTHER
    assert set(result.labels[:5].tolist()) == {0}


def synthetic_corpus(topics: int, per_topic: int, seed: int = 3) -> tuple[list[str], list[int]]:
    """`topics` questions, each with its own vocabulary, worded in several sub-phrasings
    (so a criterion that rewards tight sub-groups would split them) plus shared filler."""
    rng = np.random.default_rng(seed)
    filler = ["please", "help", "thanks", "hello", "issue", "problem", "team", "question"]
    texts, truth = [], []
    for t in range(topics):
        core = [f"topic{t}word{j}" for j in range(6)]
        variants = [[f"topic{t}variant{v}word{j}" for j in range(3)] for v in range(3)]
        for i in range(per_topic):
            words = list(rng.choice(core, size=3, replace=False))
            words += variants[i % 3][:2] + list(rng.choice(filler, size=2, replace=False))
            texts.append(" ".join(rng.permutation(words)))
            truth.append(t)
    return texts, truth


def test_number_of_clusters_comes_from_the_data() -> None:
    for topics in (8, 25):
        texts, truth = synthetic_corpus(topics, 30)
        _, matrix = fit_vectors(texts)
        result = cluster_vectors(matrix, min_size=3)
        assert abs(result.n_clusters - topics) <= max(1, topics // 10), result.n_clusters
        assert adjusted_rand_score(truth, result.labels) > 0.9


def test_short_queries_with_many_fine_intents_are_not_lumped_together() -> None:
    """61 intents of one-sentence queries, 40 each, number not given. Plain modularity
    found about 30 groups here (ARI 0.21, NMI 0.60); the cut must find roughly as many
    groups as intents and agree better with them."""
    texts, truth = short_queries(per_intent=40, seed=1)
    _, matrix = fit_vectors(texts)
    result = cluster_vectors(matrix, min_size=3)
    assert 45 <= result.n_clusters <= 90, result.n_clusters
    assert normalized_mutual_info_score(truth, result.labels) >= 0.65
    assert adjusted_rand_score(truth, result.labels) >= 0.27
