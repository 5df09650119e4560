"""Talk tracks: for each fired signal, a few sentences built only from that account's own
evidence, ready for the person who takes the conversation (pure)."""

from __future__ import annotations

from csops.department.expansion.signals import Assessment, Signal
from csops.department.expansion.value import Value


def talk_track(a: Assessment, signal: Signal, value: Value) -> str:
    name = a.facts.name
    plan = a.plan.plan if a.plan else "their plan"
    nxt = a.next_plan.plan if a.next_plan else None
    if value.route == "none":
        offer = "Explore which other teams or uses could come next."
    else:
        what = f"Propose {nxt}" if value.route == "upgrade" and nxt else "Propose the extra seats"
        offer = f"{what} (about {value.added_arr:,.0f} a year more)."
    if signal.signal == "seat_utilisation":
        return (
            f"{name} is using nearly every seat it pays for: {signal.evidence}. Ask who else "
            f"needs access and which teams are waiting. {offer}"
        )
    if signal.signal in ("usage_growth_28", "usage_growth_90"):
        return (
            f"Usage at {name} is growing: {signal.evidence}. Ask what changed (a new project, "
            f"a team rolling it out) and what they need to keep going. {offer}"
        )
    if signal.signal == "plan_limit":
        adds = f"what {nxt} adds" if nxt else "the options above their plan"
        return (
            f"{name} keeps running into the limits of {plan}: {signal.evidence}. Walk through "
            f"{adds} so the limit stops getting in their way. {offer}"
        )
    if signal.signal == "new_team":
        return (
            f"A new group started using it at {name}: {signal.evidence}. Offer the new team an "
            f"onboarding session and agree how many people will join. {offer}"
        )
    if signal.signal == "higher_plan_features":
        where = f"part of {nxt}" if nxt else "from a higher plan"
        return (
            f"{name} already works with features {where}: {signal.evidence}. Show what the "
            f"rest of that plan gives them. {offer}"
        )
    if signal.signal == "renewal_upcoming":
        return (
            f"{name}'s renewal is coming up: {signal.evidence}. Bring the growth into the "
            f"renewal conversation rather than a separate one. {offer}"
        )
    if signal.signal == "promoter_nps":
        return (
            f"{name} is a promoter: {signal.evidence}. Thank them, ask where else the product "
            f"could help, and ask for a reference. {offer}"
        )
    return f"{name}: {signal.evidence}. {offer}"


def talk_tracks(a: Assessment, value: Value) -> list[dict[str, str]]:
    return [
        {"signal": s.signal, "talk_track": talk_track(a, s, value), "evidence": s.evidence}
        for s in a.signals
    ]
