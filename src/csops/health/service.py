"""The health work a command asks for, from settings to results: open the warehouse, find
or train the model, score, explain, backtest, forecast. The commands only parse and print.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from sqlalchemy import Engine

from csops.analytics.warehouse import open_warehouse
from csops.config import Settings
from csops.health.dataset import HealthData
from csops.health.features import FeatureFrame
from csops.health.forecast import ForecastRow, forecast, renewals_due
from csops.health.metrics import auc
from csops.health.model import ChurnModel
from csops.health.scorecard import Scorecard, load_scorecard, parse_scorecard, score
from csops.health.scorecard_fit import fitted_weights, with_weights
from csops.health.scoring import AccountHealth, score_day, scorecard_risk
from csops.health.storage import latest_model, save_model


def scorecard_path(settings: Settings, explicit: Path | None) -> Path | None:
    """--scorecard PATH, else WORKSPACE/health/scorecard.yaml, else the package default."""
    if explicit is not None:
        return explicit
    local = settings.workspace / "health" / "scorecard.yaml"
    return local if local.is_file() else None


@contextmanager
def health_data(settings: Settings, engine: Engine, as_of: date) -> Iterator[HealthData]:
    con = open_warehouse(settings, engine)
    try:
        yield HealthData(con, as_of)
    finally:
        con.close()


def card_for(data: HealthData, path: Path | None) -> Scorecard:
    return load_scorecard(path, set(data.frame(data.until).names))


def model_for(
    data: HealthData, settings: Settings, card: Scorecard, horizon_days: int, retrain: bool
) -> ChurnModel:
    """The stored model for this as-of day and horizon, or a new one (then stored)."""
    if not retrain:
        found = latest_model(settings.workspace, data.until, horizon_days)
        if found is not None:
            return found
    model = data.train(data.until, horizon_days, card)
    save_model(settings.workspace, model)
    return model


def score_all(
    data: HealthData, model: ChurnModel, card: Scorecard
) -> tuple[FeatureFrame, list[AccountHealth]]:
    frame = data.frame(data.until)
    return frame, score_day(frame, model, card, data.until)


def renewal_forecast(
    data: HealthData, scores: list[AccountHealth], within_days: int, horizon_days: int
) -> list[ForecastRow]:
    churn = {s.account_id: s.churn_probability for s in scores}
    return forecast(renewals_due(data.con, data.until, within_days), churn, horizon_days)


def model_summary(model: ChurnModel) -> dict[str, Any]:
    keep = (
        "as_of",
        "horizon_days",
        "chosen",
        "selection",
        "validation",
        "calibration",
        "trusted",
        "warning",
        "rows",
        "churned_rows",
        "base_rate",
    )
    return {k: model.metadata[k] for k in keep if k in model.metadata}


def fit_scorecard(
    data: HealthData, card: Scorecard, horizon_days: int
) -> tuple[dict[str, Any], dict[str, float | None]]:
    """The scorecard document with weights fitted to churn on the history known on the
    as-of day, and the scorecard's AUC on that history before and after."""
    frame, y = data.training_set(data.until, horizon_days)
    days = sorted(set(frame.days))
    frames = [data.frame(d) for d in days]
    labels = []
    for d, f in zip(days, frames, strict=True):
        wanted = {(a, d) for a in f.account_ids}
        by_key = {
            (a, t): v
            for a, t, v in zip(frame.account_ids, frame.days, y, strict=True)
            if (a, t) in wanted
        }
        labels.append(np.array([by_key[(a, d)] for a in f.account_ids]))
    raw = yaml.safe_load(Path(card.source).read_text())
    fitted = with_weights(raw, fitted_weights(card, frames, labels))
    new_card = parse_scorecard(fitted, card.source, set(frame.names))

    def pooled_auc(c: Scorecard) -> float | None:
        risk = np.concatenate([scorecard_risk(score(c, f)) for f in frames])
        return auc(risk, np.concatenate(labels)) if labels else None

    return fitted, {"auc_before": pooled_auc(card), "auc_after": pooled_auc(new_card)}
