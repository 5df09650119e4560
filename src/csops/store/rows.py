"""The one write path for entity rows: insert new keys, update changed ones, skip repeats.

Callers pass validated rows (dicts with the contract's typed columns, `row_hash`,
`attributes`) inside a transaction they own, so a whole file lands or nothing does.
Subscriptions also get a new version in `subscription_versions` whenever they change.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, func, select, update

from csops.domain.contract import ENTITIES, Entity
from csops.store.tables import ENTITY_TABLES, subscription_versions

CHUNK = 5_000


@dataclass
class UpsertCounts:
    loaded: int = 0
    updated: int = 0
    unchanged: int = 0


class RowStore:
    """Writes one entity's rows; remembers the stored hash of every key it has seen."""

    def __init__(self, conn: Connection, entity: Entity) -> None:
        self.conn = conn
        self.entity = entity
        self.table: Table = ENTITY_TABLES[entity.name]
        self.key = entity.key[0]
        self._hashes: dict[str, str] = {
            k: h for k, h in conn.execute(select(self.table.c[self.key], self.table.c.row_hash))
        }

    def upsert(self, rows: Sequence[dict[str, Any]], ingest_id: int, now: datetime) -> UpsertCounts:
        counts = UpsertCounts()
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for row in rows:
            key = row[self.key]
            stored = self._hashes.get(key)
            if stored is None:
                inserts.append(row)
            elif stored != row["row_hash"]:
                updates.append(row)
            else:
                counts.unchanged += 1
            self._hashes[key] = row["row_hash"]
        columns = [c.name for c in self.table.columns]
        for chunk in _chunks(inserts):
            self.conn.execute(
                self.table.insert(), [_with_ingest(r, columns, ingest_id) for r in chunk]
            )
        if updates:
            stmt = (
                update(self.table)
                .where(self.table.c[self.key] == bindparam("_k"))
                .values({c: bindparam(c) for c in columns if c != self.key})
            )
            for chunk in _chunks(updates):
                params = []
                for r in chunk:
                    p = _with_ingest(r, columns, ingest_id)
                    p["_k"] = p.pop(self.key)
                    params.append(p)
                self.conn.execute(stmt, params)
        if self.entity.versioned:
            self._record_versions(inserts, updates, ingest_id, now)
        counts.loaded = len(inserts)
        counts.updated = len(updates)
        return counts

    def _record_versions(
        self,
        inserts: list[dict[str, Any]],
        updates: list[dict[str, Any]],
        ingest_id: int,
        now: datetime,
    ) -> None:
        table = subscription_versions
        columns = [c.name for c in table.columns]
        latest: dict[str, int] = {}
        changed_keys = [r[self.key] for r in updates]
        for chunk in _chunks(changed_keys):
            rows = self.conn.execute(
                select(table.c.subscription_id, func.max(table.c.version))
                .where(table.c.subscription_id.in_(chunk))
                .group_by(table.c.subscription_id)
            )
            latest.update({k: v for k, v in rows})
        for chunk in _chunks(changed_keys):
            self.conn.execute(
                update(table)
                .where(and_(table.c.subscription_id.in_(chunk), table.c.recorded_to.is_(None)))
                .values(recorded_to=now)
            )
        versions = []
        for row in [*inserts, *updates]:
            version = latest.get(row[self.key], 0) + 1
            record = {c: row.get(c) for c in columns}
            record.update(version=version, recorded_from=now, recorded_to=None, ingest_id=ingest_id)
            versions.append(record)
        for chunk in _chunks(versions):
            self.conn.execute(table.insert(), chunk)


def _with_ingest(row: dict[str, Any], columns: Iterable[str], ingest_id: int) -> dict[str, Any]:
    out = {c: row.get(c) for c in columns}
    out["ingest_id"] = ingest_id
    attributes = out.get("attributes")
    if isinstance(attributes, str):
        out["attributes"] = json.loads(attributes)
    return out


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def known_keys(conn: Connection, entity_name: str) -> list[str]:
    """Every key stored for an entity (used for referential-integrity checks)."""
    entity = ENTITIES[entity_name]
    table = ENTITY_TABLES[entity_name]
    return [k for (k,) in conn.execute(select(table.c[entity.key[0]]))]
