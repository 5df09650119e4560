"""Expansion signals on a day's frame (pure, columnar). Each fired signal carries its value
and the evidence a person can check; thresholds are resolved once per day from the
company's own distribution (see `Threshold`) and reported with the result.

A signal that needs configuration the company has not given (plan-limit event types) is
not computed at all; a signal whose inputs an account lacks (no seats on its lines, too
few events for a growth rate) does not fire for that account.

Everything is computed for every account at once (numpy and Arrow); the evidence text and
the per-account `Assessment` are built by `evidence`, only for the day a result is about
(never for the training dates).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from csops.department.expansion.config import SIGNALS, ExpansionConfig, Threshold
from csops.department.expansion.frame import AccountFacts, Frame
from csops.department.expansion.ladder import Ladder, Step, ladder_from_prices
from csops.department.onboarding.cohorts import percentile

Floats = npt.NDArray[np.float64]
Flags = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Signal:
    signal: str
    value: float
    evidence: str


@dataclass(frozen=True, slots=True)
class Assessment:
    """One paying account on t: its signals and the numbers they came from."""

    facts: AccountFacts
    signals: tuple[Signal, ...]
    seats: int
    seat_utilisation: float | None
    growth_28: float | None
    growth_90: float | None
    renewal: date | None
    plan: Step | None
    next_plan: Step | None
    higher_features: tuple[str, ...]
    new_groups: tuple[str, ...]

    def fired(self, name: str) -> bool:
        return any(s.signal == name for s in self.signals)


@dataclass(frozen=True)
class Thresholds:
    seat_utilisation: float
    usage_growth_28: float
    usage_growth_90: float

    def as_dict(self) -> dict[str, float]:
        return {
            "seat_utilisation": round(self.seat_utilisation, 4),
            "usage_growth_28": round(self.usage_growth_28, 4),
            "usage_growth_90": round(self.usage_growth_90, 4),
        }


def resolve(setting: Threshold, values: Sequence[float]) -> float:
    """A configured number, or the percentile of the values (not below min_threshold)."""
    if setting.threshold != "auto":
        return float(setting.threshold)
    found = percentile(list(values), setting.percentile)
    return max(setting.min_threshold, found if found is not None else setting.min_threshold)


def growth_rates(
    now: npt.NDArray[np.int64], before: npt.NDArray[np.int64], min_baseline: int
) -> Floats:
    """now / before - 1, or NaN where the earlier window is too small to compare."""
    ok = before >= max(min_baseline, 1)
    return np.where(ok, now / np.where(ok, before, 1) - 1.0, np.nan)


def growth(now: int, before: int, min_baseline: int) -> float | None:
    rate = float(growth_rates(np.array([now]), np.array([before]), min_baseline)[0])
    return None if np.isnan(rate) else rate


FEATURES = (
    "seat_utilisation",
    "growth_28",
    "growth_90",
    "limit_hits",
    "new_teams",
    "higher_features",
    "renewal_soon",
    "promoter",
    "log_mrr",
    "log_users",
    "signals_fired",
)


@dataclass(frozen=True)
class Homes:
    """Where each event type belongs: per (product, event type), the lowest plan rank on
    which at least `min_adoption` of the plan's accounts used it in the window (plans with
    fewer than `min_accounts` accounts are not trusted). A type with no such plan has no
    home, so it is never a higher-plan feature."""

    ranks: dict[tuple[str | None, str], int]


def _plan_codes(steps: Sequence[Step | None]) -> tuple[npt.NDArray[np.int64], list[Step]]:
    """Per account the index of its plan in `plans` (-1: no plan on the ladder)."""
    plans: list[Step] = []
    index: dict[tuple[str | None, str], int] = {}
    codes = np.full(len(steps), -1, dtype=np.int64)
    for i, step in enumerate(steps):
        if step is not None:
            key = (step.product, step.plan)
            if key not in index:
                index[key] = len(plans)
                plans.append(step)
            codes[i] = index[key]
    return codes, plans


class Assessed:
    """The signals of every account of a frame."""

    def __init__(self, frame: Frame, config: ExpansionConfig) -> None:
        self.frame = frame
        self.config = config
        cfg = config.signals
        self.ladder: Ladder = ladder_from_prices(frame.prices)
        step_of: dict[tuple[str | None, str | None], Step | None] = {}
        steps = []
        for product, plan in zip(frame.values("product"), frame.values("plan"), strict=True):
            key = (product, plan)
            if key not in step_of:
                step_of[key] = self.ladder.step(product, plan)
            steps.append(step_of[key])
        self.steps: list[Step | None] = steps
        seats, users = frame.ints("seats"), frame.ints("users")
        self.seats = seats
        self.utilisation: Floats = np.where(
            seats > 0, users / np.where(seats > 0, seats, 1), np.nan
        )
        self.growth_28 = growth_rates(
            frame.ints("events_now"), frame.ints("events_before"), cfg.usage_growth_28.min_baseline
        )
        self.growth_90 = growth_rates(
            frame.ints("events_90"),
            frame.ints("events_before_90"),
            cfg.usage_growth_90.min_baseline,
        )

        def known(values: Floats) -> list[float]:
            found: list[float] = values[~np.isnan(values)].tolist()
            return found

        self.thresholds = Thresholds(
            resolve(cfg.seat_utilisation, known(self.utilisation)),
            resolve(cfg.usage_growth_28, known(self.growth_28)),
            resolve(cfg.usage_growth_90, known(self.growth_90)),
        )
        self.homes, self.higher_count, self._higher_rows = self._higher_features()
        renewal = pc.cast(frame.table.column("renewal"), pa.int32())
        as_of = (frame.as_of - date(1970, 1, 1)).days
        self.renewal_days = pc.fill_null(renewal, -(2**30)).to_numpy().astype(np.int64) - as_of
        self.new_teams = np.array(
            [len(g or ()) for g in frame.values("new_groups")], dtype=np.int64
        )
        self.fired = self._fire()

    def __len__(self) -> int:
        return len(self.frame)

    def _higher_features(self) -> tuple[Homes, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """The homes of the event types, and per account how many of the types it used
        in the window have their home above its plan (with the rows of the flattened
        types that do, for the evidence)."""
        cfg = self.config.signals.higher_plan_features
        codes, plans = _plan_codes(self.steps)
        types = self.frame.table.column("types").combine_chunks()
        flat = pc.list_flatten(types)
        parents = pc.list_parent_indices(types).to_numpy()
        encoded = pc.dictionary_encode(flat)
        names: list[str] = encoded.dictionary.to_pylist()
        type_ids = encoded.indices.to_numpy().astype(np.int64)
        row_codes = codes[parents]
        members = np.bincount(codes[codes >= 0], minlength=len(plans))
        used = np.zeros((len(plans), len(names)), dtype=np.int64)
        on_plan = row_codes >= 0
        np.add.at(used, (row_codes[on_plan], type_ids[on_plan]), 1)
        ranks: dict[tuple[str | None, str], int] = {}
        for p in sorted(range(len(plans)), key=lambda k: plans[k].rank):
            if members[p] < cfg.min_accounts:
                continue
            for kind in np.flatnonzero(used[p] / members[p] >= cfg.min_adoption).tolist():
                ranks.setdefault((plans[p].product, names[kind]), plans[p].rank)
        home = np.full((len(plans), len(names)), -1, dtype=np.int64)
        for p, step in enumerate(plans):
            for t, name in enumerate(names):
                home[p, t] = ranks.get((step.product, name), -1)
        own = np.array([s.rank for s in plans], dtype=np.int64)
        above = np.zeros(len(flat), dtype=np.bool_)
        above[on_plan] = home[row_codes[on_plan], type_ids[on_plan]] > own[row_codes[on_plan]]
        count = np.bincount(parents[above], minlength=len(self.frame))
        return Homes(ranks), count.astype(np.int64), np.flatnonzero(above)

    @cached_property
    def higher(self) -> list[tuple[str, ...]]:
        """Per account, the event types it used whose home is above its plan (sorted)."""
        types = self.frame.table.column("types").combine_chunks()
        rows = self._higher_rows
        owners = pc.list_parent_indices(types).to_numpy()[rows].tolist()
        names = pc.take(pc.list_flatten(types), pa.array(rows, pa.int64())).to_pylist()
        found: dict[int, list[str]] = {}
        for owner, name in zip(owners, names, strict=True):
            found.setdefault(owner, []).append(name)
        result: list[tuple[str, ...]] = [()] * len(self.frame)
        for owner, kinds in found.items():
            result[owner] = tuple(sorted(kinds))
        return result

    def _fire(self) -> dict[str, Flags]:
        cfg, f = self.config.signals, self.frame
        t = self.thresholds
        with np.errstate(invalid="ignore"):
            fired = {
                "seat_utilisation": self.utilisation >= t.seat_utilisation,
                "usage_growth_28": self.growth_28 >= t.usage_growth_28,
                "usage_growth_90": self.growth_90 >= t.usage_growth_90,
            }
        hits = f.ints("limit_hits")
        fired["plan_limit"] = (hits > 0) & (hits >= cfg.plan_limit.min_count)
        fired["new_team"] = self.new_teams > 0
        fired["higher_plan_features"] = self.higher_count > 0
        ev90, before90 = f.ints("events_90"), f.ints("events_before_90")
        fired["renewal_upcoming"] = (
            (self.renewal_days >= 0)
            & (self.renewal_days <= cfg.renewal_upcoming.within_days)
            & (before90 > 0)
            & (ev90 >= before90)
        )
        with np.errstate(invalid="ignore"):
            fired["promoter_nps"] = f.floats("nps_score") >= cfg.promoter_nps.min_score
        return {name: fired[name] for name in SIGNALS}

    def signal_count(self) -> npt.NDArray[np.int64]:
        count = np.zeros(len(self.frame), dtype=np.int64)
        for mask in self.fired.values():
            count += mask
        return count

    def features(self) -> Floats:
        """The model's inputs (`FEATURES`), clipped so one outlier cannot dominate."""
        f = self.frame
        return np.column_stack(
            [
                np.minimum(np.nan_to_num(self.utilisation, nan=0.0), 3.0),
                np.clip(np.nan_to_num(self.growth_28, nan=0.0), -1.0, 3.0),
                np.clip(np.nan_to_num(self.growth_90, nan=0.0), -1.0, 3.0),
                np.log1p(f.ints("limit_hits")),
                self.new_teams.astype(np.float64),
                self.higher_count.astype(np.float64),
                self.fired["renewal_upcoming"].astype(np.float64),
                self.fired["promoter_nps"].astype(np.float64),
                np.log1p(np.nan_to_num(f.floats("mrr"), nan=0.0)),
                np.log1p(f.ints("users")),
                self.signal_count().astype(np.float64),
            ]
        ).astype(np.float64)

    @cached_property
    def fired_lists(self) -> dict[str, list[bool]]:
        """`fired` as Python lists (fast to index one account at a time)."""
        return {name: mask.tolist() for name, mask in self.fired.items()}


def assess(frame: Frame, config: ExpansionConfig) -> Assessed:
    return Assessed(frame, config)
