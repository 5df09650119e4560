"""DuckDB sessions: one configuration (UTC, memory cap, spill folder) for every use."""

from __future__ import annotations

from typing import Any

import duckdb

from csops.config import Settings


def connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    spill = settings.workspace / "tmp"
    spill.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    # DuckDB draws a progress bar on stdout for long queries: it would corrupt --json.
    run(con, "SET enable_progress_bar = false")
    run(con, "SET TimeZone = 'UTC'")
    run(con, f"SET memory_limit = {literal(settings.duckdb_memory_limit)}")
    run(con, f"SET temp_directory = {literal(str(spill))}")
    run(con, "SET preserve_insertion_order = true")
    return con


def literal(value: str) -> str:
    """A SQL string literal (paths and settings may contain quotes)."""
    return "'" + value.replace("'", "''") + "'"


def run(con: duckdb.DuckDBPyConnection, sql: str) -> list[Any]:
    """Execute a statement to completion (DuckDB keeps a result open until it is fetched)."""
    return con.execute(sql).fetchall()
