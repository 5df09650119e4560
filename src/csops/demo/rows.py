"""Formats simulated records as CSV rows in `writer.COLUMNS` order."""

from __future__ import annotations

from collections.abc import Iterator

from csops.demo.accounts import Account
from csops.demo.catalog import CURRENCY
from csops.demo.contacts import Contact
from csops.demo.records import Activity, Comment, Invoice, Response, Ticket
from csops.demo.story import Line, user_id
from csops.demo.timeline import Calendar
from csops.demo.writer import flag, money, timestamp

Row = tuple[str, ...]


def account_row(a: Account) -> Row:
    return (
        a.account_id,
        a.name,
        a.segment.name,
        a.industry,
        a.region.name,
        a.owner_email,
        timestamp(a.created_at),
        a.parent_account_id or "",
        a.country,
        str(a.employees),
        a.domain,
    )


def contact_rows(account: Account, contacts: list[Contact], cal: Calendar) -> Iterator[Row]:
    for c in contacts:
        yield (
            c.contact_id,
            account.account_id,
            c.email,
            c.name,
            c.role,
            flag(c.is_primary),
            c.title,
            c.phone,
            "" if c.user is None else user_id(account.account_id, c.user),
            timestamp(max(account.created_at, cal.epoch(c.since, c.added_at))),
        )


def subscription_rows(account: Account, lines: list[Line], cal: Calendar) -> Iterator[Row]:
    for line in lines:
        yield (
            line.subscription_id,
            account.account_id,
            money(line.mrr),
            cal.date_of(line.start).isoformat(),
            "" if line.end is None else cal.date_of(line.end).isoformat(),
            line.plan,
            line.product,
            str(line.seats),
            str(line.period),
            f"{line.discount:.2f}",
            CURRENCY,
        )


def ticket_rows(account: Account, tickets: list[Ticket]) -> Iterator[Row]:
    for t in tickets:
        yield (
            t.ticket_id,
            account.account_id,
            t.subject,
            timestamp(t.created),
            t.body,
            t.requester_email,
            t.channel,
            t.priority,
            t.status,
            t.category,
            timestamp(t.first_reply),
            timestamp(t.solved),
            "" if t.csat is None else str(t.csat),
            t.assignee_email,
        )


def comment_rows(comments: list[Comment]) -> Iterator[Row]:
    for c in comments:
        yield (
            c.comment_id,
            c.ticket_id,
            c.author_kind,
            timestamp(c.created),
            c.body,
            flag(c.public),
            c.author_email,
        )


def survey_rows(account: Account, responses: list[Response]) -> Iterator[Row]:
    for r in responses:
        yield (
            r.response_id,
            account.account_id,
            r.kind,
            str(r.score),
            timestamp(r.responded),
            r.contact_id,
            r.comment,
        )


def activity_rows(account: Account, activities: list[Activity]) -> Iterator[Row]:
    for a in activities:
        yield (
            a.activity_id,
            account.account_id,
            a.kind,
            timestamp(a.occurred),
            a.owner_email,
            a.summary,
        )


def invoice_rows(account: Account, invoices: list[Invoice], cal: Calendar) -> Iterator[Row]:
    for i in invoices:
        yield (
            i.invoice_id,
            account.account_id,
            money(i.amount),
            cal.date_of(i.due).isoformat(),
            timestamp(i.paid),
            i.status,
            CURRENCY,
            i.subscription_id,
            cal.date_of(i.issued).isoformat(),
            cal.date_of(i.period_start).isoformat(),
            cal.date_of(i.period_end).isoformat(),
        )
