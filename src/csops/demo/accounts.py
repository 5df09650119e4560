"""Customer profiles: who each account is and how it starts out."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from csops.demo.catalog import CSMS, INDUSTRIES, PLANS, REGIONS, SEGMENTS, Region, Segment
from csops.demo.names import NameBook
from csops.demo.timeline import DAY, Calendar

# Share of accounts that are already customers when history starts.
_EXISTING_SHARE = 0.35


@dataclass(slots=True)
class Account:
    number: int
    account_id: str
    name: str
    domain: str
    segment: Segment
    industry: str
    region: Region
    country: str
    owner_email: str
    employees: int
    parent_account_id: str | None
    created_at: int  # epoch seconds, before the first subscription
    first_start: int  # day offset of the first subscription line (negative = before history)
    seats: int
    tier: int
    annual: bool
    discount: float
    health: float  # initial latent health (≈ N(0, 1) across the base)
    health_mean: float  # what health drifts back to
    growth: float  # monthly log growth of the account's demand for seats
    utilisation: float  # share of seats in use at the start
    onboarding_days: int  # time to first value
    stalled: bool  # onboarding stalls for weeks
    sandbox: bool  # also runs a free sandbox line
    addon: bool  # buys the add-on from the start


def account_id(number: int, width: int) -> str:
    return f"acc_{number:0{width}d}"


def _pick(rng: np.random.Generator, weights: list[float]) -> int:
    w = np.asarray(weights, dtype=np.float64)
    return int(rng.choice(len(w), p=w / w.sum()))


def make_accounts(
    rng: np.random.Generator, cal: Calendar, numbers: range, width: int, names: NameBook
) -> list[Account]:
    """Profiles for accounts `numbers` (1-based), drawn in order so chunks are reproducible."""
    accounts: list[Account] = []
    for number in numbers:
        accounts.append(_make_one(rng, cal, number, width, names, accounts))
    return accounts


def _make_one(
    rng: np.random.Generator,
    cal: Calendar,
    number: int,
    width: int,
    names: NameBook,
    earlier: list[Account],
) -> Account:
    segment = SEGMENTS[_pick(rng, [s.share for s in SEGMENTS])]
    region = REGIONS[_pick(rng, [r.share for r in REGIONS])]
    industry = INDUSTRIES[_pick(rng, [w for _, w in INDUSTRIES])][0]
    book = [(email, share) for email, seg, share in CSMS if seg == segment.name]
    owner = book[_pick(rng, [share for _, share in book])][0]
    low, high = segment.seats_range
    seats = int(
        np.clip(
            round(segment.seats_median * math.exp(rng.normal(0, segment.seats_sigma))), low, high
        )
    )
    tier = _pick(rng, list(segment.plan_weights))
    seats = max(seats, PLANS[tier].included_seats // 2)
    annual = bool(rng.random() < segment.annual_share)
    discount = _discount(rng, segment, annual, tier)
    emp_lo, emp_hi = segment.employees_range
    employees = int(round(math.exp(rng.uniform(math.log(emp_lo), math.log(emp_hi)))))

    existing = rng.random() < _EXISTING_SHARE
    if existing:
        # A contract already running: annual terms started in the past year, monthly ones
        # up to three years ago.
        first_start = -int(rng.integers(1, 366 if annual else 1_100))
    else:
        # New customers arrive every week; a little faster as the company grows.
        first_start = int(cal.days * rng.random() ** 0.9)
    created_day = first_start - int(rng.integers(3, 90))
    created_at = cal.epoch(created_day, int(rng.integers(8 * 3600, 20 * 3600)))

    health = float(rng.normal(segment.health_mean, 0.75))
    stalled = (not existing) and bool(rng.random() < 0.14 + 0.12 * (health < -0.5))
    onboarding = segment.onboarding_days * math.exp(rng.normal(0, 0.5))
    if stalled:
        onboarding += rng.uniform(25, 80)
        health -= 0.4

    name, domain = names.company(rng, industry, region)
    parent: str | None = None
    if segment is not SEGMENTS[0] and rng.random() < 0.06:
        parents = [a for a in earlier if a.segment is SEGMENTS[2] and a.parent_account_id is None]
        if parents:
            mother = parents[int(rng.integers(len(parents)))]
            parent = mother.account_id
            name = f"{mother.name} ({region.name})"
            domain = names.claim(f"{region.name.lower()}.{mother.domain}")
    return Account(
        number=number,
        account_id=account_id(number, width),
        name=name,
        domain=domain,
        segment=segment,
        industry=industry,
        region=region,
        country=region.countries[int(rng.integers(len(region.countries)))],
        owner_email=owner,
        employees=max(employees, seats),
        parent_account_id=parent,
        created_at=min(created_at, cal.end_epoch - DAY),
        first_start=first_start,
        seats=seats,
        tier=tier,
        annual=annual,
        discount=discount,
        health=health,
        health_mean=float(segment.health_mean + 0.5 * (health - segment.health_mean)),
        growth=float(rng.normal(segment.growth_mean, 0.015)),
        utilisation=float(rng.uniform(0.55, 0.98)),
        onboarding_days=max(2, int(onboarding)),
        stalled=stalled,
        sandbox=bool(rng.random() < (0.03 if segment is SEGMENTS[0] else 0.12)),
        addon=bool(tier >= 1 and rng.random() < 0.08),
    )


def _discount(rng: np.random.Generator, segment: Segment, annual: bool, tier: int) -> float:
    """Monthly deals are mostly list price; annual and bigger deals get more off."""
    if not annual and rng.random() < 0.8:
        return 0.0
    base = 0.1 if annual else 0.03
    value = base + 0.03 * tier + rng.uniform(0, 0.1)
    return float(round(min(value, segment.max_discount), 2))
