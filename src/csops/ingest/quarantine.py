"""Quarantine: rejected rows, in the source's format, with `_error_reason` and `_source_line`.

One quarantine file per source file and content (`<stem>.<hash8>.<ext>`), so re-running the
same file rewrites the same quarantine instead of adding to it. Rows are written to a
temporary file and moved into place when the ingest finishes.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from csops.ingest.readers import Unreadable

REASON_COLUMN = "_error_reason"
LINE_COLUMN = "_source_line"
RAW_COLUMN = "_raw_record"  # the whole record, for rows that could not be split into columns


class QuarantineWriter:
    def __init__(self, target: Path, fmt: str, columns: list[str]) -> None:
        self.target = target
        self.fmt = fmt
        self.columns = columns
        self.rows = 0
        self._tmp = target.with_name(target.name + ".partial")
        self._handle: IO[str] | None = None
        self._csv: Any = None
        self._parquet: pq.ParquetWriter | None = None

    @property
    def out_columns(self) -> list[str]:
        return [*self.columns, REASON_COLUMN, LINE_COLUMN, RAW_COLUMN]

    def write_rows(self, rows: list[dict[str, Any]]) -> None:
        """Rows are dicts keyed by source column, plus the three bookkeeping columns."""
        if not rows:
            return
        self.rows += len(rows)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        if self.fmt == "parquet":
            table = pa.Table.from_pylist(
                [{c: _text(r.get(c)) for c in self.out_columns} for r in rows],
                schema=pa.schema(
                    [(c, pa.int64() if c == LINE_COLUMN else pa.string()) for c in self.out_columns]
                ),
            )
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self._tmp, table.schema)
            self._parquet.write_table(table)
            return
        if self._handle is None:
            # The handle outlives this call: finish() or abort() closes it.
            self._handle = open(self._tmp, "w", newline="", encoding="utf-8")  # noqa: SIM115
            if self.fmt == "csv":
                self._csv = csv.writer(self._handle)
                self._csv.writerow(self.out_columns)
        for r in rows:
            if self.fmt == "csv":
                self._csv.writerow(
                    ["" if r.get(c) is None else _text(r.get(c)) for c in self.out_columns]
                )
            else:
                record = {c: r.get(c) for c in self.out_columns if r.get(c) is not None}
                self._handle.write(json.dumps(record, default=str, ensure_ascii=False) + "\n")

    def write_unreadable(self, items: list[Unreadable]) -> None:
        self.write_rows(
            [
                {REASON_COLUMN: f"{u.reason}: {u.message}", LINE_COLUMN: u.line, RAW_COLUMN: u.raw}
                for u in items
            ]
        )

    def finish(self) -> Path | None:
        """Move the quarantine into place; None when nothing was rejected."""
        if self._parquet is not None:
            self._parquet.close()
        if self._handle is not None:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
        if self.rows == 0:
            self.target.unlink(missing_ok=True)
            return None
        os.replace(self._tmp, self.target)
        return self.target

    def abort(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        if self._handle is not None:
            self._handle.close()
        self._tmp.unlink(missing_ok=True)


def _text(value: Any) -> Any:
    if value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
