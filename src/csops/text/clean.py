"""Strip the parts of a customer message that say nothing about the question asked:
greetings, sign-offs and signatures, quoted earlier replies.

Heuristic and language-light on purpose (English greetings and closings); anything not
recognised is kept, so a miss only adds a little noise, never loses the question.
"""

from __future__ import annotations

import re

_GREETING = re.compile(
    r"^\s*(hi|hello|hey|dear|good (morning|afternoon|evening)|greetings|hiya|howdy)\b"
    r"[^\n]{0,40}?[,!:.]?\s*$",
    re.IGNORECASE,
)
# A line that is only a closing: everything from it on is the signature.
_CLOSING = re.compile(
    r"^\s*[-–—]*\s*(thanks( a lot| so much| in advance)?|thank you( so much| in advance)?!?|"
    r"many thanks|best( regards| wishes)?|kind regards|warm regards|regards|cheers|"
    r"sincerely|appreciate (the|your) help|br|thx|ty)\s*[,.!]*\s*$",
    re.IGNORECASE,
)
# "On Tue, Mar 3, 2026 at 10:12, Jane (Support) wrote:" and the classic Outlook divider.
_QUOTE_HEADER = re.compile(
    r"^\s*(on\b.{0,200}\bwrote:\s*$|-{2,}\s*original message\s*-{2,}|from:\s.+@.+)",
    re.IGNORECASE,
)
_SIG_DASHES = re.compile(r"^\s*(--|__+)\s*$")
_REPLY_PREFIX = re.compile(r"^\s*((re|fwd?|aw|sv)\s*:\s*)+", re.IGNORECASE)
_URGENT_PREFIX = re.compile(r"^\s*(urgent|asap|important)\s*[:!-]\s*", re.IGNORECASE)


def clean_subject(subject: str) -> str:
    """The subject without reply/forward prefixes and shouting."""
    text = _REPLY_PREFIX.sub("", subject or "")
    text = _URGENT_PREFIX.sub("", text)
    return _REPLY_PREFIX.sub("", text).strip()


def clean_body(body: str) -> str:
    """The body without the greeting line, quoted replies, the closing and signature."""
    lines = (body or "").replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    for line in lines:
        if line.lstrip().startswith(">") or _QUOTE_HEADER.match(line) or _SIG_DASHES.match(line):
            break  # everything below a quote header or "-- " is history or signature
        if _CLOSING.match(line):
            break
        kept.append(line)
    while kept and not kept[0].strip():
        kept.pop(0)
    if kept and _GREETING.match(kept[0]):
        kept.pop(0)
    # A signature without a closing line: a trailing short block of 1-3 short lines
    # separated by a blank line (e.g. "Jane Doe\nOps Manager, Acme").
    blocks = "\n".join(kept).strip().split("\n\n")
    if len(blocks) > 1:
        last = [ln for ln in blocks[-1].split("\n") if ln.strip()]
        if 0 < len(last) <= 3 and all(_looks_like_signature(ln) for ln in last):
            blocks.pop()
    return "\n\n".join(b.strip() for b in blocks if b.strip())


def _looks_like_signature(line: str) -> bool:
    text = line.strip().lstrip("–—-").strip()
    return len(text) <= 60 and not text.endswith(("?", ".", "!")) and len(text.split()) <= 8


def clean_message(subject: str, body: str) -> str:
    """Subject and cleaned body as one text, the input to vectorising."""
    parts = [clean_subject(subject), clean_body(body)]
    return "\n".join(p for p in parts if p)
