"""Writes the data-contract files, appending chunk by chunk so memory stays bounded.

Files are written into a staging folder inside `out_dir` and moved into place only when
the whole company is done, so an interrupted run leaves the previous files untouched.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from csops.demo.product_events import EVENT_TYPES, PROPERTY_VALUES
from csops.demo.story import user_id
from csops.demo.timeline import DAY, Calendar
from csops.demo.usage import Events

COLUMNS: dict[str, tuple[str, ...]] = {
    "accounts": (
        "account_id",
        "name",
        "segment",
        "industry",
        "region",
        "owner_email",
        "created_at",
        "parent_account_id",
        "country",
        "employees",
        "domain",
    ),
    "contacts": (
        "contact_id",
        "account_id",
        "email",
        "name",
        "role",
        "is_primary",
        "title",
        "phone",
        "user_id",
        "created_at",
    ),
    "subscriptions": (
        "subscription_id",
        "account_id",
        "mrr",
        "start_date",
        "end_date",
        "plan",
        "product",
        "seats",
        "billing_period_months",
        "discount",
        "currency",
    ),
    "tickets": (
        "ticket_id",
        "account_id",
        "subject",
        "created_at",
        "body",
        "requester_email",
        "channel",
        "priority",
        "status",
        "category",
        "first_reply_at",
        "solved_at",
        "csat",
        "assignee_email",
    ),
    "ticket_comments": (
        "comment_id",
        "ticket_id",
        "author_kind",
        "created_at",
        "body",
        "public",
        "author_email",
    ),
    "surveys": (
        "response_id",
        "account_id",
        "kind",
        "score",
        "responded_at",
        "contact_id",
        "comment",
    ),
    "activities": ("activity_id", "account_id", "kind", "occurred_at", "owner_email", "summary"),
    "invoices": (
        "invoice_id",
        "account_id",
        "amount",
        "due_date",
        "paid_at",
        "status",
        "currency",
        "subscription_id",
        "issued_on",
        "period_start",
        "period_end",
    ),
}
EVENT_SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("user_id", pa.string()),
        ("event_type", pa.string()),
        ("occurred_at", pa.timestamp("us", tz="UTC")),
        ("quantity", pa.int64()),
        ("properties", pa.string()),
    ]
)
ROW_GROUP = 100_000  # events buffered per month file before a row group is written
_EVENT_FILE = re.compile(r"events-\d{4}-\d{2}\.parquet")
_STAGING = ".csops-demo-partial"
_EPOCH = dt.date(1970, 1, 1)


@functools.lru_cache(maxsize=8192)
def _date_text(epoch_day: int) -> str:
    return (_EPOCH + dt.timedelta(days=epoch_day)).isoformat()


def timestamp(seconds: int | None) -> str:
    """ISO 8601 in UTC with a `Z`, or empty."""
    if seconds is None:
        return ""
    day, sec = divmod(int(seconds), DAY)
    hh, rest = divmod(sec, 3600)
    return f"{_date_text(day)}T{hh:02d}:{rest // 60:02d}:{rest % 60:02d}Z"


def money(value: float) -> str:
    return f"{value:.2f}"


def flag(value: bool) -> str:
    return "true" if value else "false"


class CompanyWriter:
    """One CSV writer per entity and one Parquet writer per calendar month of events."""

    def __init__(self, out_dir: Path, cal: Calendar) -> None:
        self.out_dir = out_dir
        self.cal = cal
        self.staging = out_dir / _STAGING
        self._files: dict[str, IO[str]] = {}
        self._csv: dict[str, Any] = {}
        self._events: dict[str, pq.ParquetWriter] = {}
        self._pending: dict[str, list[pa.Table]] = {}

    def __enter__(self) -> CompanyWriter:
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir(parents=True)
        for entity, columns in COLUMNS.items():
            handle = (self.staging / f"{entity}.csv").open("w", encoding="utf-8", newline="")
            self._files[entity] = handle
            self._csv[entity] = csv.writer(handle, lineterminator="\n")
            self._csv[entity].writerow(columns)
        return self

    def rows(self, entity: str, rows: Iterable[Sequence[str]]) -> None:
        self._csv[entity].writerows(rows)

    def events(self, events: Events, account_ids: list[str]) -> None:
        """Append a chunk's events (sorted by time) to the month files they fall in."""
        if len(events) == 0:
            return
        self._append(_event_table(events, account_ids), events.second)

    def contact_events(self, rows: Sequence[tuple[str, str, str, int, str]]) -> None:
        """Append events done by CRM contacts rather than product users (help-centre
        reads): (account_id, contact_id, event_type, epoch seconds, properties JSON)."""
        unique = sorted(set(rows), key=lambda r: (r[3], r[0], r[1], r[2], r[4]))
        if not unique:
            return
        account, contact, kind, seconds, properties = (list(c) for c in zip(*unique, strict=True))
        second = np.array(seconds, dtype=np.int64)
        table = pa.table(
            {
                "account_id": pa.array(account, pa.string()),
                "user_id": pa.array(contact, pa.string()),
                "event_type": pa.array(kind, pa.string()),
                "occurred_at": pa.array(second * 1_000_000, pa.timestamp("us", tz="UTC")),
                "quantity": pa.array([1] * len(unique), pa.int64()),
                "properties": pa.array(properties, pa.string()),
            },
            schema=EVENT_SCHEMA,
        )
        self._append(table, second)

    def _append(self, table: pa.Table, second: np.ndarray[Any, Any]) -> None:
        """Buffer the rows of `table` (sorted by `second`) under their calendar month."""
        cal = self.cal
        day = (second - cal.start_epoch) // DAY
        month = cal.day_calendar_month[day]
        bounds = np.flatnonzero(np.diff(month)) + 1
        starts = np.concatenate([[0], bounds])
        ends = np.concatenate([bounds, [len(second)]])
        for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
            key = cal.calendar_months[int(month[lo])]
            # a copy, so the chunk's table can be freed while the month waits in the buffer
            part = table.take(pa.array(np.arange(lo, hi)))
            self._pending.setdefault(key, []).append(part)
            if sum(t.num_rows for t in self._pending[key]) >= ROW_GROUP:
                self._flush(key)

    def _flush(self, key: str) -> None:
        """Write a month's buffered events as one row group."""
        parts = self._pending.pop(key, [])
        if not parts:
            return
        writer = self._events.get(key)
        if writer is None:
            path = self.staging / f"events-{key}.parquet"
            writer = pq.ParquetWriter(path, EVENT_SCHEMA, compression="zstd")
            self._events[key] = writer
        writer.write_table(pa.concat_tables(parts), row_group_size=ROW_GROUP * 2)

    def finish(self) -> dict[str, list[Path]]:
        """Close everything and move the files into `out_dir`."""
        for key in sorted(self._pending):
            self._flush(key)
        self._close()
        for old in self.out_dir.iterdir():
            if _EVENT_FILE.fullmatch(old.name):
                old.unlink()
        paths: dict[str, list[Path]] = {}
        for entity in COLUMNS:
            target = self.out_dir / f"{entity}.csv"
            (self.staging / target.name).replace(target)
            paths[entity] = [target]
        paths["events"] = []
        for key in sorted(self._events):
            target = self.out_dir / f"events-{key}.parquet"
            (self.staging / target.name).replace(target)
            paths["events"].append(target)
        shutil.rmtree(self.staging)
        return paths

    def _close(self) -> None:
        for handle in self._files.values():
            handle.close()
        for writer in self._events.values():
            writer.close()
        self._files.clear()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is not None:
            self._close()
            shutil.rmtree(self.staging, ignore_errors=True)


def _dictionary(
    indices: np.ndarray[Any, Any], values: pa.Array, mask: np.ndarray[Any, Any] | None = None
) -> pa.Array:
    array = pa.DictionaryArray.from_arrays(
        pa.array(indices.astype(np.int32), pa.int32(), mask=mask), values
    )
    return array.cast(pa.string())


def _event_table(events: Events, account_ids: list[str]) -> pa.Table:
    key = events.account * 1_000_000 + events.user
    unique, inverse = np.unique(key, return_inverse=True)
    users = pa.array(
        [user_id(account_ids[k // 1_000_000], k % 1_000_000) for k in unique.tolist()], pa.string()
    )
    return pa.table(
        {
            "account_id": _dictionary(events.account, pa.array(account_ids, pa.string())),
            "user_id": _dictionary(inverse, users),
            "event_type": _dictionary(events.kind, pa.array([e.name for e in EVENT_TYPES])),
            "occurred_at": pa.array(events.second * 1_000_000, pa.timestamp("us", tz="UTC")),
            "quantity": pa.array(events.quantity, pa.int64()),
            "properties": _dictionary(
                np.maximum(events.prop, 0), pa.array(PROPERTY_VALUES), mask=events.prop < 0
            ),
        },
        schema=EVENT_SCHEMA,
    )
