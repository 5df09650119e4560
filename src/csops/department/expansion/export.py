"""Write the signals table or hand-offs as CSV, Parquet or JSON, chosen by the extension.

Nested values (the `signals` list, contacts, talk tracks) are JSON text in CSV and Parquet
and real lists in JSON, so every format holds the same information. Money keeps two
decimals (DECIMAL(20,2) in Parquet).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from csops.department.expansion.allocation import paused_gc

FORMATS = (".csv", ".parquet", ".json")


class ExportError(ValueError):
    """The output path cannot be written in a known format."""


def export_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(
            f"{path}: unknown output format {suffix or '(none)'!r}: use {', '.join(FORMATS)}"
        )
    return suffix


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _flat(value: Any) -> Any:
    if isinstance(value, list | dict):
        if not value:
            return "[]" if isinstance(value, list) else "{}"
        return json.dumps(value, default=_plain, ensure_ascii=False)
    return value


def plain_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with money as numbers and days as ISO text, as the JSON format writes them."""
    return [{k: _plain(v) for k, v in row.items()} for row in rows]


def write_table(path: Path, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    """Rows (dicts with at least `columns`) to `path`; an empty table keeps its header."""
    suffix = export_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".json":
        document = plain_rows(rows)
        path.write_text(json.dumps(document, indent=2, default=_plain, ensure_ascii=False) + "\n")
        return
    names = list(rows[0]) if rows else list(columns)
    if suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(names)
            for row in rows:
                writer.writerow(
                    [
                        "true" if v is True else "false" if v is False else _flat(_csv(v))
                        for v in (row[n] for n in names)
                    ]
                )
        return
    with paused_gc():
        arrays = {n: _column([row[n] for row in rows]) for n in names}
    pq.write_table(pa.table(arrays) if arrays else pa.table({n: [] for n in names}), path)


def _csv(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.quantize(Decimal("0.01")), "f")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value


def _column(values: list[Any]) -> pa.Array:
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, Decimal):
        return pa.array(
            [None if v is None else v.quantize(Decimal("0.01")) for v in values],
            pa.decimal128(20, 2),
        )
    if isinstance(sample, list | dict):
        return pa.array([None if v is None else _flat(v) for v in values], pa.string())
    if isinstance(sample, bool):
        return pa.array(values, pa.bool_())
    if isinstance(sample, date):
        return pa.array(values, pa.date32())
    if sample is None:
        return pa.array(values, pa.string())  # all empty: typed, not Arrow's null type
    return pa.array(values)
