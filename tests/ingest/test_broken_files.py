"""A folder of deliberately broken files of every entity: every good row loads, every bad
row is quarantined with the right reason, and a second run changes nothing."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy import func, select

from csops.ingest.batch import ingest_paths
from csops.ingest.pipeline import IngestContext
from csops.store.event_store import EventStore
from csops.store.tables import ENTITY_TABLES

BROKEN = Path(__file__).parent.parent / "fixtures" / "broken"

# file → (rows read, rows loaded, {reason: count}); hand-checked against the files.
EXPECTED: dict[str, tuple[int, int, dict[str, int]]] = {
    "accounts.csv": (
        8,
        3,
        {
            "duplicate_key": 1,
            "future_timestamp:created_at": 1,
            "invalid_email:owner_email": 1,
            "invalid_timestamp:created_at": 1,
            "missing_value:account_id": 1,
        },
    ),
    "contacts.csv": (
        6,
        2,
        {
            "invalid_boolean:is_primary": 1,
            "invalid_enum:role": 1,
            "missing_value:email": 1,
            "unknown_reference:account_id": 1,
        },
    ),
    "subscriptions.csv": (
        9,
        3,
        {
            "above_maximum:discount": 1,
            "duplicate_key": 1,
            "end_before_start": 1,
            "invalid_currency:currency": 1,
            "invalid_number:mrr": 1,
            "negative:mrr": 1,
            "negative:seats": 1,
            "unknown_reference:account_id": 1,
        },
    ),
    "tickets.csv": (
        6,
        1,
        {
            "invalid_number:csat": 1,
            "invalid_timestamp:created_at": 1,
            "missing_value:subject": 1,
            "reply_before_creation": 1,
            "unknown_reference:account_id": 1,
        },
    ),
    # tkt_2 was itself rejected (reply before creation), so its comment is orphaned too.
    "ticket_comments.csv": (
        6,
        2,
        {
            "duplicate_key": 1,
            "invalid_enum:author_kind": 1,
            "unknown_reference:ticket_id": 2,
        },
    ),
    "surveys.csv": (5, 2, {"invalid_enum:kind": 1, "score_out_of_range": 2}),
    "activities.csv": (5, 3, {"invalid_enum:kind": 1, "truncated_line": 1}),
    "invoices.csv": (
        7,
        3,
        {
            "encoding_error": 1,
            "invalid_date:due_date": 1,
            "invalid_enum:status": 1,
            "invalid_number:amount": 1,
            "negative:amount": 1,
        },
    ),
    "events-2024.jsonl": (
        9,
        3,
        {
            "duplicate_key": 1,
            "invalid_json": 1,
            "invalid_json:properties": 1,
            "invalid_timestamp:occurred_at": 1,
            "truncated_line": 1,
            "unknown_reference:account_id": 1,
        },
    ),
}


def _by_name(report_files: list) -> dict:  # type: ignore[type-arg]
    return {Path(f.path).name: f for f in report_files}


def _quarantined(path: str) -> list[dict[str, str]]:
    if path.endswith(".jsonl"):
        return [json.loads(line) for line in Path(path).read_text().splitlines()]
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_good_row_loads_and_every_bad_row_is_quarantined(ctx: IngestContext) -> None:
    report = ingest_paths(ctx, [BROKEN])
    files = _by_name(report.files)
    for name, (read, loaded, reasons) in EXPECTED.items():
        summary = files[name]
        assert summary.error is None, name
        assert (summary.rows_read, summary.rows_loaded, summary.reasons) == (
            read,
            loaded,
            reasons,
        ), name
        rejected = read - loaded
        assert summary.rows_rejected == rejected, name
        quarantined = _quarantined(summary.quarantine_path)
        assert len(quarantined) == rejected, name
        assert all(row["_error_reason"] and row["_source_line"] for row in quarantined), name
    with ctx.engine.connect() as conn:
        for name, (_, loaded, _) in EXPECTED.items():
            entity = files[name].entity
            if entity == "events":
                continue
            count = conn.execute(select(func.count()).select_from(ENTITY_TABLES[entity]))
            assert count.scalar_one() == loaded, name
    con_events = EventStore(ctx.settings.events_dir)
    import duckdb

    assert con_events.summary(duckdb.connect())["count"] == EXPECTED["events-2024.jsonl"][1]


def test_missing_required_column_refuses_the_file_naming_columns(ctx: IngestContext) -> None:
    report = ingest_paths(ctx, [BROKEN / "accounts.csv", BROKEN / "tickets_missing_column.csv"])
    refused = _by_name(report.files)["tickets_missing_column.csv"]
    assert refused.error is not None
    assert "missing required column subject" in refused.error
    assert "columns found: ticket_id, account_id, created_at, body" in refused.error
    assert refused.rows_loaded == 0
    assert report.exit_code(strict=False) == 2


def test_second_run_changes_nothing(ctx: IngestContext) -> None:
    first = ingest_paths(ctx, [BROKEN])
    second = ingest_paths(ctx, [BROKEN])
    for before, after in zip(first.files, second.files, strict=True):
        assert after.rows_loaded == 0 and after.rows_updated == 0, after.path
        assert after.rows_unchanged == before.rows_loaded, after.path
        assert after.rows_rejected == before.rows_rejected, after.path
        # The same quarantine file is rewritten, not appended to.
        assert after.quarantine_path == before.quarantine_path
        if after.quarantine_path:
            assert len(_quarantined(after.quarantine_path)) == after.rows_rejected


def test_quarantine_lines_count_newlines_inside_quoted_values(ctx: IngestContext) -> None:
    report = ingest_paths(ctx, [BROKEN / "accounts.csv", BROKEN / "tickets.csv"])
    tickets = _by_name(report.files)["tickets.csv"]
    lines = {r["ticket_id"]: int(r["_source_line"]) for r in _quarantined(tickets.quarantine_path)}
    # tkt_1 (valid) has a body spanning physical lines 2-4, so tkt_2 starts on line 5.
    assert lines == {"tkt_2": 5, "tkt_3": 6, "tkt_4": 7, "tkt_5": 8, "tkt_6": 9}
