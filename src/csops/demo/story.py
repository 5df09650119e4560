"""An account's simulated life: the single source every rendered file is drawn from."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from csops.demo.accounts import Account
from csops.demo.catalog import CORE_PRODUCT
from csops.demo.timeline import Calendar

NEVER = 10**7  # a day offset later than any history


def user_id(account_id: str, number: int) -> str:
    """Product user ids look like u_000123_4: the account's number and the user's."""
    return f"u_{account_id.removeprefix('acc_')}_{number}"


@dataclass(slots=True)
class Line:
    """One subscription row: a contract term of one product at one price."""

    subscription_id: str
    product: str
    plan: str
    tier: int
    seats: int
    period: int  # billing_period_months
    discount: float
    mrr: float
    start: int
    end: int | None  # exclusive; None = open


@dataclass(slots=True)
class User:
    number: int
    join: int
    leave: int
    propensity: float  # how much this person uses the product relative to colleagues
    role: str  # admin, champion or user


@dataclass(slots=True)
class Change:
    day: int
    kind: str  # new, upgrade, seats_added, addon, downgrade, seats_removed, renewal, churn, winback
    detail: str


@dataclass(slots=True)
class Story:
    account: Account
    months: int
    lines: list[Line] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    # per grid month
    health: npt.NDArray[np.float64] = field(init=False)
    customer: npt.NDArray[np.bool_] = field(init=False)
    trial: npt.NDArray[np.bool_] = field(init=False)  # trying features of the next plan up
    at_limit: npt.NDArray[np.bool_] = field(init=False)  # wants more seats than it has
    escalation: npt.NDArray[np.bool_] = field(init=False)
    # day of a failed charge → day it was recovered (None = never)
    failed_charges: dict[int, int | None] = field(default_factory=dict)
    term_ends: list[int] = field(default_factory=list)  # annual renewal dates (past or coming)
    champion_left: int | None = None
    integration_day: int = -NEVER
    report_day: int = -NEVER

    def __post_init__(self) -> None:
        self.health = np.full(self.months, np.nan)
        self.customer = np.zeros(self.months, dtype=bool)
        self.trial = np.zeros(self.months, dtype=bool)
        self.at_limit = np.zeros(self.months, dtype=bool)
        self.escalation = np.zeros(self.months, dtype=bool)

    def core_lines(self) -> list[Line]:
        return [line for line in self.lines if line.product == CORE_PRODUCT]

    def active_days(self, cal: Calendar) -> npt.NDArray[np.bool_]:
        """Days of history on which the account has a paid core line."""
        mask = np.zeros(cal.days, dtype=bool)
        for line in self.core_lines():
            end = cal.days if line.end is None else min(line.end, cal.days)
            mask[max(line.start, 0) : max(end, 0)] = True
        return mask

    def tier_by_day(self, cal: Calendar) -> npt.NDArray[np.int64]:
        tiers = np.zeros(cal.days, dtype=np.int64)
        for line in self.core_lines():
            end = cal.days if line.end is None else min(line.end, cal.days)
            tiers[max(line.start, 0) : max(end, 0)] = line.tier
        return tiers
