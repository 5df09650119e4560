"""What `csops demo` runs after loading the company: the department's own work, so the
weekly report it writes has every section filled in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from csops.department.cycle import (
    CHURN_MODEL,
    EXPANSION_MODEL,
    REPEAT_QUESTIONS,
    Step,
    run_steps,
)
from csops.ingest.pipeline import IngestContext


def _help_center(ctx: IngestContext, as_of: date) -> str:
    """The company's existing help-centre articles, imported into the knowledge base as
    published on the day each went live. They name no question id: csops links them to
    its repeat questions by their text, as it would any imported article."""
    from csops.demo.catalog import VENDOR_DOMAIN
    from csops.demo.help_center import HELP_ARTICLES, article_markdown
    from csops.department.knowledge_base.articles import Article, save_article

    for article in HELP_ARTICLES:
        title, body = article_markdown(article)
        live = datetime.combine(as_of - timedelta(days=article.live_days), time())
        imported = Article(
            article.article_id,
            title,
            (),
            "published",
            f"support@{VENDOR_DOMAIN}",
            live,
            body,
            published_at=live,
            published_by="help centre (imported)",
        )
        save_article(ctx.settings, imported)
    return f"{len(HELP_ARTICLES)} help-centre articles imported"


HELP_CENTER = Step("Importing the help centre's articles", _help_center)
# The help centre first: repeat questions then link the imported articles.
STEPS: tuple[Step, ...] = (CHURN_MODEL, EXPANSION_MODEL, HELP_CENTER, REPEAT_QUESTIONS)


def run_department(
    ctx: IngestContext,
    as_of: date,
    on_step: Callable[[str], None],
    on_error: Callable[[str, Exception], None],
) -> dict[str, str]:
    """The department's cycle on the demo company, with its help centre imported."""
    return run_steps(ctx, as_of, STEPS, on_step, on_error)
