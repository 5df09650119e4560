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
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from csops.analytics.duck import literal, run

MANIFEST = "manifest.json"


ROW_GROUP = 250_000
BUFFERED_ROWS = 400_000  # across all months: bounds memory whatever the row order


class KeySchemeChanged(Exception):
    """The event store's keys were computed by another hash implementation."""


def key_probe(con: duckdb.DuckDBPyConnection) -> int:
    """The event-key hash of a fixed event: changes exactly when the hash changes."""
    from csops.ingest.validate import EVENT_KEY_COLUMNS

    row = con.execute(
        f"SELECT hash({EVENT_KEY_COLUMNS}) FROM (SELECT 'acc_probe' AS account_id, "
        "NULL::VARCHAR AS user_id, 'probe' AS event_type, "
        "TIMESTAMP '2024-01-01 00:00:00' AS occurred_at, 1.5::DECIMAL(20, 6) AS quantity, "
        "'{}' AS properties)"
    ).fetchall()
    return int(row[0][0])


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
            listed = ", ".join(literal(str(f)) for f in files)
            run(con, f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet([{listed}])")
        else:
            run(
                con,
                f"CREATE OR REPLACE VIEW {name} AS SELECT NULL::UBIGINT AS event_key, "
                "NULL::VARCHAR AS account_id, NULL::VARCHAR AS user_id, "
                "NULL::VARCHAR AS event_type, NULL::TIMESTAMP AS occurred_at, "
                "NULL::DECIMAL(20,6) AS quantity, NULL::VARCHAR AS properties, "
                "NULL::VARCHAR AS attributes, NULL::VARCHAR AS event_id, "
                "NULL::BIGINT AS ingest_id, "
                "NULL::BIGINT AS source_line WHERE FALSE",
            )

    def summary(self, con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
        files = self.files()
        if not files:
            return {"count": 0, "first": None, "last": None, "files": 0}
        listed = ", ".join(literal(str(f)) for f in files)
        count, first, last = con.execute(
            f"SELECT count(*), min(occurred_at), max(occurred_at) FROM read_parquet([{listed}])"
        ).fetchall()[0]
        return {
            "count": count,
            "first": first.isoformat() if first else None,
            "last": last.isoformat() if last else None,
            "files": len(files),
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

    def check_key_scheme(self, con: duckdb.DuckDBPyConnection) -> None:
        """Refuse to add events whose keys another DuckDB hash implementation computed:
        de-duplication against the stored keys would silently fail."""
        manifest = self.manifest()
        recorded = manifest.get("key_probe")
        if manifest["files"] and recorded is not None and recorded != key_probe(con):
            raise KeySchemeChanged(
                "the stored event keys were computed by a different DuckDB hash "
                f"(probe {recorded}, now {key_probe(con)}): re-ingesting would not recognise "
                "events already stored. Re-create the event store (delete the workspace's "
                "events folder and ingest the event files again) with this version."
            )

    def _swap_manifest(self, added: list[dict[str, Any]], probe: int) -> None:
        manifest = self.manifest()
        manifest["key_probe"] = probe
        manifest["version"] = int(manifest["version"]) + 1
        manifest["files"] = [*manifest["files"], *added]
        tmp = self.root / (MANIFEST + ".tmp")
        with open(tmp, "w") as handle:
            json.dump(manifest, handle, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.root / MANIFEST)
        _fsync_dir(self.root)


STORED_SCHEMA = pa.schema(
    [
        ("event_key", pa.uint64()),
        ("account_id", pa.string()),
        ("user_id", pa.string()),
        ("event_type", pa.string()),
        ("occurred_at", pa.timestamp("us")),
        ("quantity", pa.decimal128(20, 6)),
        ("properties", pa.string()),
        ("attributes", pa.string()),
        ("event_id", pa.string()),
        ("ingest_id", pa.int64()),
        ("source_line", pa.int64()),
    ]
)


class StagedEvents:
    """One ingest's events between validation and commit: one Parquet file per month,
    written once while the file streams in."""

    def __init__(self, store: EventStore, staging: Path, token: str) -> None:
        self.store = store
        self.staging = staging
        self.token = token
        self._writers: dict[str, pq.ParquetWriter] = {}
        self._buffer: dict[str, list[pa.Table]] = {}

    def _path(self, month: str) -> Path:
        return self.staging / f"month={month}" / "part.parquet"

    def stage(self, good: pa.Table, ingest_id: int) -> None:
        """Append validated events (contract columns, `_key`, `_attributes`, `_line`,
        `_month`) to their month's staging file."""
        if good.num_rows == 0:
            return
        n = good.num_rows
        table = pa.table(
            [
                good["_key"],
                good["account_id"],
                good["user_id"],
                good["event_type"],
                good["occurred_at"],
                good["quantity"],
                good["properties"],
                good["_attributes"],
                good["event_id"],
                pa.array(np.full(n, ingest_id, dtype=np.int64)),
                good["_line"],
            ],
            schema=STORED_SCHEMA,
        )
        # One sort, then contiguous slices per month (cheaper than a filter per month).
        order = pc.sort_indices(good["_month"])
        table = table.take(order)
        months = good["_month"].take(order)
        counts = pc.value_counts(months)
        start = 0
        for item in counts.to_pylist():
            month, size = item["values"], item["counts"]
            self._buffer.setdefault(month, []).append(table.slice(start, size))
            start += size
            if sum(t.num_rows for t in self._buffer[month]) >= ROW_GROUP:
                self._flush(month)
        # Events in random time order fill every month's buffer slowly: cap the total held.
        if sum(t.num_rows for parts in self._buffer.values() for t in parts) >= BUFFERED_ROWS:
            for month in list(self._buffer):
                self._flush(month)

    def _flush(self, month: str) -> None:
        """Write a month's buffered rows as one row group (few, large row groups read fast)."""
        parts = self._buffer.pop(month, [])
        if not parts:
            return
        writer = self._writers.get(month)
        if writer is None:
            path = self._path(month)
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = self._writers[month] = pq.ParquetWriter(path, STORED_SCHEMA)
        writer.write_table(pa.concat_tables(parts), row_group_size=ROW_GROUP * 2)

    def abort(self) -> None:
        for writer in self._writers.values():
            writer.close()
        shutil.rmtree(self.staging, ignore_errors=True)

    def commit(self, con: duckdb.DuckDBPyConnection) -> EventCommit:
        """De-duplicate and publish. The common case (no repeats within the file, none
        already stored) moves each staged file into place without rewriting it."""
        for month in list(self._buffer):
            self._flush(month)
        for writer in self._writers.values():
            writer.close()
        loaded = unchanged = 0
        duplicates: list[pa.Table] = []
        added: list[dict[str, Any]] = []
        months = sorted(self._writers)
        # Content keys include the time, so a month is its own scope. Keys from the
        # company's event_id do not: then every stored month and every earlier staged month
        # of this file must be checked too.
        by_event_id = self._has_event_ids(con, months)
        for position, month in enumerate(months):
            staged_path = self._path(month)
            staged = f"read_parquet({literal(str(staged_path))})"
            known = _keys_of(self.store.files(None if by_event_id else month))
            earlier = _keys_of(
                [self._path(m) for m in months[:position]] if by_event_id else [], lines=True
            )
            total, distinct, stored, repeated = con.execute(
                f"SELECT count(*), count(DISTINCT event_key), "
                f"count(*) FILTER (WHERE event_key IN ({known})), "
                f"count(*) FILTER (WHERE event_key IN (SELECT event_key FROM ({earlier}))) "
                f"FROM {staged}"
            ).fetchall()[0]
            target_dir = self.store.root / f"month={month}"
            target_dir.mkdir(parents=True, exist_ok=True)
            target = target_dir / f"part-{self.token}.parquet"
            if total == distinct and stored == repeated == 0:  # all new: publish as it is
                new = int(total)
                if by_event_id:  # later months of this file still read it
                    shutil.copyfile(staged_path, target)
                else:
                    os.replace(staged_path, target)
            elif total == distinct == stored:  # a re-run: everything is already stored
                new = 0
                unchanged += int(total)
            else:
                new, present, dups = self._rewrite(con, staged, known, earlier, target)
                unchanged += present
                duplicates.append(dups)
            if new:
                _fsync_file(target)
                added.append(
                    {
                        "path": f"month={month}/{target.name}",
                        "month": month,
                        "rows": new,
                        "ingest": self.token,
                    }
                )
            else:
                target.unlink(missing_ok=True)
            loaded += new
        if added:
            self.store._swap_manifest(added, key_probe(con))
        shutil.rmtree(self.staging, ignore_errors=True)
        dup_table = (
            pa.concat_tables(duplicates)
            if duplicates
            else pa.table({"_line": pa.array([], pa.int64())})
        )
        return EventCommit(loaded, unchanged, dup_table)

    def _has_event_ids(self, con: duckdb.DuckDBPyConnection, months: list[str]) -> bool:
        if not months:
            return False
        files = ", ".join(literal(str(self._path(m))) for m in months)
        rows = con.execute(f"SELECT count(event_id) FROM read_parquet([{files}])").fetchall()
        return bool(rows[0][0])

    @staticmethod
    def _rewrite(
        con: duckdb.DuckDBPyConnection, staged: str, known: str, earlier: str, target: Path
    ) -> tuple[int, int, pa.Table]:
        """Slow path: keep the first occurrence of each key not already stored; a key seen
        earlier in this file (another month, with event ids) is a repeat."""
        run(
            con,
            f"""
            CREATE OR REPLACE TEMP TABLE _ranked AS
            SELECT s.*,
                   CASE WHEN e.first_line IS NULL
                        THEN row_number() OVER (PARTITION BY s.event_key ORDER BY s.source_line)
                        ELSE 2 END AS _rank,
                   coalesce(e.first_line, min(s.source_line) OVER (PARTITION BY s.event_key))
                     AS _first_line,
                   s.event_key IN ({known}) AS _stored
            FROM {staged} s
            LEFT JOIN (SELECT event_key, min(source_line) AS first_line FROM ({earlier})
                       GROUP BY event_key) e USING (event_key)
            """,
        )
        new, present = con.execute(
            "SELECT count(*) FILTER (WHERE _rank = 1 AND NOT _stored),"
            " count(*) FILTER (WHERE _rank = 1 AND _stored) FROM _ranked"
        ).fetchall()[0]
        columns = ", ".join(STORED_SCHEMA.names)
        dups = con.sql(
            f"SELECT {columns}, source_line AS _line, _first_line FROM _ranked WHERE _rank > 1"
        ).to_arrow_table()
        if new:
            run(
                con,
                f"COPY (SELECT {columns} FROM _ranked WHERE _rank = 1 AND NOT _stored "
                f"ORDER BY source_line) TO {literal(str(target))} (FORMAT parquet)",
            )
        run(con, "DROP TABLE _ranked")
        return int(new), int(present), dups


def _keys_of(files: list[Path], lines: bool = False) -> str:
    """SQL selecting event_key (and source_line) of the given Parquet files; none: empty."""
    columns = "event_key, source_line" if lines else "event_key"
    if not files:
        empty = "NULL::UBIGINT AS event_key" + (", NULL::BIGINT AS source_line" if lines else "")
        return f"SELECT {empty} WHERE FALSE"
    listed = ", ".join(literal(str(p)) for p in files)
    return f"SELECT {columns} FROM read_parquet([{listed}])"


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    _fsync_file(path)
