"""Every revenue model gives identical results on DuckDB, PostgreSQL and Spark.

One PostgreSQL store holds the hand-computed company; DuckDB and Spark read it by Arrow
hand-over, PostgreSQL runs the translated SQL on its own tables. Money and counts must be
equal exactly; rates (doubles) to 12 significant digits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from tests.analytics.revenue_fixture import write_company
from tests.conftest import POSTGRES_URL, _postgres_schema

from csops.analytics import metrics
from csops.analytics.engines import (
    DuckDBEngine,
    PostgresEngine,
    QueryEngine,
    SparkEngine,
    local_spark,
)
from csops.analytics.sql_models import model_names
from csops.analytics.warehouse import open_warehouse
from csops.config import Settings
from csops.domain.periods import Unit
from csops.ingest.batch import ingest_paths
from csops.ingest.pipeline import IngestContext
from csops.store.database import make_engine, upgrade_schema

AS_OF = date(2024, 3, 10)
CASES: dict[str, Callable[[QueryEngine], list[dict[str, Any]]]] = {
    "mrr": lambda e: metrics.mrr(e, date(2024, 1, 20), "segment"),
    "mrr_by_plan": lambda e: metrics.mrr(e, date(2024, 1, 20), "plan"),
    "retention": lambda e: metrics.retention(e, date(2024, 1, 1), date(2024, 2, 1), AS_OF, "owner"),
    "trend_month": lambda e: metrics.trend(e, date(2023, 1, 1), AS_OF, Unit.MONTH, AS_OF),
    "trend_week": lambda e: metrics.trend(e, date(2024, 1, 1), AS_OF, Unit.WEEK, AS_OF),
    "cohorts": lambda e: metrics.cohorts(e, AS_OF, date(2023, 1, 1)),
    "renewals": lambda e: metrics.renewals(e, date(2024, 1, 21), 365),
}


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, QueryEngine]]:
    folder = tmp_path_factory.mktemp("parity")
    for schema in _postgres_schema():
        settings = Settings(
            home=folder / "ws", database_url=f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
        )
        store = make_engine(settings)
        upgrade_schema(store)
        ingest_paths(IngestContext(settings, store, datetime(2024, 1, 1)), write_company(folder))
        later = folder / "later"
        changed = write_company(later)
        subs = changed[1]
        subs.write_text(subs.read_text().replace("S8,A8,60.005,", "S8,A8,90,"))
        ingest_paths(replace(IngestContext(settings, store, datetime(2024, 5, 1))), [subs])
        duck = open_warehouse(settings, store, ("accounts", "activities", "subscription_versions"))
        spark = SparkEngine(local_spark("csops-parity"))
        spark.load_store(store)
        yield {"duckdb": DuckDBEngine(duck), "postgres": PostgresEngine(store), "spark": spark}
        duck.close()
        store.dispose()


def normalised(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        clean: dict[str, Any] = {}
        for key, value in row.items():
            if isinstance(value, float):
                clean[key] = float(f"{value:.12g}")
            elif isinstance(value, Decimal):
                clean[key] = value.normalize()
            elif isinstance(value, datetime):
                clean[key] = (
                    value.date()
                    if value == datetime.combine(value.date(), datetime.min.time())
                    else value
                )
            else:
                clean[key] = value
        out.append(clean)
    return out


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("case", sorted(CASES))
def test_models_agree_on_every_engine(engines: dict[str, QueryEngine], case: str) -> None:
    results = {name: normalised(CASES[case](engine)) for name, engine in engines.items()}
    assert results["duckdb"], f"{case}: the fixture should give rows"
    assert results["postgres"] == results["duckdb"]
    assert results["spark"] == results["duckdb"]


def test_every_model_is_covered_by_a_parity_case() -> None:
    # movements, paid_days, first_paid, lines_known and account_groups run inside the
    # cases above as dependencies; a new top-level model needs a case of its own.
    top_level = {"mrr", "retention", "cohorts", "renewals"}
    dependencies = {"movements", "paid_days", "first_paid", "lines_known", "account_groups"}
    assert model_names() == top_level | dependencies
