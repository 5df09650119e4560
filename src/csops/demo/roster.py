"""The named users of one account: who joins, who leaves, and the champion's fate."""

from __future__ import annotations

import numpy as np

from csops.demo.accounts import Account
from csops.demo.story import NEVER, Story, User


class Roster:
    """Keeps the provisioned users in step with the seats the account actually needs."""

    def __init__(self, story: Story, rng: np.random.Generator) -> None:
        self.story = story
        self.rng = rng

    @property
    def users(self) -> list[User]:
        return self.story.users

    def _add(self, join: int, role: str) -> User:
        boost = {"admin": 1.6, "champion": 2.2}.get(role, 1.0)
        user = User(
            number=len(self.users) + 1,
            join=join,
            leave=NEVER,
            propensity=float(boost * np.exp(self.rng.normal(-0.18, 0.6))),
            role=role,
        )
        self.users.append(user)
        return user

    def start(self, account: Account, day: int) -> None:
        """The first users: an admin, usually a champion, and colleagues ramping up."""
        rng = self.rng
        self._add(day + int(rng.integers(0, 2)), "admin")
        if account.seats >= 2 and rng.random() < 0.88:
            self._add(day + int(rng.integers(0, 6)), "champion")
        target = max(1, min(account.seats, round(account.seats * account.utilisation)))
        for _ in range(target - len(self.users)):
            if day < 0:  # an existing customer: colleagues joined over the past
                join = day + int(rng.integers(0, -day + 1))
            else:  # onboarding: invitations spread over the ramp-up, slower when stalled
                join = day + int(account.onboarding_days * 1.5 * rng.random() ** 1.5)
            self._add(join, "user")

    def _present(self, at: int) -> list[User]:
        return [u for u in self.users if u.leave > at]

    def month(self, lo: int, hi: int, target: int) -> None:
        """Invite or remove users so that about `target` hold a seat at month end."""
        rng = self.rng
        present = self._present(hi - 1)
        regular = [u for u in present if u.role == "user" and u.join < lo]
        leaving = rng.random(len(regular)) < 0.008  # ordinary staff turnover
        for user, leaves in zip(regular, leaving, strict=True):
            if leaves:
                user.leave = int(rng.integers(lo, hi))
        count = len(present) - int(leaving.sum())
        if target > count:
            for join in np.sort(rng.integers(lo, hi, size=target - count)).tolist():
                self._add(int(join), "user")
        elif count > target + 1 + target // 10:
            stay = [u for u, gone in zip(regular, leaving, strict=True) if not gone]
            excess = min(len(stay), count - target)
            if excess > 0:
                chosen = rng.choice(len(stay), size=excess, replace=False)
                for i in np.sort(chosen).tolist():
                    stay[i].leave = int(rng.integers(lo, hi))

    def champion_leaves(self, day: int) -> bool:
        """The champion quits; a successor appears a few weeks later. False if none."""
        for user in self.users:
            if user.role == "champion" and user.join < day < user.leave:
                user.leave = day
                self._add(day + int(self.rng.integers(14, 60)), "champion")
                return True
        return False
