"""Row-store tables (SQLAlchemy Core), one per data-contract entity, derived from the contract.

Every entity table holds the contract's typed columns, `attributes` (the file's extra
columns as JSON), `row_hash` (content hash used to tell an update from a repeat) and the
ingest that last wrote the row. Subscriptions also keep every version they had in
`subscription_versions`, so that past states can be reconstructed. Timestamps are stored
as naive UTC.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.types import TypeEngine

from csops.domain.contract import DERIVED_KEYS, ENTITIES, Entity, Kind


class ExactDecimal(TypeDecorator[Decimal]):
    """NUMERIC(20, 6) where the database has it; text on SQLite, which would otherwise
    round-trip money through floating point."""

    impl = Numeric(20, 6)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        return dialect.type_descriptor(Numeric(20, 6))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return format(Decimal(value), "f")
        return Decimal(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(str(value))


def _sql_type(kind: Kind) -> TypeEngine[Any]:
    types: dict[Kind, TypeEngine[Any]] = {
        Kind.ID: String(255),
        Kind.TEXT: Text(),
        Kind.EMAIL: String(320),
        Kind.ENUM: String(32),
        Kind.DATE: Date(),
        Kind.TIMESTAMP: DateTime(),
        Kind.DECIMAL: ExactDecimal(),
        Kind.INTEGER: BigInteger(),
        Kind.FRACTION: ExactDecimal(),
        Kind.BOOLEAN: Boolean(),
        Kind.JSON: JSON(),
        Kind.CURRENCY: String(3),
    }
    return types[kind]


metadata = MetaData()


def _bookkeeping() -> list[Column[Any]]:
    return [
        Column("attributes", JSON(), nullable=True),
        Column("row_hash", String(32), nullable=False),
        Column("ingest_id", Integer, nullable=False),
    ]


def _entity_table(entity: Entity) -> Table:
    columns: list[Column[Any]] = []
    if entity.name in DERIVED_KEYS:
        columns.append(Column(entity.key[0], String(64), primary_key=True))
    for c in entity.columns:
        is_key = c.name in entity.key
        columns.append(
            Column(
                c.name, _sql_type(c.kind), primary_key=is_key, nullable=not (c.required or is_key)
            )
        )
    table = Table(entity.name, metadata, *columns, *_bookkeeping())
    for c in entity.columns:
        if c.references:
            Index(f"ix_{entity.name}_{c.name}", table.c[c.name])
    return table


ENTITY_TABLES: dict[str, Table] = {
    name: _entity_table(entity) for name, entity in ENTITIES.items() if not entity.is_event_stream
}

subscription_versions = Table(
    "subscription_versions",
    metadata,
    Column("subscription_id", String(255), primary_key=True),
    Column("version", Integer, primary_key=True),
    *(
        Column(c.name, _sql_type(c.kind), nullable=True)
        for c in ENTITIES["subscriptions"].columns
        if c.name != "subscription_id"
    ),
    Column("attributes", JSON(), nullable=True),
    Column("row_hash", String(32), nullable=False),
    Column("recorded_from", DateTime(), nullable=False),
    Column("recorded_to", DateTime(), nullable=True),
    Column("ingest_id", Integer, nullable=False),
)

ingest_log = Table(
    "ingest_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("path", Text(), nullable=False),
    Column("entity", String(64), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("format", String(16), nullable=False),
    Column("started_at", DateTime(), nullable=False),
    Column("finished_at", DateTime(), nullable=False),
    Column("rows_read", BigInteger, nullable=False),
    Column("rows_loaded", BigInteger, nullable=False),
    Column("rows_updated", BigInteger, nullable=False),
    Column("rows_unchanged", BigInteger, nullable=False),
    Column("rows_rejected", BigInteger, nullable=False),
    Column("reasons", JSON(), nullable=False),
    Column("quarantine_path", Text(), nullable=True),
    # Never reuse an id on SQLite: events carry the id of the ingest that wrote them.
    sqlite_autoincrement=True,
)
Index("ix_ingest_log_entity", ingest_log.c.entity)
