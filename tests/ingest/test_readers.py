"""Readers: formats, compression, exact line numbers, unreadable records."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from csops.ingest.readers import LINE, READ_ERROR, FileRefused, RawBatch, open_reader


def _read(path: Path, batch_rows: int = 1000) -> tuple[list[dict], list]:  # type: ignore[type-arg]
    rows: list[dict] = []  # type: ignore[type-arg]
    unreadable = []
    batches: list[RawBatch] = list(open_reader(path, batch_rows).batches())
    for b in batches:
        rows.extend(b.table.to_pylist())
        unreadable.extend(b.unreadable)
    return rows, unreadable


def test_csv_lines_skip_blank_lines_and_count_embedded_newlines(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b'a,b\n"p\nq",1\n\n2,3\n4\n"x\r\ny",5\n6,7')
    rows, unreadable = _read(path)
    assert [(r["a"], r[LINE]) for r in rows] == [("p\nq", 2), ("2", 5), ("x\r\ny", 7), ("6", 9)]
    assert [(u.line, u.reason) for u in unreadable] == [(6, "wrong_field_count")]


def test_csv_short_last_line_is_truncated(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b,c\n1,2,3\n4,5")
    rows, unreadable = _read(path)
    assert len(rows) == 1
    assert [(u.line, u.reason, u.raw) for u in unreadable] == [(3, "truncated_line", "4,5")]


def test_csv_invalid_utf8_flags_the_row_and_keeps_the_others(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\n1,ok\n2,\xffbad\n3,\xc3\xa9t\xc3\xa9\n")
    rows, _ = _read(path)
    assert [r[READ_ERROR] for r in rows] == [None, "invalid UTF-8 in b", None]
    assert rows[2]["b"] == "été"


def test_csv_line_numbers_stay_exact_across_batches(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    body = "".join(f'{i},"line\n{i}"\n' if i % 7 == 0 else f"{i},plain\n" for i in range(5000))
    path.write_text("n,text\n" + body)
    reader = open_reader(path, 1000)
    reader.block_bytes = 4096  # type: ignore[attr-defined]  # force many small batches
    rows = [r for b in reader.batches() for r in b.table.to_pylist()]
    expected, line = [], 2
    for i in range(5000):
        expected.append((str(i), line))
        line += 2 if i % 7 == 0 else 1
    assert [(r["n"], r[LINE]) for r in rows] == expected


def test_gzip_csv_reads_like_plain(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("account_id,name\na1,Acme\na2,Globex\n")
    rows, _ = _read(path)
    assert [(r["account_id"], r[LINE]) for r in rows] == [("a1", 2), ("a2", 3)]


def test_jsonl_lines_and_bad_records(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl.gz"
    with gzip.open(path, "wb") as handle:
        handle.write(b'{"a": 1, "p": {"x": [1]}}\n\n[1]\n{"a": "\xff"}\n{"a": 2}\n{"a": ')
    rows, unreadable = _read(path)
    assert [(r["a"], r["p"], r[LINE]) for r in rows] == [("1", '{"x":[1]}', 1), ("2", None, 5)]
    assert [(u.line, u.reason) for u in unreadable] == [
        (3, "invalid_json"),
        (4, "encoding_error"),
        (6, "truncated_line"),
    ]


def test_parquet_rows_are_numbered_and_keep_their_types(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    pq.write_table(pa.table({"a": [1, 2, 3], "b": ["x", "y", "z"]}), path, row_group_size=2)
    rows, unreadable = _read(path, batch_rows=2)
    assert [(r["a"], r[LINE]) for r in rows] == [(1, 1), (2, 2), (3, 3)]
    assert unreadable == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.csv", b"", "empty or has no header"),
        ("x.csv", b"a,,b\n1,2,3\n", "empty column names"),
        ("x.csv", b"a,b,a\n1,2,3\n", "repeats column names ['a']"),
        ("x.parquet", b"PAR1 not really", "not a readable Parquet file"),
        ("x.xlsx", b"", "cannot tell the format"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileRefused, match=message.replace("[", r"\[").replace("]", r"\]")):
        open_reader(path, 100).columns()


@pytest.mark.parametrize(
    ("content", "loaded", "cut_line"),
    [
        (b'a,b\n1,"unterminated', 0, 2),
        (b'a,b\n1,2\n3,"x\n4,5\n', 1, 3),  # the open quote swallowed the following lines
        (b'a,b\n1,2\n3,"x""y"', 2, None),  # escaped quotes are balanced: nothing cut
    ],
)
def test_csv_ending_inside_quotes_is_truncated(
    tmp_path: Path, content: bytes, loaded: int, cut_line: int | None
) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    rows, unreadable = _read(path)
    assert len(rows) == loaded
    assert [(u.line, u.reason) for u in unreadable] == (
        [(cut_line, "truncated_line")] if cut_line else []
    )


def test_a_stray_quote_in_a_complete_file_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('id,name\na1,Acme 5" screens\na2,Globex\n')
    rows, unreadable = _read(path)
    assert [r["name"] for r in rows] == ['Acme 5" screens', "Globex"]
    assert unreadable == []


def test_a_cut_record_with_too_few_fields_is_the_only_one_rejected(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b'id,name,segment\na1,Acme,smb\na2,"Glo')
    rows, unreadable = _read(path)
    assert [r["id"] for r in rows] == ["a1"]
    assert [(u.line, u.reason) for u in unreadable] == [(3, "truncated_line")]


def test_reserved_column_names_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("id,_source_line\na1,3\n")
    with pytest.raises(FileRefused, match="reserved"):
        open_reader(path, 100).columns()


def test_jsonl_numbers_never_pass_through_float(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text('{"amount": 0.1}\n{"amount": 12345678901234567.25}\n')
    rows, _ = _read(path)
    assert [r["amount"] for r in rows] == ["0.1", "12345678901234567.25"]
