"""The facts of the accounts paying on one day, as columns (pure).

One row per account, ordered by account id. Columns (`facts.load_frames` fills them):
account_id, name, segment, region, owner; mrr and seats on the day; the main line's
plan, product, line_mrr, line_seats, start_date, end_date, billing_period_months;
renewal; events_now, events_before, events_90, events_before_90; users and types (the
distinct users and event types of the window); limit_hits, last_hit, hit_detail; nps_score,
nps_day, nps_contact; new_groups (a list of {label, first_seen, users}).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from csops.department.expansion.ladder import PlanPrices
from csops.department.expansion.lines import Line


class Frame:
    def __init__(self, as_of: date, table: pa.Table, prices: PlanPrices) -> None:
        self.as_of = as_of
        self.table = table
        self.prices = prices  # per (product, plan): MRRs and seats of the paying lines known
        self._values: dict[str, list[Any]] = {}
        self._numbers: dict[str, npt.NDArray[Any]] = {}

    def __len__(self) -> int:
        return int(self.table.num_rows)

    def values(self, name: str) -> list[Any]:
        """A column as Python values (None where empty)."""
        if name not in self._values:
            self._values[name] = self.table.column(name).to_pylist()
        return self._values[name]

    def ints(self, name: str) -> npt.NDArray[np.int64]:
        """An integer column as int64, empty as 0."""
        if name not in self._numbers:
            column = pc.fill_null(self.table.column(name), 0)
            self._numbers[name] = column.to_numpy().astype(np.int64)
        return self._numbers[name]

    def floats(self, name: str) -> npt.NDArray[np.float64]:
        """A numeric column (decimals too) as float64, empty as NaN."""
        key = f"float:{name}"
        if key not in self._numbers:
            column = self.table.column(name).cast(pa.float64())
            self._numbers[key] = column.to_numpy(zero_copy_only=False).astype(np.float64)
        return self._numbers[key]


@dataclass(frozen=True, slots=True)
class Usage:
    users: int  # distinct users in the window
    events_now: int  # events in the window
    events_before: int  # events in the window before it
    events_90: int  # events in the 90 days ending with t
    events_before_90: int  # events in the 90 days before those
    types_now: tuple[str, ...]  # event types seen in the window


@dataclass(frozen=True, slots=True)
class LimitHits:
    count: int
    last: datetime
    detail: str | None  # the properties of the latest hit (JSON text)


@dataclass(frozen=True, slots=True)
class Group:
    label: str  # "team: finance"
    first_seen: datetime
    users_now: int  # distinct users of the group in the window


@dataclass(frozen=True, slots=True)
class Nps:
    score: Decimal
    day: date
    contact: str | None


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """One row of a frame, for the people-facing outputs of one account."""

    account_id: str
    name: str
    segment: str | None
    region: str | None
    owner: str | None
    mrr: Decimal  # over its paying lines active on t
    main_line: Line | None  # its largest paying line on t
    usage: Usage
    limits: LimitHits | None
    new_groups: tuple[Group, ...]  # groups first active in the window (none on a first group)
    nps: Nps | None


def account_facts(frame: Frame) -> list[AccountFacts]:
    """Every row of the frame as an `AccountFacts` (one pass over the columns)."""
    v = frame.values
    lines = zip(
        v("account_id"),
        v("plan"),
        v("product"),
        v("line_mrr"),
        v("line_seats"),
        v("start_date"),
        v("end_date"),
        v("billing_period_months"),
        strict=True,
    )
    usage = zip(
        v("users"),
        v("events_now"),
        v("events_before"),
        v("events_90"),
        v("events_before_90"),
        v("types"),
        strict=True,
    )
    limits = zip(v("limit_hits"), v("last_hit"), v("hit_detail"), strict=True)
    nps = zip(v("nps_score"), v("nps_day"), v("nps_contact"), strict=True)
    result = []
    for line, use, hit, survey, name, segment, region, owner, mrr, groups in zip(
        lines,
        usage,
        limits,
        nps,
        v("name"),
        v("segment"),
        v("region"),
        v("owner"),
        v("mrr"),
        v("new_groups"),
        strict=True,
    ):
        result.append(
            AccountFacts(
                account_id=line[0],
                name=name,
                segment=segment,
                region=region,
                owner=owner,
                mrr=mrr,
                main_line=Line(*line),
                usage=Usage(use[0], use[1], use[2], use[3], use[4], tuple(use[5] or ())),
                limits=LimitHits(*hit) if hit[0] else None,
                new_groups=tuple(
                    Group(g["label"], g["first_seen"], g["users"]) for g in groups or ()
                ),
                nps=None if survey[0] is None else Nps(*survey),
            )
        )
    return result
