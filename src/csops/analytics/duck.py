"""DuckDB sessions: one configuration (UTC, memory cap, spill folder) for every use."""

from __future__ import annotations

from typing import Any

import duckdb

from csops.config import Settings


def connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    spill = settings.workspace / "tmp"
    spill.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    run(con, "SET TimeZone = 'UTC'")
    run(con, f"SET memory_limit = '{settings.duckdb_memory_limit}'")
    run(con, f"SET temp_directory = '{spill}'")
    run(con, "SET preserve_insertion_order = true")
    return con


def run(con: duckdb.DuckDBPyConnection, sql: str) -> list[Any]:
    """Execute a statement to completion (DuckDB keeps a result open until it is fetched)."""
    return con.execute(sql).fetchall()
