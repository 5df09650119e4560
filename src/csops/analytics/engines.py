"""Where SQL models run: DuckDB (default), PostgreSQL (the store itself) or Spark.

Each engine takes SQL in its own dialect and returns rows as dicts of plain Python
values (Decimal for money, date, int, float, bool, str), so results compare across
engines and render the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import duckdb
from sqlalchemy import Engine

from csops.analytics.store_arrow import table_as_arrow
from csops.store.tables import ENTITY_TABLES, subscription_versions

Row = dict[str, Any]

# The store tables and columns the revenue models read (reading only these keeps the
# hand-over to DuckDB or Spark cheap).
MODEL_TABLES: dict[str, tuple[str, ...]] = {
    "accounts": ("account_id", "name", "segment", "region", "owner_email"),
    "activities": ("account_id", "kind", "occurred_at", "summary"),
    "subscription_versions": (
        "subscription_id",
        "version",
        "account_id",
        "mrr",
        "start_date",
        "end_date",
        "plan",
        "product",
        "seats",
        "billing_period_months",
        "discount",
        "currency",
        "recorded_from",
    ),
}


class QueryEngine(Protocol):
    dialect: str

    def query(self, sql: str) -> list[Row]: ...


class DuckDBEngine:
    dialect = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def query(self, sql: str) -> list[Row]:
        cursor = self.con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class PostgresEngine:
    """Runs the models inside the PostgreSQL store, on its own tables."""

    dialect = "postgres"

    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError(f"the postgres engine needs a PostgreSQL store, not {engine.url}")
        self.engine = engine

    def query(self, sql: str) -> list[Row]:
        with self.engine.connect() as conn:
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            cursor.execute(sql)  # no parameters: the models bind theirs as literals
            names = [d.name for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class SparkEngine:
    """Runs the models on Apache Spark; the store tables are handed over as Arrow."""

    dialect = "spark"

    def __init__(self, spark: Any) -> None:
        self.spark = spark

    def load_store(
        self, engine: Engine, tables: Mapping[str, Sequence[str]] = MODEL_TABLES
    ) -> None:
        for name, columns in tables.items():
            table = ENTITY_TABLES.get(name, subscription_versions)
            frame = self.spark.createDataFrame(table_as_arrow(engine, table, columns))
            frame.createOrReplaceTempView(name)

    def query(self, sql: str) -> list[Row]:
        return [row.asDict() for row in self.spark.sql(sql).collect()]


def local_spark(app_name: str = "csops") -> Any:
    """A local-mode Spark session set up for exact, UTC, ANSI SQL."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]")
        .appName(app_name)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
