"""The event store's manifest is the only truth: files it does not list are debris."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from csops.store.event_store import EventStore


def _good_batch(lines: list[int], keys: list[int], month_day: str) -> pa.Table:
    n = len(lines)
    return pa.table(
        {
            "_key": pa.array(keys, pa.uint64()),
            "account_id": ["acc_1"] * n,
            "user_id": [None] * n,
            "event_type": ["login"] * n,
            "occurred_at": pa.array([f"2024-{month_day}T10:00:00"] * n).cast(pa.timestamp("us")),
            "quantity": pa.nulls(n, pa.decimal128(20, 6)),
            "properties": pa.nulls(n, pa.string()),
            "_attributes": pa.nulls(n, pa.string()),
            "event_id": pa.nulls(n, pa.string()),
            "_line": pa.array(lines, pa.int64()),
            "_month": [f"2024-{month_day[:2]}"] * n,
        }
    )


def test_commit_lists_files_and_returns_in_file_duplicates(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "events")
    con = duckdb.connect()
    staged = store.begin()
    staged.stage(_good_batch([1, 2, 3], [1, 2, 1], "05-01"), ingest_id=1)
    staged.stage(_good_batch([4], [3], "06-01"), ingest_id=1)
    commit = staged.commit(con)
    assert (commit.loaded, commit.unchanged) == (3, 0)
    assert commit.duplicates.column("_line").to_pylist() == [3]
    assert commit.duplicates.column("_first_line").to_pylist() == [1]
    manifest = json.loads((store.root / "manifest.json").read_text())
    assert sorted(f["month"] for f in manifest["files"]) == ["2024-05", "2024-06"]
    assert not (store.root / "_staging" / staged.token).exists()


def test_files_not_in_the_manifest_are_ignored_and_cleaned(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "events")
    con = duckdb.connect()
    staged = store.begin()
    staged.stage(_good_batch([1], [1], "05-01"), ingest_id=1)
    staged.commit(con)
    # A crash after writing a partition file but before swapping the manifest:
    stray = store.root / "month=2024-05" / "part-crashed.parquet"
    pq.write_table(pa.table({"event_key": pa.array([9], pa.uint64())}), stray)
    (store.root / "_staging" / "crashed").mkdir(parents=True)
    store.register(con)
    assert con.execute("SELECT count(*) FROM events").fetchall() == [(1,)]
    store.clean_debris()
    assert not stray.exists()
    assert not (store.root / "_staging").exists()
    assert len(store.files()) == 1 and store.files()[0].exists()


def test_empty_store_reads_as_an_empty_events_view(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "events")
    con = duckdb.connect()
    store.register(con)
    assert con.execute("SELECT count(*) FROM events").fetchall() == [(0,)]
    assert store.summary(con) == {"count": 0, "first": None, "last": None, "files": 0}


def test_keys_from_another_hash_implementation_are_refused(tmp_path: Path) -> None:
    from csops.store.event_store import KeySchemeChanged

    store = EventStore(tmp_path / "events")
    con = duckdb.connect()
    staged = store.begin()
    staged.stage(_good_batch([1], [1], "05-01"), ingest_id=1)
    staged.commit(con)
    manifest = json.loads((store.root / "manifest.json").read_text())
    manifest["key_probe"] += 1  # as if written by a DuckDB whose hash() differs
    (store.root / "manifest.json").write_text(json.dumps(manifest))
    try:
        store.check_key_scheme(con)
    except KeySchemeChanged as exc:
        assert "different DuckDB hash" in str(exc)
    else:
        raise AssertionError("a changed key scheme was not detected")
