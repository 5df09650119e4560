"""A demo company generated once per test session, read back from its files."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from csops.demo import generate_company

END = dt.date(2025, 3, 10)
END_TEXT = "2025-03-10T00:00:00Z"


@dataclass
class Company:
    paths: dict[str, list[Path]]
    tables: dict[str, list[dict[str, str]]]
    events: pa.Table

    def rows(self, entity: str) -> list[dict[str, str]]:
        return self.tables[entity]

    def by_account(self, entity: str) -> dict[str, list[dict[str, str]]]:
        grouped: dict[str, list[dict[str, str]]] = {}
        for row in self.tables[entity]:
            grouped.setdefault(row["account_id"], []).append(row)
        return grouped


def read_company(paths: dict[str, list[Path]]) -> Company:
    tables: dict[str, list[dict[str, str]]] = {}
    for entity, files in paths.items():
        if entity == "events":
            continue
        with files[0].open(encoding="utf-8", newline="") as handle:
            tables[entity] = list(csv.DictReader(handle))
    events = pa.concat_tables([pq.read_table(p) for p in paths["events"]])
    return Company(paths, tables, events)


@pytest.fixture(scope="session")
def company(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Company]:
    out = tmp_path_factory.mktemp("demo-company")
    paths = generate_company(out, accounts=400, months=12, seed=11, end=END)
    yield read_company(paths)
