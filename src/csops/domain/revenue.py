"""Revenue metrics: MRR on a day, and the MRR movements of a period.

This module is the one definition of DESIGN.md "Metric definitions" for revenue (MRR,
new, expansion, contraction, churn, reactivation, GRR, NRR, logo churn rate). It is pure
and exact: money is `Decimal` throughout and never passes through float. The analytics
SQL models are checked against it.

Conventions, beyond DESIGN.md's words:
- An account "has MRR" on a day when its MRR that day is > 0. A free line (mrr 0) gives
  an account no MRR, so it neither makes an account appear in `mrr_on` nor counts as
  "had MRR before a" when telling reactivation from new.
- A period runs from day a (`start`) to day b (`end`), both single days: m0 is the MRR on
  a, m1 the MRR on b. Nothing between them is looked at, so an account that churns and
  comes back inside the period shows only its net change. For periods that chain
  (one period's end_mrr is the next one's start_mrr), let b be the next period's a, e.g.
  2024-01-01 → 2024-02-01 for January.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
)
from enum import StrEnum

ZERO = Decimal(0)
ONE = Decimal(1)

# Sums of money must be exact whatever decimal context the caller has set: a wide
# precision, and an error instead of a silent rounding should it ever be exceeded.
_MONEY = Context(prec=60, traps=[Inexact, InvalidOperation, Overflow])
# Rates are quotients and are rounded, the same way on every machine.
_RATE = Context(
    prec=28, rounding=ROUND_HALF_EVEN, traps=[DivisionByZero, InvalidOperation, Overflow]
)


@dataclass(frozen=True)
class Line:
    """One subscription line as the data contract knows it.

    Active on day d when start_date <= d and (end_date is None or d < end_date):
    `end_date` is exclusive, and None means the line is open.
    """

    account_id: str
    mrr: Decimal
    start_date: date
    end_date: date | None = None

    def __post_init__(self) -> None:
        # The contract guarantees both; the definitions below rely on them.
        if not isinstance(self.mrr, Decimal) or not self.mrr.is_finite() or self.mrr < 0:
            raise ValueError(f"line mrr must be a Decimal >= 0, got {self.mrr!r}")
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError(f"line ends ({self.end_date}) before it starts ({self.start_date})")

    def active_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day < self.end_date)

    def active_before(self, day: date) -> bool:
        """Whether the line is active on at least one day strictly before `day`."""
        # Its first active day is start_date, unless it ends the day it starts (never active).
        return self.start_date < day and self.end_date != self.start_date


def mrr_on(lines: Iterable[Line], day: date) -> dict[str, Decimal]:
    """MRR per account on `day`: the sum of `mrr` over its lines active that day.

    Only accounts with MRR > 0 appear, sorted by account id; an account whose only
    active lines are free is left out, as is one with no active line.
    """
    totals: dict[str, Decimal] = {}
    for line in lines:
        if line.active_on(day):
            totals[line.account_id] = _MONEY.add(totals.get(line.account_id, ZERO), line.mrr)
    return {account: mrr for account, mrr in sorted(totals.items()) if mrr > 0}


class Movement(StrEnum):
    """How an account's MRR moved from day a (m0) to day b (m1)."""

    NEW = "new"  # m0 = 0, m1 > 0, no MRR on any day before a
    REACTIVATION = "reactivation"  # m0 = 0, m1 > 0, MRR on some day before a
    EXPANSION = "expansion"  # m1 > m0 > 0
    CONTRACTION = "contraction"  # 0 < m1 < m0
    CHURN = "churn"  # m0 > 0, m1 = 0
    FLAT = "flat"  # m0 = m1 > 0


@dataclass(frozen=True)
class AccountMovement:
    account_id: str
    kind: Movement
    m0: Decimal  # MRR on day a
    m1: Decimal  # MRR on day b

    @property
    def amount(self) -> Decimal:
        """Size of the movement, >= 0; its direction is given by `kind`."""
        if self.kind in (Movement.NEW, Movement.REACTIVATION):
            return self.m1
        if self.kind is Movement.CHURN:
            return self.m0
        # Expansion m1 - m0, contraction m0 - m1, flat 0.
        return _MONEY.subtract(max(self.m0, self.m1), min(self.m0, self.m1))


@dataclass(frozen=True)
class Movements:
    """MRR movements of the period from day `start` (a) to day `end` (b).

    `accounts` holds every account with MRR on a or on b, sorted by account id. Amounts
    are MRR (monthly money). NRR, GRR and logo churn rate are rates over this period:
    monthly rates only when the period is one month (see `annualised`). They are None
    when no account had MRR on a.
    """

    start: date
    end: date
    accounts: tuple[AccountMovement, ...]

    def amount(self, kind: Movement) -> Decimal:
        return _sum(a.amount for a in self.accounts if a.kind is kind)

    def count(self, kind: Movement) -> int:
        return sum(1 for a in self.accounts if a.kind is kind)

    @property
    def start_mrr(self) -> Decimal:
        return _sum(a.m0 for a in self.accounts)

    @property
    def end_mrr(self) -> Decimal:
        return _sum(a.m1 for a in self.accounts)

    @property
    def new(self) -> Decimal:
        return self.amount(Movement.NEW)

    @property
    def reactivation(self) -> Decimal:
        return self.amount(Movement.REACTIVATION)

    @property
    def expansion(self) -> Decimal:
        return self.amount(Movement.EXPANSION)

    @property
    def contraction(self) -> Decimal:
        return self.amount(Movement.CONTRACTION)

    @property
    def churn(self) -> Decimal:
        return self.amount(Movement.CHURN)

    @property
    def accounts_start(self) -> int:
        """Accounts with MRR on day a (m0 > 0)."""
        return sum(1 for a in self.accounts if a.m0 > 0)

    @property
    def accounts_churned(self) -> int:
        return self.count(Movement.CHURN)

    @property
    def grr(self) -> Decimal | None:
        """Gross revenue retention: (Σm0 - churn - contraction) / Σm0, accounts with m0 > 0."""
        kept = _MONEY.subtract(self.start_mrr, _MONEY.add(self.churn, self.contraction))
        return _ratio(kept, self.start_mrr)

    @property
    def nrr(self) -> Decimal | None:
        """Net revenue retention: Σm1 / Σm0 over accounts with m0 > 0 (so no new, no won back)."""
        return _ratio(_sum(a.m1 for a in self.accounts if a.m0 > 0), self.start_mrr)

    @property
    def logo_churn_rate(self) -> Decimal | None:
        """Accounts with m0 > 0 and m1 = 0 / accounts with m0 > 0."""
        return _ratio(Decimal(self.accounts_churned), Decimal(self.accounts_start))

    @property
    def reconciles(self) -> bool:
        """start + new + reactivation + expansion - contraction - churn = end, exactly."""
        gained = _sum((self.start_mrr, self.new, self.reactivation, self.expansion))
        return _MONEY.subtract(gained, _MONEY.add(self.contraction, self.churn)) == self.end_mrr


def movements(lines: Iterable[Line], start: date, end: date) -> Movements:
    """Classify every account's MRR movement from day `start` (a) to day `end` (b)."""
    if end < start:
        raise ValueError(f"period ends ({end}) before it starts ({start})")
    book = tuple(lines)
    m0, m1 = mrr_on(book, start), mrr_on(book, end)
    # Lines are never negative, so an account had MRR on some day before a exactly when
    # one of its paid lines was active on a day before a.
    had_mrr = {line.account_id for line in book if line.mrr > 0 and line.active_before(start)}
    accounts = tuple(
        AccountMovement(
            account_id,
            _classify(m0.get(account_id, ZERO), m1.get(account_id, ZERO), account_id in had_mrr),
            m0.get(account_id, ZERO),
            m1.get(account_id, ZERO),
        )
        for account_id in sorted(m0.keys() | m1.keys())
    )
    return Movements(start, end, accounts)


def annualised(monthly_rate: Decimal) -> Decimal:
    """Annual loss rate from a monthly one, compounding twelve months: 1 - (1 - r)^12.

    `monthly_rate` is a monthly *loss* rate in [0, 1]: the logo churn rate of a one-month
    period, or its gross revenue churn 1 - GRR. The result is the annual rate of the same
    figure (annual logo churn rate; annual gross revenue churn, so annual GRR = 1 - result).
    It does not apply to NRR or GRR themselves, which are retention, not loss.
    """
    if not monthly_rate.is_finite() or not ZERO <= monthly_rate <= ONE:
        raise ValueError(f"a monthly loss rate lies in [0, 1], got {monthly_rate}")
    return _RATE.subtract(ONE, _RATE.power(_RATE.subtract(ONE, monthly_rate), 12))


def _classify(m0: Decimal, m1: Decimal, had_mrr_before: bool) -> Movement:
    # Called only for accounts with m0 > 0 or m1 > 0.
    if m0 == 0:
        return Movement.REACTIVATION if had_mrr_before else Movement.NEW
    if m1 == 0:
        return Movement.CHURN
    if m1 > m0:
        return Movement.EXPANSION
    if m1 < m0:
        return Movement.CONTRACTION
    return Movement.FLAT


def _sum(values: Iterable[Decimal]) -> Decimal:
    total = ZERO
    for value in values:
        total = _MONEY.add(total, value)
    return total


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return None if denominator == 0 else _RATE.divide(numerator, denominator)
