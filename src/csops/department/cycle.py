"""The department's recurring work on a company's data, in order: what `csops run` does
(and `csops demo` after loading the demo company). Each step learns or refreshes what the
weekly report and the specialists' commands then read: stored models are reused while
they fit, so a second run on the same day is quick."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from csops.ingest.pipeline import IngestContext


@dataclass(frozen=True, slots=True)
class Step:
    name: str  # what a person sees while it runs ("Training the churn model …")
    run: Callable[[IngestContext, date], str]  # returns one line saying what it did


def _churn_model(ctx: IngestContext, as_of: date) -> str:
    from csops.health.service import card_for, health_data, model_for

    with health_data(ctx.settings, ctx.engine, as_of) as data:
        model = model_for(data, ctx.settings, card_for(data, None), 90, retrain=False)
    meta = model.metadata
    return f"churn model as of {meta.get('as_of')}: {meta.get('chosen', 'scorecard')}"


def _expansion_model(ctx: IngestContext, as_of: date) -> str:
    from csops.department.expansion.config import load_config
    from csops.department.expansion.model_store import latest_scorer
    from csops.department.expansion.service import config_source, train_expansion

    config = load_config(config_source(ctx.settings, None))
    stored = latest_scorer(ctx.settings.workspace, as_of, config)
    if stored is not None:
        return f"expansion model as of {stored[0]} reused ({stored[1].method})"
    scorer, _, _ = train_expansion(ctx.settings, ctx.engine, as_of)
    return f"expansion model learned ({scorer.method}, {scorer.examples:,} examples)"


def _repeat_questions(ctx: IngestContext, as_of: date) -> str:
    from csops.department.knowledge_base.service import Window, run_repeat_questions

    result = run_repeat_questions(ctx.settings, ctx.engine, as_of, Window.of(as_of, None, None))
    return f"{len(result.questions)} repeat questions in {len(result.assignments):,} tickets"


CHURN_MODEL = Step("Training the churn model on the company's history", _churn_model)
EXPANSION_MODEL = Step("Learning who expands from the company's history", _expansion_model)
REPEAT_QUESTIONS = Step("Finding repeat questions in the tickets", _repeat_questions)
CYCLE: tuple[Step, ...] = (CHURN_MODEL, EXPANSION_MODEL, REPEAT_QUESTIONS)


def run_steps(
    ctx: IngestContext,
    as_of: date,
    steps: Sequence[Step],
    on_step: Callable[[str], None],
    on_error: Callable[[str, Exception], None],
) -> dict[str, str]:
    """Run every step; a failing step is reported and the rest still run. Returns, per
    step that worked, the line saying what it did."""
    done = {}
    for step in steps:
        on_step(step.name)
        try:
            done[step.name] = step.run(ctx, as_of)
        except Exception as exc:  # one failing specialist must not stop the others
            on_error(step.name, exc)
    return done
