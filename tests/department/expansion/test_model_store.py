"""The expansion likelihood model: learned once, stored as plain numbers, reused only
where it cannot know the future."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from tests.department.expansion.conftest import D

from csops.department.expansion.config import load_config
from csops.department.expansion.likelihood import LogisticModel, Scorer, TrainingSet, fit_scorer
from csops.department.expansion.model_store import latest_scorer, save_scorer
from csops.department.expansion.service import run_expansion
from csops.department.expansion.signals import FEATURES
from csops.ingest.pipeline import IngestContext


def _learned() -> Scorer:
    rng = np.random.default_rng(3)
    rows = rng.normal(size=(300, len(FEATURES)))
    rows[:, 4] = 1.0  # a feature that never varies keeps scale 1
    labels = rows[:, 0] + rng.normal(scale=0.5, size=300) > 0.8
    return fit_scorer(TrainingSet(rows, labels, [D] * 300), load_config())


def test_learned_model_scores_as_scikit_learn_does() -> None:
    rng = np.random.default_rng(3)
    rows = rng.normal(size=(300, len(FEATURES)))
    rows[:, 4] = 1.0
    labels = rows[:, 0] + rng.normal(scale=0.5, size=300) > 0.8
    scorer = fit_scorer(TrainingSet(rows, labels, [D] * 300), load_config())
    reference = make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=1000))
    reference.fit(rows, labels)
    fresh = rng.normal(size=(50, len(FEATURES)))
    assert isinstance(scorer.model, LogisticModel)
    expected = reference.predict_proba(fresh)[:, 1]
    assert np.allclose(scorer.score(fresh, {}), expected, atol=1e-9)


def test_stored_model_gives_the_same_likelihoods(tmp_path: Path) -> None:
    scorer, config = _learned(), load_config()
    save_scorer(tmp_path, D, config, scorer, [D - timedelta(days=90)])
    found = latest_scorer(tmp_path, D, config)
    assert found is not None and found[0] == D
    fresh = np.random.default_rng(5).normal(size=(20, len(FEATURES)))
    assert found[1].score(fresh, {}).tolist() == scorer.score(fresh, {}).tolist()
    assert found[1].describe() == scorer.describe()


def test_reused_only_from_the_past_month_and_same_settings(tmp_path: Path) -> None:
    config = load_config()
    save_scorer(tmp_path, D, config, _learned(), [])
    assert latest_scorer(tmp_path, D - timedelta(days=1), config) is None  # knows the future
    assert latest_scorer(tmp_path, D + timedelta(days=31), config) is not None
    assert latest_scorer(tmp_path, D + timedelta(days=32), config) is None  # too old
    other = config.model_copy(update={"horizon_days": 60})
    assert latest_scorer(tmp_path, D, other) is None
    owners_only = config.model_copy(update={"owners": config.owners.model_copy()})
    assert latest_scorer(tmp_path, D, owners_only) is not None
    save_scorer(tmp_path, D + timedelta(days=7), config, _learned(), [])
    found = latest_scorer(tmp_path, D + timedelta(days=10), config)
    assert found is not None and found[0] == D + timedelta(days=7)


def test_an_unreadable_model_file_is_learned_again(tmp_path: Path) -> None:
    config = load_config()
    path = save_scorer(tmp_path, D, config, _learned(), [])
    path.write_text("{not json")
    assert latest_scorer(tmp_path, D, config) is None


def test_qualifying_stores_the_model_and_later_days_reuse_it(
    loaded: IngestContext, config_file: Path
) -> None:
    first = run_expansion(loaded.settings, loaded.engine, D, config_file)
    assert first.model_as_of == D and first.training_dates
    assert len(list((loaded.settings.workspace / "models").glob("expansion-*.json"))) == 1
    later = D + timedelta(days=5)
    reused = run_expansion(loaded.settings, loaded.engine, later, config_file)
    assert reused.model_as_of == D and reused.training_dates == ()
    relearned = run_expansion(loaded.settings, loaded.engine, later, config_file, retrain=True)
    assert relearned.model_as_of == later and relearned.training_dates
    earlier = run_expansion(loaded.settings, loaded.engine, D - timedelta(days=3), config_file)
    assert earlier.model_as_of == D - timedelta(days=3)  # never a model from after the day


def test_rules_round_trip(tmp_path: Path) -> None:
    config = load_config()
    scorer = fit_scorer(TrainingSet([[0.0] * len(FEATURES)], [False], [D]), config)
    assert scorer.method == "rules"
    save_scorer(tmp_path, D, config, scorer, [])
    found = latest_scorer(tmp_path, date(2026, 5, 1), config)
    assert found is not None and found[1] == scorer
