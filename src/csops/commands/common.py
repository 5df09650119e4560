"""What every command shares: settings, the store, JSON output, the two consoles, the
common options (`--as-of`, `--json`, a YAML configuration) and turning errors into exits."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy import Engine

from csops.config import Settings, masked_url
from csops.ingest.pipeline import IngestContext
from csops.store.database import make_engine, upgrade_schema

err = Console(stderr=True)
out = Console()


class State:
    workspace: Path | None = None


STATE = State()


AS_OF_HELP = "Use only what was known on this day (default today)."
JSON_HELP = "Print one JSON document on stdout."


def as_of_option(help: str = AS_OF_HELP) -> Any:
    """`--as-of DAY` (YYYY-MM-DD, None: today); read it with `parse_day`."""
    return typer.Option(None, "--as-of", help=help)


def json_option(help: str = JSON_HELP) -> Any:
    """`--json`: print one JSON document on stdout instead of tables."""
    return typer.Option(False, "--json", help=help)


def config_option(what: str, file: str, shipped: str = "one", flag: str = "--config") -> Any:
    """A YAML configuration file, by default WORKSPACE/config/`file`, else the one shipped."""
    return typer.Option(
        None,
        flag,
        help=f"{what} YAML (default WORKSPACE/config/{file}, else the shipped {shipped}).",
    )


AS_OF = as_of_option()
JSON = json_option()


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


@contextmanager
def store(settings: Settings | None = None) -> Iterator[IngestContext]:
    """The store, opened (schema upgraded) for one command with `settings` (default: loaded
    now); its engine is disposed afterwards so no pooled connection outlives the command."""
    ctx = open_context(load_settings() if settings is None else settings)
    try:
        yield ctx
    finally:
        ctx.engine.dispose()


def fail(message: str, code: int = 2, *, soft_wrap: bool = False) -> typer.Exit:
    """Print `message` in red on stderr; the exit to raise (`raise fail(...)`)."""
    err.print(f"[red]{message}[/red]", soft_wrap=soft_wrap)
    return typer.Exit(code)


@contextmanager
def fail_on(*errors: type[Exception], soft_wrap: bool = False) -> Iterator[None]:
    """Any of `errors` raised inside ends the command: its message in red on stderr, exit 2."""
    try:
        yield
    except errors as exc:
        raise fail(str(exc), soft_wrap=soft_wrap) from exc


class Session(NamedTuple):
    """What a command starts from: its `--as-of` day, the settings and the open store."""

    day: date
    settings: Settings
    ctx: IngestContext

    @property
    def engine(self) -> Engine:
        return self.ctx.engine


@contextmanager
def session(
    as_of: str | None, *errors: type[Exception], soft_wrap: bool = False
) -> Iterator[Session]:
    """The usual start of a command: parse `--as-of`, load the settings, open the store
    (disposed afterwards); any of `errors` raised inside ends the command (exit 2)."""
    day = parse_day(as_of)
    settings = load_settings()
    with store(settings) as ctx, fail_on(*errors, soft_wrap=soft_wrap):
        yield Session(day, settings, ctx)


def emit_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")


def parse_day(value: str | None, option: str = "--as-of") -> date:
    """A command-line date (YYYY-MM-DD); None means today (UTC)."""
    if value is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise fail(f"{option} {value!r} is not a date: use YYYY-MM-DD") from exc
