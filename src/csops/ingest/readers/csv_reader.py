"""CSV through Arrow's streaming parser, with exact physical line numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

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
                with open_binary(self.path) as raw:
                    head = raw.read(1 << 20)
            except (OSError, EOFError) as exc:
                raise FileRefused(f"{self.path.name}: cannot read the file ({exc})") from exc
            text = head.decode("utf-8", errors="replace")
            first = next(csv.reader(io.StringIO(text)), [])
            self._names = check_header(self.path, first)
        return self._names

    def estimated_rows(self) -> int | None:
        lines = estimate_lines(self.path)
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
        with open_binary(self.path) as raw:
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
