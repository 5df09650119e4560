"""Hand-off records to Sales (pure): everything a seller needs for one flagged account.

A hand-off is the department's common `Proposal` (kind `expansion_handoff`, channel `crm`,
triggered by the set of signals that fired) plus the seller's payload: likelihood,
expected ARR, signals with evidence, contacts and talk tracks. Status `proposed`; a later
plays engine sends it to the CRM and moves it on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from csops.department.expansion.facts import Contact
from csops.department.expansion.signals import Signal
from csops.department.expansion.value import Value
from csops.department.proposals import Proposal, propose


@dataclass(frozen=True)
class Handoff:
    proposal: Proposal  # the common record: id, account, kind, reason, evidence, owner, due
    account_name: str
    status: str  # proposed (then handed_off, won, lost: set by whoever acts on it)
    owner_note: str
    likelihood: float
    expected_added_arr: Value
    signals: tuple[Signal, ...]
    contacts: tuple[Contact, ...]
    talk_tracks: tuple[dict[str, str], ...]

    @property
    def id(self) -> str:
        return self.proposal.id

    @property
    def account_id(self) -> str:
        return self.proposal.account_id

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.proposal.as_dict(),
            "account_name": self.account_name,
            "status": self.status,
            "owner_note": self.owner_note,
            "likelihood": round(self.likelihood, 4),
            "expected_added_arr": float(self.expected_added_arr.added_arr),
            "value_route": self.expected_added_arr.route,
            "value_basis": self.expected_added_arr.basis,
            "signals": [
                {"signal": s.signal, "value": s.value, "evidence": s.evidence} for s in self.signals
            ],
            "contacts": [{"name": c.name, "email": c.email, "role": c.role} for c in self.contacts],
            "talk_tracks": list(self.talk_tracks),
        }


def build_handoff(
    *,
    account_id: str,
    account_name: str,
    owner: str | None,
    owner_note: str,
    as_of: date,
    due_days: int,
    likelihood: float,
    value: Value,
    signals: tuple[Signal, ...],
    contacts: list[Contact],
    tracks: list[dict[str, str]],
) -> Handoff:
    """The hand-off of one flagged account. Its id stays the same while the same signals
    fire for the account (their values may drift)."""
    names = sorted({s.signal for s in signals})
    proposal = propose(
        kind="expansion_handoff",
        account_id=account_id,
        trigger="expansion:" + ",".join(names),
        reason=f"Expansion signals: {', '.join(s.signal for s in signals)}",
        evidence=tuple(s.evidence for s in signals),
        owner=owner,
        due=as_of + timedelta(days=due_days),
        channel="crm",
        as_of=as_of,
    )
    return Handoff(
        proposal=proposal,
        account_name=account_name,
        status="proposed",
        owner_note=owner_note,
        likelihood=likelihood,
        expected_added_arr=value,
        signals=signals,
        contacts=tuple(contacts[:3]),
        talk_tracks=tuple(tracks),
    )
