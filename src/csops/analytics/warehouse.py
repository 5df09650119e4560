"""One DuckDB session over everything: the event store and the operational tables.

Why an export step (Arrow hand-over) rather than DuckDB's sqlite/postgres scanners: the
scanners are extensions that DuckDB downloads at run time (impossible offline, and the
packaged copies exist for one DuckDB version only), while Arrow hand-over needs no
extension, behaves identically for SQLite and PostgreSQL, and the operational tables are
small next to the events, which DuckDB reads straight from Parquet.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import duckdb
import pyarrow as pa
from sqlalchemy import Engine, Table, select

from csops.analytics.duck import connect
from csops.config import Settings
from csops.domain.contract import ENTITIES, Kind
from csops.store.event_store import EventStore
from csops.store.tables import ENTITY_TABLES, subscription_versions

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


def table_as_arrow(engine: Engine, table: Table) -> pa.Table:
    """A whole store table as Arrow, typed from the data contract (JSON as text)."""
    names = [c.name for c in table.columns]
    with engine.connect() as conn:
        rows = conn.execute(select(table)).all()
    columns: list[pa.Array] = []
    for i, name in enumerate(names):
        values: list[Any] = [r[i] for r in rows]
        if name == "attributes" or (
            table.name in ENTITIES
            and name in ENTITIES[table.name].column_names
            and ENTITIES[table.name].column(name).kind is Kind.JSON
        ):
            values = [None if v is None else json.dumps(v, sort_keys=True) for v in values]
        columns.append(pa.array(values, _arrow_type(table.name, name)))
    return pa.table(columns, names=names)


def open_warehouse(
    settings: Settings, engine: Engine, tables: Iterable[str] | None = None
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with a view `events` over the event store and one table per
    store entity (or only `tables`), plus `subscription_versions`."""
    con = connect(settings)
    EventStore(settings.events_dir).register(con)
    wanted = list(tables) if tables is not None else [*ENTITY_TABLES, "subscription_versions"]
    for name in wanted:
        table = subscription_versions if name == "subscription_versions" else ENTITY_TABLES[name]
        con.register(f"_arrow_{name}", table_as_arrow(engine, table))
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _arrow_{name}").fetchall()
        con.unregister(f"_arrow_{name}")
    return con
