"""What `csops demo` runs after loading the company: the department's own work, so the
weekly report it writes has every section filled in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from csops.ingest.pipeline import IngestContext

Step = tuple[str, Callable[[IngestContext, date], object]]


def _help_center(ctx: IngestContext, as_of: date) -> object:
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
    return len(HELP_ARTICLES)


def _repeat_questions(ctx: IngestContext, as_of: date) -> object:
    from csops.department.knowledge_base.service import Window, run_repeat_questions

    return run_repeat_questions(ctx.settings, ctx.engine, as_of, Window.of(as_of, None, None))


def _churn_model(ctx: IngestContext, as_of: date) -> object:
    from csops.health.service import card_for, health_data, model_for

    with health_data(ctx.settings, ctx.engine, as_of) as data:
        return model_for(data, ctx.settings, card_for(data, None), 90, retrain=False)


STEPS: list[Step] = [
    ("Training the churn model on the company's history", _churn_model),
    ("Importing the help centre's articles", _help_center),
    ("Finding repeat questions in the tickets", _repeat_questions),
]


def run_department(
    ctx: IngestContext,
    as_of: date,
    on_step: Callable[[str], None],
    on_error: Callable[[str, Exception], None],
) -> list[str]:
    """Run every step; a failing step is reported and the rest still run. Returns the
    names of the steps that worked."""
    done = []
    for name, step in STEPS:
        on_step(name)
        try:
            step(ctx, as_of)
        except Exception as exc:  # the demo shows what works; one failure is reported
            on_error(name, exc)
            continue
        done.append(name)
    return done
