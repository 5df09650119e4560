"""Customer profiles: who each account is and how it starts out."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from csops.demo.catalog import CSMS, INDUSTRIES, PLANS, REGIONS, SEGMENTS, Region, Segment
from csops.demo.dice import Dice
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
    growth: float  # monthly log growth of the account's demand for seats while it has room
    potential: float  # seats the account could ever use; growth slows as demand nears it
    utilisation: float  # share of seats in use at the start
    onboarding_days: int  # time to first value
    stalled: bool  # onboarding stalls for weeks
    sandbox: bool  # also runs a free sandbox line
    addon: bool  # buys the add-on from the start


def account_id(number: int, width: int) -> str:
    return f"acc_{number:0{width}d}"


def _cdf(weights: list[float]) -> list[float]:
    return list(itertools.accumulate(weights))


_SEGMENT_CDF = _cdf([s.share for s in SEGMENTS])
_REGION_CDF = _cdf([r.share for r in REGIONS])
_INDUSTRY_CDF = _cdf([w for _, w in INDUSTRIES])


def make_accounts(
    dice: Dice, cal: Calendar, numbers: range, width: int, names: NameBook
) -> list[Account]:
    """Profiles for accounts `numbers` (1-based), drawn in order so chunks are reproducible."""
    accounts: list[Account] = []
    for number in numbers:
        accounts.append(_make_one(dice, cal, number, width, names, accounts))
    return accounts


def _make_one(
    dice: Dice, cal: Calendar, number: int, width: int, names: NameBook, earlier: list[Account]
) -> Account:
    segment = SEGMENTS[dice.weighted(_SEGMENT_CDF)]
    region = REGIONS[dice.weighted(_REGION_CDF)]
    industry = INDUSTRIES[dice.weighted(_INDUSTRY_CDF)][0]
    book = [(email, share) for email, seg, share in CSMS if seg == segment.name]
    owner = book[dice.weighted(_cdf([share for _, share in book]))][0]
    low, high = segment.seats_range
    seats = min(
        max(round(segment.seats_median * dice.lognormal(0, segment.seats_sigma)), low), high
    )
    tier = dice.weighted(_cdf(list(segment.plan_weights)))
    seats = max(seats, PLANS[tier].included_seats // 2)
    annual = dice.chance(segment.annual_share)
    discount = _discount(dice, segment, annual, tier)
    emp_lo, emp_hi = segment.employees_range
    employees = round(math.exp(dice.uniform(math.log(emp_lo), math.log(emp_hi))))

    existing = dice.chance(_EXISTING_SHARE)
    if existing:
        # A contract already running: annual terms started in the past year, monthly ones
        # up to three years ago.
        first_start = -dice.integer(1, 366 if annual else 1_100)
    else:
        # New customers arrive every week; a little faster as the company grows.
        first_start = int(cal.days * dice.random() ** 0.9)
    created_day = first_start - dice.integer(3, 90)
    created_at = cal.epoch(created_day, dice.integer(8 * 3600, 20 * 3600))

    health = dice.normal(segment.health_mean, 0.75)
    stalled = (not existing) and dice.chance(0.14 + 0.12 * (health < -0.5))
    onboarding = segment.onboarding_days * dice.lognormal(0, 0.5)
    if stalled:
        onboarding += dice.uniform(25, 80)
        health -= 0.4

    name, domain = names.company(dice, industry, region)
    parent: str | None = None
    if segment is not SEGMENTS[0] and dice.chance(0.06):
        parents = [a for a in earlier if a.segment is SEGMENTS[2] and a.parent_account_id is None]
        if parents:
            mother = dice.pick(parents)
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
        country=dice.pick(region.countries),
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
        health_mean=segment.health_mean + 0.5 * (health - segment.health_mean),
        growth=dice.normal(segment.growth_mean, 0.015),
        potential=min(float(max(employees, seats)), seats * dice.lognormal(0.45, 0.35)),
        utilisation=dice.uniform(0.55, 0.98),
        onboarding_days=max(2, int(onboarding)),
        stalled=stalled,
        sandbox=dice.chance(0.03 if segment is SEGMENTS[0] else 0.12),
        addon=tier >= 1 and dice.chance(0.08),
    )


def _discount(dice: Dice, segment: Segment, annual: bool, tier: int) -> float:
    """Monthly deals are mostly list price; annual and bigger deals get more off."""
    if not annual and dice.chance(0.8):
        return 0.0
    base = 0.1 if annual else 0.03
    value = base + 0.03 * tier + dice.uniform(0, 0.1)
    return round(min(value, segment.max_discount), 2)
