"""What every command shares: settings, the store, JSON output, the two consoles."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError
from rich.console import Console

from csops.config import Settings, masked_url
from csops.ingest.pipeline import IngestContext
from csops.store.database import make_engine, upgrade_schema

err = Console(stderr=True)
out = Console()


class State:
    workspace: Path | None = None


STATE = State()


def load_settings() -> Settings:
    overrides: dict[str, Any] = {}
    if STATE.workspace is not None:
        overrides["home"] = STATE.workspace
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        for problem in exc.errors():
            where = ".".join(str(p) for p in problem["loc"]) or "settings"
            err.print(f"[red]invalid setting CSOPS_{where.upper()}: {problem['msg']}[/red]")
        raise typer.Exit(2) from exc


def open_context(settings: Settings) -> IngestContext:
    engine = make_engine(settings)
    try:
        upgrade_schema(engine)
    except Exception as exc:  # the edge: any driver error becomes a clear message
        err.print(f"[red]cannot open the store {masked_url(settings.store_url)}: {exc}[/red]")
        raise typer.Exit(2) from exc
    return IngestContext(settings, engine, datetime.now(UTC).replace(tzinfo=None))


def emit_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")


def parse_day(value: str | None, option: str = "--as-of") -> date:
    """A command-line date (YYYY-MM-DD); None means today (UTC)."""
    if value is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        err.print(f"[red]{option} {value!r} is not a date: use YYYY-MM-DD[/red]")
        raise typer.Exit(2) from exc
