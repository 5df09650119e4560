"""Readers: turn a CSV, Parquet or JSON Lines file (optionally gzip) into Arrow batches.

Every reader yields `RawBatch`es: the file's own columns, unparsed where the format is
text, plus `_source_line` (1-based line of the record in the file; the header is line 1
for CSV, and for Parquet it is the row number) and `_read_error` (why the record could not
be read cleanly, e.g. invalid UTF-8; null when fine). Records that cannot be split into
columns at all (wrong number of fields, a JSON line that is not an object, a truncated
last line) come back as `Unreadable` entries instead, with the raw text kept.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Protocol, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

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


def _open_binary(path: Path) -> IO[bytes]:
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


def _check_header(path: Path, names: list[str]) -> list[str]:
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


def _record_numbers(first: int, n: int, skipped: np.ndarray) -> np.ndarray:
    """Record numbers of the next n parsed rows, starting at `first`, jumping over the
    numbers of rows the parser rejected (given sorted)."""
    skipped = skipped[skipped >= first]
    if not len(skipped) or skipped[0] >= first + n:
        return np.arange(first, first + n, dtype=np.int64)
    candidates = np.arange(first, first + n + len(skipped), dtype=np.int64)
    return candidates[~np.isin(candidates, skipped)][:n]


def _decode_column(values: pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """Binary column → UTF-8 strings; invalid values are decoded with replacement
    characters and flagged in the returned mask."""
    combined = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    try:
        return combined.cast(pa.string()), np.zeros(len(combined), dtype=bool)
    except pa.ArrowInvalid:
        decoded: list[str | None] = []
        bad = np.zeros(len(combined), dtype=bool)
        for i, raw in enumerate(combined.to_pylist()):
            if raw is None:
                decoded.append(None)
                continue
            try:
                decoded.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                decoded.append(raw.decode("utf-8", errors="replace"))
                bad[i] = True
        return pa.array(decoded, pa.string()), bad


def _estimate_lines(path: Path) -> int | None:
    """Lines in a plain text file, estimated from the first megabyte (None for gzip)."""
    if path.suffix == ".gz":
        return None
    with open(path, "rb") as handle:
        head = handle.read(1 << 20)
    lines = head.count(b"\n")
    if not lines:
        return None
    return int(path.stat().st_size / (len(head) / lines))


class CsvReader:
    """Streams CSV with Arrow's parser (fast), keeping exact physical line numbers."""

    format = "csv"

    def __init__(self, path: Path, block_bytes: int = 16 << 20) -> None:
        self.path = path
        self.block_bytes = block_bytes
        self._names: list[str] | None = None

    def columns(self) -> list[str]:
        if self._names is None:
            try:
                with _open_binary(self.path) as raw:
                    head = raw.read(1 << 20)
            except (OSError, EOFError) as exc:
                raise FileRefused(f"{self.path.name}: cannot read the file ({exc})") from exc
            text = head.decode("utf-8", errors="replace")
            first = next(csv.reader(io.StringIO(text)), [])
            self._names = _check_header(self.path, first)
        return self._names

    def estimated_rows(self) -> int | None:
        lines = _estimate_lines(self.path)
        return None if lines is None else max(lines - 1, 0)

    def batches(self) -> Iterator[RawBatch]:
        """Parsed batches; when the file ends inside a quoted value (an odd number of
        quote characters), its last record is reported as truncated instead of loaded."""
        odd_quotes, ends_with_newline = self._quote_state()
        held: RawBatch | None = None  # the latest batch with rows: it may hold the last record
        last_unreadable = 0
        for batch in self._parsed_batches():
            last_unreadable = max([last_unreadable, *(u.line for u in batch.unreadable)])
            if batch.table.num_rows == 0:
                yield batch  # only unreadable records; their order does not matter
                continue
            if held is not None:
                yield held
            held = batch
        if held is None:
            return
        last_good = int(held.table[LINE][-1].as_py())
        # A quote left open runs to the end of the file. It cut the final record short when
        # the file stops mid-line, or when that record swallowed line breaks. A stray quote
        # inside an unquoted value (`5" screens`) in a complete file does neither. If an
        # unreadable record comes after the last good one, that one is the cut record.
        last_values = held.table.slice(held.table.num_rows - 1).to_pylist()[0]
        swallowed = any(isinstance(v, str) and "\n" in v for v in last_values.values())
        cut_short = odd_quotes and (not ends_with_newline or swallowed)
        yield self._drop_last_record(held) if cut_short and last_good > last_unreadable else held

    def _quote_state(self) -> tuple[bool, bool]:
        """(an odd number of quote characters, the file ends with a newline)."""
        quotes = 0
        last = b""
        with _open_binary(self.path) as raw:
            for chunk in iter(lambda: raw.read(8 << 20), b""):
                quotes += chunk.count(b'"')
                last = chunk[-1:]
        return quotes % 2 == 1, last == b"\n"

    @staticmethod
    def _drop_last_record(batch: RawBatch) -> RawBatch:
        table = batch.table
        last = table.slice(table.num_rows - 1).to_pylist()[0]
        values = [str(v) for k, v in last.items() if k not in (LINE, READ_ERROR) and v is not None]
        cut = Unreadable(
            int(last[LINE]),
            "truncated_line",
            "the file ends inside a quoted value: it looks truncated",
            ",".join(values),
        )
        return RawBatch(table.slice(0, table.num_rows - 1), [*batch.unreadable, cut])

    def _parsed_batches(self) -> Iterator[RawBatch]:
        names = self.columns()
        bad_rows: list[tuple[int, str, int]] = []

        def on_invalid(row: Any) -> str:
            bad_rows.append((int(row.number), str(row.text), int(row.actual_columns)))
            return "skip"

        try:
            stream = pa.input_stream(str(self.path), compression="detect")
            reader = pacsv.open_csv(
                stream,
                read_options=pacsv.ReadOptions(
                    use_threads=False,
                    block_size=self.block_bytes,
                    skip_rows=1,
                    column_names=names,
                ),
                parse_options=pacsv.ParseOptions(
                    invalid_row_handler=on_invalid,
                    newlines_in_values=True,
                    ignore_empty_lines=False,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.binary() for n in names}, strings_can_be_null=False
                ),
            )
        except (pa.ArrowInvalid, OSError) as exc:
            raise FileRefused(f"{self.path.name}: cannot parse as CSV ({exc})") from exc

        next_record = 2  # record 1 is the header
        extra_newlines = 0  # newlines inside quoted values so far: physical line offset
        emitted_bad = 0
        bad_line: dict[int, int] = {}  # record number of an unreadable row → physical line
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except (pa.ArrowInvalid, OSError, EOFError) as exc:
                raise FileRefused(
                    f"{self.path.name}: CSV parse failed after line {next_record - 1} ({exc})"
                ) from exc
            n = batch.num_rows
            pending = np.array(sorted(b[0] for b in bad_rows[emitted_bad:]), dtype=np.int64)
            records = _record_numbers(next_record, n, pending)
            newline_counts = np.zeros(n, dtype=np.int64)
            columns: list[pa.Array] = []
            bad_utf8 = np.zeros(n, dtype=bool)
            bad_cols_per_row: dict[int, list[str]] = {}
            for name, col in zip(names, batch.columns, strict=True):
                newline_counts += pc.count_substring(col, "\n").to_numpy(zero_copy_only=False)
                decoded, bad = _decode_column(col)
                columns.append(decoded)
                if bad.any():
                    bad_utf8 |= bad
                    for i in np.flatnonzero(bad):
                        bad_cols_per_row.setdefault(int(i), []).append(name)
            # Physical line = record number + newlines inside quoted values of every
            # earlier record, good (this batch's running sum) or unreadable.
            unresolved = sorted((b[0], b[1].count("\n")) for b in bad_rows if b[0] >= next_record)
            bad_numbers = np.array([b[0] for b in unresolved], dtype=np.int64)
            bad_nl_cum = np.cumsum([0] + [b[1] for b in unresolved], dtype=np.int64)
            before_good = (
                np.concatenate(([0], np.cumsum(newline_counts)[:-1])) if n else newline_counts
            )
            bad_before = bad_nl_cum[np.searchsorted(bad_numbers, records)]
            lines = records + extra_newlines + before_good + bad_before
            good_before_bad = np.searchsorted(records, bad_numbers)
            cum_good = np.concatenate(([0], np.cumsum(newline_counts)))
            for (number, _), k, nl_bad in zip(
                unresolved, good_before_bad, bad_nl_cum, strict=False
            ):
                bad_line[number] = number + extra_newlines + int(cum_good[k]) + int(nl_bad)
            next_record = int(records[-1]) + 1 if n else next_record
            covered = [b for b in unresolved if b[0] < next_record]
            extra_newlines += int(newline_counts.sum()) + sum(b[1] for b in covered)
            read_error = (
                [
                    f"invalid UTF-8 in {', '.join(bad_cols_per_row[i])}" if bad_utf8[i] else None
                    for i in range(n)
                ]
                if bad_utf8.any()
                else [None] * n
            )
            table = pa.table(
                [*columns, pa.array(lines), pa.array(read_error, pa.string())],
                names=[*names, LINE, READ_ERROR],
            )
            # A line with no content at all (blank line) is not a record.
            blank = None
            for col in columns:
                empty = pc.equal(pc.utf8_length(col), 0)
                blank = empty if blank is None else pc.and_(blank, empty)
            if blank is not None and pc.any(blank).as_py():
                table = table.filter(pc.invert(blank))
            resolved = [b for b in bad_rows[emitted_bad:] if b[0] < next_record]
            emitted_bad += len(resolved)
            yield RawBatch(table, self._unreadable(resolved, names, bad_line, last=None))
        rest = bad_rows[emitted_bad:]
        offset = extra_newlines
        for number, text, _ in sorted(rest):
            bad_line.setdefault(number, number + offset)
            offset += text.count("\n")
        last_record = max([next_record - 1, *(b[0] for b in bad_rows)])
        yield RawBatch(
            pa.table(
                [
                    *(pa.array([], pa.string()) for _ in names),
                    pa.array([], pa.int64()),
                    pa.array([], pa.string()),
                ],
                names=[*names, LINE, READ_ERROR],
            ),
            self._unreadable(rest, names, bad_line, last_record),
        )

    def _unreadable(
        self,
        rows: list[tuple[int, str, int]],
        names: list[str],
        lines: dict[int, int],
        last: int | None,
    ) -> list[Unreadable]:
        out = []
        for number, text, actual in rows:
            if last is not None and number == last and actual < len(names):
                reason, message = (
                    "truncated_line",
                    f"last line has {actual} of {len(names)} fields: the file looks truncated",
                )
            else:
                reason, message = (
                    "wrong_field_count",
                    f"line has {actual} fields, the header has {len(names)}",
                )
            out.append(Unreadable(lines.get(number, number), reason, message, text))
        return out


class ParquetReader:
    format = "parquet"

    def __init__(self, path: Path, batch_rows: int) -> None:
        self.path = path
        self.batch_rows = batch_rows
        self._file: pq.ParquetFile | None = None
        self._tmp: Path | None = None

    def _parquet(self) -> pq.ParquetFile:
        if self._file is None:
            source = self.path
            try:
                if self.path.suffix == ".gz":
                    handle, name = tempfile.mkstemp(suffix=".parquet")
                    self._tmp = Path(name)
                    with gzip.open(self.path, "rb") as src, open(handle, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                    source = self._tmp
                self._file = pq.ParquetFile(source)
            except (pa.ArrowInvalid, OSError, EOFError) as exc:
                raise FileRefused(f"{self.path.name}: not a readable Parquet file ({exc})") from exc
        return self._file

    def columns(self) -> list[str]:
        return _check_header(self.path, list(self._parquet().schema_arrow.names))

    def estimated_rows(self) -> int | None:
        return int(self._parquet().metadata.num_rows)

    def batches(self) -> Iterator[RawBatch]:
        names = self.columns()
        start = 1
        try:
            for batch in self._parquet().iter_batches(batch_size=self.batch_rows):
                n = batch.num_rows
                table = pa.Table.from_batches([batch]).rename_columns(names)
                table = table.append_column(LINE, pa.array(np.arange(start, start + n)))
                table = table.append_column(READ_ERROR, pa.nulls(n, pa.string()))
                start += n
                yield RawBatch(table)
        except (pa.ArrowInvalid, OSError) as exc:
            raise FileRefused(
                f"{self.path.name}: Parquet read failed after row {start - 1} ({exc})"
            ) from exc
        finally:
            if self._tmp is not None:
                self._tmp.unlink(missing_ok=True)


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
        return _check_header(self.path, list(names))

    def estimated_rows(self) -> int | None:
        return _estimate_lines(self.path)

    def _records(self, limit: int | None = None) -> Iterator[dict[str, Any] | Unreadable]:
        try:
            with _open_binary(self.path) as handle:
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


def open_reader(path: Path, batch_rows: int) -> Reader:
    fmt = file_format(path)
    if fmt == "csv":
        # Arrow's CSV reader batches by bytes and holds several blocks in flight: half of
        # batch_rows * 100 bytes keeps memory low while batches stay large enough to be cheap.
        return CsvReader(path, block_bytes=max(64 << 10, batch_rows * 50))
    if fmt == "parquet":
        return ParquetReader(path, batch_rows)
    return JsonLinesReader(path, batch_rows)
