"""The demo's department steps: the help centre's articles land in the knowledge base."""

from __future__ import annotations

import datetime as dt

from csops.demo.department import STEPS
from csops.demo.help_center import HELP_ARTICLES
from csops.department.knowledge_base.articles import load_articles
from csops.ingest.pipeline import IngestContext


def test_the_help_centre_is_imported_before_repeat_questions_run(ctx: IngestContext) -> None:
    names = [step.name for step in STEPS]
    assert names.index("Importing the help centre's articles") < names.index(
        "Finding repeat questions in the tickets"
    )
    as_of = dt.date(2026, 6, 1)
    steps = {step.name: step for step in STEPS}
    assert steps["Importing the help centre's articles"].run(ctx, as_of) == (
        f"{len(HELP_ARTICLES)} help-centre articles imported"
    )
    articles = {a.article_id: a for a in load_articles(ctx.settings)}
    assert set(articles) == {a.article_id for a in HELP_ARTICLES}
    for help_article in HELP_ARTICLES:
        article = articles[help_article.article_id]
        live = dt.datetime.combine(as_of - dt.timedelta(days=help_article.live_days), dt.time())
        # published the day the generator's readers start seeing it, naming no question id
        assert (article.status, article.published_at, article.questions) == ("published", live, ())
        assert "## What to do" in article.body
