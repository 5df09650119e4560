"""Ingest one file: read → validate → quarantine bad rows → load good rows, atomically.

A row-store file lands in one database transaction (its ingest-log entry included), so a
crash leaves the store exactly as before. An events file is staged and committed by the
event store's manifest swap, then logged. Re-running the same file finds every row
unchanged.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from sqlalchemy import Connection, Engine, insert, update

from csops.analytics.duck import connect, run
from csops.config import Settings
from csops.domain.contract import DERIVED_KEYS, ENTITIES, Entity
from csops.ingest.quarantine import LINE_COLUMN, REASON_COLUMN, QuarantineWriter
from csops.ingest.readers import FileRefused, Reader, open_reader
from csops.ingest.summary import FileSummary
from csops.ingest.validate import (
    ATTRIBUTES,
    ERROR,
    KEY,
    RAW,
    REASONS,
    ROW_HASH,
    build_query,
    run_validation,
)
from csops.store.event_store import EventStore, KeySchemeChanged, StagedEvents
from csops.store.rows import RowStore, known_keys
from csops.store.tables import ingest_log

# (rows read so far, estimated rows in the file or None when unknown)
Progress = Callable[[int, int | None], None]


@dataclass
class IngestContext:
    settings: Settings
    engine: Engine
    now: datetime  # naive UTC; the clock is passed in


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ingest_file(
    ctx: IngestContext, path: Path, entity: Entity, progress: Progress | None = None
) -> FileSummary:
    summary = FileSummary(path=str(path), entity=entity.name)
    try:
        reader = open_reader(path, ctx.settings.batch_rows)
        columns = reader.columns()
        missing = [c for c in entity.required if c not in columns]
        if missing:
            raise FileRefused(
                f"{path.name}: missing required column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} for {entity.name}; columns found: {', '.join(columns)}"
            )
        digest = content_hash(path)
    except FileRefused as exc:
        summary.error = str(exc)
        return summary
    except OSError as exc:
        summary.error = f"{path.name}: cannot read the file ({exc})"
        return summary

    target = (
        ctx.settings.quarantine_dir / entity.name / f"{_stem(path)}.{digest[:8]}.{reader.format}"
    )
    quarantine = QuarantineWriter(target, reader.format, columns)
    con = connect(ctx.settings)
    try:
        with ctx.engine.begin() as conn:
            ingest_id = _open_log(conn, ctx, path, entity, digest, reader.format)
            _load(ctx, conn, con, reader, entity, ingest_id, quarantine, summary, progress)
            summary.quarantine_path = _str(quarantine.finish())
            _close_log(conn, ingest_id, summary)
    except (FileRefused, KeySchemeChanged) as exc:
        quarantine.abort()
        return FileSummary(path=str(path), entity=entity.name, error=str(exc))
    except BaseException:
        quarantine.abort()
        raise
    finally:
        con.close()
    return summary


def _load(
    ctx: IngestContext,
    conn: Connection,
    con: duckdb.DuckDBPyConnection,
    reader: Reader,
    entity: Entity,
    ingest_id: int,
    quarantine: QuarantineWriter,
    summary: FileSummary,
    progress: Progress | None,
) -> None:
    references = sorted({c.references for c in entity.columns if c.references})
    for ref in references:
        keys = pa.table({"key": pa.array(known_keys(conn, ref), pa.string())})
        con.register(f"_known_{ref}", keys)
        run(con, f"CREATE TEMP TABLE known_{ref} AS SELECT DISTINCT key FROM _known_{ref}")
        con.unregister(f"_known_{ref}")
    check_duplicates = not entity.is_event_stream
    run(con, "CREATE TEMP TABLE seen_keys (key VARCHAR PRIMARY KEY, line BIGINT)")

    events: StagedEvents | None = None
    rows: RowStore | None = None
    if entity.is_event_stream:
        store = EventStore(ctx.settings.events_dir)
        store.check_key_scheme(con)
        store.clean_debris()
        events = store.begin()
    else:
        rows = RowStore(conn, entity)

    try:
        reasons: Counter[str] = Counter()
        estimate = reader.estimated_rows()
        query = None
        query_schema: pa.Schema | None = None
        for raw in reader.batches():
            summary.rows_read += raw.table.num_rows + len(raw.unreadable)
            if raw.unreadable:
                quarantine.write_unreadable(raw.unreadable)
                summary.rows_rejected += len(raw.unreadable)
                reasons.update(u.reason for u in raw.unreadable)
            if raw.table.num_rows == 0:
                continue
            if query is None or query_schema != raw.table.schema:
                query = build_query(
                    entity,
                    raw.table.schema,
                    ctx.now + ctx.settings.future_tolerance,
                    references,
                    check_duplicates,
                )
                query_schema = raw.table.schema
            checked = run_validation(con, query, raw.table)
            if check_duplicates:
                _remember_keys(con, checked.good, checked.bad)
            if checked.bad.num_rows:
                bad = checked.bad
                quarantine.write_rows(_quarantine_rows(bad))
                summary.rows_rejected += bad.num_rows
                for codes in bad[REASONS].to_pylist():
                    reasons.update(codes)
            good = checked.good
            if events is not None:
                events.stage(good, ingest_id)
            elif rows is not None and good.num_rows:
                counts = rows.upsert(_store_rows(good, entity), ingest_id, ctx.now)
                summary.rows_loaded += counts.loaded
                summary.rows_updated += counts.updated
                summary.rows_unchanged += counts.unchanged
            if progress is not None:
                progress(summary.rows_read, estimate)
        if events is not None:
            commit = events.commit(con)
            summary.rows_loaded += commit.loaded
            summary.rows_unchanged += commit.unchanged
            dups = commit.duplicates
            if dups.num_rows:
                quarantine.write_rows(
                    [
                        {
                            **{c: r.get(c) for c in reader.columns()},
                            REASON_COLUMN: f"duplicate event key {r['event_key']} "
                            f"(first on line {r['_first_line']})",
                            LINE_COLUMN: r["_line"],
                        }
                        for r in dups.to_pylist()
                    ]
                )
                summary.rows_rejected += dups.num_rows
                reasons["duplicate_key"] += dups.num_rows
        summary.reasons = dict(sorted(reasons.items()))
    except BaseException:
        if events is not None:
            events.abort()  # no staging debris, no open writers
        raise


def _remember_keys(con: duckdb.DuckDBPyConnection, *tables: pa.Table) -> None:
    for i, table in enumerate(tables):
        if not table.num_rows:
            continue
        name = f"_batch_keys_{i}"
        con.register(name, table.select([KEY, "_line"]))
        run(
            con,
            f"INSERT INTO seen_keys SELECT {KEY}, min(_line) FROM {name} "
            f"WHERE {KEY} IS NOT NULL GROUP BY {KEY} ON CONFLICT DO NOTHING",
        )
        con.unregister(name)


def _quarantine_rows(bad: pa.Table) -> list[dict[str, Any]]:
    raw_names = [n for n in bad.column_names if n.startswith(RAW)]
    picked = bad.select([*raw_names, ERROR, "_line"]).to_pylist()
    out = []
    for r in picked:
        row: dict[str, Any] = {n[len(RAW) :]: r[n] for n in raw_names}
        row[REASON_COLUMN] = r[ERROR]
        row[LINE_COLUMN] = r["_line"]
        out.append(row)
    return out


def _store_rows(good: pa.Table, entity: Entity) -> list[dict[str, Any]]:
    names = [*entity.column_names, ATTRIBUTES, ROW_HASH, KEY]
    rows: list[dict[str, Any]] = good.select(names).to_pylist()
    key_name = entity.key[0] if entity.name in DERIVED_KEYS else None
    for r in rows:
        r["attributes"] = r.pop(ATTRIBUTES)
        r["row_hash"] = r.pop(ROW_HASH)
        key = r.pop(KEY)
        if key_name:
            r[key_name] = key
    return rows


def _open_log(
    conn: Connection, ctx: IngestContext, path: Path, entity: Entity, digest: str, fmt: str
) -> int:
    result = conn.execute(
        insert(ingest_log).values(
            path=str(path),
            entity=entity.name,
            content_hash=digest,
            format=fmt,
            started_at=ctx.now,
            finished_at=ctx.now,
            rows_read=0,
            rows_loaded=0,
            rows_updated=0,
            rows_unchanged=0,
            rows_rejected=0,
            reasons={},
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _close_log(conn: Connection, ingest_id: int, s: FileSummary) -> None:
    conn.execute(
        update(ingest_log)
        .where(ingest_log.c.id == ingest_id)
        .values(
            finished_at=datetime.now(UTC).replace(tzinfo=None),  # bookkeeping, not data
            rows_read=s.rows_read,
            rows_loaded=s.rows_loaded,
            rows_updated=s.rows_updated,
            rows_unchanged=s.rows_unchanged,
            rows_rejected=s.rows_rejected,
            reasons=s.reasons,
            quarantine_path=s.quarantine_path,
        )
    )


def _stem(path: Path) -> str:
    name = path.name
    for suffix in reversed(path.suffixes):
        name = name.removesuffix(suffix)
    return name


def _str(path: Path | None) -> str | None:
    return None if path is None else str(path)


def entity_for(path: Path) -> Entity | None:
    """Entity named by the file: `accounts.csv`, `events-2024-05.parquet`, `Tickets.jsonl.gz`."""
    stem = _stem(path).lower().replace("-", "_")
    for name in sorted(ENTITIES, key=len, reverse=True):
        if stem == name or stem.startswith(name + "_"):
            return ENTITIES[name]
    return None
