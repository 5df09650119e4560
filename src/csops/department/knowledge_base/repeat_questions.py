"""Repeat questions: tickets grouped into the questions customers keep asking.

Pure: takes tickets (and the names to redact, the previous model, the articles) and
returns the questions, every ticket's assignment and the model to save. Loading from the
store and saving to the workspace live in `service.py`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from csops.department.knowledge_base.articles import Article
from csops.department.knowledge_base.question_model import QuestionModel, carry_ids
from csops.text.clean import clean_body, clean_message, clean_subject
from csops.text.cluster import OTHER, cluster_vectors, sentence_weight
from csops.text.embed import NAME as EMBEDDER_NAME
from csops.text.embed import Embedder
from csops.text.redact import Redactor
from csops.text.vectorize import fit_vectors, vectors

WEEKS_SHOWN = 12
# An article whose text is this close to a question's centroid covers it even when its
# front matter does not name the question.
COVER_SIMILARITY = 0.35
MIN_FLOOR, MAX_FLOOR = 0.15, 0.3


@dataclass(frozen=True)
class TicketText:
    ticket_id: str
    account_id: str
    created_at: datetime
    subject: str
    body: str


@dataclass(frozen=True)
class Question:
    question_id: int
    label: str
    terms: tuple[str, ...]
    phrasings: tuple[str, ...]
    tickets: int
    accounts: int
    weekly: tuple[tuple[date, int], ...]  # (Monday, tickets), oldest first
    recent_per_week: float  # mean of the last two weeks
    baseline_per_week: float  # mean of the eight weeks before those
    emerging: bool
    covered_by: tuple[str, ...]

    @property
    def trend(self) -> float | None:
        """Relative change of the weekly rate, recent vs baseline (None: no baseline)."""
        if self.baseline_per_week == 0:
            return None
        return self.recent_per_week / self.baseline_per_week - 1.0

    def as_dict(self) -> dict[str, object]:
        return {
            "question_id": self.question_id,
            "label": self.label,
            "terms": list(self.terms),
            "phrasings": list(self.phrasings),
            "tickets": self.tickets,
            "accounts": self.accounts,
            "weekly": [{"week": w.isoformat(), "tickets": n} for w, n in self.weekly],
            "recent_per_week": round(self.recent_per_week, 2),
            "baseline_per_week": round(self.baseline_per_week, 2),
            "trend": None if self.trend is None else round(self.trend, 3),
            "emerging": self.emerging,
            "covered": bool(self.covered_by),
            "covered_by": list(self.covered_by),
        }


@dataclass(frozen=True)
class RepeatQuestions:
    questions: list[Question]  # by tickets, most first
    assignments: dict[str, int]  # ticket_id -> question_id, or -1 for "other"
    model: QuestionModel
    silhouette: float
    candidates: tuple[tuple[int, float], ...] = field(default=())  # (questions, modularity)
    modularity: float = 0.0
    features: str = "tfidf"  # what the texts were compared on

    @property
    def other(self) -> int:
        return sum(1 for q in self.assignments.values() if q == OTHER)


def is_emerging(recent: int, baseline: int, recent_weeks: int = 2, baseline_weeks: int = 8) -> bool:
    """A weekly-volume jump against the question's own baseline: at least 4 tickets in the
    recent weeks, at least double the baseline rate, and more than 3 Poisson standard
    deviations above what the baseline predicts."""
    expected = baseline * recent_weeks / baseline_weeks
    return (
        recent >= 4 and recent >= 2 * expected and recent - expected > 3 * math.sqrt(expected + 1)
    )


def ticket_text(ticket: TicketText, redactor: Redactor) -> str:
    return redactor.redact(clean_message(ticket.subject, ticket.body))


def find_repeat_questions(
    tickets: Sequence[TicketText],
    *,
    as_of: date,
    names: Iterable[str] = (),
    previous: QuestionModel | None = None,
    articles: Sequence[Article] = (),
    min_size: int | None = None,
    embedder: Embedder | None = None,
    seed: int = 0,
) -> RepeatQuestions:
    """Cluster `tickets` into questions (their number found from the data). `embedder`
    adds sentence vectors to the TF-IDF ones (`bundled_embedder()` when installed)."""
    names = list(names)  # read twice below
    blank = Redactor.for_names(names, blank=" ")
    texts = [ticket_text(t, blank) for t in tickets]
    unique: dict[str, int] = {}
    row_of = np.fromiter(
        (unique.setdefault(t, len(unique)) for t in texts), dtype=np.int64, count=len(texts)
    )
    unique_texts = list(unique)
    weights = np.bincount(row_of, minlength=len(unique_texts)).astype(float)
    if not unique_texts or not any(t.strip() for t in unique_texts):
        raise ValueError("no ticket text to cluster")
    vectorizer, matrix = fit_vectors(unique_texts)
    size = min_size if min_size is not None else max(3, math.ceil(0.001 * len(tickets)))
    dense = None if embedder is None else embedder(unique_texts)
    words = float(np.median([len(t.split()) for t in texts]))
    clustering = cluster_vectors(
        matrix,
        weights,
        min_size=size,
        dense=dense,
        dense_weight=sentence_weight(words),
        seed=seed,
    )
    k = clustering.n_clusters
    labels = clustering.labels
    centroids = _centroids(matrix, weights, labels, k)
    ids = carry_ids(previous, centroids)
    # Similarity of each text to its own centroid, one question at a time (indexing the
    # centroids per row would materialise a dense-ish matrix of texts x features).
    sims = np.zeros(matrix.shape[0])
    for c in range(k):
        rows = np.flatnonzero(labels == c)
        sims[rows] = np.asarray((matrix[rows] @ centroids[c].T).toarray()).ravel()
    # A new text joins a question when it is at least half as close as the question's
    # loosest members (2nd percentile), within [MIN_FLOOR, MAX_FLOOR]: templates make
    # members very alike, new wording is rarely that close.
    floors = []
    for c in range(k):
        member = sims[labels == c]
        loose = float(np.percentile(member, 2)) if len(member) else MAX_FLOOR
        floors.append(min(MAX_FLOOR, max(MIN_FLOOR, 0.5 * loose)))
    marked = Redactor.for_names(names)  # built once: it holds every contact's name
    redacted: dict[str, str] = {}  # subjects repeat a lot ("Invoice copy"): redact each once
    subject_of = [
        redacted[t.subject]
        if t.subject in redacted
        else redacted.setdefault(t.subject, redactor_subject(t, marked))
        for t in tickets
    ]
    question_labels: list[str] = []
    questions: list[Question] = []
    terms_all = _distinctive_terms(vectorizer, centroids, matrix, weights)
    article_sims = article_cover(vectorizer, centroids, articles)
    ticket_cluster = labels[row_of]
    for c in range(k):
        members = np.flatnonzero(ticket_cluster == c)
        subjects = Counter(subject_of[i] for i in members if subject_of[i])
        label = subjects.most_common(1)[0][0] if subjects else " ".join(terms_all[c][:3])
        question_labels.append(label)
        central = np.flatnonzero(labels == c)
        central = central[np.argsort(-sims[central], kind="stable")][:3]
        phrasings = tuple(_phrase(unique_texts[i]) for i in central)
        weekly, recent, base = _weekly([tickets[int(i)].created_at for i in members], as_of)
        covered = tuple(
            a.article_id
            for j, a in enumerate(articles)
            if ids[c] in a.questions or article_sims[c, j] >= COVER_SIMILARITY
        )
        questions.append(
            Question(
                question_id=ids[c],
                label=label,
                terms=tuple(terms_all[c]),
                phrasings=phrasings,
                tickets=len(members),
                accounts=len({tickets[int(i)].account_id for i in members}),
                weekly=weekly,
                recent_per_week=recent / 2,
                baseline_per_week=base / 8,
                emerging=is_emerging(recent, base),
                covered_by=covered,
            )
        )
    model = QuestionModel(
        vectorizer=vectorizer,
        centroids=centroids,
        question_ids=tuple(ids),
        labels=tuple(question_labels),
        min_similarity=tuple(floors),
        as_of=as_of.isoformat(),
    )
    assignments = {
        t.ticket_id: (ids[int(c)] if c != OTHER else OTHER)
        for t, c in zip(tickets, ticket_cluster.tolist(), strict=True)
    }
    questions.sort(key=lambda q: (-q.tickets, -q.recent_per_week, q.question_id))
    return RepeatQuestions(
        questions,
        assignments,
        model,
        clustering.silhouette,
        clustering.candidates,
        clustering.modularity,
        "tfidf" if embedder is None else f"tfidf+{EMBEDDER_NAME}",
    )


def redactor_subject(ticket: TicketText, redactor: Redactor) -> str:
    return redactor.redact(clean_subject(ticket.subject))


def _phrase(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _centroids(
    matrix: sp.csr_matrix, weights: np.ndarray, labels: np.ndarray, k: int
) -> sp.csr_matrix:
    rows = np.flatnonzero(labels != OTHER)
    member = sp.csr_matrix((weights[rows], (labels[rows], rows)), shape=(k, matrix.shape[0]))
    return sp.csr_matrix(normalize(member @ matrix), dtype=np.float32)


def _distinctive_terms(
    vectorizer: object,
    centroids: sp.csr_matrix,
    matrix: sp.csr_matrix,
    weights: np.ndarray,
    top: int = 5,
) -> list[list[str]]:
    """Per question: the words most over-represented in its centroid against the mean."""
    words = vectorizer.transformer_list[0][1]  # type: ignore[attr-defined]
    names = words.get_feature_names_out()
    n_words = len(names)
    overall = np.asarray((sp.csr_matrix(weights) @ matrix[:, :n_words]).toarray()).ravel() / max(
        weights.sum(), 1
    )
    result: list[list[str]] = []
    for c in range(centroids.shape[0]):
        row = centroids[c, :n_words].toarray().ravel() - overall
        order = np.argsort(-row)[:top]
        result.append([str(names[i]) for i in order if row[i] > 0])
    return result


def article_cover(
    vectorizer: object, centroids: sp.csr_matrix, articles: Sequence[Article]
) -> np.ndarray:
    """Cosine similarity of each question's centroid (rows) to each article's text."""
    if not articles or centroids.shape[0] == 0:
        return np.zeros((centroids.shape[0], len(articles)))
    art = vectors(vectorizer, [clean_body(a.text) for a in articles])
    return np.asarray((centroids @ art.T).toarray())


def _weekly(created: list[datetime], as_of: date) -> tuple[tuple[tuple[date, int], ...], int, int]:
    """Tickets per week (Monday-based) for the last WEEKS_SHOWN weeks, and the counts in the
    last 14 days and in the 56 days before them (the baseline)."""
    this_monday = as_of - timedelta(days=as_of.weekday())
    weeks = [this_monday - timedelta(weeks=i) for i in range(WEEKS_SHOWN - 1, -1, -1)]
    counts = Counter(d.date() - timedelta(days=d.weekday()) for d in created)
    end = as_of + timedelta(days=1)
    recent = sum(1 for d in created if end - timedelta(days=14) <= d.date() < end)
    base = sum(
        1 for d in created if end - timedelta(days=70) <= d.date() < end - timedelta(days=14)
    )
    return tuple((w, counts.get(w, 0)) for w in weeks), recent, base
