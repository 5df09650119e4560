"""Support tickets and their conversations.

Volume grows with the number of users and with trouble (low health); topics follow a
skewed mix with one or two emerging issues at the end of history. Reply times mostly meet
the first-reply targets (hours per priority, business hours for normal and low) and
sometimes breach them; escalated tickets drag on or stay open.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from csops.demo.catalog import CHANNELS, FIRST_REPLY_HOURS, PRIORITIES, SUPPORT_AGENTS
from csops.demo.contacts import Contact, reachable
from csops.demo.records import Comment, Response, Ticket
from csops.demo.story import Story
from csops.demo.support_text import (
    TOPICS,
    agent_reply,
    customer_follow_up,
    customer_message,
    internal_note,
    phone_note,
    slots,
    system_comment,
)
from csops.demo.timeline import DAY, Calendar

HOUR = 3600
_TIER_WEIGHTS = np.array(
    [[t.weight if t.min_tier <= tier else 0.0 for t in TOPICS] for tier in range(4)]
)
_EMERGING = np.array([t.emerging_days for t in TOPICS])
_BILLING = [i for i, t in enumerate(TOPICS) if t.key == "payment_failed"][0]
_BUGS = [
    i for i, t in enumerate(TOPICS) if t.category in ("Reporting", "Bug") or t.priority == "high"
]
_CHANNEL_P = np.array([w for _, w in CHANNELS])
_WEEKEND = np.array([1, 1, 1, 1, 1, 0.25, 0.2])


def add_business_hours(start: int, hours: float, utc_offset: int) -> int:
    """`start` plus `hours` counted Mon–Fri 08:00–18:00 in the customer's time zone."""
    local = start + utc_offset * HOUR
    left = hours * HOUR
    while True:
        day, sec = divmod(local, DAY)
        weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
        open_, close = 8 * HOUR, 18 * HOUR
        if weekday >= 5 or sec >= close:
            local = (day + 1) * DAY + open_
            continue
        if sec < open_:
            local = day * DAY + open_
            continue
        room = close - sec
        if left <= room:
            return int(local + left) - utc_offset * HOUR
        left -= room
        local = (day + 1) * DAY + open_


class _Thread:
    """A ticket's comments in time order; anything at or after the end of history is cut."""

    def __init__(self, ticket_id: str, end: int) -> None:
        self.ticket_id = ticket_id
        self.end = end
        self.comments: list[Comment] = []

    def add(self, kind: str, author: str, at: int, body: str, public: bool = True) -> int:
        at = max(at, self.comments[-1].created + 1) if self.comments else at
        if at < self.end:
            self.comments.append(Comment(self.ticket_id, kind, author, at, body, public))
        return at


def _reply_delay(
    rng: np.random.Generator, created: int, priority: str, tz: int, backlog: float
) -> int:
    target, business = FIRST_REPLY_HOURS[priority]
    ratio = math.exp(rng.normal(math.log(0.4), 0.75)) * backlog
    hours = target * ratio
    if business:
        return add_business_hours(created, hours, tz)
    return created + int(hours * HOUR) + 30


def account_tickets(
    story: Story, contacts: list[Contact], cal: Calendar, rng: np.random.Generator
) -> tuple[list[Ticket], list[Comment], list[Response]]:
    account = story.account
    active = story.active_days(cal)
    tiers = story.tier_by_day(cal)
    join = np.array([u.join for u in story.users])
    leave = np.array([u.leave for u in story.users])
    seats_by_day = _seats_by_day(story, cal)
    plans: list[tuple[int, int, str]] = []  # (day, topic index, why)
    for m in np.flatnonzero(story.customer).tolist():
        lo, hi = int(cal.month_starts[m]), int(cal.month_starts[m + 1])
        days = np.flatnonzero(active[lo:hi]) + lo
        if days.size == 0:
            continue
        users = int(((join <= days[0]) & (leave > days[0])).sum())
        h = float(story.health[m])
        lam = account.segment.tickets_per_user * max(users, 1) ** 0.6 * (1 + 0.6 * max(0.0, -h))
        weights = _WEEKEND[cal.weekday[days]]
        picks = rng.choice(days, size=int(rng.poisson(lam)), p=weights / weights.sum())
        for day in picks.tolist():
            plans.append((day, _topic(rng, tiers[day], day, cal.days), ""))
        if story.escalation[m]:
            plans.append((int(rng.choice(days)), int(rng.choice(_BUGS)), "escalated"))
    for day in story.failed_charges:
        if 0 <= day < cal.days and active[day] and rng.random() < 0.45:
            plans.append((min(day + int(rng.integers(0, 3)), cal.days - 1), _BILLING, ""))
    plans.sort()
    tickets: list[Ticket] = []
    comments: list[Comment] = []
    responses: list[Response] = []
    for number, (day, topic_index, why) in enumerate(plans, start=1):
        ticket_id = f"tkt_{account.account_id[4:]}_{number:03d}"
        ticket, thread, response = _ticket(
            story,
            contacts,
            cal,
            rng,
            ticket_id,
            day,
            topic_index,
            why == "escalated",
            int(tiers[day]),
            int(seats_by_day[day]),
        )
        tickets.append(ticket)
        comments.extend(thread)
        if response is not None:
            responses.append(response)
    return tickets, comments, responses


def _seats_by_day(story: Story, cal: Calendar) -> npt.NDArray[np.int64]:
    seats = np.zeros(cal.days, dtype=np.int64)
    for line in story.core_lines():
        end = cal.days if line.end is None else min(line.end, cal.days)
        seats[max(line.start, 0) : max(end, 0)] = line.seats
    return seats


def _topic(rng: np.random.Generator, tier: int, day: int, days: int) -> int:
    weights = _TIER_WEIGHTS[tier].copy()
    recent = (_EMERGING > 0) & (day >= days - _EMERGING)
    weights[_EMERGING > 0] *= 0.15
    weights[recent] *= 60.0  # the new issue swamps the queue
    return int(rng.choice(len(TOPICS), p=weights / weights.sum()))


def _ticket(
    story: Story,
    contacts: list[Contact],
    cal: Calendar,
    rng: np.random.Generator,
    ticket_id: str,
    day: int,
    topic_index: int,
    escalated: bool,
    tier: int,
    seats: int,
) -> tuple[Ticket, list[Comment], Response | None]:
    topic = TOPICS[topic_index]
    account = story.account
    tz = account.region.utc_offset
    h = float(np.nan_to_num(story.health[cal.month_of(day)]))
    roles = ("billing", "admin") if topic.billing else ("admin", "champion", "user")
    requester = _pick(rng, reachable(contacts, day, roles))
    colleague = _pick(rng, reachable(contacts, day))
    agent_name, agent_email = SUPPORT_AGENTS[int(rng.integers(len(SUPPORT_AGENTS)))]
    local = float(np.clip(rng.normal(13.0, 3.0), 5.0, 23.5))
    created = cal.epoch(day, int((local - tz) * HOUR) % DAY + int(rng.integers(0, 60)))
    values = slots(rng, story, requester, colleague, tier, seats, created, agent_name)

    channel = CHANNELS[int(rng.choice(len(CHANNELS), p=_CHANNEL_P))][0]
    priority = topic.priority
    if escalated:
        priority = "urgent" if rng.random() < 0.5 else "high"
    elif rng.random() < 0.25:
        shift = 1 if (h < -0.8 or rng.random() < 0.4) else -1
        priority = PRIORITIES[min(3, max(0, PRIORITIES.index(priority) + shift))]
    urgent = priority == "urgent"
    thread = _Thread(ticket_id, cal.end_epoch)
    if channel == "phone":
        subject, body = phone_note(rng, topic, values)
        thread.add("agent", agent_email, created, body)
    else:
        subject, body = customer_message(rng, topic, values, channel, urgent)
        thread.add("customer", requester.email, created, body)
        if rng.random() < 0.35:
            thread.add("system", "", created + 1, system_comment("created", channel=channel))
    if rng.random() < 0.5:
        group = "Billing" if topic.billing else ("Tier 2" if escalated else "Tier 1")
        thread.add(
            "system",
            "",
            created + int(rng.integers(20, 400)),
            system_comment("assigned", group=group),
        )

    backlog = 1.8 if (_EMERGING[topic_index] and day >= cal.days - 30) else 1.0
    rounds = int(min(rng.geometric(0.55) - 1, 4)) + (2 if escalated else 0)
    at = created
    if channel != "phone":
        at = _reply_delay(rng, created, priority, tz, backlog)
        target, _ = FIRST_REPLY_HOURS[priority]
        if (at - created) > target * HOUR * 1.5 and rng.random() < 0.5:
            thread.add("system", "", created + int(target * HOUR), system_comment("breach"))
        at = thread.add("agent", agent_email, at, agent_reply(rng, topic, values, rounds == 0))
    if escalated:
        thread.add(
            "system", "", at + 60, system_comment("priority", old=topic.priority, new=priority)
        )
        thread.add("agent", agent_email, at + 300, internal_note(rng, values, True), False)
        thread.add("system", "", at + 360, system_comment("escalated", group="Engineering"))
    for r in range(rounds):
        at += int(rng.uniform(0.5, 30) * HOUR)
        at = thread.add("customer", requester.email, at, customer_follow_up(rng, values, False))
        if rng.random() < 0.3:
            at = thread.add(
                "agent",
                agent_email,
                at + int(rng.integers(600, 7200)),
                internal_note(rng, values, False),
                False,
            )
        wait = rng.uniform(2, 120) if escalated else rng.uniform(0.3, 20)
        last = r == rounds - 1
        at = thread.add(
            "agent", agent_email, at + int(wait * HOUR), agent_reply(rng, topic, values, last)
        )
    if channel == "phone":
        at = thread.add(
            "agent",
            agent_email,
            at + int(rng.uniform(0.5, 6) * HOUR),
            agent_reply(rng, topic, values, True),
        )
    never_solved = escalated and rng.random() < 0.35
    solved: int | None = None
    if not never_solved:
        solved = at
        if rng.random() < 0.4:
            thanks = at + int(rng.uniform(0.2, 20) * HOUR)
            solved = thread.add(
                "customer", requester.email, thanks, customer_follow_up(rng, values, True)
            ) + int(rng.integers(300, 7200))
    if solved is not None and solved >= cal.end_epoch:
        solved = None
    agent_public = [c.created for c in thread.comments if c.author_kind == "agent" and c.public]
    first_reply = agent_public[0] if agent_public else None
    csat: int | None = None
    response: Response | None = None
    if solved is not None:
        status = "solved"
        if solved + 4 * DAY < cal.end_epoch:
            status = "closed"
            thread.add("system", "", solved + 4 * DAY, system_comment("closed"))
        answered = solved + int(rng.uniform(1, 48) * HOUR)
        if rng.random() < 0.3 and answered < cal.end_epoch:
            slow = first_reply is not None and first_reply - created > 8 * HOUR
            mood = 4.3 + 0.5 * h - 0.8 * slow - 1.2 * escalated - 0.25 * rounds
            csat = int(np.clip(round(mood + rng.normal(0, 0.8)), 1, 5))
            response = Response("csat", csat, answered, requester.contact_id, "")
    else:
        last = thread.comments[-1]
        if first_reply is None:
            status = "new"
        else:
            status = "pending" if last.author_kind == "agent" and last.public else "open"
    category = topic.category if rng.random() < 0.5 else ""
    ticket = Ticket(
        ticket_id=ticket_id,
        subject=subject,
        body=body,
        requester_email=requester.email,
        channel=channel,
        priority=priority,
        status=status,
        category=category,
        created=created,
        first_reply=first_reply,
        solved=solved,
        csat=csat,
        assignee_email=agent_email,
    )
    return ticket, thread.comments, response


def _pick(rng: np.random.Generator, contacts: list[Contact]) -> Contact:
    return contacts[int(rng.integers(len(contacts)))]
