"""Personal-data redaction: e-mail addresses, URLs carrying tokens, card-like numbers,
phone numbers and the names of known contacts.

Used twice: before clustering (so that names and numbers do not pull tickets together)
and before anything leaves as an article draft (so that no customer appears in it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
URL = re.compile(r"\bhttps?://[^\s<>\"')\]]+", re.IGNORECASE)
# A query parameter or path segment that looks like a secret: named like one, or long and
# mixing letters and digits.
_TOKEN_PARAM = re.compile(
    r"[?&](token|key|api[_-]?key|sig|signature|auth|code|session|secret|access_token|t)=",
    re.IGNORECASE,
)
_TOKEN_SEGMENT = re.compile(r"(?=[A-Za-z0-9_-]{20,})(?=[^/]*\d)(?=[^/]*[A-Za-z])[A-Za-z0-9_-]+")
CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
_CAPITALISED = re.compile(r"\b[A-Z][\w'-]+")
PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d ().-]{6,}\d(?![\w])")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


@dataclass(frozen=True)
class Redactor:
    """Replaces personal data with `[email]`, `[url]`, `[card]`, `[phone]`, `[name]`
    (or with `blank` when given, e.g. "" before vectorising)."""

    names: frozenset[str] = frozenset()
    blank: str | None = None

    @classmethod
    def for_names(cls, names: Iterable[str], blank: str | None = None) -> Redactor:
        """Names of contacts (full names are split too); words under 3 letters are ignored
        because they collide with ordinary words."""
        words: set[str] = set()
        for name in names:
            name = (name or "").strip()
            if not name:
                continue
            words.update(w for w in re.split(r"[\s,]+", name) if len(w) >= 3)
        return cls(frozenset(words), blank)

    def _mark(self, kind: str) -> str:
        return f"[{kind}]" if self.blank is None else self.blank

    def redact(self, text: str) -> str:
        if not text:
            return ""
        text = EMAIL.sub(self._mark("email"), text)
        text = URL.sub(self._url, text)
        text = CARD.sub(self._card, text)
        text = PHONE.sub(self._phone, text)
        if self.names:
            # Case-sensitive on purpose: "Mark" the person, not "mark as read". A set lookup
            # per capitalised word keeps this linear however many contacts there are.
            text = _CAPITALISED.sub(self._name, text)
        return text

    def _url(self, match: re.Match[str]) -> str:
        url = match.group(0)
        if _TOKEN_PARAM.search(url) or _TOKEN_SEGMENT.search(url.split("://", 1)[1]):
            return self._mark("url")
        return url

    def _card(self, match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return self._mark("card") if 13 <= len(digits) <= 19 and luhn_ok(digits) else match.group(0)

    def _phone(self, match: re.Match[str]) -> str:
        text = match.group(0)
        digits = re.sub(r"\D", "", text)
        # Dates (2026-03-01) and short numbers are not phones: demand 7 to 15 digits.
        if len(digits) < 7 or len(digits) > 15 or re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return text
        return self._mark("phone")

    def _name(self, match: re.Match[str]) -> str:
        return self._mark("name") if match.group(0) in self.names else match.group(0)
