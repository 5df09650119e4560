"""Where the Knowledge Base keeps its files inside the workspace."""

from __future__ import annotations

from pathlib import Path

from csops.config import Settings


def kb_dir(settings: Settings) -> Path:
    return settings.workspace / "kb"


def model_path(settings: Settings) -> Path:
    return kb_dir(settings) / "question_model.pkl"


def questions_path(settings: Settings) -> Path:
    """The last repeat-question run as JSON (what people and other tools read)."""
    return kb_dir(settings) / "questions.json"


def articles_dir(settings: Settings) -> Path:
    return kb_dir(settings) / "articles"


def assignments_path(settings: Settings) -> Path:
    """ticket_id,cluster_id of the last repeat-question run."""
    return kb_dir(settings) / "assignments.csv"
