"""Ticket wording: fills a topic's templates and wraps them the way people write e-mail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from csops.demo.catalog import PLANS
from csops.demo.contacts import Contact
from csops.demo.dice import Dice
from csops.demo.names import FIRST_NAMES, LAST_NAMES, person_email, phone_number
from csops.demo.story import Story
from csops.demo.texts import phrases as P
from csops.demo.texts.slots import Slots
from csops.demo.texts.topic import Topic
from csops.demo.texts.topics_account import ACCOUNT_TOPICS
from csops.demo.texts.topics_general import GENERAL_TOPICS
from csops.demo.texts.topics_product import PRODUCT_TOPICS

TOPICS: tuple[Topic, ...] = ACCOUNT_TOPICS + PRODUCT_TOPICS + GENERAL_TOPICS
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def slots(
    dice: Dice,
    story: Story,
    requester: Contact,
    colleague: Contact,
    tier: int,
    seats: int,
    created: int,
    agent: str,
) -> Slots:
    """Every `{slot}` a template may use; random ones are drawn when first used."""
    account = story.account

    def previous() -> dt.datetime:  # an earlier conversation the customer quotes
        if "_previous" not in cache:
            days = dice.integer(20, 200)
            cache["_previous"] = dt.datetime.fromtimestamp(created - days * 86_400, dt.UTC)
        return cache["_previous"]

    cache: dict[str, dt.datetime] = {}
    draw: dict[str, Callable[[], str]] = dict(
        phone=lambda: requester.phone if dice.chance(0.7) else phone_number(dice, account.region),
        customer_email=lambda: person_email(
            dice.pick(FIRST_NAMES), dice.pick(LAST_NAMES), "gmail.com"
        ),
        n=lambda: str(dice.pick((3, 5, 10, 12, 25, 40, 150, 2500, 80000))),
        invoice=lambda: f"INV-{dice.integer(10_000, 99_999)}",
        month=lambda: previous().strftime("%B"),
        weekday=lambda: _WEEKDAYS[previous().weekday()],
        quoted_date=lambda: previous().strftime("%b %d, %Y"),
        quoted_time=lambda: previous().strftime("%H:%M"),
    )
    fixed = {
        "first": requester.first,
        "last": requester.last,
        "title": requester.title,
        "company": account.name.split(" (")[0],
        "domain": account.domain,
        "colleague": colleague.name,
        "colleague_email": colleague.email,
        "plan": PLANS[tier].name,
        "seats": str(seats),
        "agent": agent,
        "csm": account.owner_email,
    }
    return Slots(dice, fixed, P.SLOT_VALUES, draw)


def customer_message(
    dice: Dice, topic: Topic, values: Slots, channel: str, urgent: bool
) -> tuple[str, str]:
    """Subject and body of the opening message."""
    subject = dice.pick(topic.subjects).format_map(values)
    if urgent and dice.random() < 0.5:
        subject = f"URGENT: {subject}"
    elif channel == "email" and dice.random() < 0.06:
        subject = f"Re: {subject}"
    core = dice.pick(topic.bodies).format_map(values)
    if channel == "chat":  # chats are short and informal
        return subject, core
    parts = []
    greeting = dice.pick(P.GREETINGS)
    if greeting:
        parts.append(greeting)
    text = core
    if dice.random() < 0.45:
        text += " " + dice.pick(P.CONTEXT).format_map(values)
    if urgent or dice.random() < 0.1:
        text += " " + dice.pick(P.URGENCY)
    parts.append(text)
    if dice.random() < 0.2:
        parts.append(dice.pick(P.PII_LINES).format_map(values))
    closing = dice.pick(P.CLOSINGS)
    signature = dice.pick(P.SIGNATURES).format_map(values)
    parts.append(f"{closing}\n{signature}" if closing else signature)
    body = "\n\n".join(parts)
    if channel == "email" and dice.random() < 0.1:
        quoted = dice.pick(topic.answers).format_map(values).split(". ")[0]
        body += "\n\n> " + P.QUOTE_HEADER.format_map(values) + "\n> " + quoted + "."
    return subject, body


def phone_note(dice: Dice, topic: Topic, values: Slots) -> tuple[str, str]:
    """An agent logging a phone call as a new ticket."""
    subject = dice.pick(topic.subjects).format_map(values)
    summary = dice.pick(topic.bodies).format_map(values)
    return subject, f"Phone call with {values['first']} {values['last']}: {summary}"


def agent_reply(dice: Dice, topic: Topic, values: Slots, solution: bool) -> str:
    middle = dice.pick(topic.answers if solution else P.AGENT_ACKS).format_map(values)
    closer = dice.pick(P.AGENT_CLOSERS)
    opener = dice.pick(P.AGENT_OPENERS)
    text = f"Hi {values['first']},\n\n{opener} {middle}"
    if closer:
        text += f"\n\n{closer}"
    return f"{text}\n\nBest,\n{values['agent']}\nLumora Support"


def customer_follow_up(dice: Dice, values: Slots, thanks: bool) -> str:
    text = dice.pick(P.CUSTOMER_THANKS if thanks else P.CUSTOMER_FOLLOWUPS).format_map(values)
    if dice.random() < 0.5:
        text += f"\n\n{values['first']}"
    return text


def internal_note(dice: Dice, values: Slots, escalated: bool) -> str:
    if escalated:
        return P.INTERNAL_NOTES[2].format_map(values)
    return dice.pick(P.INTERNAL_NOTES).format_map(values)


def system_comment(kind: str, **fields: str) -> str:
    return P.SYSTEM_COMMENTS[kind].format_map(fields)
