"""Surveys (NPS, onboarding CES) and the CSM's touches with an account.

NPS follows health with plenty of noise; the CSM's activity follows the story: a kickoff
after the first subscription, QBRs for bigger accounts, renewal conversations before
annual term ends, and reactions to trouble (failed payments, escalations, a new champion).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from csops.demo.catalog import PLANS
from csops.demo.contacts import Contact, reachable
from csops.demo.dice import Dice
from csops.demo.records import Activity, Response
from csops.demo.story import Story
from csops.demo.texts import crm
from csops.demo.texts.phrases import SLOT_VALUES
from csops.demo.texts.slots import Slots
from csops.demo.timeline import Calendar

HOUR = 3600


def _at(cal: Calendar, dice: Dice, day: int, utc_offset: int) -> int:
    """A moment in the working day of the account's region."""
    local = min(max(dice.normal(13.0, 2.2), 8.0), 19.0)
    return cal.epoch(day, int((local - utc_offset) * HOUR) % 86_400)


def surveys(story: Story, contacts: list[Contact], cal: Calendar, dice: Dice) -> list[Response]:
    out: list[Response] = []
    months = np.flatnonzero(story.customer)
    active = story.active_days(cal)
    tz = story.account.region.utc_offset
    for m in months.tolist():
        if (m - int(months[0])) % 3 != 1:
            continue
        lo, hi = int(cal.month_starts[m]), int(cal.month_starts[m + 1])
        days = np.flatnonzero(active[lo:hi]) + lo
        if days.size == 0:
            continue
        day = int(days[dice.integer(0, days.size)])
        h = float(story.health[m])
        for contact in reachable(contacts, day, ("admin", "champion", "user", "executive")):
            if not contact.present(day) or dice.random() >= _nps_answer_rate(contact.role):
                continue
            lift = 0.5 if contact.role == "champion" else 0.0
            score = min(max(round(7.3 + 1.5 * h + lift + dice.normal(0, 1.7)), 0), 10)
            bucket = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
            comment = ""
            if dice.random() < 0.55:
                comment = dice.pick(crm.NPS_COMMENTS[bucket]).format(
                    integration=dice.pick(SLOT_VALUES["integration"]),
                    team=dice.pick(SLOT_VALUES["team"]),
                )
            at = _at(cal, dice, min(day + dice.integer(0, 6), cal.days - 1), tz)
            out.append(Response("nps", score, at, contact.contact_id, comment))
    first = story.account.first_start
    if first >= 0 and 0 <= story.integration_day < cal.days - 7 and dice.random() < 0.35:
        admin = reachable(contacts, story.integration_day, ("admin",))[0]
        ease = (
            5.2
            - 1.5 * story.account.stalled
            + 0.6 * float(np.nan_to_num(story.health[cal.month_of(first)]))
        )
        score = min(max(round(ease + dice.normal(0, 1.0)), 1), 7)
        day = story.integration_day + dice.integer(1, 7)
        out.append(
            Response(
                "ces", score, _at(cal, dice, day, tz), admin.contact_id, dice.pick(crm.CES_COMMENTS)
            )
        )
    return out


_SPEAKERS = ("champion", "admin", "executive")
_CHOICES = {
    "integration": SLOT_VALUES["integration"],
    "team": SLOT_VALUES["team"],
    "feature": SLOT_VALUES["feature"],
    "reason": crm.CHURN_REASONS,
}


class _Touches:
    def __init__(self, story: Story, contacts: list[Contact], cal: Calendar, dice: Dice) -> None:
        self.story, self.contacts, self.cal, self.dice = story, contacts, cal, dice
        self.out: list[Activity] = []

    def add(self, kind: str, day: int, template: str, **extra: str) -> None:
        cal, dice, story = self.cal, self.dice, self.story
        if not 0 <= day < cal.days:
            return
        account = story.account
        line = next((x for x in reversed(story.core_lines()) if x.start <= day), None)
        draw: dict[str, Callable[[], str]] = {
            "contact": lambda: dice.pick(reachable(self.contacts, day, _SPEAKERS)).name,
            "users": lambda: str(sum(1 for u in story.users if u.join <= day < u.leave)),
        }
        fields = {
            "weeks": str(max(1, account.onboarding_days // 7)),
            "plan": PLANS[line.tier].name if line else PLANS[account.tier].name,
            "seats": str(line.seats if line else account.seats),
            "company": account.name,
            **extra,
        }
        summary = dice.pick(crm.ACTIVITY_SUMMARIES[template]).format_map(
            Slots(dice, fields, _CHOICES, draw)
        )
        self.out.append(
            Activity(
                kind, _at(cal, dice, day, account.region.utc_offset), account.owner_email, summary
            )
        )


def activities(story: Story, contacts: list[Contact], cal: Calendar, dice: Dice) -> list[Activity]:
    t = _Touches(story, contacts, cal, dice)
    account, seg = story.account, story.account.segment
    big = seg.name != "SMB"
    quiet_until = account.first_start  # routine touches start after the kickoff
    if account.first_start >= 0:
        quiet_until += 10
        p = (0.85 if big else 0.5) * (0.6 if account.stalled else 1.0)
        if dice.random() < p:
            quiet_until = account.first_start + dice.integer(1, 10)
            t.add("call", quiet_until, "kickoff")
    months = np.flatnonzero(story.customer)
    kinds = ("call", "meeting", "email", "note")
    for m in months.tolist():
        lo, hi = int(cal.month_starts[m]), int(cal.month_starts[m + 1])
        h = float(story.health[m])
        worry = 1.5 if h < -0.5 else 1.0
        for kind, rate in zip(kinds, seg.touches, strict=True):
            for _ in range(dice.poisson(rate * worry)):
                day = dice.integer(lo, hi)
                if day > quiet_until:
                    t.add(kind, day, kind)
        if (
            seg.qbr
            and (m - int(months[0])) % 3 == 2
            and dice.random() < (0.8 if seg.name == "Enterprise" else 0.5)
        ):
            t.add("qbr", dice.integer(lo, hi), "qbr")
        if story.escalation[m] or (h < -1.0 and dice.random() < 0.3 * (1 + big)):
            t.add("call", dice.integer(lo, hi), "risk")
    for end in story.term_ends:
        if dice.random() < (0.95 if big else 0.6):
            date = cal.date_of(end).isoformat()
            for _ in range(1 + int(big and dice.random() < 0.6)):
                kind = dice.pick(("call", "email", "meeting"))
                t.add(kind, end - dice.integer(20, 95), "renewal", renewal_date=date)
    for day in story.failed_charges:
        if dice.random() < (0.7 if big else 0.3):
            t.add("email", day + dice.integer(1, 4), "payment")
    if story.champion_left is not None and dice.random() < (0.9 if big else 0.5):
        old = [c for c in contacts if c.role == "champion" and c.until == story.champion_left]
        t.add(
            "note",
            story.champion_left + dice.integer(7, 30),
            "champion",
            old_contact=old[0].name if old else "our champion",
        )
    for change in story.changes:
        if change.kind == "churn" and dice.random() < (0.9 if big else 0.4):
            t.add(dice.pick(("call", "note")), change.day - dice.integer(0, 20), "churn")
        elif change.kind in ("upgrade", "seats_added", "addon") and dice.random() < 0.6:
            detail = {
                "upgrade": "a plan upgrade",
                "seats_added": "additional seats",
                "addon": "the Analytics add-on",
            }[change.kind]
            t.add("note", change.day - dice.integer(0, 5), "expansion", detail=detail)
    t.out.sort(key=lambda a: a.occurred)
    return t.out


def _nps_answer_rate(role: str) -> float:
    """60% of contacts are asked each quarter; champions answer more often."""
    return 0.6 * (0.45 if role == "champion" else 0.35)
