"""The plan ladder, inferred from the company's own lines (pure).

Per product, its plans ordered by median MRR per seat over paying lines with seats; when
some plan of the product has no seated line, by median MRR per line instead. The next
plan of a plan is the one above it on its product's ladder. Nothing is assumed about plan
names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
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
        return next(
            (s for s in self.steps.values() if s.product == product and s.rank == current.rank + 1),
            None,
        )

    def plans_above(self, product: str | None, plan: str | None) -> list[Step]:
        current = self.step(product, plan)
        if current is None:
            return []
        return [s for s in self.steps.values() if s.product == product and s.rank > current.rank]


def _median(values: list[Decimal]) -> Decimal:
    return Decimal(median(values)).quantize(Decimal("0.01"))


def infer_ladder(lines: Iterable[Line]) -> Ladder:
    by_plan: dict[tuple[str | None, str], list[Line]] = {}
    for line in lines:
        if line.mrr > 0 and line.plan:
            by_plan.setdefault((line.product, line.plan), []).append(line)
    products: dict[str | None, list[tuple[str, list[Line]]]] = {}
    for (product, plan), members in by_plan.items():
        products.setdefault(product, []).append((plan, members))
    steps: dict[tuple[str | None, str], Step] = {}
    for product, plans in products.items():
        rows = []
        for plan, members in plans:
            seated = [x.mrr / x.seats for x in members if x.seats]
            rows.append(
                (
                    plan,
                    _median(seated) if seated else None,
                    _median([x.mrr for x in members]),
                    len(members),
                )
            )
        per_seat = all(r[1] is not None for r in rows)
        rows.sort(key=lambda r: ((r[1] if per_seat else r[2]) or Decimal(0), r[0]))
        for rank, (plan, seat_price, line_price, count) in enumerate(rows):
            steps[(product, plan)] = Step(
                product, plan, rank, seat_price if per_seat else None, line_price, count
            )
    return Ladder(steps)
