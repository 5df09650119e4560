"""Which repeat question a ticket asks and which articles answer it.

Used by `csops kb suggest` and by Support Ops triage. It reads what the workspace holds (the
last repeat-question model and the articles); with nothing saved it returns no question and
no articles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.pipeline import FeatureUnion

from csops.config import Settings
from csops.department.knowledge_base.articles import Article, load_articles
from csops.department.knowledge_base.question_model import QuestionModel, load_model
from csops.text.clean import clean_body
from csops.text.redact import Redactor
from csops.text.vectorize import fit_vectors, vectors

# Below this an article is not worth showing.
MIN_SCORE = 0.08
_BLANK = Redactor(blank=" ")


@dataclass(frozen=True)
class ArticleMatch:
    article_id: str
    title: str
    score: float


@dataclass(frozen=True)
class TicketMatch:
    question_id: int | None
    label: str | None
    articles: list[ArticleMatch]


def match_ticket(
    settings: Settings, text: str, top: int = 3, *, include_drafts: bool = False
) -> TicketMatch:
    """The question `text` asks (None: no known question) and the best `top` articles.
    Only published articles are suggested unless `include_drafts`."""
    model = load_model(settings)
    articles = [a for a in load_articles(settings) if include_drafts or a.status == "published"]
    return rank(model, articles, text, top)


def rank(
    model: QuestionModel | None, articles: Sequence[Article], text: str, top: int = 3
) -> TicketMatch:
    """Pure matching. An article's score is the larger of its text similarity to the
    ticket and, when it covers the ticket's question, the ticket's similarity to that
    question."""
    cleaned = _BLANK.redact(clean_body(text))
    question_id: int | None = None
    label: str | None = None
    question_sim = 0.0
    ticket = None  # the ticket's vector in the model's space, made once
    if model is not None and cleaned.strip():
        ticket = vectors(model.vectorizer, [cleaned])
        index, sim = model.nearest_to(ticket)
        if index[0] >= 0:
            question_id = model.question_ids[int(index[0])]
            label = model.labels[int(index[0])]
            question_sim = float(sim[0])
    if not articles or not cleaned.strip():
        return TicketMatch(question_id, label, [])
    text_sims = _article_similarity(model, articles, cleaned, ticket)
    matches: list[ArticleMatch] = []
    for article, sim in zip(articles, text_sims.tolist(), strict=True):
        score = float(sim)
        if question_id is not None and question_id in article.questions:
            score = max(score, question_sim)
        if score >= MIN_SCORE:
            matches.append(ArticleMatch(article.article_id, article.title, round(score, 4)))
    matches.sort(key=lambda m: (-m.score, m.article_id))
    return TicketMatch(question_id, label, matches[:top])


_INDEX: dict[tuple[object, ...], tuple[FeatureUnion, sp.csr_matrix]] = {}


def _article_similarity(
    model: QuestionModel | None,
    articles: Sequence[Article],
    cleaned: str,
    ticket: sp.csr_matrix | None = None,
) -> np.ndarray:
    """Cosine similarity of the ticket to each article, in the model's vector space (or,
    with no model yet, in one fitted on the articles themselves). Article vectors are
    cached per (model, articles) so repeated suggestions cost one transform."""
    key = (id(model), tuple((a.article_id, a.updated, a.text) for a in articles))
    if key not in _INDEX:
        texts = [clean_body(a.text) for a in articles]
        if model is not None:
            _INDEX.clear()
            _INDEX[key] = (model.vectorizer, vectors(model.vectorizer, texts))
        else:
            _INDEX.clear()
            _INDEX[key] = fit_vectors(texts)
    vectorizer, matrix = _INDEX[key]
    if ticket is None or model is None:
        ticket = vectors(vectorizer, [cleaned])
    return np.asarray((ticket @ matrix.T).toarray()).ravel()
