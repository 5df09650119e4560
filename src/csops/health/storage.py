"""Churn model files in WORKSPACE/models/: one JSON document per model (learner,
calibrator, columns and metadata: data as of, horizon, features, validation metrics).
Plain JSON, never pickle: a model file is safe to open and to diff."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from csops.files import write_text_atomic
from csops.health.model import ChurnModel

# A stored model older than this (by its data as-of day) is retrained rather than reused.
MAX_MODEL_AGE_DAYS = 31


def models_dir(workspace: Path) -> Path:
    return workspace / "models"


def model_path(workspace: Path, as_of: date, horizon_days: int) -> Path:
    return models_dir(workspace) / f"churn-h{horizon_days}-{as_of.isoformat()}.json"


def save_model(workspace: Path, model: ChurnModel) -> Path:
    as_of = date.fromisoformat(str(model.metadata["as_of"]))
    path = model_path(workspace, as_of, int(model.metadata["horizon_days"]))
    return write_text_atomic(path, json.dumps(model.to_json()))


def latest_model(workspace: Path, as_of: date, horizon_days: int) -> ChurnModel | None:
    """The newest stored model trained on data as of a day <= `as_of` (so it knows
    nothing later) and not older than MAX_MODEL_AGE_DAYS."""
    folder = models_dir(workspace)
    if not folder.is_dir():
        return None
    best: tuple[date, Path] | None = None
    prefix = f"churn-h{horizon_days}-"
    for p in folder.glob(f"{prefix}*.json"):
        try:
            day = date.fromisoformat(p.stem[len(prefix) :])
        except ValueError:
            continue
        if as_of - timedelta(days=MAX_MODEL_AGE_DAYS) <= day <= as_of and (
            best is None or day > best[0]
        ):
            best = (day, p)
    if best is None:
        return None
    return ChurnModel.from_json(json.loads(best[1].read_text()))
