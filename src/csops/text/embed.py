"""Sentence vectors from a model that ships inside a PyPI package, never downloaded.

WordLlama's default model (256 dimensions, 16 MB, token embeddings distilled from large
language models and average-pooled, numpy-only inference) is included in the `wordllama`
wheel. It knows that "my wallet was stolen" and "I lost my card" are near, which TF-IDF
cannot: clustering uses both (see `cluster.combine`). When the package is missing, or its
files are, csops falls back to TF-IDF alone.
"""

from __future__ import annotations

import functools
import importlib
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

Embedder = Callable[[Sequence[str]], np.ndarray]
NAME = "wordllama-l2-supercat-256"


@functools.cache
def bundled_embedder() -> Embedder | None:
    """The packaged model, loaded once per process; None when it is not installed."""
    try:  # optional and untyped: imported by name
        wordllama = importlib.import_module("wordllama")
    except ImportError:
        return None
    if wordllama.__file__ is None:
        return None
    folder = Path(wordllama.__file__).parent
    # Its loader looks in `<cache_dir>/weights` and `<cache_dir>/tokenizers`: pointing it
    # at the package itself finds the bundled files; downloads are refused outright.
    logging.getLogger("wordllama").setLevel(logging.ERROR)
    try:
        model = wordllama.WordLlama.load(cache_dir=folder, disable_download=True)
    except (OSError, ValueError):  # FileNotFoundError included: files missing
        return None

    def embed(texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, model.embedding.shape[1]), dtype=np.float32)
        return np.asarray(model.embed(list(texts), norm=True), dtype=np.float32)

    return embed
