"""Re-ingest semantics: repeats change nothing, changed rows update, subscriptions keep
their history, extra columns are kept, events de-duplicate across files."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select

from csops.ingest.batch import ingest_paths
from csops.ingest.pipeline import IngestContext
from csops.store.event_store import EventStore
from csops.store.tables import ENTITY_TABLES, subscription_versions


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _accounts(tmp_path: Path) -> Path:
    return _write(
        tmp_path / "accounts.csv", "account_id,name,tier\nacc_1,Acme,gold\nacc_2,Globex,\n"
    )


def test_changed_row_is_an_update_and_extra_columns_are_kept(
    ctx: IngestContext, tmp_path: Path
) -> None:
    ingest_paths(ctx, [_accounts(tmp_path)])
    changed = _write(
        tmp_path / "accounts-v2.csv", "account_id,name,tier\nacc_1,Acme Inc,gold\nacc_2,Globex,\n"
    )
    summary = ingest_paths(ctx, [changed]).files[0]
    assert (summary.rows_loaded, summary.rows_updated, summary.rows_unchanged) == (0, 1, 1)
    with ctx.engine.connect() as conn:
        rows = dict(
            conn.execute(
                select(ENTITY_TABLES["accounts"].c.account_id, ENTITY_TABLES["accounts"].c.name)
            ).all()
        )
        attrs = conn.execute(
            select(ENTITY_TABLES["accounts"].c.attributes).where(
                ENTITY_TABLES["accounts"].c.account_id == "acc_1"
            )
        ).scalar_one()
    assert rows == {"acc_1": "Acme Inc", "acc_2": "Globex"}
    assert attrs == {"tier": "gold"}


def test_subscription_versions_reconstruct_the_past(ctx: IngestContext, tmp_path: Path) -> None:
    ingest_paths(ctx, [_accounts(tmp_path)])
    header = "subscription_id,account_id,mrr,start_date,end_date\n"
    ingest_paths(
        ctx, [_write(tmp_path / "subscriptions.csv", header + "sub_1,acc_1,100.10,2024-01-01,\n")]
    )
    cancelled = _write(
        tmp_path / "subscriptions-2.csv", header + "sub_1,acc_1,100.10,2024-01-01,2024-06-01\n"
    )
    summary = ingest_paths(ctx, [cancelled]).files[0]
    assert summary.rows_updated == 1
    with ctx.engine.connect() as conn:
        versions = conn.execute(
            select(
                subscription_versions.c.version,
                subscription_versions.c.end_date,
                subscription_versions.c.mrr,
                subscription_versions.c.recorded_to,
            ).order_by(subscription_versions.c.version)
        ).all()
    assert [(v.version, v.end_date, v.mrr) for v in versions] == [
        (1, None, Decimal("100.100000")),
        (2, date(2024, 6, 1), Decimal("100.100000")),
    ]
    assert versions[0].recorded_to is not None and versions[1].recorded_to is None


def test_money_is_exact_to_the_cent(ctx: IngestContext, tmp_path: Path) -> None:
    ingest_paths(ctx, [_accounts(tmp_path)])
    header = "subscription_id,account_id,mrr,start_date\n"
    ingest_paths(
        ctx,
        [
            _write(
                tmp_path / "subscriptions.csv",
                header
                + "sub_1,acc_1,0.10\n".replace("\n", ",2024-01-01\n")
                + "sub_2,acc_1,0.20,2024-01-01\n",
            )
        ],
    )
    with ctx.engine.connect() as conn:
        total = sum(conn.execute(select(ENTITY_TABLES["subscriptions"].c.mrr)).scalars())
    assert total == Decimal("0.30")


def _events(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    table = pa.table(
        {
            "account_id": [r[0] for r in rows],
            "event_type": [r[1] for r in rows],
            "occurred_at": pa.array([r[2] + "Z" for r in rows]).cast(pa.timestamp("us", "UTC")),
        }
    )
    pq.write_table(table, path)
    return path


def test_events_deduplicate_across_files_and_partition_by_month(
    ctx: IngestContext, tmp_path: Path
) -> None:
    ingest_paths(ctx, [_accounts(tmp_path)])
    may = _events(
        tmp_path / "events-1.parquet",
        [
            ("acc_1", "login", "2024-05-01T10:00:00"),
            ("acc_1", "login", "2024-05-02T10:00:00"),
        ],
    )
    overlap = _events(
        tmp_path / "events-2.parquet",
        [
            ("acc_1", "login", "2024-05-02T10:00:00"),
            ("acc_2", "report", "2024-06-03T10:00:00"),
        ],
    )
    first = ingest_paths(ctx, [may]).files[0]
    second = ingest_paths(ctx, [overlap]).files[0]
    assert (first.rows_loaded, second.rows_loaded, second.rows_unchanged) == (2, 1, 1)
    store = EventStore(ctx.settings.events_dir)
    assert sorted(p.parent.name for p in store.files()) == ["month=2024-05", "month=2024-06"]
    con = duckdb.connect()
    store.register(con)
    assert con.execute("SELECT count(*), count(DISTINCT event_key) FROM events").fetchall() == [
        (3, 3)
    ]


def test_events_with_their_own_ids_use_them_as_the_key(ctx: IngestContext, tmp_path: Path) -> None:
    ingest_paths(ctx, [_accounts(tmp_path)])
    path = _write(
        tmp_path / "events.csv",
        (
            "event_id,account_id,event_type,occurred_at\n"
            "e1,acc_1,login,2024-05-01T10:00:00Z\n"
            "e2,acc_1,login,2024-05-01T10:00:00Z\n"  # same content, different id: kept
            "e1,acc_1,logout,2024-05-01T11:00:00Z\n"  # same id: a duplicate
        ),
    )
    summary = ingest_paths(ctx, [path]).files[0]
    assert (summary.rows_loaded, summary.rows_rejected, summary.reasons) == (
        2,
        1,
        {"duplicate_key": 1},
    )


def test_event_ids_are_unique_across_months_and_ingests(ctx: IngestContext, tmp_path: Path) -> None:
    ingest_paths(ctx, [_accounts(tmp_path)])
    first = _write(
        tmp_path / "events-a.csv",
        "event_id,account_id,event_type,occurred_at\n"
        "e1,acc_1,login,2024-01-31T23:00:00Z\n"
        "e1,acc_1,login,2024-02-01T01:00:00Z\n"  # same id in the next month: a repeat
        "e2,acc_1,login,2024-02-02T01:00:00Z\n",
    )
    summary = ingest_paths(ctx, [first]).files[0]
    assert (summary.rows_loaded, summary.rows_rejected) == (2, 1)
    assert summary.reasons == {"duplicate_key": 1}
    resent = _write(
        tmp_path / "events-b.csv",
        "event_id,account_id,event_type,occurred_at\n"
        "e2,acc_1,login,2024-03-05T01:00:00Z\n",  # re-sent with another time: already stored
    )
    again = ingest_paths(ctx, [resent]).files[0]
    assert (again.rows_loaded, again.rows_unchanged, again.rows_rejected) == (0, 1, 0)


def test_money_too_large_for_the_store_is_a_row_error(ctx: IngestContext, tmp_path: Path) -> None:
    ingest_paths(ctx, [_accounts(tmp_path)])
    path = _write(
        tmp_path / "subscriptions.csv",
        "subscription_id,account_id,mrr,start_date\n"
        "sub_1,acc_1,123456789012345678.5,2024-01-01\n"
        "sub_2,acc_1,99999999999999.99,2024-01-01\n",
    )
    summary = ingest_paths(ctx, [path]).files[0]
    assert (summary.rows_loaded, summary.reasons) == (1, {"invalid_number:mrr": 1})
