"""Knowledge-base articles: Markdown files with YAML front matter in `<workspace>/kb/articles/`.

Front matter keys: id, title, questions (ids covered), status (draft | published), owner,
updated, and the publication record (published_at, published_by) that the approval step
of a later issue will write. This module is the one write path for article files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from csops.config import Settings
from csops.department.knowledge_base.paths import articles_dir
from csops.files import write_text_atomic

STATUSES = ("draft", "published")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")


class ArticleError(ValueError):
    """An article file that cannot be read: names the file, the key and why."""


@dataclass(frozen=True)
class Article:
    article_id: str
    title: str
    questions: tuple[int, ...]
    status: str
    owner: str
    updated: datetime
    body: str
    published_at: datetime | None = None
    published_by: str | None = None

    @property
    def text(self) -> str:
        """What suggestions match against."""
        return f"{self.title}\n{self.body}"

    def front_matter(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.article_id,
            "title": self.title,
            "questions": list(self.questions),
            "status": self.status,
            "owner": self.owner,
            "updated": self.updated.isoformat(timespec="seconds"),
        }
        if self.published_at is not None:
            data["published_at"] = self.published_at.isoformat(timespec="seconds")
            data["published_by"] = self.published_by
        return data


def render_article(article: Article) -> str:
    head = yaml.safe_dump(article.front_matter(), sort_keys=False, allow_unicode=True)
    return f"---\n{head}---\n\n{article.body.strip()}\n"


def parse_article(text: str, source: str) -> Article:
    """An article from its file text; `source` names the file in errors."""
    match = re.match(r"^---\s*\n(.*?)\n---\s*\n?(.*)$", text, re.DOTALL)
    if match is None:
        raise ArticleError(f"{source}: no YAML front matter (the file must start with '---')")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise ArticleError(f"{source}: front matter is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise ArticleError(f"{source}: front matter must be a mapping of keys to values")

    def need(key: str) -> Any:
        if meta.get(key) in (None, ""):
            raise ArticleError(f"{source}: front matter key '{key}' is missing")
        return meta[key]

    article_id = str(need("id"))
    if not _ID.match(article_id):
        raise ArticleError(
            f"{source}: key 'id' {article_id!r} must be lower-case letters, digits and dashes"
        )
    status = str(need("status"))
    if status not in STATUSES:
        raise ArticleError(
            f"{source}: key 'status' is {status!r}; use one of {', '.join(STATUSES)}"
        )
    questions = meta.get("questions") or []
    if not isinstance(questions, list) or not all(
        isinstance(q, int) and not isinstance(q, bool) for q in questions
    ):
        raise ArticleError(f"{source}: key 'questions' must be a list of question ids (integers)")
    return Article(
        article_id=article_id,
        title=str(need("title")),
        questions=tuple(questions),
        status=status,
        owner=str(meta.get("owner") or ""),
        updated=_when(need("updated"), source, "updated"),
        body=match.group(2).strip(),
        published_at=_when(meta["published_at"], source, "published_at")
        if meta.get("published_at")
        else None,
        published_by=str(meta["published_by"]) if meta.get("published_by") else None,
    )


def _when(value: Any, source: str, key: str) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    try:
        return datetime.fromisoformat(str(value)).replace(tzinfo=None)
    except ValueError as exc:
        raise ArticleError(f"{source}: key '{key}' {value!r} is not an ISO date or time") from exc


def load_articles(settings: Settings) -> list[Article]:
    """Every article in the workspace, by id. A broken file raises `ArticleError`."""
    folder = articles_dir(settings)
    if not folder.is_dir():
        return []
    found: dict[str, Article] = {}
    for path in sorted(folder.glob("*.md")):
        article = _parsed(path)
        if article.article_id in found:
            raise ArticleError(f"{path}: key 'id' {article.article_id!r} is used by another file")
        found[article.article_id] = article
    return list(found.values())


# Parsed files by path, kept while the file's time and size are unchanged: YAML parsing
# is slow, and `kb suggest` and triage read every article on each call.
_PARSED: dict[Path, tuple[tuple[int, int], Article]] = {}


def _parsed(path: Path) -> Article:
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _PARSED.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    article = parse_article(path.read_text(encoding="utf-8"), str(path))
    _PARSED[path] = (stamp, article)
    return article


def article_file(settings: Settings, article_id: str) -> Path:
    return articles_dir(settings) / f"{article_id}.md"


def save_article(settings: Settings, article: Article) -> Path:
    """The single write path for articles (atomic replace)."""
    return write_text_atomic(article_file(settings, article.article_id), render_article(article))


def mark_published(article: Article, by: str, at: datetime) -> Article:
    """The state change the approval step will call once a person approved publication."""
    return replace(article, status="published", published_by=by, published_at=at, updated=at)
