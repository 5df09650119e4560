"""The health work a command asks for, from settings to results: open the warehouse, find
or train the model, score, explain, backtest, forecast. The commands only parse and print.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine

from csops.analytics.warehouse import open_warehouse
from csops.config import Settings
from csops.health.backtest import run_backtest
from csops.health.dataset import HealthData
from csops.health.features import FeatureFrame
from csops.health.forecast import (
    ForecastRow,
    forecast,
    next_renewal_shares,
    renewals_due,
)
from csops.health.model import ChurnModel
from csops.health.scorecard import Scorecard, load_scorecard
from csops.health.scorecard_fit import ScorecardFit, fitted_scorecard
from csops.health.scoring import AccountHealth, score_day
from csops.health.storage import latest_model, save_model


def scorecard_path(settings: Settings, explicit: Path | None) -> Path | None:
    """--scorecard PATH, else WORKSPACE/health/scorecard.yaml, else the package default."""
    if explicit is not None:
        return explicit
    local = settings.workspace / "health" / "scorecard.yaml"
    return local if local.is_file() else None


# The store tables (and columns) health reads: the warehouse copy made of them is a
# fraction of the full one (no ticket comments or bodies), so the first command after an
# ingest, which makes the copy, is that much faster.
HEALTH_TABLES: dict[str, list[str] | None] = {
    "accounts": ["account_id", "name", "segment", "owner_email"],
    "contacts": ["account_id", "role", "attributes"],
    "subscription_versions": None,
    "tickets": ["account_id", "created_at", "priority", "first_reply_at", "solved_at", "csat"],
    "surveys": ["response_id", "account_id", "kind", "score", "responded_at"],
    "invoices": ["account_id", "due_date", "paid_at", "status"],
    "activities": ["account_id", "kind", "occurred_at", "summary"],
}


@contextmanager
def health_data(settings: Settings, engine: Engine, as_of: date) -> Iterator[HealthData]:
    con = open_warehouse(settings, engine, HEALTH_TABLES)
    try:
        yield HealthData(con, as_of)
    finally:
        con.close()


def card_for(data: HealthData, path: Path | None) -> Scorecard:
    return load_scorecard(path, set(data.feature_names()))


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


def backtest_for(
    data: HealthData, settings: Settings, card: Scorecard, model: ChurnModel
) -> dict[str, Any]:
    """The one-origin backtest of `model` (as of its own data day and horizon): stored in
    its model file the first time it is worked out (it trains a model as of the origin),
    then reused by every later report."""
    stored = model.metadata.get("backtest")
    if isinstance(stored, dict):
        return stored
    as_of = date.fromisoformat(str(model.metadata["as_of"]))
    horizon_days = int(model.metadata["horizon_days"])
    # A model reused from an earlier day is backtested as of that day (same connection).
    known = data if as_of == data.until else HealthData(data.con, as_of)
    result = run_backtest(known, card, as_of, horizon_days, origins=1)
    model.metadata["backtest"] = result
    save_model(settings.workspace, model)
    return result


def score_all(
    data: HealthData, model: ChurnModel, card: Scorecard
) -> tuple[FeatureFrame, list[AccountHealth]]:
    """Every active account on the as-of day, scored by `model` (maybe a stored one from
    up to 31 days earlier) and the scorecard. The per-type features are those of today's
    vocabulary (the scorecard's) and of the model's own (so every column the model was
    trained on is there: a type it knows that is no longer used counts 0, not missing)."""
    types = [*data.vocabulary, *model.event_types]
    frame = data.frame(data.until, list(dict.fromkeys(types)))
    return frame, score_day(frame, model, card, data.until)


def renewal_forecast(
    data: HealthData, scores: list[AccountHealth], within_days: int, horizon_days: int
) -> tuple[list[ForecastRow], dict[int, float]]:
    """The renewals due within `within_days` with their probability to renew, and the
    next-renewal shares of the churn risk they were given (per short term, in months)."""
    churn = {s.account_id: s.churn_probability for s in scores}
    due = renewals_due(data.con, data.until, within_days)
    shares = next_renewal_shares(data.con, data.until, horizon_days)
    return forecast(due, churn, horizon_days, shares), shares


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


def fit_scorecard(data: HealthData, card: Scorecard, horizon_days: int) -> ScorecardFit:
    """The scorecard with weights fitted to churn on the history known on the as-of day,
    and how well it ranks churn before and after (see `csops.health.scorecard_fit`)."""
    frames, labels = data.labelled_frames(data.until, horizon_days)
    raw = yaml.safe_load(Path(card.source).read_text())
    return fitted_scorecard(raw, card, frames, labels, horizon_days)
