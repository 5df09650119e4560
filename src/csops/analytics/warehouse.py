"""One DuckDB session over everything: the event store and the operational tables.

The events are read straight from Parquet; the operational tables from their DuckDB
copies (`csops.analytics.store_copy`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import duckdb
from sqlalchemy import Engine

from csops.analytics.duck import connect
from csops.analytics.store_arrow import table_as_arrow
from csops.analytics.store_copy import STORE_TABLES, attach_copies, ensure_copies
from csops.config import Settings
from csops.store.event_store import EventStore

__all__ = ["open_warehouse", "table_as_arrow"]


def open_warehouse(
    settings: Settings,
    engine: Engine,
    tables: Iterable[str] | Mapping[str, Sequence[str] | None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with a view `events` over the event store and one view per
    store entity (or only `tables`; a mapping names the columns to show), plus
    `subscription_versions`.

    The store tables are read from their copies for the store's current state, made on
    first use (see `store_copy`).
    """
    if tables is None:
        wanted: dict[str, Sequence[str] | None] = dict.fromkeys(STORE_TABLES)
    elif isinstance(tables, Mapping):
        wanted = dict(tables)
    else:
        wanted = dict.fromkeys(tables)
    paths = ensure_copies(settings, engine, wanted)
    con = connect(settings)
    try:
        EventStore(settings.events_dir).register(con)
        attach_copies(con, paths, wanted)
    except BaseException:
        con.close()
        raise
    return con
