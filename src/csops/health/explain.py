"""Signals in plain words, from the account's own numbers.

`describe(feature, row, day)` says what a feature value means for the account ("active
users down 58% vs the prior 28 days (24 -> 10)"); `top_signals` picks the features that
moved the account's risk most, with direction and size.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

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


def _trend(label: str, row: dict[str, float], now_key: str, prev_key: str, v: float) -> str:
    now, before = _get(row, now_key), _get(row, prev_key)
    if now is not None and before is not None:
        return _change(label, now, before)
    way = "down" if v < 0 else "up"
    return f"{label} {way} {abs(v) * 100:.0f}% vs the prior 28 days"


def _get(row: dict[str, float], key: str) -> float | None:
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
    "days_since_last_event": lambda v: f"no product activity for {_n(v)} days",
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


def describe(feature: str, row: dict[str, float], day: date) -> str:
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


def _describe_type(event_type: str, what: str, v: float | None, row: dict[str, float]) -> str:
    name = f"'{event_type}'"
    if what == "days_since":
        return f"never used {name}" if v is None else f"last {name} {_n(v)} days ago"
    if what == "trend_28d":
        now = _get(row, f"events[{event_type}]_28d") or 0.0
        before = now / (1 + v) if v is not None and v > -1 else 0.0
        if v is None:
            return f"{name}: {_n(now)} in the last 28 days, none in the 28 before"
        return _change(name, now, before)
    window = {"7d": "7", "28d": "28", "90d": "90"}[what]
    return f"{_n(v or 0.0)} {name} events in the last {window} days"


def top_signals(
    names: list[str],
    contributions: list[float],
    row: dict[str, float],
    day: date,
    limit: int = 5,
) -> list[Signal]:
    """The features that raise risk most, largest first (then, if fewer than `limit` raise
    it, the strongest protective ones). Features that say the same thing in words (failed
    invoices and days since the first one) are one signal with their contributions added."""
    # Only the strongest few in each direction can make the list: words for those only.
    ranked = sorted(range(len(names)), key=lambda j: contributions[j])
    candidates = ranked[: 3 * limit] + ranked[-3 * limit :]
    merged: dict[str, tuple[int, float]] = {}
    for j in sorted(set(candidates)):
        c = contributions[j]
        if abs(c) <= 1e-9:
            continue
        text = describe(names[j], row, day)
        first, total = merged.get(text, (j, 0.0))
        merged[text] = (first, total + c)
    rising = sorted((t for t in merged if merged[t][1] > 0), key=lambda t: -merged[t][1])
    chosen = rising[:limit]
    if len(chosen) < limit:
        lowering = sorted((t for t in merged if merged[t][1] < 0), key=lambda t: merged[t][1])
        chosen += lowering[: limit - len(chosen)]
    signals = []
    for text in chosen:
        j, total = merged[text]
        value = row.get(names[j])
        clean = None if value is None or math.isnan(value) else round(float(value), 4)
        signals.append(
            Signal(
                signal=names[j],
                value=clean,
                direction="raises risk" if total > 0 else "lowers risk",
                contribution=float(total),
                text=text,
            )
        )
    return signals
