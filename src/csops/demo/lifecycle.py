"""Month-by-month simulation of one account: latent health, demand for seats, its people,
and the commercial decisions they lead to.

Health is a random walk with a segment drift, shocks (a champion leaves, a bad incident)
and a pull back to the account's own mean. It drives usage, tickets and survey answers
elsewhere; here it drives the decisions: churn is a logistic hazard on health plus the
observable troubles (departed champion, failed payments, escalations, stalled onboarding),
with enough randomness that churn is predictable but far from certain.
"""

from __future__ import annotations

import math

from csops.demo.accounts import Account
from csops.demo.catalog import PLANS, TOP_TIER
from csops.demo.dice import Dice
from csops.demo.roster import Roster
from csops.demo.story import Change, Story
from csops.demo.subscriptions import Contract
from csops.demo.timeline import Calendar


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


class _Life:
    def __init__(self, account: Account, cal: Calendar, dice: Dice) -> None:
        self.a = account
        self.cal = cal
        self.dice = dice
        self.story = Story(account=account, months=cal.months)
        self.contract = Contract(self.story, cal)
        self.roster = Roster(self.story, dice)
        self.h = account.health
        self.demand = max(1.0, account.seats * account.utilisation)
        self.need_since: int | None = None  # month the account started to want a higher plan
        self.winback_day: int | None = None
        self.last_troubles: dict[str, int] = {}  # trouble → last day it happened

    # -- helpers ------------------------------------------------------------------------
    def recent(self, kind: str, day: int, window: int) -> bool:
        last = self.last_troubles.get(kind)
        return last is not None and day - last <= window

    def churn_logit(self, day: int, annual: bool) -> float:
        seg = self.a.segment
        base = seg.annual_churn_logit if annual else seg.monthly_churn_logit
        z = base - 1.05 * self.h
        z += 0.9 * self.recent("champion", day, 180)
        z += 0.8 * self.recent("payment", day, 90)
        z += 0.6 * self.recent("escalation", day, 90)
        if self.a.stalled and day - self.a.first_start < 200:
            z += 0.9
        core = self.contract.core
        if core is not None and self.demand < 0.4 * core.seats:
            z += 0.4
        return z

    # -- the month loop -----------------------------------------------------------------
    def run(self) -> Story:
        a, cal = self.a, self.cal
        first_month = cal.month_of(a.first_start)
        self.contract.open(
            a.first_start, a.tier, a.seats, a.annual, a.discount, a.addon, sandbox=a.sandbox
        )
        self.story.changes.append(Change(a.first_start, "new", PLANS[a.tier].name))
        while (due := self.contract.next_due()) is not None and due < 0:
            self.contract.advance()
        self.roster.start(a, a.first_start)
        self._onboarding()
        if a.first_start >= 0:
            self._charge(a.first_start)
        for m in range(first_month, cal.months):
            self._month(m)
        return self.story

    def _onboarding(self) -> None:
        a, dice = self.a, self.dice
        if a.first_start < 0:
            self.story.integration_day = self.story.report_day = a.first_start
            return
        speed = a.onboarding_days
        self.story.integration_day = a.first_start + int(speed * dice.uniform(0.3, 1.0))
        self.story.report_day = a.first_start + int(speed * dice.uniform(0.5, 1.2))

    def _month(self, m: int) -> None:
        cal, dice, story = self.cal, self.dice, self.story
        lo, hi = int(cal.month_starts[m]), int(cal.month_starts[m + 1])
        self._walk_health(m, lo, hi)
        if not self.contract.active:
            if self.winback_day is not None and lo <= self.winback_day < hi:
                self._win_back(self.winback_day)
            else:
                return
        story.customer[m] = True
        # logistic growth: fast while there is room, flat once the account is saturated
        room = 1.0 - self.demand / self.a.potential
        drift = self.a.growth * room + 0.03 * self.h + dice.normal(0, 0.04)
        self.demand = max(1.0, self.demand * math.exp(drift))
        core = self.contract.core
        assert core is not None
        self.roster.month(lo, hi, max(1, min(core.seats, round(self.demand))))
        story.at_limit[m] = self.demand >= 0.97 * core.seats
        # payment and service troubles this month
        if dice.random() < 0.012 * math.exp(-0.9 * self.h):
            story.escalation[m] = True
            self.last_troubles["escalation"] = lo
            self.h -= 0.2
        while (due := self.contract.next_due()) is not None and due < hi:
            self._due(due)
        if self.contract.active:
            self._expansion(m, lo, hi)
        if self.contract.active:
            self._maybe_involuntary_churn(lo, hi)

    def _walk_health(self, m: int, lo: int, hi: int) -> None:
        a, dice = self.a, self.dice
        self.h += 0.08 * (a.health_mean - self.h) + a.segment.health_drift + dice.normal(0, 0.2)
        if dice.random() < 0.03:
            self.h += dice.normal(-0.8, 0.3)  # reorg, budget cut, bad incident
        if dice.random() < 0.03:
            self.h += dice.normal(0.6, 0.2)  # new sponsor, big win
        if self.contract.active and dice.random() < 0.009:
            day = dice.integer(lo, hi)
            if self.roster.champion_leaves(day):
                self.story.champion_left = day
                self.last_troubles["champion"] = day
                self.h -= 0.5
        self.story.health[m] = self.h

    # -- decisions ----------------------------------------------------------------------
    def _due(self, day: int) -> None:
        """An anniversary: monthly contracts may leave any month, annual ones at term end."""
        dice, contract = self.dice, self.contract
        core = contract.core
        assert core is not None
        annual = core.period == 12
        if dice.random() < _sigmoid(self.churn_logit(day, annual)):
            self._churn(day, "non-renewal" if annual else "cancelled")
            return
        before = contract.mrr
        seats, tier, addon = core.seats, core.tier, contract.addon is not None
        if annual or dice.random() < 0.1:
            if self.demand < 0.6 * core.seats and dice.random() < 0.5:
                seats = max(1, math.ceil(self.demand * dice.uniform(1.0, 1.2)))
            elif annual and self.demand > core.seats:
                seats = math.ceil(self.demand * dice.uniform(1.05, 1.25))  # true-up
            if self.h < -0.6 and tier > 0 and dice.random() < 0.25:
                tier -= 1
            if addon and self.h < -0.3 and dice.random() < 0.3:
                addon = False
        to_annual = not annual and self.h > 0.3 and dice.random() < 0.015
        if annual:
            nudge = dice.pick((-0.05, 0.0, 0.0, 0.05))
            discount = min(max(round(core.discount + nudge, 2), 0.0), self.a.segment.max_discount)
            contract.change(day, tier=tier, seats=seats, addon=addon, discount=discount)
            self._record_change(day, before, "renewal")
        elif to_annual or (seats, tier, addon) != (
            core.seats,
            core.tier,
            contract.addon is not None,
        ):
            discount = round(min(core.discount + 0.1, self.a.segment.max_discount), 2)
            contract.change(
                day,
                tier=tier,
                seats=seats,
                addon=addon,
                annual=to_annual or None,
                discount=discount if to_annual else None,
            )
            self._record_change(day, before, "term" if to_annual else "")
        else:
            contract.advance()
        self._charge(day)

    def _expansion(self, m: int, lo: int, hi: int) -> None:
        dice, contract, story = self.dice, self.contract, self.story
        core = contract.core
        assert core is not None
        day = dice.integer(lo, hi)
        if day <= core.start:
            return
        before = contract.mrr
        if self.need_since is None and core.tier < TOP_TIER:
            p_need = 0.018 * math.exp(0.5 * self.h + 10 * max(self.a.growth, 0.0))
            if dice.random() < p_need:
                self.need_since = m
        if self.need_since is not None:
            story.trial[m] = True
            if m > self.need_since and self.h > -0.4 and dice.random() < 0.25:
                tier = core.tier + 1
                contract.change(day, tier=tier, seats=max(core.seats, PLANS[tier].included_seats))
                self._record_change(day, before, "upgrade")
                self.need_since = None
                return
            if m - self.need_since >= 5:
                self.need_since = None  # the moment passed
        if self.demand >= 0.93 * core.seats and self.h > -0.6 and dice.random() < 0.2:
            seats = math.ceil(self.demand * dice.uniform(1.05, 1.3))
            contract.change(day, seats=max(seats, core.seats + 1))
            self._record_change(day, before, "seats_added")
        elif contract.addon is None and core.tier >= 1 and self.h > 0.2 and dice.random() < 0.012:
            contract.change(day, addon=True)
            self._record_change(day, before, "addon")

    def _charge(self, day: int) -> None:
        """A billing date of the running contract: the card or the invoice may fail."""
        if day < 0:
            return
        dice = self.dice
        monthly = not self.contract.annual
        base = 0.03 if monthly and self.a.segment.name == "SMB" else 0.012
        if dice.random() >= min(0.5, base * math.exp(-0.9 * self.h)):
            return
        recovered: int | None = None
        if dice.random() < _sigmoid(0.8 + 1.2 * self.h):
            recovered = day + dice.integer(2, 22)
        self.story.failed_charges[day] = recovered
        self.last_troubles["payment"] = day
        self.h -= 0.1

    def _maybe_involuntary_churn(self, lo: int, hi: int) -> None:
        """An unpaid charge that is never recovered ends the contract a month or two later."""
        for day, recovered in self.story.failed_charges.items():
            if recovered is None and lo - 60 <= day < lo - 25 and self.dice.random() < 0.6:
                self._churn(self.dice.integer(lo, hi), "unpaid")
                return

    def _churn(self, day: int, reason: str) -> None:
        core = self.contract.core
        assert core is not None
        day = max(day, core.start + 1)
        self.contract.close(day)
        self.story.changes.append(Change(day, "churn", reason))
        self.need_since = None
        if self.dice.random() < self.a.segment.winback_share:
            self.winback_day = day + self.dice.integer(60, 330)
        else:
            self.winback_day = None

    def _win_back(self, day: int) -> None:
        dice = self.dice
        last = self.story.core_lines()[-1]
        tier = max(0, last.tier - int(dice.random() < 0.4))
        seats = max(1, math.ceil(last.seats * dice.uniform(0.6, 1.0)))
        self.h = max(self.h, 0.0) + 0.4
        self.demand = seats * dice.uniform(0.6, 0.9)
        self.contract.open(day, tier, seats, bool(dice.random() < 0.3), last.discount, False)
        self.story.changes.append(Change(day, "winback", PLANS[tier].name))
        self.winback_day = None
        self._charge(day)

    def _record_change(self, day: int, mrr_before: float, hint: str) -> None:
        after, before = self.contract.mrr, mrr_before
        kind = hint or ("expansion" if after > before else "contraction")
        if hint == "renewal" and after != before:
            kind = "renewal_up" if after > before else "renewal_down"
        self.story.changes.append(Change(day, kind, f"{before:.2f}->{after:.2f}"))


def simulate_account(account: Account, cal: Calendar, dice: Dice) -> Story:
    return _Life(account, cal, dice).run()
