"""A lean DuckDB session for the specialists: the event store plus only the store columns
they read.

Why not `open_warehouse`: it hands over whole tables, and turning every row's
`attributes` JSON into text dominated the run time on large books (8 of 38 s for 20,000
accounts). Here each table carries only the named columns, typed as in the warehouse.
(A `columns=` option on `open_warehouse` would make this module unnecessary.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb
import pyarrow as pa
from sqlalchemy import Engine, select

from csops.analytics import warehouse
from csops.analytics.duck import connect
from csops.config import Settings
from csops.store.event_store import EventStore
from csops.store.tables import ENTITY_TABLES, subscription_versions


def open_lean(
    settings: Settings, engine: Engine, tables: Mapping[str, Sequence[str]]
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the view `events` and, per entry of `tables`, a table of
    that name holding the listed columns."""
    con = connect(settings)
    EventStore(settings.events_dir).register(con)
    for name, columns in tables.items():
        table = subscription_versions if name == "subscription_versions" else ENTITY_TABLES[name]
        with engine.connect() as conn:
            rows = conn.execute(select(*(table.c[c] for c in columns))).all()
        arrays = [
            pa.array([r[i] for r in rows], warehouse._arrow_type(name, c))
            for i, c in enumerate(columns)
        ]
        con.register("_lean", pa.table(arrays, names=list(columns)))
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _lean").fetchall()
        con.unregister("_lean")
    return con


LINE_COLUMNS = (
    "subscription_id",
    "version",
    "recorded_from",
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
)
