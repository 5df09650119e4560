"""Hand-off records to Sales (pure): everything a seller needs for one flagged account.

A hand-off is a record with a stable id (a hash of the account and the as-of date's
signals), status `proposed`; a later plays engine sends it to the CRM and moves it on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from csops.department.expansion.facts import Contact
from csops.department.expansion.signals import Signal
from csops.department.expansion.value import Value


@dataclass(frozen=True)
class Handoff:
    id: str
    account_id: str
    account_name: str
    kind: str  # always "expansion_handoff"
    status: str  # proposed (then handed_off, won, lost: set by whoever acts on it)
    owner: str | None
    owner_note: str
    due: date
    channel: str  # crm
    as_of: date
    likelihood: float
    expected_added_arr: Value
    signals: tuple[Signal, ...]
    contacts: tuple[Contact, ...]
    talk_tracks: tuple[dict[str, str], ...]

    @property
    def reason(self) -> str:
        names = ", ".join(s.signal for s in self.signals)
        return f"Expansion signals: {names}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "account_id": self.account_id,
            "account_name": self.account_name,
            "kind": self.kind,
            "status": self.status,
            "reason": self.reason,
            "evidence": [s.evidence for s in self.signals],
            "owner": self.owner,
            "owner_note": self.owner_note,
            "due": self.due.isoformat(),
            "channel": self.channel,
            "as_of": self.as_of.isoformat(),
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


def handoff_id(account_id: str, signals: tuple[Signal, ...]) -> str:
    """Stable while the same signals fire for the account (values may drift)."""
    names = ",".join(sorted({s.signal for s in signals}))
    digest = hashlib.sha256(f"expansion_handoff\x00{account_id}\x00{names}".encode()).hexdigest()
    return f"hand_{digest[:16]}"


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
    return Handoff(
        id=handoff_id(account_id, signals),
        account_id=account_id,
        account_name=account_name,
        kind="expansion_handoff",
        status="proposed",
        owner=owner,
        owner_note=owner_note,
        due=as_of + timedelta(days=due_days),
        channel="crm",
        as_of=as_of,
        likelihood=likelihood,
        expected_added_arr=value,
        signals=signals,
        contacts=tuple(contacts[:3]),
        talk_tracks=tuple(tracks),
    )
