"""The named users of one account: who joins, who leaves, and the champion's fate."""

from __future__ import annotations

import math

from csops.demo.accounts import Account
from csops.demo.dice import Dice
from csops.demo.story import NEVER, Story, User


class Roster:
    """Keeps the provisioned users in step with the seats the account actually needs."""

    def __init__(self, story: Story, dice: Dice) -> None:
        self.story = story
        self.dice = dice

    @property
    def users(self) -> list[User]:
        return self.story.users

    def _add(self, join: int, role: str) -> User:
        boost = {"admin": 1.6, "champion": 2.2}.get(role, 1.0)
        user = User(
            number=len(self.users) + 1,
            join=join,
            leave=NEVER,
            propensity=boost * math.exp(self.dice.normal(-0.18, 0.6)),
            role=role,
        )
        self.users.append(user)
        return user

    def start(self, account: Account, day: int) -> None:
        """The first users: an admin, usually a champion, and colleagues ramping up."""
        dice = self.dice
        self._add(day, "admin")
        if account.seats >= 2 and dice.random() < 0.88:
            self._add(day + dice.integer(0, 6), "champion")
        target = max(1, min(account.seats, round(account.seats * account.utilisation)))
        for _ in range(target - len(self.users)):
            if day < 0:  # an existing customer: colleagues joined over the past
                join = day + dice.integer(0, -day + 1)
            else:  # onboarding: invitations spread over the ramp-up, slower when stalled
                join = day + int(account.onboarding_days * 1.5 * dice.random() ** 1.5)
            self._add(join, "user")

    def _present(self, at: int) -> list[User]:
        return [u for u in self.users if u.leave > at]

    def month(self, lo: int, hi: int, target: int) -> None:
        """Invite or remove users so that about `target` hold a seat at month end."""
        dice = self.dice
        present = self._present(hi - 1)
        regular = [u for u in present if u.role == "user" and u.join < lo]
        count = len(present)
        if regular:  # ordinary staff turnover, about 1% a month
            for _ in range(dice.poisson(0.008 * len(regular))):
                user = dice.pick(regular)
                if user.leave > hi:
                    user.leave = dice.integer(lo, hi)
                    count -= 1
        if target > count:
            for join in sorted(dice.integer(lo, hi) for _ in range(target - count)):
                self._add(join, "user")
        elif count > target + 1 + target // 10:
            staying = [u for u in regular if u.leave > hi]
            for _ in range(min(len(staying), count - target)):
                user = dice.pick(staying)
                if user.leave > hi:
                    user.leave = dice.integer(lo, hi)

    def champion_leaves(self, day: int) -> bool:
        """The champion quits; a successor appears a few weeks later. False if none."""
        for user in self.users:
            if user.role == "champion" and user.join < day < user.leave:
                user.leave = day
                self._add(day + self.dice.integer(14, 60), "champion")
                return True
        return False
