"""Support tickets and their conversations.

Volume grows with the number of users and with trouble (low health); topics follow a
skewed mix with one or two emerging issues at the end of history. Reply times mostly meet
the first-reply targets (hours per priority, business hours for normal and low) and
sometimes breach them; escalated tickets drag on or stay open.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from csops.demo.catalog import CHANNELS, FIRST_REPLY_HOURS, PRIORITIES, SUPPORT_AGENTS
from csops.demo.contacts import Contact, reachable
from csops.demo.dice import Dice
from csops.demo.help_center import ArticleEvent, live_article, place, self_service
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
from csops.demo.texts.slots import Slots
from csops.demo.texts.topic import Topic
from csops.demo.timeline import DAY, Calendar

HOUR = 3600
_EMERGING = tuple(i for i, t in enumerate(TOPICS) if t.emerging_days)
_BILLING = next(i for i, t in enumerate(TOPICS) if t.key == "payment_failed")
_BUGS = tuple(
    i for i, t in enumerate(TOPICS) if t.category in ("Reporting", "Bug") or t.priority == "high"
)
_CHANNEL_CDF = list(itertools.accumulate(w for _, w in CHANNELS))
_DAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 1.0, 0.25, 0.2)  # Monday first: few weekend tickets


def add_business_hours(start: int, hours: float, utc_offset: int) -> int:
    """`start` plus `hours` counted Mon-Fri 08:00-18:00 in the customer's time zone."""
    local = start + utc_offset * HOUR
    left = hours * HOUR
    open_, close = 8 * HOUR, 18 * HOUR
    while True:
        day, sec = divmod(local, DAY)
        weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
        if weekday >= 5 or sec >= close:
            local = (day + 1) * DAY + open_
        elif sec < open_:
            local = day * DAY + open_
        elif left <= close - sec:
            return int(local + left) - utc_offset * HOUR
        else:
            left -= close - sec
            local = (day + 1) * DAY + open_


@functools.lru_cache(maxsize=64)
def _topic_cdf(tier: int, recent: tuple[bool, ...]) -> list[float]:
    """Topic weights for a plan tier; emerging topics are rare until their surge."""
    weights = [t.weight if t.min_tier <= tier else 0.0 for t in TOPICS]
    for index, surging in zip(_EMERGING, recent, strict=True):
        weights[index] *= 9.0 if surging else 0.15
    return list(itertools.accumulate(weights))


def _topic(dice: Dice, tier: int, day: int, days: int) -> int:
    recent = tuple(day >= days - TOPICS[i].emerging_days for i in _EMERGING)
    return dice.weighted(_topic_cdf(tier, recent))


def _plan_tickets(story: Story, cal: Calendar, dice: Dice) -> list[tuple[int, int, bool]]:
    """(day, topic, escalated) of every ticket the account will open, in time order."""
    active = story.active_days(cal)
    tiers = story.tier_by_day(cal)
    months = np.flatnonzero(story.customer)
    starts = cal.month_starts[months]
    join = np.array([u.join for u in story.users])[:, None]
    leave = np.array([u.leave for u in story.users])[:, None]
    users = ((join <= starts) & (leave > starts)).sum(axis=0)
    trouble = 1 + 0.6 * np.maximum(0.0, -story.health[months])
    rates = story.account.segment.tickets_per_user * np.maximum(users, 1) ** 0.6 * trouble
    weekday = cal.weekday
    plans: list[tuple[int, int, bool]] = []

    def some_day(lo: int, hi: int) -> int | None:
        for _ in range(30):
            day = dice.integer(lo, hi)
            if active[day] and dice.random() < _DAY_WEIGHT[weekday[day]]:
                return day
        return None

    for m, rate in zip(months.tolist(), rates.tolist(), strict=True):
        lo, hi = int(cal.month_starts[m]), int(cal.month_starts[m + 1])
        for _ in range(dice.poisson(rate)):
            day = some_day(lo, hi)
            if day is not None:
                plans.append((day, _topic(dice, int(tiers[day]), day, cal.days), False))
        if story.escalation[m] and (day := some_day(lo, hi)) is not None:
            plans.append((day, dice.pick(_BUGS), True))
    for day in story.failed_charges:
        if 0 <= day < cal.days and active[day] and dice.chance(0.45):
            plans.append((min(day + dice.integer(0, 3), cal.days - 1), _BILLING, False))
    plans.sort()
    return plans


def account_tickets(
    story: Story, contacts: list[Contact], cal: Calendar, dice: Dice, help_dice: Dice
) -> tuple[list[Ticket], list[Comment], list[Response], list[ArticleEvent]]:
    """The account's tickets, their comments, the CSAT answers they drew, and the help-centre
    articles people read or were shown first (some of whom then never wrote in).
    `help_dice` is a stream of its own, so the help centre leaves the other draws alone."""
    seats = np.zeros(cal.days, dtype=np.int64)
    tiers = np.zeros(cal.days, dtype=np.int64)
    for line in story.core_lines():
        end = cal.days if line.end is None else min(line.end, cal.days)
        seats[max(line.start, 0) : max(end, 0)] = line.seats
        tiers[max(line.start, 0) : max(end, 0)] = line.tier
    tickets: list[Ticket] = []
    comments: list[Comment] = []
    responses: list[Response] = []
    articles: list[ArticleEvent] = []
    prefix = f"tkt_{story.account.account_id[4:]}"
    tz = story.account.region.utc_offset
    for day, index, escalated in _plan_tickets(story, cal, dice):
        topic = TOPICS[index]
        article = None if escalated else live_article(topic, day, cal)
        person, first = None, None
        if article is not None:
            person = help_dice.pick(reachable(contacts, day, _roles(topic)))
            first = self_service(help_dice, article, person, day, cal, tz)
            if first.solved:
                articles.extend(first.events)
                continue
        chat = _Conversation(story, contacts, cal, dice, day, topic, escalated, person)
        ticket = chat.run(f"{prefix}_{len(tickets) + 1:03d}", int(tiers[day]), int(seats[day]))
        tickets.append(ticket)
        comments.extend(chat.comments)
        if chat.response is not None:
            responses.append(chat.response)
        if first is not None:
            articles.extend(place(help_dice, first.events, ticket.created, cal.start_epoch))
    return tickets, comments, responses, articles


def _roles(topic: Topic) -> tuple[str, ...]:
    """Who writes in about a topic."""
    return ("billing", "admin") if topic.billing else ("admin", "champion", "user")


@dataclass(slots=True)
class _Conversation:
    """One ticket from the opening message to its outcome."""

    story: Story
    contacts: list[Contact]
    cal: Calendar
    dice: Dice
    day: int
    topic: Topic
    escalated: bool
    requester: Contact | None = None  # already chosen (they read an article first)
    ticket_id: str = ""
    comments: list[Comment] = field(default_factory=list)
    response: Response | None = None
    breached: bool = False  # first reply later than its target

    def say(self, kind: str, author: str, at: int, body: str, public: bool = True) -> int:
        """Add a comment no earlier than the previous one; drop it past the end of history."""
        if self.comments:
            at = max(at, self.comments[-1].created + 1)
        if at < self.cal.end_epoch:
            comment_id = f"cmt_{self.ticket_id[4:]}_{len(self.comments) + 1:02d}"
            self.comments.append(
                Comment(comment_id, self.ticket_id, kind, author, at, body, public)
            )
        return at

    def run(self, ticket_id: str, tier: int, seats: int) -> Ticket:
        dice, cal, topic = self.dice, self.cal, self.topic
        self.ticket_id = ticket_id
        tz = self.story.account.region.utc_offset
        requester = self.requester or dice.pick(reachable(self.contacts, self.day, _roles(topic)))
        colleague = dice.pick(reachable(self.contacts, self.day))
        agent_name, agent = dice.pick(SUPPORT_AGENTS)
        local = min(max(dice.normal(13.0, 3.0), 5.0), 23.5)
        created = cal.epoch(self.day, int((local - tz) * HOUR) % DAY + dice.integer(0, 60))
        values = slots(dice, self.story, requester, colleague, tier, seats, created, agent_name)
        channel = CHANNELS[dice.weighted(_CHANNEL_CDF)][0]
        priority = self._priority()

        at = created
        if channel == "phone":  # logged by the agent who took the call
            subject, body = phone_note(dice, topic, values)
            self.say("agent", agent, created, body)
        else:
            subject, body = customer_message(dice, topic, values, channel, priority == "urgent")
            self.say("customer", requester.email, created, body)
            if dice.chance(0.35):
                self.say("system", "", created + 1, system_comment("created", channel=channel))
        if dice.chance(0.5):
            group = "Billing" if topic.billing else ("Tier 2" if self.escalated else "Tier 1")
            when = created + dice.integer(20, 400)
            self.say("system", "", when, system_comment("assigned", group=group))
        rounds = min(self._geometric(0.55), 4) + (2 if self.escalated else 0)
        if channel != "phone":
            at = self._first_reply(created, priority, tz, values, agent, rounds == 0)
        if self.escalated:
            change = system_comment("priority", old=topic.priority, new=priority)
            self.say("system", "", at + 60, change)
            self.say("agent", agent, at + 300, internal_note(dice, values, True), False)
            self.say("system", "", at + 360, system_comment("escalated", group="Engineering"))
        for r in range(rounds):
            at = self.say(
                "customer",
                requester.email,
                at + int(dice.uniform(0.5, 30) * HOUR),
                customer_follow_up(dice, values, False),
            )
            if dice.chance(0.3):
                note = internal_note(dice, values, False)
                at = self.say("agent", agent, at + dice.integer(600, 7200), note, False)
            wait = dice.uniform(2, 120) if self.escalated else dice.uniform(0.3, 20)
            reply = agent_reply(dice, topic, values, r == rounds - 1)
            at = self.say("agent", agent, at + int(wait * HOUR), reply)
        if channel == "phone":
            reply = agent_reply(dice, topic, values, True)
            at = self.say("agent", agent, at + int(dice.uniform(0.5, 6) * HOUR), reply)
        solved = self._solve(at, requester, values)
        status, csat = self._outcome(solved, requester, rounds)
        public = [c.created for c in self.comments if c.author_kind == "agent" and c.public]
        return Ticket(
            ticket_id=ticket_id,
            subject=subject,
            body=body,
            requester_email=requester.email,
            channel=channel,
            priority=priority,
            status=status,
            category=topic.category if dice.chance(0.5) else "",
            created=created,
            first_reply=public[0] if public else None,
            solved=solved,
            csat=csat,
            assignee_email=agent,
        )

    def _geometric(self, p: float) -> int:
        """Failures before the first success."""
        return int(math.log(1.0 - self.dice.random()) / math.log(1.0 - p))

    def _priority(self) -> str:
        dice, priority = self.dice, self.topic.priority
        if self.escalated:
            return "urgent" if dice.chance(0.5) else "high"
        if dice.chance(0.25):
            h = float(np.nan_to_num(self.story.health[self.cal.month_of(self.day)]))
            shift = 1 if (h < -0.8 or dice.chance(0.4)) else -1
            return PRIORITIES[min(3, max(0, PRIORITIES.index(priority) + shift))]
        return priority

    def _first_reply(
        self,
        created: int,
        priority: str,
        tz: int,
        values: Slots,
        agent: str,
        solution: bool,
    ) -> int:
        """Usually within target (hours per priority, business hours for normal/low); the
        emerging issue's backlog and bad luck breach it."""
        target, business = FIRST_REPLY_HOURS[priority]
        surge = self.topic.emerging_days and self.day >= self.cal.days - 30
        hours = target * self.dice.lognormal(math.log(0.4), 0.75) * (1.8 if surge else 1.0)
        at = add_business_hours(created, hours, tz) if business else created + int(hours * HOUR)
        due = add_business_hours(created, target, tz) if business else created + target * HOUR
        self.breached = at + 30 > due
        if self.breached and self.dice.chance(0.5):
            self.say("system", "", int(due), system_comment("breach"))
        return self.say(
            "agent", agent, at + 30, agent_reply(self.dice, self.topic, values, solution)
        )

    def _solve(self, at: int, requester: Contact, values: Slots) -> int | None:
        """When the agent marks the ticket solved (None: still being worked on)."""
        dice = self.dice
        if self.escalated and dice.chance(0.35):
            if dice.chance(0.5):  # the customer chases the stuck ticket: it is "open" again
                chase = customer_follow_up(dice, values, False)
                self.say("customer", requester.email, at + int(dice.uniform(2, 72) * HOUR), chase)
            return None
        solved = at
        if dice.chance(0.4):
            thanks = customer_follow_up(dice, values, True)
            solved = self.say(
                "customer", requester.email, at + int(dice.uniform(0.2, 20) * HOUR), thanks
            ) + dice.integer(300, 7200)
        return solved if solved < self.cal.end_epoch else None

    def _outcome(
        self, solved: int | None, requester: Contact, rounds: int
    ) -> tuple[str, int | None]:
        dice, end = self.dice, self.cal.end_epoch
        if solved is None:
            talk = [c for c in self.comments if c.public and c.author_kind != "system"]
            if not any(c.author_kind == "agent" for c in talk):
                return "new", None
            return ("pending" if talk[-1].author_kind == "agent" else "open"), None
        status = "solved"
        if solved + 4 * DAY < end:
            status = "closed"
            self.say("system", "", solved + 4 * DAY, system_comment("closed"))
        answered = solved + int(dice.uniform(1, 48) * HOUR)
        if not (dice.chance(0.3) and answered < end):
            return status, None
        h = float(np.nan_to_num(self.story.health[self.cal.month_of(self.day)]))
        mood = 4.6 + 0.4 * h - 1.0 * self.breached - 1.2 * self.escalated - 0.2 * rounds
        csat = min(max(round(mood + dice.normal(0, 0.8)), 1), 5)
        self.response = Response("csat", csat, answered, requester.contact_id, "")
        return status, csat
