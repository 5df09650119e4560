from __future__ import annotations

import numpy as np

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
