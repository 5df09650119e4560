"""Expected added ARR of an expansion, if it closes (pure).

Two routes, from the account's largest paying line (its plan) and the plan ladder:
- upgrade: the next plan's median price per seat x max(seats, active users), minus the
  line's MRR (per-line ladders: the next plan's median MRR per line minus the line's MRR);
- seats: the missing seats x the line's own price per seat, where missing = active users
  above the seats, at least 10% of the seats (rounded up) when seat utilisation fired.
Upgrade signals (a plan limit, higher-plan features) take the upgrade route when there is
a next plan; seat utilisation takes the seat route; otherwise the larger of the two.
ARR = 12 x the added MRR, rounded to cents; never negative.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from csops.department.expansion.signals import Assessment

CENT = Decimal("0.01")
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Value:
    added_arr: Decimal
    route: str  # upgrade | seats | none
    basis: str  # how it was computed, for people


def _arr(mrr: Decimal) -> Decimal:
    return max(ZERO, (mrr * 12).quantize(CENT, rounding=ROUND_HALF_EVEN))


def upgrade_value(a: Assessment) -> Value | None:
    line = a.facts.main_line
    nxt = a.next_plan
    if line is None or nxt is None:
        return None
    users = a.facts.usage.users
    if nxt.per_seat is not None and line.seats:
        seats = max(line.seats, users)
        added = nxt.per_seat * seats - line.mrr
        basis = (
            f"{nxt.plan} at {nxt.per_seat} per seat x {seats} seats"
            f" - current {line.mrr.quantize(CENT)} MRR, x 12"
        )
    else:
        added = nxt.per_line - line.mrr
        basis = (
            f"{nxt.plan} median {nxt.per_line} MRR - current {line.mrr.quantize(CENT)} MRR, x 12"
        )
    return Value(_arr(added), "upgrade", basis)


def seats_value(a: Assessment, seat_signal: bool | None = None) -> Value | None:
    """`seat_signal`: whether seat utilisation fired, when the caller knows already."""
    line = a.facts.main_line
    if line is None or not line.seats or not a.seats:
        return None
    missing = max(a.facts.usage.users - a.seats, 0)
    if seat_signal is None:
        seat_signal = a.fired("seat_utilisation")
    if seat_signal:
        missing = max(missing, math.ceil(a.seats * 0.1))
    if missing == 0:
        return None
    price = line.mrr / line.seats
    return Value(
        _arr(price * missing),
        "seats",
        f"{missing} more seats at {price.quantize(CENT)} per seat, x 12",
    )


def expected_value(a: Assessment) -> Value:
    fired = {s.signal for s in a.signals}
    upgrade = upgrade_value(a)
    seats = seats_value(a, "seat_utilisation" in fired)
    if ("plan_limit" in fired or "higher_plan_features" in fired) and upgrade is not None:
        return upgrade
    if "seat_utilisation" in fired and seats is not None:
        return seats
    options = [v for v in (upgrade, seats) if v is not None]
    if not options:
        return Value(ZERO, "none", "no next plan and no missing seats")
    return max(options, key=lambda v: v.added_arr)
