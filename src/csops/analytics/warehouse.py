"""One DuckDB session over everything: the event store and the operational tables.

Why an export step (Arrow hand-over) rather than DuckDB's sqlite/postgres scanners: the
scanners are extensions that DuckDB downloads at run time (impossible offline, and the
packaged copies exist for one DuckDB version only), while Arrow hand-over needs no
extension, behaves identically for SQLite and PostgreSQL, and the operational tables are
small next to the events, which DuckDB reads straight from Parquet.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from sqlalchemy import Engine, Table, func, select

from csops.analytics.duck import connect, literal, run
from csops.config import Settings
from csops.domain.contract import ENTITIES, Kind
from csops.store.event_store import EventStore
from csops.store.tables import ENTITY_TABLES, ingest_log, subscription_versions

_ARROW: dict[Kind, pa.DataType] = {
    Kind.ID: pa.string(),
    Kind.TEXT: pa.string(),
    Kind.EMAIL: pa.string(),
    Kind.ENUM: pa.string(),
    Kind.CURRENCY: pa.string(),
    Kind.DATE: pa.date32(),
    Kind.TIMESTAMP: pa.timestamp("us"),
    Kind.DECIMAL: pa.decimal128(20, 6),
    Kind.FRACTION: pa.decimal128(20, 6),
    Kind.INTEGER: pa.int64(),
    Kind.BOOLEAN: pa.bool_(),
    Kind.JSON: pa.string(),
}


def _arrow_type(table_name: str, column: str) -> pa.DataType:
    entity = ENTITIES["subscriptions" if table_name == "subscription_versions" else table_name]
    if column in entity.column_names:
        return _ARROW[entity.column(column).kind]
    return {
        "version": pa.int64(),
        "recorded_from": pa.timestamp("us"),
        "recorded_to": pa.timestamp("us"),
        "ingest_id": pa.int64(),
    }.get(column, pa.string())


def table_as_arrow(engine: Engine, table: Table, columns: Sequence[str] | None = None) -> pa.Table:
    """A store table (or some of its columns) as Arrow, typed from the data contract, JSON
    as text.

    Reads through the raw database cursor and converts whole columns at once: going
    through SQLAlchemy's per-value result processing costs several seconds per 100k rows.
    SQLite hands back dates, timestamps and exact decimals as text; Arrow casts those.
    """
    names = list(columns) if columns is not None else [c.name for c in table.columns]
    unknown = [n for n in names if n not in table.columns]
    if unknown:
        raise KeyError(f"{table.name} has no column(s) {', '.join(unknown)}")
    quote = engine.dialect.identifier_preparer.quote
    sql = f"SELECT {', '.join(quote(n) for n in names)} FROM {quote(table.name)}"
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(sql)
        rows = cursor.fetchall()
    finally:
        raw.close()
    values = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    arrays = [
        _column_array(table.name, name, list(column))
        for name, column in zip(names, values, strict=True)
    ]
    return pa.table(arrays, names=names)


def _is_json(table_name: str, column: str) -> bool:
    if column == "attributes":
        return True
    entity = ENTITIES.get(table_name)
    return (
        entity is not None
        and column in entity.column_names
        and entity.column(column).kind is Kind.JSON
    )


def _column_array(table_name: str, column: str, values: list[Any]) -> pa.Array:
    target = _arrow_type(table_name, column)
    if _is_json(table_name, column):
        values = [
            v if v is None or isinstance(v, str) else json.dumps(v, sort_keys=True) for v in values
        ]
        return pa.array(values, pa.string())
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, str) and not pa.types.is_string(target):
        return pa.array(values, pa.string()).cast(target)
    if isinstance(sample, bool | int) and pa.types.is_boolean(target):
        return pa.array([None if v is None else bool(v) for v in values], target)
    return pa.array(values, target)


def open_warehouse(
    settings: Settings,
    engine: Engine,
    tables: Iterable[str] | Mapping[str, Sequence[str] | None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with a view `events` over the event store and one table per
    store entity (or only `tables`; a mapping names the columns to read), plus
    `subscription_versions`.

    The store tables are read once per state of the store: the copy is kept as a DuckDB
    file in `WORKSPACE/cache/`, named after the last ingest, so the next command on an
    unchanged store opens it instead of reading the store again. Every write to the store
    goes through ingest, which moves the key on.
    """
    if tables is None:
        wanted: dict[str, Sequence[str] | None] = dict.fromkeys(
            [*ENTITY_TABLES, "subscription_versions"]
        )
    elif isinstance(tables, Mapping):
        wanted = dict(tables)
    else:
        wanted = dict.fromkeys(tables)
    snapshot = _snapshot(settings, engine, wanted)
    con = connect(settings)
    EventStore(settings.events_dir).register(con)
    run(con, f"ATTACH {literal(str(snapshot))} AS store_copy (READ_ONLY)")
    for name in wanted:
        run(con, f"CREATE VIEW {name} AS SELECT * FROM store_copy.{name}")
    return con


def _store_state(engine: Engine) -> str:
    with engine.connect() as conn:
        last, count = conn.execute(select(func.max(ingest_log.c.id), func.count())).one()
    return f"{engine.url.render_as_string(hide_password=True)}|{last}|{count}"


def _snapshot(
    settings: Settings, engine: Engine, wanted: Mapping[str, Sequence[str] | None]
) -> Path:
    """The DuckDB file holding `wanted` for the store's current state (made if missing)."""
    spec = json.dumps(
        {"state": _store_state(engine), "tables": {k: v and list(v) for k, v in wanted.items()}},
        sort_keys=True,
    )
    digest = hashlib.sha256(spec.encode()).hexdigest()[:20]
    folder = settings.workspace / "cache"
    path = folder / f"store-{digest}.duckdb"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".store-{digest}-{uuid.uuid4().hex[:8]}.partial"
    con = duckdb.connect(str(partial))
    try:
        for name, columns in wanted.items():
            table = (
                subscription_versions if name == "subscription_versions" else ENTITY_TABLES[name]
            )
            con.register("_arrow", table_as_arrow(engine, table, columns))
            run(con, f"CREATE TABLE {name} AS SELECT * FROM _arrow")
            con.unregister("_arrow")
    finally:
        con.close()
    partial.replace(path)  # atomic: a reader sees the whole copy or none
    _prune(folder, keep=path)
    return path


def _prune(folder: Path, keep: Path, spare: int = 8) -> None:
    """Drop old copies (other table sets of the same state stay, up to `spare` files)."""
    copies = sorted(folder.glob("store-*.duckdb"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in copies[spare:]:
        if old != keep:
            old.unlink(missing_ok=True)
    for debris in folder.glob(".store-*.partial"):
        if time.time() - debris.stat().st_mtime > 3600:
            debris.unlink(missing_ok=True)
