"""Read-only DuckDB copies of the store tables, one file per table and state of it.

DuckDB reads the events straight from Parquet, but the operational tables live in the
store (SQLite or PostgreSQL). Every analytic command reads them from a copy kept in
`WORKSPACE/cache/store/`: one DuckDB file per table, named after the last ingest that
touched that table. Only ingest writes to the store, so a copy stays valid until the next
ingest of its own entity: loading a day of events or tickets leaves the other tables'
copies in place. `csops ingest` refreshes the copies it made stale before it returns, so
the first command after it does not pay for them.

Why an export step (Arrow hand-over) rather than DuckDB's sqlite/postgres scanners: the
scanners are extensions that DuckDB downloads at run time (impossible offline, and the
packaged copies exist for one DuckDB version only), while Arrow hand-over needs no
extension and behaves identically for SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import duckdb
import pyarrow as pa
from sqlalchemy import Engine, Table, func, select

from csops.analytics.duck import run
from csops.analytics.store_arrow import arrow_schema, table_batches
from csops.config import Settings
from csops.store.tables import ENTITY_TABLES, ingest_log, subscription_versions

# Bump when the layout of a copy changes: older copies are then made again.
COPY_FORMAT = 2
STORE_TABLES: dict[str, Table] = {**ENTITY_TABLES, "subscription_versions": subscription_versions}
# Store bookkeeping no analysis reads: left out of the copies.
NOT_COPIED = frozenset({"row_hash", "ingest_id"})
# Called before each table is copied: (table name, rows in it).
OnCopy = Callable[[str, int], None]


def _entity_of(table_name: str) -> str:
    return "subscriptions" if table_name == "subscription_versions" else table_name


def table_states(engine: Engine) -> dict[str, str]:
    """Per store table, a key that changes whenever an ingest may have changed the table:
    the last ingest of its entity (id, time) and how many there were."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                ingest_log.c.entity,
                func.max(ingest_log.c.id),
                func.count(),
                func.max(ingest_log.c.finished_at),
            ).group_by(ingest_log.c.entity)
        ).all()
    by_entity = {entity: f"{last}:{count}:{finished}" for entity, last, count, finished in rows}
    url = engine.url.render_as_string(hide_password=True)
    return {
        name: f"{COPY_FORMAT}|{url}|{name}|{by_entity.get(_entity_of(name), 'never')}"
        for name in STORE_TABLES
    }


def copies_folder(settings: Settings) -> Path:
    return settings.workspace / "cache" / "store"


def ensure_copies(
    settings: Settings,
    engine: Engine,
    names: Iterable[str] | None = None,
    on_copy: OnCopy | None = None,
) -> dict[str, Path]:
    """The copy of each named table (every store table by default) for the store's
    current state, made where missing."""
    wanted = list(STORE_TABLES) if names is None else list(names)
    unknown = [n for n in wanted if n not in STORE_TABLES]
    if unknown:
        raise KeyError(f"not a store table: {', '.join(unknown)}")
    states = table_states(engine)
    folder = copies_folder(settings)
    paths = {}
    for name in wanted:
        path = _copy_path(folder, name, states[name])
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            if on_copy is not None:
                on_copy(name, _row_count(engine, STORE_TABLES[name]))
            _write_copy(engine, name, path)
            _prune(folder, name, keep=path)
        paths[name] = path
    return paths


def stale_tables(settings: Settings, engine: Engine) -> list[str]:
    """The store tables whose copy for the current state is not made yet."""
    states = table_states(engine)
    folder = copies_folder(settings)
    return [name for name, state in states.items() if not _copy_path(folder, name, state).exists()]


def _copy_path(folder: Path, name: str, state: str) -> Path:
    return folder / f"{name}-{hashlib.sha256(state.encode()).hexdigest()[:16]}.duckdb"


def _row_count(engine: Engine, table: Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _write_copy(engine: Engine, name: str, path: Path) -> None:
    """Stream the table into a new DuckDB file, then move it in place: a reader sees the
    whole copy or none, and a crash leaves only a partial file that is later swept."""
    table = STORE_TABLES[name]
    columns = [c.name for c in table.columns if c.name not in NOT_COPIED]
    partial = path.with_name(f".{path.stem}-{uuid.uuid4().hex[:8]}.partial")
    con = duckdb.connect(str(partial))
    try:
        reader = pa.RecordBatchReader.from_batches(
            arrow_schema(table, columns), table_batches(engine, table, columns)
        )
        con.register("_store_rows", reader)
        run(con, f'CREATE TABLE "{name}" AS SELECT * FROM _store_rows')
        con.unregister("_store_rows")
    except BaseException:
        con.close()
        _remove(partial)
        raise
    con.close()
    partial.replace(path)


def _remove(partial: Path) -> None:
    partial.unlink(missing_ok=True)
    partial.with_name(partial.name + ".wal").unlink(missing_ok=True)


def _prune(folder: Path, name: str, keep: Path, spare: int = 1) -> None:
    """Drop older copies of the table (the newest `spare` stay for a reader that opened
    them just before), debris of crashed copies, and copies in the old layout."""
    older = sorted(
        (p for p in folder.glob(f"{name}-*.duckdb") if p != keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in older[spare:]:
        old.unlink(missing_ok=True)
    for debris in folder.glob(".*.partial"):
        if time.time() - debris.stat().st_mtime > 3600:
            _remove(debris)
    for legacy in folder.parent.glob("store-*.duckdb"):  # one file per table set (format 1)
        legacy.unlink(missing_ok=True)


def attach_copies(
    con: duckdb.DuckDBPyConnection,
    paths: Mapping[str, Path],
    columns: Mapping[str, Iterable[str] | None],
) -> None:
    """A view per table over its copy (only `columns[name]` where given)."""
    for name, path in paths.items():
        alias = f"copy_{name}"
        location = "'" + str(path).replace("'", "''") + "'"
        run(con, f"ATTACH {location} AS {alias} (READ_ONLY)")
        wanted = columns.get(name)
        picked = "*" if wanted is None else ", ".join(f'"{c}"' for c in wanted)
        run(con, f'CREATE VIEW "{name}" AS SELECT {picked} FROM {alias}."{name}"')
