"""Ticket wording: fills a topic's templates and wraps them the way people write e-mail."""

from __future__ import annotations

import datetime as dt

import numpy as np

from csops.demo.catalog import PLANS
from csops.demo.contacts import Contact
from csops.demo.names import FIRST_NAMES, LAST_NAMES, person_email, phone_number
from csops.demo.story import Story
from csops.demo.texts import phrases as P
from csops.demo.texts.topic import Topic
from csops.demo.texts.topics_account import ACCOUNT_TOPICS
from csops.demo.texts.topics_product import PRODUCT_TOPICS

TOPICS: tuple[Topic, ...] = ACCOUNT_TOPICS + PRODUCT_TOPICS
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _one(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    return options[int(rng.integers(len(options)))]


def slots(
    rng: np.random.Generator,
    story: Story,
    requester: Contact,
    colleague: Contact,
    tier: int,
    seats: int,
    created: int,
    agent: str,
) -> dict[str, str]:
    """Every `{slot}` a template may use, drawn once per ticket."""
    account = story.account
    when = dt.datetime.fromtimestamp(created, dt.UTC)
    previous = when - dt.timedelta(days=int(rng.integers(20, 200)))
    customer = person_email(_one(rng, FIRST_NAMES), _one(rng, LAST_NAMES), "gmail.com")
    values = {key: _one(rng, options) for key, options in P.SLOT_VALUES.items()}
    values.update(
        first=requester.first,
        last=requester.last,
        title=requester.title,
        company=account.name.split(" (")[0],
        domain=account.domain,
        phone=requester.phone if rng.random() < 0.7 else phone_number(rng, account.region),
        colleague=colleague.name,
        colleague_email=colleague.email,
        customer_email=customer,
        plan=PLANS[tier].name,
        seats=str(seats),
        n=str(int(rng.choice([3, 5, 10, 12, 25, 40, 150, 2500, 80000]))),
        month=previous.strftime("%B"),
        invoice=f"INV-{int(rng.integers(10_000, 99_999))}",
        agent=agent,
        csm=account.owner_email,
        weekday=_WEEKDAYS[previous.weekday()],
        quoted_date=previous.strftime("%b %d, %Y"),
        quoted_time=previous.strftime("%H:%M"),
    )
    return values


def customer_message(
    rng: np.random.Generator, topic: Topic, values: dict[str, str], channel: str, urgent: bool
) -> tuple[str, str]:
    """Subject and body of the opening message."""
    subject = _one(rng, topic.subjects).format_map(values)
    if urgent and rng.random() < 0.5:
        subject = f"URGENT: {subject}"
    elif channel == "email" and rng.random() < 0.06:
        subject = f"Re: {subject}"
    core = _one(rng, topic.bodies).format_map(values)
    if channel == "chat":  # chats are short and informal
        return subject, core
    parts = []
    greeting = _one(rng, P.GREETINGS)
    if greeting:
        parts.append(greeting)
    text = core
    if rng.random() < 0.45:
        text += " " + _one(rng, P.CONTEXT).format_map(values)
    if urgent or rng.random() < 0.1:
        text += " " + _one(rng, P.URGENCY)
    parts.append(text)
    if rng.random() < 0.2:
        parts.append(_one(rng, P.PII_LINES).format_map(values))
    closing = _one(rng, P.CLOSINGS)
    signature = _one(rng, P.SIGNATURES).format_map(values)
    parts.append(f"{closing}\n{signature}" if closing else signature)
    body = "\n\n".join(parts)
    if channel == "email" and rng.random() < 0.1:
        quoted = _one(rng, topic.answers).format_map(values).split(". ")[0]
        body += "\n\n> " + P.QUOTE_HEADER.format_map(values) + "\n> " + quoted + "."
    return subject, body


def phone_note(rng: np.random.Generator, topic: Topic, values: dict[str, str]) -> tuple[str, str]:
    """An agent logging a phone call as a new ticket."""
    subject = _one(rng, topic.subjects).format_map(values)
    summary = _one(rng, topic.bodies).format_map(values)
    return subject, f"Phone call with {values['first']} {values['last']}: {summary}"


def agent_reply(
    rng: np.random.Generator, topic: Topic, values: dict[str, str], solution: bool
) -> str:
    middle = _one(rng, topic.answers if solution else P.AGENT_ACKS).format_map(values)
    closer = _one(rng, P.AGENT_CLOSERS)
    opener = _one(rng, P.AGENT_OPENERS)
    text = f"Hi {values['first']},\n\n{opener} {middle}"
    if closer:
        text += f"\n\n{closer}"
    return f"{text}\n\nBest,\n{values['agent']}\nLumora Support"


def customer_follow_up(rng: np.random.Generator, values: dict[str, str], thanks: bool) -> str:
    text = _one(rng, P.CUSTOMER_THANKS if thanks else P.CUSTOMER_FOLLOWUPS).format_map(values)
    if rng.random() < 0.5:
        text += f"\n\n{values['first']}"
    return text


def internal_note(rng: np.random.Generator, values: dict[str, str], escalated: bool) -> str:
    if escalated:
        return P.INTERNAL_NOTES[2].format_map(values)
    return _one(rng, P.INTERNAL_NOTES).format_map(values)


def system_comment(kind: str, **fields: str) -> str:
    return P.SYSTEM_COMMENTS[kind].format_map(fields)
