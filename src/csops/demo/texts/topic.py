"""A recurring support question and the ways customers and agents word it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Topic:
    """Templates use `{slot}` fields filled per ticket (see `support_text.slots`)."""

    key: str
    category: str
    weight: float  # relative volume; a few big topics, a long tail
    priority: str  # usual priority when the customer does not escalate
    subjects: tuple[str, ...]
    bodies: tuple[str, ...]
    answers: tuple[str, ...]  # the agent's solving reply, the knowledge-base material
    min_tier: int = 0  # only asked by accounts on this plan tier or above
    emerging_days: int = 0  # > 0: volume jumps in the last this-many days of history
    billing: bool = False  # raised around failed payments
