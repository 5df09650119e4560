from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from csops.config import Settings
from csops.department.knowledge_base.articles import (
    Article,
    ArticleError,
    load_articles,
    mark_published,
    parse_article,
    render_article,
    save_article,
)

NOW = datetime(2026, 6, 1, 12, 0)
RESET = Article(
    "reset-password", "Reset your password", (3,), "draft", "kb@acme.io", NOW, "Use the link."
)


def test_round_trip_through_markdown() -> None:
    published = mark_published(RESET, "lead@acme.io", NOW)
    assert parse_article(render_article(published), "x.md") == published


def test_saved_articles_are_listed(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    save_article(settings, RESET)
    assert load_articles(settings) == [RESET]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("no front matter", "front matter"),
        ("---\nid: a\ntitle: T\nstatus: live\nupdated: 2026-01-01\n---\nbody", "'status'"),
        ("---\nid: a\nstatus: draft\nupdated: 2026-01-01\n---\nbody", "'title'"),
        (
            "---\nid: a\ntitle: T\nstatus: draft\nupdated: 2026-01-01\nquestions: [x]\n---\n",
            "'questions'",
        ),
        ("---\nid: A B\ntitle: T\nstatus: draft\nupdated: 2026-01-01\n---\n", "'id'"),
        ("---\nid: a\ntitle: T\nstatus: draft\nupdated: someday\n---\n", "'updated'"),
        ("---\nid: [a\n---\n", "not valid YAML"),
    ],
)
def test_broken_front_matter_names_file_and_key(text: str, key: str) -> None:
    with pytest.raises(ArticleError) as caught:
        parse_article(text, "kb/articles/a.md")
    assert "kb/articles/a.md" in str(caught.value)
    assert key in str(caught.value)


def test_an_article_edited_by_hand_is_read_again(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    path = save_article(settings, RESET)
    assert load_articles(settings)[0].title == "Reset your password"
    path.write_text(path.read_text().replace("Reset your password", "Reset a password"))
    assert load_articles(settings)[0].title == "Reset a password"
