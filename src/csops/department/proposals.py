"""Proposals: the one record every specialist emits for a next step it suggests, for a
plays engine to pick up (pure).

A proposal is data, not an action: nothing is sent here. Its id is stable (a hash of the
kind, the account and what triggered it), so running again the next day on an account in
the same situation (stuck at the same milestone, the same expansion signals) yields the
same id and a plays engine can de-duplicate. A specialist that needs more than this (the
expansion hand-off with contacts and talk tracks) carries a proposal and adds its payload.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class Proposal:
    id: str
    account_id: str
    kind: str  # e.g. check_in_call, guide_email, training_offer, expansion_handoff
    reason: str
    evidence: tuple[str, ...]
    owner: str | None
    due: date
    channel: str  # call | email | meeting | crm
    trigger: str  # what it is tied to: "onboarding:<milestone>", "expansion:<signals>"
    as_of: date

    def as_dict(self) -> dict[str, Any]:
        row = asdict(self)
        row["evidence"] = list(self.evidence)
        row["due"] = self.due.isoformat()
        row["as_of"] = self.as_of.isoformat()
        return row


def proposal_id(kind: str, account_id: str, trigger: str) -> str:
    digest = hashlib.sha256(f"{kind}\x00{account_id}\x00{trigger}".encode()).hexdigest()
    return f"prop_{digest[:16]}"


def propose(
    *,
    kind: str,
    account_id: str,
    trigger: str,
    reason: str,
    evidence: tuple[str, ...],
    owner: str | None,
    due: date,
    channel: str,
    as_of: date,
) -> Proposal:
    """A proposal with its stable id."""
    return Proposal(
        id=proposal_id(kind, account_id, trigger),
        account_id=account_id,
        kind=kind,
        reason=reason,
        evidence=evidence,
        owner=owner,
        due=due,
        channel=channel,
        trigger=trigger,
        as_of=as_of,
    )
