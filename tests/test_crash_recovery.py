"""`kill -9` in the middle of a large ingest, then the same command again: the store ends
with exactly the rows of one clean ingest (no duplicates, no loss), on both stores."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from sqlalchemy import func, select

from csops.config import Settings
from csops.store.database import make_engine, upgrade_schema
from csops.store.event_store import EventStore
from csops.store.tables import ENTITY_TABLES

pytestmark = pytest.mark.slow

ACCOUNTS = 500


def _accounts_file(folder: Path, rows: int) -> Path:
    path = folder / "accounts.csv"
    ids = [f"acc_{i:06d}" for i in range(rows)]
    # Every 1000th row is bad, so a quarantine file is being written while the ingest runs.
    names = ["" if i % 1000 == 999 else f"Company {i}" for i in range(rows)]
    pacsv.write_csv(pa.table({"account_id": ids, "name": names}), path)
    return path


def _events_file(folder: Path, rows: int) -> Path:
    rng = np.random.default_rng(3)
    start = np.datetime64("2024-01-01T00:00:00", "s")
    seconds = rng.integers(0, 365 * 86400, rows)
    table = pa.table(
        {
            # Every 1000th event names an unknown account: its quarantine file is written
            # batch by batch, which shows from outside that validation is under way.
            "account_id": [
                "acc_unknown" if n % 1000 == 999 else f"acc_{i:06d}"
                for n, i in enumerate(rng.integers(0, ACCOUNTS - 1, rows))
            ],
            "event_type": [f"event_{i}" for i in rng.integers(0, 20, rows)],
            "occurred_at": pa.array((start + seconds).astype("datetime64[us]")).cast(
                pa.timestamp("us", "UTC")
            ),
            "user_id": [f"u_{i}" for i in rng.integers(0, 5000, rows)],
            "quantity": np.arange(rows),  # makes every row distinct
        }
    )
    path = folder / "events.csv"
    pacsv.write_csv(table, path)
    return path


def _run(settings: Settings, path: Path, batch_rows: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CSOPS_HOME": str(settings.workspace), "CSOPS_BATCH_ROWS": str(batch_rows)}
    if settings.database_url:
        env["CSOPS_DATABASE_URL"] = settings.database_url
    return subprocess.Popen(
        [sys.executable, "-m", "csops", "ingest", str(path), "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _kill_when(
    process: subprocess.Popen[bytes], ready: Callable[[], bool], timeout: float = 120
) -> None:
    """SIGKILL the ingest as soon as `ready()` sees the state to interrupt."""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError("the ingest ended before it could be interrupted")
            if ready():
                os.kill(process.pid, signal.SIGKILL)
                return
            time.sleep(0.005)
        raise AssertionError("the ingest never reached the point to interrupt it")
    finally:
        process.kill()
        process.communicate()


def _finish(settings: Settings, path: Path) -> None:
    process = _run(settings, path, 2_000)
    _, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr.decode()


def _count_accounts(settings: Settings) -> tuple[int, int]:
    engine = make_engine(settings)
    table = ENTITY_TABLES["accounts"]
    with engine.connect() as conn:
        rows = conn.execute(
            select(func.count(), func.count(func.distinct(table.c.account_id)))
        ).one()
    engine.dispose()
    return int(rows[0]), int(rows[1])


def test_killed_row_store_ingest_leaves_nothing_then_reruns_cleanly(
    settings: Settings, tmp_path: Path
) -> None:
    path = _accounts_file(tmp_path, 60_000)
    process = _run(settings, path, 2_000)
    partial = settings.quarantine_dir / "accounts"
    _kill_when(process, lambda: partial.exists() and any(partial.glob("*.partial")))
    # Nothing of the interrupted ingest is visible.
    engine = make_engine(settings)
    upgrade_schema(engine)  # the killed run may have died before creating the schema
    engine.dispose()
    assert _count_accounts(settings) == (0, 0)
    _finish(settings, path)
    assert _count_accounts(settings) == (59_940, 59_940)


def test_killed_event_ingest_then_rerun_equals_one_clean_ingest(
    settings: Settings, tmp_path: Path
) -> None:
    _finish(settings, _accounts_file(tmp_path, ACCOUNTS))
    path = _events_file(tmp_path, 400_000)
    # A clean ingest elsewhere is the reference; this workspace's ingest is killed twice.
    clean = Settings(home=tmp_path / "clean")
    _finish(clean, _accounts_file(tmp_path, ACCOUNTS))
    _finish(clean, path)
    staging = settings.events_dir / "_staging"
    quarantine = settings.quarantine_dir / "events"
    # While reading and validating: rejected rows are being written to quarantine.
    process = _run(settings, path, 20_000)
    _kill_when(process, lambda: quarantine.exists() and any(quarantine.glob("*.partial")))
    # While committing: month files are being written into staging.
    process = _run(settings, path, 20_000)
    _kill_when(process, lambda: any(staging.glob("*/month=*/*.parquet")))
    _finish(settings, path)
    rows, rejected = 400_000, 400
    expected_sum = sum(n for n in range(rows) if n % 1000 != 999)
    for workspace in (settings, clean):
        con = duckdb.connect()
        EventStore(workspace.events_dir).register(con)
        count, keys, total = con.execute(
            "SELECT count(*), count(DISTINCT event_key), sum(quantity) FROM events"
        ).fetchall()[0]
        assert (count, keys, int(total)) == (rows - rejected, rows - rejected, expected_sum)
    assert not staging.exists() or not any(staging.iterdir())
