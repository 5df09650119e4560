"""Signals in plain words, from the account's own numbers.

`describe(feature, row, day)` says what a feature value means for the account ("active
users down 58% vs the prior 28 days (24 -> 10)"); `SignalGroups.pick` chooses, for every
account at once, the signals that moved its risk most (numpy over the contribution
matrix), and `Picks.signals` words only those, for one account when it is asked for.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from csops.health.event_windows import LOOKBACK_DAYS

Array = npt.NDArray[np.float64]
Row = Mapping[str, float]
# Contributions this small are no signal at all.
NEGLIGIBLE = 1e-9
# Features that `describe` words from the same numbers, so they say the same thing: one
# signal, their contributions added, named after the first of them the account has.
SAME_WORDS: tuple[tuple[str, ...], ...] = (
    ("events_prev_28d", "events_trend_28d"),
    ("active_users_prev_28d", "active_users_trend_28d"),
    ("nps_previous", "nps_change"),
    ("failed_invoices_90d", "days_since_first_failed_invoice"),
)

_TYPE = re.compile(r"^events\[(?P<type>.+)\]_(?P<what>7d|28d|90d|trend_28d|days_since)$")


@dataclass(frozen=True)
class Signal:
    signal: str
    value: float | None
    direction: str  # "raises risk" | "lowers risk"
    contribution: float  # log-odds (model) or health points lost (scorecard)
    text: str

    def to_json(self) -> dict[str, Any]:
        return {
            "signal": self.signal,
            "value": self.value,
            "direction": self.direction,
            "contribution": round(self.contribution, 4),
            "text": self.text,
        }


def _n(v: float) -> str:
    return f"{v:,.0f}" if abs(v - round(v)) < 1e-9 else f"{v:,.1f}"


def _change(label: str, now: float, before: float) -> str:
    if before <= 0:
        return f"{label}: {_n(now)} in the last 28 days, none in the 28 before"
    pct = (now - before) / before * 100
    way = "down" if pct < 0 else "up"
    return f"{label} {way} {abs(pct):.0f}% vs the prior 28 days ({_n(before)} → {_n(now)})"


def _trend(label: str, row: Row, now_key: str, prev_key: str, v: float) -> str:
    now, before = _get(row, now_key), _get(row, prev_key)
    if now is not None and before is not None:
        return _change(label, now, before)
    way = "down" if v < 0 else "up"
    return f"{label} {way} {abs(v) * 100:.0f}% vs the prior 28 days"


def _get(row: Row, key: str) -> float | None:
    v = row.get(key)
    return None if v is None or math.isnan(v) else v


_SIMPLE: dict[str, Callable[[float], str]] = {
    "mrr": lambda v: f"MRR {_n(v)}",
    "seats": lambda v: f"{_n(v)} seats",
    "discount": lambda v: f"discount {v * 100:.0f}%",
    "billing_period_months": lambda v: f"billed every {_n(v)} months",
    "tenure_days": lambda v: f"customer for {_n(v)} days",
    "days_to_renewal": lambda v: f"renews in {_n(v)} days",
    "lines_ended_90d": lambda v: f"{_n(v)} subscription lines ended in the last 90 days",
    "events_7d": lambda v: f"{_n(v)} product events in the last 7 days",
    "events_28d": lambda v: f"{_n(v)} product events in the last 28 days",
    "events_90d": lambda v: f"{_n(v)} product events in the last 90 days",
    # More than the lookback (SILENT_DAYS): no event in it at all.
    "days_since_last_event": lambda v: (
        f"no product activity in the last {LOOKBACK_DAYS} days"
        if v > LOOKBACK_DAYS
        else f"no product activity for {_n(v)} days"
    ),
    "event_types_28d": lambda v: f"{_n(v)} different product actions used in the last 28 days",
    "active_users_7d": lambda v: f"{_n(v)} active users in the last 7 days",
    "active_users_28d": lambda v: f"{_n(v)} active users in the last 28 days",
    "events_per_active_user_28d": lambda v: f"{_n(v)} events per active user in 28 days",
    "events_per_seat_28d": lambda v: f"{_n(v)} events per seat in 28 days",
    "tickets_28d": lambda v: f"{_n(v)} support tickets in the last 28 days",
    "tickets_90d": lambda v: f"{_n(v)} support tickets in the last 90 days",
    "open_tickets": lambda v: f"{_n(v)} support tickets open",
    "urgent_tickets_90d": lambda v: f"{_n(v)} urgent or high-priority tickets in 90 days",
    "slow_first_replies_90d": lambda v: (
        f"{_n(v)} tickets waited over 24 h for a first reply (90 days)"
    ),
    "ticket_csat_90d": lambda v: f"ticket CSAT {v:.1f} over 90 days",
    "nps_latest": lambda v: f"latest NPS answer {_n(v)}",
    "survey_csat_180d": lambda v: f"survey CSAT {v:.1f} over 180 days",
    "overdue_invoices": lambda v: f"{_n(v)} invoices overdue",
    "touches_90d": lambda v: f"{_n(v)} CRM touches (calls, meetings, emails) in 90 days",
    "days_since_last_touch": lambda v: f"last CRM touch {_n(v)} days ago",
    "contacts_known": lambda v: f"{_n(v)} contacts on record",
}


def describe(feature: str, row: Row, day: date) -> str:
    """One sentence about `feature` for the account whose features are `row`."""
    v = _get(row, feature)
    m = _TYPE.match(feature)
    if m:
        return _describe_type(m.group("type"), m.group("what"), v, row)
    if feature.startswith(("plan=", "segment=")):
        key, level = feature.split("=", 1)
        on = v == 1.0
        return f"{'on' if on else 'not on'} the {level} {key}"
    if v is None:
        return f"{feature.replace('_', ' ')}: no data"
    if feature in _SIMPLE:
        return _SIMPLE[feature](v)
    if feature in ("events_trend_28d", "events_prev_28d"):
        return _trend("product events", row, "events_28d", "events_prev_28d", v)
    if feature in ("active_users_trend_28d", "active_users_prev_28d"):
        return _trend("active users", row, "active_users_28d", "active_users_prev_28d", v)
    if feature == "event_types_prev_28d":
        return _change("product actions used", _get(row, "event_types_28d") or 0.0, v)
    if feature == "seat_utilisation":
        seats = _get(row, "seats")
        of = f" of {_n(seats)} seats" if seats else ""
        return f"{v * 100:.0f}%{of} active in the last 28 days"
    if feature == "top_user_gone":
        if v >= 1:
            return "the most active user went silent in the last 28 days"
        return "the most active user is still active"
    if feature in ("nps_change", "nps_previous"):
        latest, prev = _get(row, "nps_latest"), _get(row, "nps_previous")
        if latest is None or prev is None:
            return "one NPS answer so far"
        if latest == prev:
            return f"NPS unchanged at {_n(latest)}"
        return f"NPS {'fell' if latest < prev else 'rose'} from {_n(prev)} to {_n(latest)}"
    if feature in ("failed_invoices_90d", "days_since_first_failed_invoice"):
        count = _get(row, "failed_invoices_90d") or 0.0
        since = _get(row, "days_since_first_failed_invoice")
        if count == 0 or since is None:
            return "no failed invoices in 90 days"
        first = day - timedelta(days=int(since))
        noun = "invoice" if count == 1 else "invoices"
        return f"{_n(count)} failed {noun} since {first:%b} {first.day}"
    if feature == "champion_changes_180d":
        if v >= 1:
            return "a new champion contact appeared in the last 180 days (the last one left?)"
        return "same champion for 180 days"
    if feature in ("mrr_change_90d", "seats_change_90d"):
        label = "MRR" if feature == "mrr_change_90d" else "seats"
        way = "down" if v < 0 else "up"
        return (
            f"{label} {way} {abs(v) * 100:.0f}% over 90 days" if v else f"{label} flat for 90 days"
        )
    return f"{feature.replace('_', ' ')} = {_n(v)}"


def _describe_type(event_type: str, what: str, v: float | None, row: Row) -> str:
    name = f"'{event_type}'"
    if what == "days_since":
        if v is None:
            return f"no {name} in the last {LOOKBACK_DAYS} days"
        return f"last {name} {_n(v)} days ago"
    if what == "trend_28d":
        now = _get(row, f"events[{event_type}]_28d") or 0.0
        before = now / (1 + v) if v is not None and v > -1 else 0.0
        if v is None:
            return f"{name}: {_n(now)} in the last 28 days, none in the 28 before"
        return _change(name, now, before)
    window = {"7d": "7", "28d": "28", "90d": "90"}[what]
    return f"{_n(v or 0.0)} {name} events in the last {window} days"


@dataclass(frozen=True)
class SignalGroups:
    """Columns grouped into signals (see SAME_WORDS): `members[g]` are the column indices
    of signal g, in column order."""

    names: list[str]
    members: list[list[int]]

    @staticmethod
    def of(names: Sequence[str]) -> SignalGroups:
        index = {n: j for j, n in enumerate(names)}
        joined: dict[int, list[int]] = {}
        for same in SAME_WORDS:
            cols = sorted(index[n] for n in same if n in index)
            for j in cols:
                joined[j] = cols
        members = [joined.get(j, [j]) for j in range(len(names))]
        seen: set[int] = set()
        unique = []
        for m in members:
            if m[0] not in seen:
                seen.add(m[0])
                unique.append(m)
        return SignalGroups(list(names), unique)

    def sums(self, contributions: Array) -> Array:
        """Per signal, the contributions of its columns added (n x signals)."""
        out = contributions[:, [m[0] for m in self.members]].copy()
        for g, m in enumerate(self.members):
            if len(m) > 1:
                out[:, g] += contributions[:, m[1:]].sum(axis=1)
        return out

    def pick(self, contributions: Array, limit: int, raising_only: bool = False) -> Picks:
        """The signals to show for every row of `contributions` (accounts x columns)."""
        sums = self.sums(contributions)
        picked = pick_signals(sums, limit, raising_only)
        shown = picked >= 0
        safe = np.where(shown, picked, 0)
        totals = np.where(shown, np.take_along_axis(sums, safe, axis=1), 0.0)
        # Named after the first column of the signal that contributes for the account.
        first = np.array([m[0] for m in self.members], dtype=np.int64)
        columns = np.where(shown, first[safe], -1)
        for g, m in enumerate(self.members):
            if len(m) == 1:
                continue
            at = np.nonzero(shown & (picked == g))
            named = np.full(len(at[0]), m[0], dtype=np.int64)
            for j in reversed(m):
                named = np.where(np.abs(contributions[at[0], j]) > NEGLIGIBLE, j, named)
            columns[at] = named
        return Picks(columns, totals)


@dataclass(frozen=True)
class Picks:
    """The signals chosen for a block of accounts: per account (row) and rank, the column
    it is named after (-1: none) and its contribution (of all its columns together)."""

    columns: npt.NDArray[np.int64]
    totals: Array

    def signals(self, k: int, names: Sequence[str], row: Row, day: date) -> list[Signal]:
        """Account `k`'s signals, in words."""
        out = []
        for j, total in zip(self.columns[k].tolist(), self.totals[k].tolist(), strict=True):
            if j < 0:
                break
            name = names[j]
            value = row.get(name)
            clean = None if value is None or math.isnan(value) else round(value, 4)
            out.append(
                Signal(
                    signal=name,
                    value=clean,
                    direction="raises risk" if total > 0 else "lowers risk",
                    contribution=total,
                    text=describe(name, row, day),
                )
            )
        return out


def pick_signals(sums: Array, limit: int, raising_only: bool = False) -> npt.NDArray[np.int64]:
    """For each row of `sums` (accounts x signals), the signals to show, -1 padded: those
    that raise risk, largest first; then, unless `raising_only`, when fewer than `limit`
    raise it, the strongest protective ones."""
    n, g = sums.shape
    out = np.full((n, limit), -1, dtype=np.int64)
    k = min(limit, g)
    if n == 0 or k == 0:
        return out
    c = np.where(np.abs(sums) > NEGLIGIBLE, sums, 0.0)
    rising = _extreme(-c, k)
    rising_value = np.take_along_axis(c, rising, axis=1)
    positives = (rising_value > 0).sum(axis=1)
    slot = np.arange(k)
    use_rising = slot[None, :] < positives[:, None]
    out[:, :k] = np.where(use_rising, rising, -1)
    if raising_only:
        return out
    falling = _extreme(c, k)
    from_falling = np.clip(slot[None, :] - positives[:, None], 0, k - 1)
    candidate = np.take_along_axis(falling, from_falling, axis=1)
    negative = np.take_along_axis(c, candidate, axis=1) < 0
    fill = ~use_rising & negative
    out[:, :k] = np.where(fill, candidate, out[:, :k])
    return out


def _extreme(c: Array, k: int) -> npt.NDArray[np.int64]:
    """Per row, the columns of the k smallest values, smallest first (ties: column)."""
    part = (
        np.argpartition(c, k - 1, axis=1)[:, :k]
        if k < c.shape[1]
        else np.tile(np.arange(c.shape[1]), (c.shape[0], 1))
    )
    values = np.take_along_axis(c, part, axis=1)
    order = np.lexsort((part, values), axis=1)
    return np.asarray(np.take_along_axis(part, order, axis=1), dtype=np.int64)


def top_signals(
    names: list[str],
    contributions: list[float],
    row: Row,
    day: date,
    limit: int = 5,
) -> list[Signal]:
    """The features that raise risk most, largest first (then, if fewer than `limit` raise
    it, the strongest protective ones), for one account. Features that say the same thing
    in words (failed invoices and days since the first one) are one signal with their
    contributions added."""
    picks = SignalGroups.of(names).pick(np.array([contributions], dtype=np.float64), limit)
    return picks.signals(0, names, row, day)
