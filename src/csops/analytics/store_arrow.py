"""Store tables as Arrow, typed from the data contract (JSON as text), a batch at a time.

Reads through the raw database cursor and converts whole columns at once: going through
SQLAlchemy's per-value result processing costs several seconds per 100k rows. SQLite hands
back dates, timestamps and exact decimals as text; Arrow casts those.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa
from sqlalchemy import Engine, Table

from csops.domain.contract import ENTITIES, Kind

BATCH_ROWS = 100_000  # rows held as Python values at once: bounds memory on large tables

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
_BOOKKEEPING: dict[str, pa.DataType] = {
    "version": pa.int64(),
    "recorded_from": pa.timestamp("us"),
    "recorded_to": pa.timestamp("us"),
    "ingest_id": pa.int64(),
}


def _arrow_type(table_name: str, column: str) -> pa.DataType:
    entity = ENTITIES["subscriptions" if table_name == "subscription_versions" else table_name]
    if column in entity.column_names:
        return _ARROW[entity.column(column).kind]
    return _BOOKKEEPING.get(column, pa.string())


def _is_json(table_name: str, column: str) -> bool:
    if column == "attributes":
        return True
    entity = ENTITIES.get(table_name)
    return (
        entity is not None
        and column in entity.column_names
        and entity.column(column).kind is Kind.JSON
    )


def arrow_schema(table: Table, columns: Sequence[str] | None = None) -> pa.Schema:
    """The Arrow schema of a store table (or some of its columns)."""
    names = _names(table, columns)
    return pa.schema([(n, _arrow_type(table.name, n)) for n in names])


def _names(table: Table, columns: Sequence[str] | None) -> list[str]:
    names = list(columns) if columns is not None else [c.name for c in table.columns]
    unknown = [n for n in names if n not in table.columns]
    if unknown:
        raise KeyError(f"{table.name} has no column(s) {', '.join(unknown)}")
    return names


def table_batches(
    engine: Engine,
    table: Table,
    columns: Sequence[str] | None = None,
    batch_rows: int = BATCH_ROWS,
) -> Iterator[pa.RecordBatch]:
    """The rows of a store table as record batches of `arrow_schema(table, columns)`."""
    names = _names(table, columns)
    schema = arrow_schema(table, names)
    quote = engine.dialect.identifier_preparer.quote
    sql = f"SELECT {', '.join(quote(n) for n in names)} FROM {quote(table.name)}"
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(sql)
        while rows := cursor.fetchmany(batch_rows):
            values = list(zip(*rows, strict=True))
            arrays = [
                _column_array(table.name, name, list(column))
                for name, column in zip(names, values, strict=True)
            ]
            yield pa.record_batch(arrays, schema=schema)
    finally:
        raw.close()


def table_as_arrow(engine: Engine, table: Table, columns: Sequence[str] | None = None) -> pa.Table:
    """A whole store table (or some of its columns) as one Arrow table."""
    schema = arrow_schema(table, columns)
    return pa.Table.from_batches(list(table_batches(engine, table, columns)), schema=schema)


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
