"""Who works a flagged account, without handing anyone more than they can work (pure).

Flagged accounts are taken in order of value (likelihood x expected added ARR, highest
first). Each goes to its default owner (the CSM, accounts.owner_email, or the sales owner a
configured route names for its segment and territory) while that owner is under capacity;
otherwise to the least loaded owner under capacity who already owns accounts in the same
segment and region, then the same segment; when every such owner is full the account is
left unassigned (owner None) with the reason, rather than overloading someone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Seat:
    """What balancing needs to know about one account."""

    account_id: str
    owner: str | None
    segment: str | None
    region: str | None
    flagged: bool
    value: float  # sort key: likelihood x expected added ARR
    csm: str | None = None  # the CSM when `owner` is a routed sales owner: still in the pool


@dataclass(frozen=True, slots=True)
class Assignment:
    owner: str | None
    note: str  # "owner", "rebalanced from X (at capacity)", "unassigned: ..."


def assign_owners(
    accounts: Sequence[Seat], capacity_of: Callable[[str], int]
) -> dict[str, Assignment]:
    books: dict[tuple[str | None, str | None], set[str]] = {}
    by_segment: dict[str | None, set[str]] = {}
    for a in accounts:
        for person in (a.owner, a.csm):
            if person:
                books.setdefault((a.segment, a.region), set()).add(person)
                by_segment.setdefault(a.segment, set()).add(person)
    pools = {key: sorted(people) for key, people in books.items()}
    segment_pools = {key: sorted(people) for key, people in by_segment.items()}
    load: dict[str, int] = {}
    room: dict[str, int] = {}  # capacity left, per owner asked about so far

    def free(owner: str) -> bool:
        if owner not in room:
            room[owner] = capacity_of(owner)
        return room[owner] > 0

    def least_loaded(pool: list[str]) -> str | None:
        best = None
        for owner in pool:  # sorted: ties go to the first name
            if free(owner) and (best is None or load.get(owner, 0) < load.get(best, 0)):
                best = owner
        return best

    result: dict[str, Assignment] = {}
    for a in sorted(accounts, key=lambda x: (not x.flagged, -x.value, x.account_id)):
        if not a.flagged:
            result[a.account_id] = Assignment(a.owner, "owner" if a.owner else "no owner")
            continue
        if a.owner and free(a.owner):
            chosen, note = a.owner, "owner"
        else:
            chosen, note = None, "unassigned: every owner in the segment is at capacity"
            for pool in (pools.get((a.segment, a.region), []), segment_pools.get(a.segment, [])):
                chosen = least_loaded(pool)
                if chosen is not None:
                    why = "at capacity" if a.owner else "has no owner"
                    note = f"rebalanced from {a.owner or 'nobody'} ({why})"
                    break
        if chosen is not None:
            load[chosen] = load.get(chosen, 0) + 1
            room[chosen] -= 1
        result[a.account_id] = Assignment(chosen, note)
    return result
