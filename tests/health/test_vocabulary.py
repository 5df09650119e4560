"""The event vocabulary a model is trained and scored with: a stored model is scored with
its own event types, and a backtest origin uses the vocabulary known on that origin."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from csops.analytics.warehouse import open_warehouse
from csops.health.backtest import run_backtest
from csops.health.dataset import HealthData
from csops.health.event_windows import vocabularies_on
from csops.health.features import FeatureFrame
from csops.health.model import ChurnModel
from csops.health.scorecard import parse_scorecard
from csops.health.service import card_for, model_for, score_all
from csops.health.storage import save_model
from csops.ingest.batch import ingest_paths
from csops.ingest.pipeline import IngestContext

D = date(2026, 5, 1)
HORIZON = 30
ORIGIN = D - timedelta(days=HORIZON)  # 2026-04-01: the one backtest origin as of D
FILLERS = [f"f{i:02d}" for i in range(1, 25)]
EVENTS_HEADER = "account_id,event_type,occurred_at,user_id\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text.strip() + "\n")
    return path


def company(folder: Path, events: list[str]) -> list[Path]:
    """Two accounts subscribed since 2024; `open` is the most used type (acme twice and
    globex once a month, Jan 2025 - Apr 2026), then `build` (globex, monthly to Mar 2026),
    plus `events` ("account,type,YYYY-MM-DD" lines, each by its own user)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for m in range(16):
        month = date(2025 + m // 12, m % 12 + 1, 1)
        rows += [
            f"acme,open,{month.replace(day=10)}T10:00:00,u1",
            f"acme,open,{month.replace(day=11)}T10:00:00,u2",
            f"globex,open,{month.replace(day=12)}T10:00:00,g1",
        ]
        if month < date(2026, 4, 1):
            rows.append(f"globex,build,{month.replace(day=15)}T10:00:00,g1")
    rows += [f"{e}T09:00:00,u{i}" for i, e in enumerate(events)]
    return [
        write(folder, "accounts.csv", "account_id,name\nacme,Acme\nglobex,Globex\n"),
        write(
            folder,
            "subscriptions.csv",
            "subscription_id,account_id,mrr,start_date,end_date,seats,billing_period_months\n"
            "s1,acme,100,2024-06-15,,10,12\ns2,globex,50,2024-09-10,,4,1\n",
        ),
        write(folder, "events.csv", EVENTS_HEADER + "\n".join(rows)),
    ]


def test_stored_model_is_scored_with_its_own_event_types(
    ctx: IngestContext, tmp_path: Path
) -> None:
    # `legacy` was used 371 days before D: inside the year before D - 10, outside the year
    # before D. `fresh` appears after D - 10.
    events = ["acme,legacy,2025-04-25", "globex,fresh,2026-04-25", "globex,fresh,2026-04-26"]
    ingest_paths(ctx, company(tmp_path / "in", events))
    con = open_warehouse(ctx.settings, ctx.engine)
    earlier = HealthData(con, D - timedelta(days=10))
    assert earlier.vocabulary == ["open", "build", "legacy"]
    card = card_for(earlier, None)
    save_model(ctx.settings.workspace, earlier.train(earlier.until, HORIZON, card))

    data = HealthData(con, D)
    assert data.vocabulary == ["open", "build", "fresh"]
    model = model_for(data, ctx.settings, card, HORIZON, retrain=False)
    assert model.metadata["as_of"] == "2026-04-21"  # the stored one, 10 days old
    assert model.metadata["event_types"] == ["open", "build", "legacy"]
    frame, scores = score_all(data, model, card)
    assert [s.account_id for s in scores] == ["acme", "globex"]
    # Every column the model expects is there; a type no longer seen counts 0 (not
    # missing) and has no "days since".
    assert set(model.spec.features) <= set(frame.names)
    x = model.matrix(frame)
    for suffix in ("7d", "28d", "90d"):
        j = model.spec.features.index(f"events[legacy]_{suffix}")
        assert x[:, j].tolist() == [0.0, 0.0]
    legacy_since = x[:, model.spec.features.index("events[legacy]_days_since")]
    assert np.isnan(legacy_since).all()
    # A type in both vocabularies is counted as usual: acme's 2 `open` in the last 28 days.
    assert x[0, model.spec.features.index("events[open]_28d")] == 2
    # Today's new type is still there for the scorecard's measures.
    fresh = parse_scorecard(
        {
            "bands": {"green": 70, "yellow": 40},
            "groups": {
                "usage": {
                    "weight": 1,
                    "measures": [{"feature": "events[fresh]_28d", "scale": {"bad": 0, "good": 2}}],
                }
            },
        },
        "card.yaml",
        set(frame.names),
    )
    _, fresh_scores = score_all(data, model, fresh)
    assert [s.health_score for s in fresh_scores] == [0.0, 100.0]


class AsOfOrigin(NamedTuple):
    data: HealthData
    model: ChurnModel
    frame: FeatureFrame
    labels: npt.NDArray[np.float64]
    backtest: dict[str, Any]


def test_backtest_origin_uses_the_vocabulary_known_then(ctx: IngestContext, tmp_path: Path) -> None:
    # 26 types in the year before the origin: `open`, `build` and 24 used once; the top 25
    # take the first 23 of those (ties by name).
    fillers = [f"acme,{t},2025-06-01" for t in FILLERS]
    known_then = ["open", "build", *FILLERS[:23]]

    def as_of_origin(home: str, events: list[str]) -> AsOfOrigin:
        ingest_paths(ctx, company(tmp_path / home, fillers + events))
        con = open_warehouse(ctx.settings, ctx.engine)
        data = HealthData(con, D)
        card = card_for(data, None)
        # What a session as of the origin chooses (the definition).
        assert HealthData(con, ORIGIN).vocabulary == known_then
        model = data.train(ORIGIN, HORIZON, card)
        frame, y = data.training_set(ORIGIN, HORIZON)
        backtest = run_backtest(HealthData(con, D), card, D, HORIZON, origins=1)
        return AsOfOrigin(data, model, frame, y, backtest)

    before = as_of_origin("a", [])
    # After the origin a new event type becomes the second most used: the vocabulary as of
    # D changes (it pushes `f23` out); the vocabulary known on the origin must not.
    late = [f"acme,late,2026-04-{day:02d}" for day in range(2, 17) for _ in range(2)]
    after = as_of_origin("b", late)
    assert before.data.vocabulary == known_then
    assert after.data.vocabulary == ["open", "late", "build", *FILLERS[:22]]
    for run in (before, after):
        assert run.model.metadata["event_types"] == known_then
    assert before.model.spec.features == after.model.spec.features
    assert "events[late]_28d" not in after.frame.names
    assert before.frame.names == after.frame.names and before.frame.days == after.frame.days
    assert len(before.frame) > 10
    assert np.array_equal(before.frame.values, after.frame.values, equal_nan=True)
    assert np.array_equal(before.labels, after.labels)
    for key in ("origins", "per_origin", "renewal_forecast", "accounts", "churned"):
        assert before.backtest[key] == after.backtest[key], key
    # A day computed before a vocabulary with more types is asked for gets their columns
    # added (from its event windows, built again here: another day was computed since),
    # with the values it has when computed with them at once.
    day = ORIGIN - timedelta(days=HORIZON)
    first = HealthData(after.data.con, D)
    assert "events[f23]_7d" not in first.frame(day).names
    first.frame(D)
    added = first.frame(day, known_then)
    at_once = after.data.frame(day, known_then)
    assert added.names == at_once.names and added.account_ids == at_once.account_ids
    assert np.array_equal(added.values, at_once.values, equal_nan=True)
    assert added.column("events[f23]_days_since").tolist()[0] == 274  # acme, since Jun 1
    for run in (before, after):
        assert run.model.event_types == known_then
        assert run.backtest["models"][0]["event_types"] == known_then
        assert run.data.vocabulary_on(ORIGIN) == known_then
    # The one-scan vocabularies of many days are those a session as of each day chooses.
    both = vocabularies_on(after.data.con, [ORIGIN, D])
    assert both == {ORIGIN: known_then, D: after.data.vocabulary}
