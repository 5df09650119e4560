"""The store columns the onboarding and expansion specialists read, for
`open_warehouse(settings, engine, {table: columns})`: handing over only these keeps the
session cheap on large books."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb
from sqlalchemy import Engine

from csops.analytics.warehouse import open_warehouse
from csops.config import Settings


def open_lean(
    settings: Settings, engine: Engine, tables: Mapping[str, Sequence[str]]
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the view `events` and, per entry of `tables`, a table of
    that name holding the listed columns."""
    return open_warehouse(settings, engine, tables)


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
