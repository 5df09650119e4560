"""Generates the whole demo company, a chunk of accounts at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np

from csops.demo import rows
from csops.demo.accounts import Account, make_accounts
from csops.demo.billing import invoices
from csops.demo.contacts import make_contacts
from csops.demo.dice import Dice
from csops.demo.engagement import activities, surveys
from csops.demo.lifecycle import simulate_account
from csops.demo.names import NameBook
from csops.demo.records import Response
from csops.demo.story import Story
from csops.demo.support import account_tickets
from csops.demo.timeline import Calendar
from csops.demo.usage import chunk_events
from csops.demo.writer import CompanyWriter

Progress = Callable[[str, int, int], None]
CHUNK = 500  # accounts simulated and written together; bounds memory at any size

# Independent random streams per chunk, so a change in how tickets are drawn does not
# reshuffle the usage events (and vice versa).
_PROFILES, _LIFE, _USAGE, _SUPPORT, _ENGAGEMENT, _BILLING, _HELP = range(7)


def generate_company(
    out_dir: Path,
    *,
    accounts: int = 2000,
    months: int = 24,
    seed: int = 7,
    end: dt.date,
    progress: Progress | None = None,
) -> dict[str, list[Path]]:
    """Writes a believable B2B SaaS company as data-contract files into out_dir; returns
    {entity: [paths]}.

    History covers `months` months up to `end` (exclusive): every timestamp is before
    `end` 00:00 UTC. The same arguments always give byte-identical files.
    """
    if accounts < 1:
        raise ValueError("accounts must be at least 1")
    if months < 1:
        raise ValueError("months must be at least 1")
    cal = Calendar.ending(end, months)
    width = max(6, len(str(accounts)))
    names = NameBook()
    out_dir.mkdir(parents=True, exist_ok=True)
    with CompanyWriter(out_dir, cal) as writer:
        for chunk, first in enumerate(range(0, accounts, CHUNK)):
            numbers = range(first + 1, min(accounts, first + CHUNK) + 1)

            def stream(kind: int, chunk: int = chunk) -> np.random.Generator:
                return np.random.default_rng([seed, chunk, kind])

            profiles = make_accounts(Dice(stream(_PROFILES)), cal, numbers, width, names)
            life = Dice(stream(_LIFE))
            stories = [simulate_account(a, cal, life) for a in profiles]
            _write_accounts(writer, stories, cal, stream)
            writer.events(
                chunk_events(stories, cal, stream(_USAGE)), [a.account_id for a in profiles]
            )
            if progress is not None:
                progress("accounts", numbers.stop - 1, accounts)
        return writer.finish()


def _write_accounts(
    writer: CompanyWriter,
    stories: list[Story],
    cal: Calendar,
    stream: Callable[[int], np.random.Generator],
) -> None:
    support, engagement = Dice(stream(_SUPPORT)), Dice(stream(_ENGAGEMENT))
    billing, help_center = Dice(stream(_BILLING)), Dice(stream(_HELP))
    reads: list[tuple[str, str, str, int, str]] = []
    for story in stories:
        account: Account = story.account
        contacts = make_contacts(story, engagement, cal.days)
        tickets, comments, csat, articles = account_tickets(
            story, contacts, cal, support, help_center
        )
        reads.extend(
            (account.account_id, e.contact.contact_id, e.kind, e.at, e.properties) for e in articles
        )
        responses = sorted(
            csat + surveys(story, contacts, cal, engagement),
            key=lambda r: (r.responded, r.kind, r.contact_id),
        )
        _number(responses, account)
        touches = activities(story, contacts, cal, engagement)
        for i, activity in enumerate(touches, start=1):
            activity.activity_id = f"act_{account.account_id[4:]}_{i:03d}"
        writer.rows("accounts", [rows.account_row(account)])
        writer.rows("contacts", rows.contact_rows(account, contacts, cal))
        writer.rows("subscriptions", rows.subscription_rows(account, story.lines, cal))
        writer.rows("tickets", rows.ticket_rows(account, tickets))
        writer.rows("ticket_comments", rows.comment_rows(comments))
        writer.rows("surveys", rows.survey_rows(account, responses))
        writer.rows("activities", rows.activity_rows(account, touches))
        writer.rows("invoices", rows.invoice_rows(account, invoices(story, cal, billing), cal))
    writer.contact_events(reads)


def _number(responses: list[Response], account: Account) -> None:
    for i, response in enumerate(responses, start=1):
        response.response_id = f"svy_{account.account_id[4:]}_{i:03d}"
