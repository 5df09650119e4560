"""Expansion likelihood models in WORKSPACE/models/: one JSON file per model, as the churn
models (`csops.health.storage`). Learning the likelihood reads months of history, so it is
done once (`csops expansion train`, or the first qualification that finds no model) and
reused by every later day it still fits: trained on data as of a day no later than the
day qualified (it knows nothing after it), at most MAX_MODEL_AGE_DAYS before it, with the
same horizon and the same configuration."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from csops.department.expansion.config import ExpansionConfig
from csops.department.expansion.likelihood import Scorer
from csops.files import write_text_atomic

MAX_MODEL_AGE_DAYS = 31
PREFIX = "expansion-"


def config_digest(config: ExpansionConfig) -> str:
    """Changes whenever a setting that shapes the model changes (a model learned under
    other settings is not reused); who owns what (`owners`) does not."""
    text = json.dumps(config.model_dump(mode="json", exclude={"owners"}), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def model_path(workspace: Path, as_of: date, config: ExpansionConfig) -> Path:
    name = f"{PREFIX}h{config.horizon_days}-{config_digest(config)}-{as_of.isoformat()}.json"
    return workspace / "models" / name


def save_scorer(
    workspace: Path,
    as_of: date,
    config: ExpansionConfig,
    scorer: Scorer,
    training_dates: list[date],
) -> Path:
    path = model_path(workspace, as_of, config)
    path.parent.mkdir(parents=True, exist_ok=True)
    document: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "horizon_days": config.horizon_days,
        "config": config_digest(config),
        "training_dates": [d.isoformat() for d in training_dates],
        "scorer": scorer.to_json(),
    }
    return write_text_atomic(path, json.dumps(document, indent=1))


def latest_scorer(
    workspace: Path, as_of: date, config: ExpansionConfig
) -> tuple[date, Scorer] | None:
    """The newest stored model that fits qualifying on `as_of` (see the module), with the
    day its data is as of."""
    folder = workspace / "models"
    prefix = f"{PREFIX}h{config.horizon_days}-{config_digest(config)}-"
    best: tuple[date, Path] | None = None
    for path in folder.glob(f"{prefix}*.json") if folder.is_dir() else ():
        try:
            day = date.fromisoformat(path.stem[len(prefix) :])
        except ValueError:
            continue
        fits = as_of - timedelta(days=MAX_MODEL_AGE_DAYS) <= day <= as_of
        if fits and (best is None or day > best[0]):
            best = (day, path)
    if best is None:
        return None
    try:
        return best[0], Scorer.from_json(json.loads(best[1].read_text())["scorer"])
    except (ValueError, KeyError, TypeError):
        return None  # unreadable or from another version: learn again
