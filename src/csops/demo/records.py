"""Rows as the simulation hands them to the writer (times in epoch seconds, days as
offsets); the writer formats them into the data contract."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Ticket:
    ticket_id: str
    subject: str
    body: str
    requester_email: str
    channel: str
    priority: str
    status: str
    category: str
    created: int
    first_reply: int | None
    solved: int | None
    csat: int | None
    assignee_email: str


@dataclass(slots=True)
class Comment:
    comment_id: str
    ticket_id: str
    author_kind: str  # customer, agent, system
    author_email: str
    created: int
    body: str
    public: bool


@dataclass(slots=True)
class Response:
    """A survey answer; ids are given once all of an account's answers are known."""

    kind: str  # nps, csat, ces
    score: int
    responded: int
    contact_id: str
    comment: str
    response_id: str = ""


@dataclass(slots=True)
class Activity:
    kind: str  # call, meeting, email, qbr, note
    occurred: int
    owner_email: str
    summary: str
    activity_id: str = ""


@dataclass(slots=True)
class Invoice:
    invoice_id: str
    subscription_id: str
    amount: float
    issued: int  # day
    due: int  # day
    paid: int | None  # epoch seconds
    status: str  # paid, open, failed, void
    period_start: int
    period_end: int
