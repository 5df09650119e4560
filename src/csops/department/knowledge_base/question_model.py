"""The saved repeat-question model: the fitted vectoriser, one centroid per question, its
label and the similarity below which a text belongs to no question ("other").

Question ids are kept stable across runs (`carry_ids`) so that articles, which name the
questions they cover, keep pointing at the same question after a re-run.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.pipeline import FeatureUnion

from csops.config import Settings
from csops.department.knowledge_base.paths import model_path
from csops.text.vectorize import vectors

FORMAT = 1


@dataclass(frozen=True)
class QuestionModel:
    vectorizer: FeatureUnion
    centroids: sp.csr_matrix  # one L2-normalised row per question
    question_ids: tuple[int, ...]
    labels: tuple[str, ...]
    min_similarity: tuple[float, ...]  # per question: below it a text is "other"
    as_of: str

    def nearest(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """For each text: the index of its nearest question (-1: none close enough) and the
        cosine similarity to it."""
        if not self.question_ids:
            return np.full(len(texts), -1), np.zeros(len(texts))
        return self.nearest_to(vectors(self.vectorizer, texts))

    def nearest_to(self, matrix: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """`nearest` for texts already turned into vectors by `self.vectorizer`."""
        n = matrix.shape[0]
        if not self.question_ids:
            return np.full(n, -1), np.zeros(n)
        sims = (matrix @ self.centroids.T).toarray()
        best = sims.argmax(axis=1)
        score = sims[np.arange(n), best]
        floor = np.asarray(self.min_similarity)[best]
        return np.where(score >= floor, best, -1), score


def carry_ids(
    old: QuestionModel | None, centroids: sp.csr_matrix, min_overlap: float = 0.6
) -> list[int]:
    """Ids for new centroids: a new question inherits the id of the old question it
    resembles most (cosine ≥ `min_overlap`, each old id used once, best pairs first);
    others get fresh ids after the largest ever used."""
    n = centroids.shape[0]
    ids = [-1] * n
    next_id = 1
    if old is not None and old.question_ids:
        next_id = max(old.question_ids) + 1
        try:
            old_in_new_space = vectors_from_model(old, centroids)
        except ValueError:
            old_in_new_space = None
        if old_in_new_space is not None:
            sims = (centroids @ old_in_new_space.T).toarray()
            pairs = sorted(
                ((sims[i, j], i, j) for i in range(n) for j in range(sims.shape[1])),
                reverse=True,
            )
            used: set[int] = set()
            for sim, i, j in pairs:
                if sim < min_overlap:
                    break
                if ids[i] == -1 and j not in used:
                    ids[i] = old.question_ids[j]
                    used.add(j)
    for i in range(n):
        if ids[i] == -1:
            ids[i] = next_id
            next_id += 1
    return ids


def vectors_from_model(old: QuestionModel, new_centroids: sp.csr_matrix) -> sp.csr_matrix:
    """Old centroids comparable with new ones: only when both use the same feature space
    (same vocabulary size); otherwise ValueError and ids start afresh."""
    if old.centroids.shape[1] != new_centroids.shape[1]:
        raise ValueError("different feature spaces")
    return old.centroids


def save_model(settings: Settings, model: QuestionModel) -> Path:
    """Write atomically: a crash leaves the previous model, never half a file."""
    path = model_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as handle:
        pickle.dump({"format": FORMAT, "model": model}, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
    _CACHE.clear()
    return path


_CACHE: dict[tuple[str, float], QuestionModel] = {}


def load_model(settings: Settings) -> QuestionModel | None:
    """The last saved model, or None when repeat questions were never computed. Cached by
    file time so `suggest` pays the load once per process."""
    path = model_path(settings)
    try:
        stamp = path.stat().st_mtime
    except FileNotFoundError:
        return None
    key = (str(path), stamp)
    if key not in _CACHE:
        # The file is written only by `save_model` inside the workspace (trusted).
        with path.open("rb") as handle:
            saved = pickle.load(handle)
        if not isinstance(saved, dict) or saved.get("format") != FORMAT:
            raise ValueError(
                f"{path}: saved by another csops version; run `csops kb repeat-questions` again"
            )
        _CACHE.clear()
        _CACHE[key] = saved["model"]
    return _CACHE[key]
