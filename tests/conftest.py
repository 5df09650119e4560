"""Shared fixtures. Every store test runs twice: on SQLite and on the real PostgreSQL.

PostgreSQL must be reachable (127.0.0.1:5432, database `test`, or CSOPS_TEST_POSTGRES_URL):
a run without it fails loudly instead of skipping, so CI can never pass on SQLite alone.
Each PostgreSQL test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from csops.config import Settings
from csops.ingest.pipeline import IngestContext
from csops.store.database import make_engine, upgrade_schema

POSTGRES_URL = os.environ.get(
    "CSOPS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# A fixed "now" so that future-timestamp checks are reproducible.
NOW = datetime(2026, 6, 1, 12, 0, 0)


def _postgres_schema() -> Iterator[str]:
    engine = create_engine(POSTGRES_URL)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is required for the test suite and is not reachable at {POSTGRES_URL}: "
            f"{exc.orig}. Start it (see .ci/run) or set CSOPS_TEST_POSTGRES_URL.",
            pytrace=False,
        )
    try:
        yield schema
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    workspace = tmp_path / "ws"
    if request.param == "sqlite":
        yield Settings(home=workspace)
        return
    for schema in _postgres_schema():
        url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
        yield Settings(home=workspace, database_url=url)


@pytest.fixture
def ctx(settings: Settings) -> Iterator[IngestContext]:
    engine = make_engine(settings)
    upgrade_schema(engine)
    yield IngestContext(settings, engine, NOW)
    engine.dispose()


@pytest.fixture(autouse=True)
def _fresh_cli_state() -> Iterator[None]:
    """`--workspace` is kept in a module-level state by the CLI callback: a test that
    invokes a sub-command app directly must not inherit the previous test's workspace."""
    from csops.commands.common import STATE

    yield
    STATE.workspace = None
