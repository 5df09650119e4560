"""The plan ladder, inferred from the company's own lines (pure).

Per product, its plans ordered by median MRR per seat over paying lines with seats; when
some plan of the product has no seated line, by median MRR per line instead. The next
plan of a plan is the one above it on its product's ladder. Nothing is assumed about plan
names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from statistics import median

from csops.department.expansion.lines import Line


@dataclass(frozen=True)
class Step:
    product: str | None
    plan: str
    rank: int  # 0 = the cheapest plan of the product
    per_seat: Decimal | None  # median MRR per seat (None when the ladder is per line)
    per_line: Decimal  # median MRR per line
    lines: int


@dataclass(frozen=True)
class Ladder:
    steps: dict[tuple[str | None, str], Step]

    def step(self, product: str | None, plan: str | None) -> Step | None:
        return None if plan is None else self.steps.get((product, plan))

    def next_step(self, product: str | None, plan: str | None) -> Step | None:
        current = self.step(product, plan)
        if current is None:
            return None
        return self._by_rank.get((product, current.rank + 1))

    @cached_property
    def _by_rank(self) -> dict[tuple[str | None, int], Step]:
        return {(s.product, s.rank): s for s in self.steps.values()}

    def plans_above(self, product: str | None, plan: str | None) -> list[Step]:
        current = self.step(product, plan)
        if current is None:
            return []
        return [s for s in self.steps.values() if s.product == product and s.rank > current.rank]


def _median(values: list[Decimal]) -> Decimal:
    return Decimal(median(values)).quantize(Decimal("0.01"))


PlanPrices = Mapping[tuple[str | None, str], tuple[Sequence[Decimal], Sequence[int | None]]]


def infer_ladder(lines: Iterable[Line]) -> Ladder:
    """The ladder of some lines (free lines and lines without a plan are not on it)."""
    prices: dict[tuple[str | None, str], tuple[list[Decimal], list[int | None]]] = {}
    for line in lines:
        if line.mrr > 0 and line.plan:
            mrrs, seats = prices.setdefault((line.product, line.plan), ([], []))
            mrrs.append(line.mrr)
            seats.append(line.seats)
    return ladder_from_prices(prices)


def ladder_from_prices(prices: PlanPrices) -> Ladder:
    """The ladder from the MRR and seats of each plan's paying lines (parallel lists)."""
    products: dict[str | None, list[tuple[str, Sequence[Decimal], Sequence[int | None]]]] = {}
    for (product, plan), (mrrs, seats) in prices.items():
        products.setdefault(product, []).append((plan, mrrs, seats))
    steps: dict[tuple[str | None, str], Step] = {}
    for product, plans in products.items():
        rows = []
        for plan, mrrs, seats in plans:
            seated = [m / s for m, s in zip(mrrs, seats, strict=True) if s]
            rows.append((plan, _median(seated) if seated else None, _median(list(mrrs)), len(mrrs)))
        per_seat = all(r[1] is not None for r in rows)
        rows.sort(key=lambda r: ((r[1] if per_seat else r[2]) or Decimal(0), r[0]))
        for rank, (plan, seat_price, line_price, count) in enumerate(rows):
            steps[(product, plan)] = Step(
                product, plan, rank, seat_price if per_seat else None, line_price, count
            )
    return Ladder(steps)
