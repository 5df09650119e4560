"""JSON Lines: one object per line; nested values kept as JSON text, numbers exact."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from csops.ingest.readers.base import (
    LINE,
    READ_ERROR,
    FileRefused,
    RawBatch,
    Unreadable,
    check_header,
    estimate_lines,
    open_binary,
)


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return str(value)  # exact: JSON numbers never pass through float
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)


class JsonLinesReader:
    format = "jsonl"

    def __init__(self, path: Path, batch_rows: int) -> None:
        self.path = path
        self.batch_rows = batch_rows

    def columns(self) -> list[str]:
        names: dict[str, None] = {}
        for record in self._records(limit=1000):  # the columns of the first 1,000 lines
            if isinstance(record, dict):
                names.update(dict.fromkeys(k for k in record if k != LINE))
        return check_header(self.path, list(names))

    def estimated_rows(self) -> int | None:
        return estimate_lines(self.path)

    def _records(self, limit: int | None = None) -> Iterator[dict[str, Any] | Unreadable]:
        try:
            with open_binary(self.path) as handle:
                previous: bytes | None = None
                number = 0
                for raw in handle:
                    if previous is not None:
                        number += 1
                        yield self._parse(previous, number, last=False)
                        if limit is not None and number >= limit:
                            return
                    previous = raw
                if previous is not None:
                    number += 1
                    yield self._parse(previous, number, last=not previous.endswith(b"\n"))
        except (OSError, EOFError) as exc:
            raise FileRefused(f"{self.path.name}: cannot read the file ({exc})") from exc

    @staticmethod
    def _parse(raw: bytes, number: int, last: bool) -> dict[str, Any] | Unreadable:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return Unreadable(
                number,
                "encoding_error",
                "line is not valid UTF-8",
                raw.decode("utf-8", "replace").rstrip("\r\n"),
            )
        stripped = text.strip()
        if not stripped:
            return {}
        try:
            value = json.loads(stripped, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            if last:
                return Unreadable(
                    number,
                    "truncated_line",
                    f"last line is not complete JSON ({exc.msg}): the file looks truncated",
                    stripped,
                )
            return Unreadable(number, "invalid_json", f"not valid JSON ({exc.msg})", stripped)
        if not isinstance(value, dict):
            return Unreadable(number, "invalid_json", "line is not a JSON object", stripped)
        value[LINE] = number
        return value

    def batches(self) -> Iterator[RawBatch]:
        names = self.columns()
        rows: list[dict[str, Any]] = []
        unreadable: list[Unreadable] = []
        for record in self._records():
            if isinstance(record, Unreadable):
                unreadable.append(record)
            elif record:
                rows.append(record)
            if len(rows) >= self.batch_rows:
                yield self._batch(rows, names, unreadable)
                rows, unreadable = [], []
        yield self._batch(rows, names, unreadable)

    @staticmethod
    def _batch(
        rows: list[dict[str, Any]], names: list[str], unreadable: list[Unreadable]
    ) -> RawBatch:
        extra = sorted({k for r in rows for k in r} - set(names) - {LINE})
        cols = [*names, *extra]
        arrays = [pa.array([_json_text(r.get(c)) for r in rows], pa.string()) for c in cols]
        arrays.append(pa.array([r[LINE] for r in rows], pa.int64()))
        arrays.append(pa.nulls(len(rows), pa.string()))
        return RawBatch(pa.table(arrays, names=[*cols, LINE, READ_ERROR]), unreadable)
