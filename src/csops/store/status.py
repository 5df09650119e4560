"""What a workspace holds: rows per entity, events, recent ingests, quarantine, schema."""

from __future__ import annotations

import csv
from typing import Any

import pyarrow.parquet as pq
from sqlalchemy import Engine, func, select

from csops.analytics.duck import connect
from csops.config import Settings, masked_url
from csops.store.database import head_revision, schema_revision
from csops.store.event_store import EventStore
from csops.store.tables import ENTITY_TABLES, ingest_log, subscription_versions


def workspace_status(settings: Settings, engine: Engine, recent: int = 10) -> dict[str, Any]:
    with engine.connect() as conn:
        rows = {
            name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in ENTITY_TABLES.items()
        }
        versions = int(
            conn.execute(select(func.count()).select_from(subscription_versions)).scalar_one()
        )
        ingests = [
            {
                "id": r.id,
                "path": r.path,
                "entity": r.entity,
                "finished_at": r.finished_at.isoformat(timespec="seconds"),
                "rows_read": r.rows_read,
                "rows_loaded": r.rows_loaded,
                "rows_updated": r.rows_updated,
                "rows_unchanged": r.rows_unchanged,
                "rows_rejected": r.rows_rejected,
            }
            for r in conn.execute(select(ingest_log).order_by(ingest_log.c.id.desc()).limit(recent))
        ]
    con = connect(settings)
    try:
        events = EventStore(settings.events_dir).summary(con)
    finally:
        con.close()
    return {
        "workspace": str(settings.workspace),
        "database_url": masked_url(settings.store_url),
        "schema_version": schema_revision(engine),
        "schema_head": head_revision(),
        "rows": rows,
        "subscription_versions": versions,
        "events": events,
        "recent_ingests": ingests,
        "quarantine": quarantine_counts(settings),
    }


def quarantine_counts(settings: Settings) -> dict[str, int]:
    """Rows waiting in quarantine, per entity (header lines not counted)."""
    counts: dict[str, int] = {}
    root = settings.quarantine_dir
    if not root.exists():
        return counts
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        total = 0
        for f in folder.iterdir():
            if f.suffix == ".csv":
                with open(f, newline="", encoding="utf-8") as handle:
                    total += max(sum(1 for _ in csv.reader(handle)) - 1, 0)
            elif f.suffix == ".jsonl":
                with open(f, encoding="utf-8") as handle:
                    total += sum(1 for line in handle if line.strip())
            elif f.suffix == ".parquet":
                total += pq.ParquetFile(f).metadata.num_rows
        if total:
            counts[folder.name] = total
    return counts
