"""Contract bookkeeping: turns commercial decisions into subscription lines.

One row per contract term: an annual term is a 12-month line, a renewal is a new line that
starts the day the previous one ends; a monthly contract is an open line that runs until
it changes or churns. A change (seats, plan, add-on, term) ends the current line and starts
its successor the same day. The add-on is co-terminous with the core line.
"""

from __future__ import annotations

from csops.demo.catalog import (
    ADDON_PLAN,
    ADDON_PRODUCT,
    CORE_PRODUCT,
    PLANS,
    SANDBOX_PLAN,
    SANDBOX_PRODUCT,
)
from csops.demo.story import Line, Story
from csops.demo.timeline import Calendar


def line_mrr(list_mrr: float, discount: float) -> float:
    return round(list_mrr * (1.0 - discount), 2)


class Contract:
    """The account's running core line (plus add-on and sandbox) and its billing clock."""

    def __init__(self, story: Story, cal: Calendar) -> None:
        self.story = story
        self.cal = cal
        self.core: Line | None = None
        self.addon: Line | None = None
        self.sandbox: Line | None = None
        self._periods = 0  # billing periods of `core` already started

    # -- state --------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self.core is not None

    @property
    def annual(self) -> bool:
        return self.core is not None and self.core.period == 12

    @property
    def mrr(self) -> float:
        lines = (self.core, self.addon)
        return round(sum(line.mrr for line in lines if line is not None), 2)

    def next_due(self) -> int | None:
        """Next monthly anniversary, or the annual term end: when the account decides."""
        if self.core is None:
            return None
        if self.core.period == 12:
            assert self.core.end is not None
            return self.core.end
        return self.cal.shift_months(self.core.start, self._periods)

    def advance(self) -> None:
        """A monthly anniversary passed without a change."""
        self._periods += 1

    # -- moves --------------------------------------------------------------------------
    def open(
        self,
        day: int,
        tier: int,
        seats: int,
        annual: bool,
        discount: float,
        addon: bool,
        sandbox: bool = False,
    ) -> None:
        plan = PLANS[tier]
        period = 12 if annual else 1
        end = self.cal.shift_months(day, 12) if annual else None
        self.core = self._add(
            CORE_PRODUCT,
            plan.name,
            tier,
            seats,
            period,
            discount,
            line_mrr(plan.list_mrr(seats), discount),
            day,
            end,
        )
        self.addon = None
        if addon:
            self.addon = self._add(
                ADDON_PRODUCT,
                ADDON_PLAN.name,
                -1,
                seats,
                period,
                discount,
                line_mrr(ADDON_PLAN.list_mrr(seats), discount),
                day,
                end,
            )
        if sandbox and self.sandbox is None:
            self.sandbox = self._add(
                SANDBOX_PRODUCT, SANDBOX_PLAN.name, -1, 5, period, 0.0, 0.0, day, None
            )
        self._periods = 1
        if annual:
            self.story.term_ends.append(self.core.end or day)

    def close(self, day: int) -> None:
        """Churn: the lines end without a successor."""
        for line in (self.core, self.addon, self.sandbox):
            if line is not None and (line.end is None or line.end > day):
                line.end = day
        terms = self.story.term_ends
        if self.core is not None and self.core.period == 12 and terms and terms[-1] > day:
            terms.pop()  # a cancelled annual term no longer renews on its old date
        self.core = self.addon = self.sandbox = None

    def change(
        self,
        day: int,
        *,
        tier: int | None = None,
        seats: int | None = None,
        annual: bool | None = None,
        discount: float | None = None,
        addon: bool | None = None,
    ) -> None:
        """End the running lines at `day` and start their successor the same day."""
        core = self.core
        assert core is not None
        new_annual = core.period == 12 if annual is None else annual
        new_addon = (self.addon is not None) if addon is None else addon
        if core.period == 12 and core.end is not None and core.end > day:
            self.story.term_ends.pop()  # the term restarts from `day`
        for line in (core, self.addon):
            if line is not None:
                line.end = day
        sandbox, self.sandbox = self.sandbox, None
        self.open(
            day,
            core.tier if tier is None else tier,
            core.seats if seats is None else seats,
            new_annual,
            core.discount if discount is None else discount,
            new_addon,
        )
        self.sandbox = sandbox

    def _add(
        self,
        product: str,
        plan: str,
        tier: int,
        seats: int,
        period: int,
        discount: float,
        mrr: float,
        start: int,
        end: int | None,
    ) -> Line:
        number = len(self.story.lines) + 1
        line = Line(
            subscription_id=f"sub_{self.story.account.account_id[4:]}_{number:02d}",
            product=product,
            plan=plan,
            tier=tier,
            seats=seats,
            period=period,
            discount=discount,
            mrr=mrr,
            start=start,
            end=end,
        )
        self.story.lines.append(line)
        return line
