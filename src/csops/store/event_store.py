"""The usage-event store: a Parquet dataset partitioned by month, with a manifest.

Events are high volume, so they stay out of the row store. Layout under the workspace:

    events/manifest.json                  the committed files (the only source of truth)
    events/month=2024-05/part-<id>.parquet
    events/_staging/<id>/...              one ingest's work in progress

An ingest stages its validated rows, then commits: per month it drops events whose key
is already stored (a re-run adds nothing) or repeated within the file (the first occurrence
wins; later ones are returned for quarantine), writes one new file per month and finally
swaps in the new manifest with an atomic rename. A crash at any point before that rename
leaves the manifest as it was; files it does not list are debris and are removed by the
next ingest. Readers (DuckDB) only ever read the files the manifest lists.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from csops.analytics.duck import run

MANIFEST = "manifest.json"
STORED_COLUMNS = (
    "event_key",
    "account_id",
    "user_id",
    "event_type",
    "occurred_at",
    "quantity",
    "properties",
    "attributes",
    "ingest_id",
)


@dataclass
class EventCommit:
    loaded: int
    unchanged: int
    duplicates: pa.Table  # rows repeated within the file, with `_line` and `_first_line`


class EventStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    # -- reading -------------------------------------------------------------------------
    def manifest(self) -> dict[str, Any]:
        path = self.root / MANIFEST
        if not path.exists():
            return {"version": 0, "files": []}
        data: dict[str, Any] = json.loads(path.read_text())
        return data

    def files(self, month: str | None = None) -> list[Path]:
        return [
            self.root / f["path"]
            for f in self.manifest()["files"]
            if month is None or f["month"] == month
        ]

    def register(self, con: duckdb.DuckDBPyConnection, name: str = "events") -> None:
        """Create a DuckDB view `name` over the committed events (empty when none)."""
        files = self.files()
        if files:
            listed = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
            run(con, f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet([{listed}])")
        else:
            run(
                con,
                f"CREATE OR REPLACE VIEW {name} AS SELECT NULL::VARCHAR AS event_key, "
                "NULL::VARCHAR AS account_id, NULL::VARCHAR AS user_id, "
                "NULL::VARCHAR AS event_type, NULL::TIMESTAMP AS occurred_at, "
                "NULL::DECIMAL(38,6) AS quantity, NULL::VARCHAR AS properties, "
                "NULL::VARCHAR AS attributes, NULL::INTEGER AS ingest_id WHERE FALSE",
            )

    def summary(self, con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
        if not self.files():
            return {"count": 0, "first": None, "last": None, "files": 0}
        self.register(con, "_events_summary")
        count, first, last = con.execute(  # fetched below
            "SELECT count(*), min(occurred_at), max(occurred_at) FROM _events_summary"
        ).fetchall()[0]
        return {
            "count": count,
            "first": first.isoformat() if first else None,
            "last": last.isoformat() if last else None,
            "files": len(self.files()),
        }

    # -- writing -------------------------------------------------------------------------
    def clean_debris(self) -> None:
        """Remove staging folders and partition files no manifest lists (crashed ingests)."""
        shutil.rmtree(self.root / "_staging", ignore_errors=True)
        listed = {str(p) for p in self.files()}
        for part in self.root.glob("month=*/*.parquet"):
            if str(part) not in listed:
                part.unlink()

    def begin(self) -> StagedEvents:
        token = uuid.uuid4().hex[:12]
        staging = self.root / "_staging" / token
        staging.mkdir(parents=True, exist_ok=True)
        return StagedEvents(self, staging, token)

    def _swap_manifest(self, added: list[dict[str, Any]]) -> None:
        manifest = self.manifest()
        manifest["version"] = int(manifest["version"]) + 1
        manifest["files"] = [*manifest["files"], *added]
        tmp = self.root / (MANIFEST + ".tmp")
        with open(tmp, "w") as handle:
            json.dump(manifest, handle, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.root / MANIFEST)
        _fsync_dir(self.root)


class StagedEvents:
    """One ingest's events between validation and commit."""

    def __init__(self, store: EventStore, staging: Path, token: str) -> None:
        self.store = store
        self.staging = staging
        self.token = token
        self.batches = 0

    def stage(self, con: duckdb.DuckDBPyConnection, good: pa.Table, ingest_id: int) -> None:
        """Write a batch of validated events (columns: contract typed columns, `_key`,
        `_attributes`, `_line`) to staging, split by month."""
        if good.num_rows == 0:
            return
        con.register("_good", good)
        try:
            run(
                con,
                f"""
                COPY (
                  SELECT _key AS event_key, account_id, user_id, event_type, occurred_at,
                         quantity, properties, _attributes AS attributes,
                         {int(ingest_id)}::INTEGER AS ingest_id, _line,
                         strftime(occurred_at, '%Y-%m') AS month
                  FROM _good
                ) TO '{self.staging}' (FORMAT parquet, PARTITION_BY (month),
                   FILENAME_PATTERN 'batch-{self.batches}-{{i}}', OVERWRITE_OR_IGNORE)
                """,
            )
        finally:
            con.unregister("_good")
        self.batches += 1

    def commit(self, con: duckdb.DuckDBPyConnection) -> EventCommit:
        loaded = unchanged = 0
        duplicates: list[pa.Table] = []
        added: list[dict[str, Any]] = []
        columns = ", ".join(STORED_COLUMNS)
        for month_dir in sorted(self.staging.glob("month=*")):
            month = month_dir.name.split("=", 1)[1]
            staged = f"read_parquet('{month_dir}/*.parquet', hive_partitioning=false)"
            existing = self.store.files(month)
            known = (
                "SELECT event_key FROM read_parquet(["
                + ", ".join(f"'{p}'" for p in existing)
                + "])"
                if existing
                else "SELECT NULL::VARCHAR AS event_key WHERE FALSE"
            )
            run(
                con,
                f"""
                CREATE OR REPLACE TEMP TABLE _ranked AS
                SELECT *, row_number() OVER (PARTITION BY event_key ORDER BY _line) AS _rank,
                       min(_line) OVER (PARTITION BY event_key) AS _first_line,
                       event_key IN ({known}) AS _stored
                FROM {staged}
                """,
            )
            counts = con.execute(  # fetched below
                "SELECT count(*) FILTER (WHERE _rank = 1 AND NOT _stored),"
                " count(*) FILTER (WHERE _rank = 1 AND _stored) FROM _ranked"
            ).fetchall()[0]
            new, present = int(counts[0]), int(counts[1])
            duplicates.append(
                con.sql(
                    f"SELECT {columns}, _line, _first_line FROM _ranked WHERE _rank > 1"
                ).to_arrow_table()
            )
            if new:
                target_dir = self.store.root / f"month={month}"
                target_dir.mkdir(parents=True, exist_ok=True)
                target = target_dir / f"part-{self.token}.parquet"
                run(
                    con,
                    f"COPY (SELECT {columns} FROM _ranked WHERE _rank = 1 AND NOT _stored "
                    f"ORDER BY occurred_at) TO '{target}' (FORMAT parquet)",
                )
                _fsync_file(target)
                added.append(
                    {
                        "path": f"month={month}/{target.name}",
                        "month": month,
                        "rows": new,
                        "ingest": self.token,
                    }
                )
            loaded += new
            unchanged += present
        run(con, "DROP TABLE IF EXISTS _ranked")
        if added:
            self.store._swap_manifest(added)
        shutil.rmtree(self.staging, ignore_errors=True)
        dup_table = (
            pa.concat_tables(duplicates)
            if duplicates
            else pa.table({"_line": pa.array([], pa.int64())})
        )
        return EventCommit(loaded, unchanged, dup_table)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    _fsync_file(path)
