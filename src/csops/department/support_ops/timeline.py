"""What a ticket's data says happened, up to an instant: its replies, its status changes,
when it was paused and when it was solved. Pure.

The data contract carries only a ticket's current status, so status history is read from
what the comments carry (docs/support.md, "What the engine reads"):
  * a comment with a `status` attribute (an extra column of ticket_comments) sets the
    ticket's status at that comment's time;
  * a system comment whose body says "status ... to X" (e.g. "Status changed from open to
    pending") sets it to X;
  * a public customer comment ends a pause (helpdesks reopen a pending ticket when the
    customer writes);
  * failing any of these, a ticket whose current status pauses the clock is taken to have
    paused at its last comment, when that comment is a public agent comment.
When the comments hold no reply, the ticket's `first_reply_at` is the first reply; when the
ticket has no `solved_at` but a solved status, it was solved at its last status change to
a solved status, else at its last comment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from csops.department.support_ops.clock import OPEN_END, Interval

# A comment this close to the ticket's creation is the one that opened it.
OPENING_TOLERANCE = timedelta(minutes=1)
_STATUS_TEXT = re.compile(
    r"\bstatus\s+(?:was\s+|is\s+)?(?:changed|set|updated|moved)\b[^.\n]*?\bto\s+"
    r"[\"'«]?(on[ _-]hold|[a-z][\w-]*)"
    r"|\bstatus\s*[:=]\s*[\"'«]?(on[ _-]hold|[a-z][\w-]*)",
    re.IGNORECASE,
)


def normal_status(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    return re.sub(r"[\s_]+", "-", value.strip().lower())


@dataclass(frozen=True)
class Comment:
    at: datetime
    author: str  # customer | agent | system
    public: bool = True
    body: str = ""
    status: str | None = None  # the status this comment set, when the data says so


@dataclass(frozen=True)
class TicketRecord:
    ticket_id: str
    account_id: str
    created_at: datetime
    comments: tuple[Comment, ...] = ()  # in time order
    priority: str | None = None
    channel: str | None = None
    status: str | None = None  # current status (as of the last import)
    category: str | None = None
    subject: str = ""
    body: str = ""
    first_reply_at: datetime | None = None
    solved_at: datetime | None = None


@dataclass(frozen=True)
class Timeline:
    """A ticket as known at instant `at`."""

    at: datetime
    agent_created: bool
    replies: tuple[datetime, ...]  # public agent comments that count as replies
    customer_comments: tuple[datetime, ...]  # public customer comments after the opening
    pauses: tuple[Interval, ...]  # an unfinished pause ends at OPEN_END
    solved_at: datetime | None
    status_source: str  # comments | current-status | none

    @property
    def first_reply(self) -> datetime | None:
        return self.replies[0] if self.replies else None

    def paused_at(self, instant: datetime) -> bool:
        return any(a <= instant < b for a, b in self.pauses)


def timeline(
    ticket: TicketRecord,
    at: datetime,
    pause_statuses: frozenset[str],
    solved_statuses: frozenset[str],
) -> Timeline:
    pause_set = {normal_status(s) for s in pause_statuses}
    solved_set = {normal_status(s) for s in solved_statuses}
    comments = [c for c in ticket.comments if c.at <= at]
    opening = _opening(ticket)
    agent_created = opening is not None and opening.author == "agent"
    talk = [c for c in comments if c is not opening and c.public and c.at >= ticket.created_at]
    replies = [c.at for c in talk if c.author == "agent"]
    if not replies and ticket.first_reply_at is not None and ticket.first_reply_at <= at:
        # No reply among the comments (or no comments): the ticket's own figure.
        replies = [ticket.first_reply_at]
    customers = [c.at for c in talk if c.author == "customer"]

    changes = [(c.at, normal_status(c.status or _status_in_text(c))) for c in ticket.comments]
    known: list[tuple[datetime, str | None]] = [(t, s) for t, s in changes if s is not None]
    source = "comments" if known else "none"
    if not known:
        inferred = _inferred_pause(ticket, pause_set)
        if inferred is not None:
            known = [(inferred, normal_status(ticket.status))]
            source = "current-status"
    solved = ticket.solved_at if ticket.solved_at is not None and ticket.solved_at <= at else None
    if solved is None and ticket.solved_at is None:
        solved = next((t for t, s in known if s in solved_set and t <= at), None)
        if solved is None and normal_status(ticket.status) in solved_set and ticket.comments:
            last = ticket.comments[-1].at  # solved, date unknown: its last comment
            solved = last if last <= at else None
    pauses = _pauses(
        known,
        [c.at for c in comments if c.author == "customer" and c.public],
        pause_set,
        at,
        solved,
    )
    return Timeline(
        at, agent_created, tuple(replies), tuple(customers), tuple(pauses), solved, source
    )


def _opening(ticket: TicketRecord) -> Comment | None:
    for c in ticket.comments:
        if c.author == "system":
            continue
        return c if c.at <= ticket.created_at + OPENING_TOLERANCE else None
    return None


def _status_in_text(comment: Comment) -> str | None:
    if comment.author != "system" or not comment.body:
        return None
    match = _STATUS_TEXT.search(comment.body)
    return (match.group(1) or match.group(2)) if match else None


def _inferred_pause(ticket: TicketRecord, pause_set: set[str | None]) -> datetime | None:
    if normal_status(ticket.status) not in pause_set or not ticket.comments:
        return None
    last = next((c for c in reversed(ticket.comments) if c.author != "system"), None)
    if last is not None and last.author == "agent" and last.public:
        return last.at
    return None


def _pauses(
    changes: Sequence[tuple[datetime, str | None]],
    customer_comments: list[datetime],
    pause_set: set[str | None],
    at: datetime,
    solved: datetime | None,
) -> list[Interval]:
    events = sorted(
        [(t, s) for t, s in changes if t <= at] + [(t, "__customer__") for t in customer_comments]
    )
    pauses: list[Interval] = []
    started: datetime | None = None
    for t, status in events:
        if solved is not None and t > solved:
            break
        if status in pause_set:
            started = started or t
        elif started is not None:
            pauses.append((started, t))
            started = None
    if started is not None:
        pauses.append((started, OPEN_END))
    return pauses
