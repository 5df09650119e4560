"""Priority suggestion for a ticket: rules over its text, its account and its own
priority, each rule saying why it fired. Pure.

The suggestion is the highest level any rule asks for; rules only raise a priority (a
person lowers one). Urgency words are generic support English, matched as whole words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LEVELS = ("low", "normal", "high", "urgent")
# Words that say the customer cannot work at all, or is exposed: urgent.
URGENT_WORDS = (
    "outage",
    "down for everyone",
    "data loss",
    "lost data",
    "security incident",
    "breach",
    "hacked",
    "production down",
    "site is down",
    "system is down",
)
# Words that say something important is blocked or time-critical: high.
HIGH_WORDS = (
    "urgent",
    "asap",
    "as soon as possible",
    "immediately",
    "critical",
    "blocked",
    "blocking",
    "cannot log in",
    "can't log in",
    "cannot login",
    "can't access",
    "cannot access",
    "not working",
    "stopped working",
    "deadline",
    "escalate",
)
RENEWAL_DAYS = 30


@dataclass(frozen=True)
class Rule:
    rule: str
    level: str
    why: str


@dataclass(frozen=True)
class Suggestion:
    current: str | None
    suggested: str
    fired: tuple[Rule, ...]

    @property
    def changed(self) -> bool:
        return self.current != self.suggested

    def as_dict(self) -> dict[str, object]:
        return {
            "current": self.current,
            "suggested": self.suggested,
            "changed": self.changed,
            "rules": [
                {
                    "rule": r.rule,
                    "level": r.level,
                    "why": r.why,
                    "decides": r.level == self.suggested,
                }
                for r in self.fired
            ],
        }


def _found(words: tuple[str, ...], text: str) -> list[str]:
    return [w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]


def _raise(level: str, steps: int = 1, cap: str = "high") -> str:
    index = min(LEVELS.index(level) + steps, LEVELS.index(cap))
    return LEVELS[max(index, LEVELS.index(level))]


def suggest_priority(
    priority: str | None,
    text: str,
    arr_band: str | None,
    top_band: str | None,
    days_to_renewal: int | None,
    default: str = "normal",
) -> Suggestion:
    current = priority.strip().lower() if priority and priority.strip() else None
    base = current if current in LEVELS else default
    fired = [
        Rule(
            "own_priority",
            base,
            f"the ticket's priority is {current}" if current else f"no priority: {default}",
        )
    ]
    lowered = text.lower()
    if words := _found(URGENT_WORDS, lowered):
        fired.append(Rule("urgency_words", "urgent", f"the text says {', '.join(words)}"))
    elif words := _found(HIGH_WORDS, lowered):
        fired.append(Rule("urgency_words", "high", f"the text says {', '.join(words)}"))
    if arr_band is not None and arr_band == top_band:
        fired.append(
            Rule("account_value", _raise(base), f"the account is in the top ARR band ({arr_band})")
        )
    if days_to_renewal is not None and 0 <= days_to_renewal <= RENEWAL_DAYS:
        fired.append(Rule("renewal", _raise(base), f"the account renews in {days_to_renewal} days"))
    suggested = max((r.level for r in fired), key=LEVELS.index)
    return Suggestion(current, suggested, tuple(fired))
