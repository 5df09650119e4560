"""Fast scalar random draws for the per-account Python code.

`numpy.random.Generator` costs about a microsecond per scalar call; the simulation makes
millions of them. `Dice` fetches uniforms and normals from the generator in blocks and
serves them one by one, so results stay a pure function of the seed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")
_BLOCK = 4096


class Dice:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._uniform: list[float] = []
        self._normal: list[float] = []

    def random(self) -> float:
        """Uniform in [0, 1)."""
        if not self._uniform:
            self._uniform = self.rng.random(_BLOCK).tolist()
        return self._uniform.pop()

    def normal(self, mean: float = 0.0, sd: float = 1.0) -> float:
        if not self._normal:
            self._normal = self.rng.standard_normal(_BLOCK).tolist()
        return mean + sd * self._normal.pop()

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self.random()

    def integer(self, low: int, high: int) -> int:
        """Integer in [low, high)."""
        return low + min(int(self.random() * (high - low)), high - low - 1)

    def pick(self, options: Sequence[T]) -> T:
        return options[min(int(self.random() * len(options)), len(options) - 1)]

    def chance(self, p: float) -> bool:
        return self.random() < p

    def lognormal(self, mean: float, sigma: float) -> float:
        return math.exp(self.normal(mean, sigma))

    def poisson(self, lam: float) -> int:
        """Knuth's method; fine for the small rates used here."""
        if lam <= 0:
            return 0
        if lam > 30:
            return max(0, round(self.normal(lam, math.sqrt(lam))))
        limit, k, p = math.exp(-lam), 0, self.random()
        while p > limit:
            k += 1
            p *= self.random()
        return k

    def weighted(self, cdf: Sequence[float]) -> int:
        """Index drawn from a cumulative distribution ending at 1."""
        u = self.random() * cdf[-1]
        lo, hi = 0, len(cdf) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if cdf[mid] > u:
                hi = mid
            else:
                lo = mid + 1
        return lo
