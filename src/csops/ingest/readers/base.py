"""What every reader shares: the batch shape, refusals, the header rules, the format."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Protocol, cast

import pyarrow as pa

LINE = "_source_line"
READ_ERROR = "_read_error"
RESERVED = frozenset(
    {
        LINE,
        READ_ERROR,
        "_error_reason",
        "_raw_record",
        "_key",
        "_line",
        "_attributes",
        "_row_hash",
        "_reasons",
        "_month",
    }
)


class FileRefused(Exception):
    """The whole file cannot be ingested (unreadable, no header, missing required column)."""


@dataclass(frozen=True)
class Unreadable:
    line: int
    reason: str
    message: str
    raw: str


@dataclass
class RawBatch:
    table: pa.Table
    unreadable: list[Unreadable] = field(default_factory=list)


class Reader(Protocol):
    """Contract: `columns()` lists the file's columns (raises FileRefused when it cannot),
    `batches()` yields every record exactly once, in file order, as RawBatch."""

    format: str

    def columns(self) -> list[str]: ...

    def estimated_rows(self) -> int | None: ...

    def batches(self) -> Iterator[RawBatch]: ...


def open_binary(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")


def file_format(path: Path) -> str:
    """csv, parquet or jsonl from the file's extension (a trailing .gz is ignored)."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    ext = suffixes[-1] if suffixes else ""
    if ext == ".csv":
        return "csv"
    if ext in (".parquet", ".pq"):
        return "parquet"
    if ext in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise FileRefused(
        f"{path.name}: cannot tell the format from the extension {ext or '(none)'!r}; "
        "use .csv, .parquet or .jsonl (optionally .gz)"
    )


def check_header(path: Path, names: list[str]) -> list[str]:
    names = [n.strip() for n in names]
    if names and names[0].startswith("\ufeff"):
        names[0] = names[0][1:]
    if not names or all(not n for n in names):
        raise FileRefused(f"{path.name}: the file is empty or has no header row")
    reserved = sorted({n for n in names if n in RESERVED})
    if reserved:
        raise FileRefused(
            f"{path.name}: column names {reserved} are reserved for csops' own bookkeeping; "
            "rename them"
        )
    blank = [i + 1 for i, n in enumerate(names) if not n]
    if blank:
        raise FileRefused(f"{path.name}: header has empty column names at positions {blank}")
    seen: set[str] = set()
    dupes = sorted({n for n in names if n in seen or seen.add(n)})  # type: ignore[func-returns-value]
    if dupes:
        raise FileRefused(f"{path.name}: header repeats column names {dupes}")
    return names


def estimate_lines(path: Path) -> int | None:
    """Lines in a plain text file, estimated from the first megabyte (None for gzip)."""
    if path.suffix == ".gz":
        return None
    with open(path, "rb") as handle:
        head = handle.read(1 << 20)
    lines = head.count(b"\n")
    if not lines:
        return None
    return int(path.stat().st_size / (len(head) / lines))
