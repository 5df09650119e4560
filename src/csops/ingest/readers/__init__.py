"""Readers: turn a CSV, Parquet or JSON Lines file (optionally gzip) into Arrow batches.

Every reader yields `RawBatch`es: the file's own columns, unparsed where the format is
text, plus `_source_line` (1-based line of the record in the file; the header is line 1
for CSV, and for Parquet it is the row number) and `_read_error` (why the record could not
be read cleanly, e.g. invalid UTF-8; null when fine). Records that cannot be split into
columns at all (wrong number of fields, a JSON line that is not an object, a truncated
last line) come back as `Unreadable` entries instead, with the raw text kept.
"""

from __future__ import annotations

from pathlib import Path

from csops.ingest.readers.base import (
    LINE,
    READ_ERROR,
    FileRefused,
    RawBatch,
    Reader,
    Unreadable,
    file_format,
)
from csops.ingest.readers.csv_reader import CsvReader
from csops.ingest.readers.jsonl_reader import JsonLinesReader
from csops.ingest.readers.parquet_reader import ParquetReader

__all__ = [
    "LINE",
    "READ_ERROR",
    "CsvReader",
    "FileRefused",
    "JsonLinesReader",
    "ParquetReader",
    "RawBatch",
    "Reader",
    "Unreadable",
    "file_format",
    "open_reader",
]


def open_reader(path: Path, batch_rows: int) -> Reader:
    fmt = file_format(path)
    if fmt == "csv":
        # Arrow's CSV reader batches by bytes and holds several blocks in flight: half of
        # batch_rows * 100 bytes keeps memory low while batches stay large enough to be cheap.
        return CsvReader(path, block_bytes=max(64 << 10, batch_rows * 50))
    if fmt == "parquet":
        return ParquetReader(path, batch_rows)
    return JsonLinesReader(path, batch_rows)
