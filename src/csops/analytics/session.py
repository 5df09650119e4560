"""Open the query engine a command asked for, over the workspace's store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from csops.analytics.engines import (
    MODEL_TABLES,
    DuckDBEngine,
    PostgresEngine,
    QueryEngine,
    SparkEngine,
    local_spark,
)
from csops.analytics.warehouse import open_warehouse
from csops.config import Settings

ENGINES = ("duckdb", "postgres", "spark")


@contextmanager
def query_engine(settings: Settings, engine: Engine, name: str = "duckdb") -> Iterator[QueryEngine]:
    if name == "duckdb":
        con = open_warehouse(settings, engine, MODEL_TABLES)
        try:
            yield DuckDBEngine(con)
        finally:
            con.close()
    elif name == "postgres":
        yield PostgresEngine(engine)
    elif name == "spark":
        spark_engine = SparkEngine(local_spark())
        spark_engine.load_store(engine)
        yield spark_engine
    else:
        raise ValueError(f"unknown engine {name!r}: use one of {', '.join(ENGINES)}")
