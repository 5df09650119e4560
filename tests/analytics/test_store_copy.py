"""The store tables' DuckDB copies: one per table and state, remade only when an ingest
touched that table, never half-written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from sqlalchemy import Engine, Table

from csops.analytics import store_copy
from csops.analytics.store_copy import STORE_TABLES, copies_folder, ensure_copies, stale_tables
from csops.analytics.warehouse import open_warehouse
from csops.ingest.batch import ingest_paths
from csops.ingest.pipeline import IngestContext

BROKEN = Path(__file__).parent.parent / "fixtures" / "broken"


def test_every_table_is_stale_until_copied_then_none(ctx: IngestContext) -> None:
    ingest_paths(ctx, [BROKEN])
    assert set(stale_tables(ctx.settings, ctx.engine)) == set(STORE_TABLES)
    copied: list[tuple[str, int]] = []
    paths = ensure_copies(ctx.settings, ctx.engine, on_copy=lambda t, n: copied.append((t, n)))
    assert stale_tables(ctx.settings, ctx.engine) == []
    assert sorted(paths) == sorted(STORE_TABLES)
    assert ("accounts", 3) in copied
    again: list[tuple[str, int]] = []
    assert (
        ensure_copies(ctx.settings, ctx.engine, on_copy=lambda t, n: again.append((t, n))) == paths
    )
    assert again == []  # nothing copied twice for the same state


def test_an_ingest_makes_stale_only_the_tables_it_touched(
    ctx: IngestContext, tmp_path: Path
) -> None:
    ingest_paths(ctx, [BROKEN])
    before = ensure_copies(ctx.settings, ctx.engine)
    more = tmp_path / "more"
    more.mkdir()
    (more / "accounts.csv").write_text("account_id,name,created_at\nacc_9,Ninth Ltd,2024-05-01\n")
    report = ingest_paths(ctx, [more / "accounts.csv"])
    assert report.files[0].rows_loaded == 1
    assert stale_tables(ctx.settings, ctx.engine) == ["accounts"]
    after = ensure_copies(ctx.settings, ctx.engine)
    assert after["accounts"] != before["accounts"]
    assert {k: v for k, v in after.items() if k != "accounts"} == {
        k: v for k, v in before.items() if k != "accounts"
    }
    con = open_warehouse(ctx.settings, ctx.engine, {"accounts": ["account_id"]})
    ids = [r[0] for r in con.execute("SELECT account_id FROM accounts ORDER BY 1").fetchall()]
    assert "acc_9" in ids
    assert [d[0] for d in con.execute("SELECT * FROM accounts").description] == ["account_id"]
    con.close()
    assert len(list(copies_folder(ctx.settings).glob("accounts-*.duckdb"))) == 2  # one spare


def test_a_copy_that_fails_midway_leaves_nothing_behind(
    ctx: IngestContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_paths(ctx, [BROKEN])
    real = store_copy.table_batches

    def failing(engine: Engine, table: Table, columns: list[str]) -> Iterator[pa.RecordBatch]:
        yield from real(engine, table, columns)
        raise ConnectionError("the store went away")

    monkeypatch.setattr(store_copy, "table_batches", failing)
    with pytest.raises(duckdb.Error, match="the store went away"):
        ensure_copies(ctx.settings, ctx.engine, ["tickets"])
    folder = copies_folder(ctx.settings)
    assert list(folder.iterdir()) == []
    monkeypatch.undo()
    assert stale_tables(ctx.settings, ctx.engine).count("tickets") == 1
    path = ensure_copies(ctx.settings, ctx.engine, ["tickets"])["tickets"]
    assert path.exists()


def test_unknown_table_is_refused(ctx: IngestContext) -> None:
    with pytest.raises(KeyError, match="not a store table: events"):
        ensure_copies(ctx.settings, ctx.engine, ["events"])
