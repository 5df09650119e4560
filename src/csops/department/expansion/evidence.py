"""The people-facing side of the signals (pure): per account, the evidence of each fired
signal and the `Assessment` record, built from the columnar `Assessed` only for the day a
result is about."""

from __future__ import annotations

from csops.department.expansion.frame import AccountFacts, account_facts
from csops.department.expansion.ladder import Step
from csops.department.expansion.signals import Assessed, Assessment, Floats, Signal


def signals(assessed: Assessed, i: int, facts: AccountFacts) -> tuple[Signal, ...]:
    """The fired signals of account i with their evidence."""
    window = assessed.config.window_days
    t = assessed.thresholds
    usage = facts.usage
    fired = assessed.fired_lists
    result: list[Signal] = []
    if fired["seat_utilisation"][i]:
        util = float(assessed.utilisation[i])
        result.append(
            Signal(
                "seat_utilisation",
                round(util, 4),
                f"{usage.users} active users in the last {window} days on "
                f"{assessed.seats[i]} seats ({util:.0%}; threshold {t.seat_utilisation:.0%})",
            )
        )
    for name, rates, now, before, days, limit in (
        ("usage_growth_28", assessed.growth_28, usage.events_now, usage.events_before, window,
         t.usage_growth_28),
        ("usage_growth_90", assessed.growth_90, usage.events_90, usage.events_before_90, 90,
         t.usage_growth_90),
    ):  # fmt: skip
        if fired[name][i]:
            value = float(rates[i])
            result.append(
                Signal(
                    name,
                    round(value, 4),
                    f"{now} events in the last {days} days vs {before} in the {days} "
                    f"days before ({value:+.0%}; threshold {limit:+.0%})",
                )
            )
    if fired["plan_limit"][i] and facts.limits is not None:
        hits = facts.limits
        detail = f" ({hits.detail})" if hits.detail else ""
        result.append(
            Signal(
                "plan_limit",
                float(hits.count),
                f"plan limit hit {hits.count} times in the last {window} days, last on "
                f"{hits.last.date().isoformat()}{detail}",
            )
        )
    if fired["new_team"][i]:
        parts = [
            f"{g.label} first active {g.first_seen.date().isoformat()} with {g.users_now} users"
            for g in facts.new_groups
        ]
        result.append(Signal("new_team", float(len(parts)), "; ".join(parts)))
    step = assessed.steps[i]
    if fired["higher_plan_features"][i] and step is not None:
        higher = assessed.higher[i]
        ranks = {assessed.homes.ranks[(step.product, e)] for e in higher}
        above = [
            s.plan for s in assessed.ladder.plans_above(step.product, step.plan) if s.rank in ranks
        ]
        result.append(
            Signal(
                "higher_plan_features",
                float(len(higher)),
                f"uses {', '.join(higher)}: features adopted on {', '.join(sorted(above))}, "
                f"above its plan {step.plan}",
            )
        )
    if fired["renewal_upcoming"][i]:
        renewal, days = assessed.frame.values("renewal")[i], int(assessed.renewal_days[i])
        result.append(
            Signal(
                "renewal_upcoming",
                float(days),
                f"term ends {renewal.isoformat()} (in {days} days) and usage held up: "
                f"{usage.events_90} events in 90 days vs {usage.events_before_90} before",
            )
        )
    if fired["promoter_nps"][i] and facts.nps is not None:
        nps = facts.nps
        who = f" from {nps.contact}" if nps.contact else ""
        result.append(
            Signal(
                "promoter_nps",
                float(nps.score),
                f"NPS {nps.score.normalize():f}{who} on {nps.day.isoformat()}",
            )
        )
    return tuple(result)


def assessments(assessed: Assessed) -> list[Assessment]:
    """One `Assessment` per account, with the evidence of its fired signals."""
    fired_any = assessed.signal_count() > 0
    next_of: dict[tuple[str | None, str], Step | None] = {}
    for step in assessed.steps:
        if step is not None and (step.product, step.plan) not in next_of:
            next_of[(step.product, step.plan)] = assessed.ladder.next_step(step.product, step.plan)

    def numbers(values: Floats) -> list[float | None]:
        return [None if x != x else x for x in values.tolist()]  # NaN is not equal to itself

    result = []
    for i, (facts, seats, util, g28, g90, renewal, step, higher, any_fired) in enumerate(
        zip(
            account_facts(assessed.frame),
            assessed.seats.tolist(),
            numbers(assessed.utilisation),
            numbers(assessed.growth_28),
            numbers(assessed.growth_90),
            assessed.frame.values("renewal"),
            assessed.steps,
            assessed.higher,
            fired_any.tolist(),
            strict=True,
        )
    ):
        result.append(
            Assessment(
                facts=facts,
                signals=signals(assessed, i, facts) if any_fired else (),
                seats=seats,
                seat_utilisation=util,
                growth_28=g28,
                growth_90=g90,
                renewal=renewal,
                plan=step,
                next_plan=next_of[(step.product, step.plan)] if step else None,
                higher_features=higher,
                new_groups=tuple(g.label for g in facts.new_groups),
            )
        )
    return result
