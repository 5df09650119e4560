"""The people at a customer the vendor knows by name (CRM contacts).

Admins, champions and a few regular users are also product users (`user_id` is kept as an
extra column so usage can be tied to a person); executives and billing contacts are not.
When the champion leaves, the old contact stays in the CRM and a new champion appears.
"""

from __future__ import annotations

from dataclasses import dataclass

from csops.demo.dice import Dice
from csops.demo.names import FIRST_NAMES, LAST_NAMES, person_email, phone_number
from csops.demo.story import NEVER, Story, User
from csops.demo.texts.phrases import TITLES


@dataclass(slots=True)
class Contact:
    contact_id: str
    email: str
    first: str
    last: str
    role: str
    is_primary: bool
    title: str
    phone: str
    user: int | None  # the matching product user number
    since: int  # day the person became a contact
    until: int  # day they left the company (NEVER if still there)
    added_at: int  # seconds into the `since` day when the CRM record was made

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    def present(self, day: int) -> bool:
        return self.since <= day < self.until


_ROLE_TITLES = {
    "admin": ("IT Administrator", "Operations Manager", "BI Developer"),
    "champion": ("Head of Analytics", "Revenue Operations Lead", "Data Analyst"),
    "executive": ("VP Finance", "COO", "Chief Revenue Officer", "CFO"),
    "billing": ("Accounts Payable", "Controller", "Finance Manager"),
}


def make_contacts(story: Story, dice: Dice, horizon: int) -> list[Contact]:
    """The account's contacts known before day `horizon` (the end of history)."""
    account = story.account
    contacts: list[Contact] = []
    taken: set[str] = set()

    def add(role: str, user: User | None, since: int) -> None:
        if user is not None and user.join >= horizon:
            return  # joins after the end of history
        first = dice.pick(FIRST_NAMES)
        last = dice.pick(LAST_NAMES)
        email = person_email(first, last, account.domain)
        n = 1
        while email in taken:
            n += 1
            email = person_email(first, f"{last}{n}", account.domain)
        taken.add(email)
        titles = _ROLE_TITLES.get(role, TITLES)
        contacts.append(
            Contact(
                contact_id=f"con_{account.account_id[4:]}_{len(contacts) + 1:02d}",
                email=email,
                first=first,
                last=last,
                role=role,
                is_primary=not contacts,
                title=dice.pick(titles),
                phone=phone_number(dice, account.region),
                user=None if user is None else user.number,
                since=since if user is None else min(since, user.join),
                until=NEVER if user is None else user.leave,
                added_at=dice.integer(8 * 3600, 18 * 3600),
            )
        )

    start = account.first_start
    for user in story.users:
        if user.role in ("admin", "champion"):
            add(user.role, user, user.join)
    low, high = account.segment.contacts_range
    wanted = dice.integer(low, high + 1)
    if account.segment.name != "SMB":
        add("executive", None, start)
    if dice.random() < 0.6:
        add("billing", None, start)
    regular = [u for u in story.users if u.role == "user"]
    extra = max(0, wanted - len(contacts))
    if regular and extra:
        for i in sorted(_sample(dice, len(regular), min(extra, len(regular)))):
            add("user", regular[i], regular[i].join)
    return contacts


def _sample(dice: Dice, population: int, k: int) -> list[int]:
    """k distinct indices out of range(population)."""
    pool = list(range(population))
    for i in range(k):
        j = dice.integer(i, population)
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:k]


def reachable(contacts: list[Contact], day: int, roles: tuple[str, ...] = ()) -> list[Contact]:
    """Contacts at the company on `day`, optionally of some roles (all roles if none match)."""
    here = [c for c in contacts if c.present(day)] or contacts
    if roles:
        matching = [c for c in here if c.role in roles]
        if matching:
            return matching
    return here
