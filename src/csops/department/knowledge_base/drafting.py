"""Article drafts written from how agents actually answered a question.

Material: the public agent replies on the question's solved tickets with good CSAT (4 or
5; when no ticket of the question has a rating, solved tickets without one). Sentences
that agents use everywhere ("Thanks for reaching out.") are dropped: a sentence is kept
when its share among this question's answers is at least three times its share among all
answers. Everything is redacted before it is written.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from csops.department.knowledge_base.articles import Article
from csops.text.clean import clean_body
from csops.text.redact import Redactor

GOOD_CSAT = 4
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9'\"(])")


@dataclass(frozen=True)
class Answer:
    ticket_id: str
    body: str
    csat: float | None


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(" ".join(text.split())) if len(s.strip()) > 3]


def usable_answers(answers: Sequence[Answer]) -> tuple[list[Answer], str]:
    """Answers with good CSAT, else unrated ones; and which rule applied."""
    good = [a for a in answers if a.csat is not None and a.csat >= GOOD_CSAT]
    if good:
        return good, f"CSAT ≥ {GOOD_CSAT}"
    unrated = [a for a in answers if a.csat is None]
    return unrated, "no CSAT rating (no rated ticket for this question)"


def draft_article(
    *,
    question_id: int,
    label: str,
    phrasings: Sequence[str],
    answers: Sequence[Answer],
    all_answers: Sequence[str],
    redactor: Redactor,
    owner: str,
    now: datetime,
) -> Article:
    """A draft article for one question; raises ValueError without usable answers."""
    chosen, rule = usable_answers(answers)
    if not chosen:
        raise ValueError(
            f"question {question_id} has no solved ticket with an agent reply to learn from"
        )
    per_ticket = [set(sentences(redactor.redact(clean_body(a.body)))) for a in chosen]
    here = Counter(s for ss in per_ticket for s in ss)
    everywhere = Counter(
        s for body in all_answers for s in set(sentences(redactor.redact(clean_body(body))))
    )
    total = max(len(all_answers), 1)
    kept = [
        (n, s)
        for s, n in here.items()
        if n / len(chosen) >= 3 * everywhere.get(s, 0) / total and n >= max(1, len(chosen) // 10)
    ]
    kept.sort(key=lambda pair: (-pair[0], pair[1]))
    if not kept:
        raise ValueError(f"question {question_id}: agents' replies have nothing specific to it")
    lines = [f"# {label}", "", "## The question", ""]
    lines += [f"- {p}" for p in phrasings]
    lines += ["", "## The answer", ""]
    for _, s in kept[:8]:
        lines += [s, ""]
    lines += [
        "",
        "<!-- draft by csops: built from "
        f"{len(chosen)} agent replies ({rule}); every sentence kept is used in at least "
        f"{min(n for n, _ in kept[:8])} of them. Review before publishing. -->",
    ]
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:50] or "question"
    return Article(
        article_id=f"q{question_id}-{slug}",
        title=label,
        questions=(question_id,),
        status="draft",
        owner=owner,
        updated=now,
        body="\n".join(lines),
    )
