"""TF-IDF vectors over word and character n-grams.

Why TF-IDF and not sentence embeddings: csops works offline and no embedding model ships
inside a PyPI package we may depend on, so the vectors come from the tickets themselves.
Word uni/bi-grams carry the vocabulary of a question; character n-grams within words
survive typos, plurals and product-name spellings.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import normalize

# Replaced values of redaction and bare numbers carry no meaning for the question.
_TOKEN = r"(?u)\b[^\W\d_][\w'-]*[^\W_]\b"


def build_vectorizer(documents: int) -> FeatureUnion:
    """A vectoriser sized for `documents` texts (rare terms need a count to be trusted)."""
    min_df = 2 if documents >= 200 else 1
    words = TfidfVectorizer(
        analyzer="word",
        token_pattern=_TOKEN,
        ngram_range=(1, 2),
        stop_words="english",
        sublinear_tf=True,
        min_df=min_df,
        max_df=0.5 if documents >= 50 else 1.0,
        max_features=60_000,
        dtype=np.float32,
    )
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        sublinear_tf=True,
        min_df=min_df,
        max_df=0.5 if documents >= 50 else 1.0,
        max_features=60_000,
        dtype=np.float32,
    )
    # Words weigh more: char n-grams smooth, words decide.
    return FeatureUnion(
        [("words", words), ("chars", chars)], transformer_weights={"words": 1.0, "chars": 0.6}
    )


def fit_vectors(texts: Sequence[str]) -> tuple[FeatureUnion, sp.csr_matrix]:
    """A fitted vectoriser and the L2-normalised vectors of `texts`."""
    vectorizer = build_vectorizer(len(texts))
    matrix = vectorizer.fit_transform(list(texts))
    return vectorizer, normalize(sp.csr_matrix(matrix, dtype=np.float32))


def vectors(vectorizer: FeatureUnion, texts: Sequence[str]) -> sp.csr_matrix:
    """L2-normalised vectors of `texts` with an already fitted vectoriser."""
    return normalize(sp.csr_matrix(vectorizer.transform(list(texts)), dtype=np.float32))
