"""Expansion signals on a snapshot (pure). Each fired signal carries its value and the
evidence a person can check; thresholds are resolved once per snapshot from the company's
own distribution (see `Threshold`) and reported with the result.

A signal that needs configuration the company has not given (plan-limit event types) is
not computed at all; a signal whose inputs an account lacks (no seats on its lines, too
few events for a growth rate) does not fire for that account.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from csops.department.expansion.config import ExpansionConfig, Threshold
from csops.department.expansion.facts import AccountFacts, Snapshot
from csops.department.expansion.ladder import Ladder, Step, infer_ladder
from csops.department.expansion.lines import main_line, next_renewal, seats_on
from csops.department.onboarding.cohorts import percentile


@dataclass(frozen=True)
class Signal:
    signal: str
    value: float
    evidence: str


@dataclass(frozen=True)
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


def growth(now: int, before: int, min_baseline: int) -> float | None:
    """now / before - 1, or None when the earlier window is too small to compare."""
    if before < max(min_baseline, 1):
        return None
    return now / before - 1


def feature_homes(
    accounts: Sequence[AccountFacts], ladder: Ladder, min_adoption: float, min_accounts: int
) -> dict[tuple[str | None, str], int]:
    """(product, event type) → the lowest plan rank where at least `min_adoption` of the
    plan's accounts used it in the window; plans with fewer than `min_accounts` accounts
    are not trusted. A type with no such plan has no home (never a higher-plan feature)."""
    users: dict[tuple[str | None, int], list[AccountFacts]] = {}
    for account in accounts:
        line = main_line(account.lines)
        step = ladder.step(line.product, line.plan) if line else None
        if step is not None:
            users.setdefault((step.product, step.rank), []).append(account)
    homes: dict[tuple[str | None, str], int] = {}
    for (product, rank), members in sorted(users.items(), key=lambda kv: kv[0][1]):
        if len(members) < min_accounts:
            continue
        counts: dict[str, int] = {}
        for account in members:
            for event_type in account.usage.types_now:
                counts[event_type] = counts.get(event_type, 0) + 1
        for event_type, n in counts.items():
            if n / len(members) >= min_adoption:
                homes.setdefault((product, event_type), rank)
    return homes


def assess(snapshot: Snapshot, config: ExpansionConfig) -> tuple[list[Assessment], Thresholds]:
    ladder = infer_ladder(snapshot.lines)
    cfg = config.signals
    homes = feature_homes(
        snapshot.accounts,
        ladder,
        cfg.higher_plan_features.min_adoption,
        cfg.higher_plan_features.min_accounts,
    )
    t = snapshot.as_of
    window_start = datetime.combine(t + timedelta(days=1 - config.window_days), datetime.min.time())
    rows = []
    for a in snapshot.accounts:
        seats = seats_on(a.lines, t)
        util = a.usage.users / seats if seats else None
        g28 = growth(a.usage.events_now, a.usage.events_before, cfg.usage_growth_28.min_baseline)
        g90 = growth(a.usage.events_90, a.usage.events_before_90, cfg.usage_growth_90.min_baseline)
        rows.append((a, seats, util, g28, g90))
    thresholds = Thresholds(
        resolve(cfg.seat_utilisation, [r[2] for r in rows if r[2] is not None]),
        resolve(cfg.usage_growth_28, [r[3] for r in rows if r[3] is not None]),
        resolve(cfg.usage_growth_90, [r[4] for r in rows if r[4] is not None]),
    )
    result = []
    for a, seats, util, g28, g90 in rows:
        line = main_line(a.lines)
        step = ladder.step(line.product, line.plan) if line else None
        higher = tuple(
            sorted(
                e
                for e in a.usage.types_now
                if step is not None and homes.get((step.product, e), -1) > step.rank
            )
        )
        old = [g for g in a.groups if g.first_seen < window_start]
        new = tuple(
            g.label
            for g in a.groups
            if g.first_seen >= window_start and g.users_now >= cfg.new_team.min_users
        )
        new = new if old else ()  # an account's first group is its start, not a new team
        renewal = next_renewal(a.lines, t)
        signals: list[Signal] = []
        if util is not None and util >= thresholds.seat_utilisation:
            signals.append(
                Signal(
                    "seat_utilisation",
                    round(util, 4),
                    f"{a.usage.users} active users in the last {config.window_days} days on "
                    f"{seats} seats ({util:.0%}; threshold {thresholds.seat_utilisation:.0%})",
                )
            )
        for name, value, now, before, days, limit in (
            ("usage_growth_28", g28, a.usage.events_now, a.usage.events_before,
             config.window_days, thresholds.usage_growth_28),
            ("usage_growth_90", g90, a.usage.events_90, a.usage.events_before_90, 90,
             thresholds.usage_growth_90),
        ):  # fmt: skip
            if value is not None and value >= limit:
                signals.append(
                    Signal(
                        name,
                        round(value, 4),
                        f"{now} events in the last {days} days vs {before} in the {days} "
                        f"days before ({value:+.0%}; threshold {limit:+.0%})",
                    )
                )
        if a.limits is not None and a.limits.count >= cfg.plan_limit.min_count:
            detail = f" ({a.limits.detail})" if a.limits.detail else ""
            signals.append(
                Signal(
                    "plan_limit",
                    float(a.limits.count),
                    f"plan limit hit {a.limits.count} times in the last {config.window_days} "
                    f"days, last on {a.limits.last.date().isoformat()}{detail}",
                )
            )
        if new:
            first = {g.label: g for g in a.groups}
            parts = [
                f"{label} first active {first[label].first_seen.date().isoformat()} "
                f"with {first[label].users_now} users"
                for label in new
            ]
            signals.append(Signal("new_team", float(len(new)), "; ".join(parts)))
        next_plan = ladder.next_step(step.product, step.plan) if step else None
        if higher and step is not None:
            ranks = {homes[(step.product, e)] for e in higher}
            above = [s.plan for s in ladder.plans_above(step.product, step.plan) if s.rank in ranks]
            signals.append(
                Signal(
                    "higher_plan_features",
                    float(len(higher)),
                    f"uses {', '.join(higher)}: features adopted on {', '.join(sorted(above))}, "
                    f"above its plan {step.plan}",
                )
            )
        if (
            renewal is not None
            and (renewal - t).days <= cfg.renewal_upcoming.within_days
            and a.usage.events_before_90 > 0
            and a.usage.events_90 >= a.usage.events_before_90
        ):
            signals.append(
                Signal(
                    "renewal_upcoming",
                    float((renewal - t).days),
                    f"term ends {renewal.isoformat()} (in {(renewal - t).days} days) and usage "
                    f"held up: {a.usage.events_90} events in 90 days vs "
                    f"{a.usage.events_before_90} before",
                )
            )
        if a.nps is not None and a.nps.score >= cfg.promoter_nps.min_score:
            who = f" from {a.nps.contact}" if a.nps.contact else ""
            signals.append(
                Signal(
                    "promoter_nps",
                    float(a.nps.score),
                    f"NPS {a.nps.score.normalize():f}{who} on {a.nps.day.isoformat()}",
                )
            )
        result.append(
            Assessment(
                facts=a,
                signals=tuple(signals),
                seats=seats,
                seat_utilisation=util,
                growth_28=g28,
                growth_90=g90,
                renewal=renewal,
                plan=step,
                next_plan=next_plan,
                higher_features=higher,
                new_groups=new,
            )
        )
    return result, thresholds


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


def features(a: Assessment) -> list[float]:
    """The model's inputs: the signal values, clipped so one outlier cannot dominate."""
    mrr = float(sum(line.mrr for line in a.facts.lines))
    return [
        min(a.seat_utilisation or 0.0, 3.0),
        max(-1.0, min(a.growth_28 or 0.0, 3.0)),
        max(-1.0, min(a.growth_90 or 0.0, 3.0)),
        math.log1p(a.facts.limits.count if a.facts.limits else 0),
        float(len(a.new_groups)),
        float(len(a.higher_features)),
        float(a.fired("renewal_upcoming")),
        float(a.fired("promoter_nps")),
        math.log1p(mrr),
        math.log1p(a.facts.usage.users),
        float(len(a.signals)),
    ]
