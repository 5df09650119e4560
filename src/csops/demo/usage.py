"""Product usage events, vectorised: one Bernoulli draw per (user, day) decides a session,
a Poisson draw how many events follow its login.

Per account we only pick sessions (who was active on which day); typing, timing and
properties are then drawn for a whole chunk of accounts at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from csops.demo.catalog import TOP_TIER
from csops.demo.product_events import (
    EVENT_INDEX,
    MIN_TIER,
    NEEDS_INTEGRATION,
    NEEDS_REPORT,
    PROPERTY_CODES,
    PROPERTY_SHARE,
    TRIAL_CODE,
    higher_tier_cdf,
    type_cdf,
)
from csops.demo.story import Story
from csops.demo.timeline import DAY, Calendar

_WEEKDAY = np.array([1.0, 1.0, 1.0, 1.0, 0.9, 0.12, 0.08])  # Monday first
_TYPE_CDF = type_cdf()
_TRIAL_CDF = higher_tier_cdf()
_LOGIN = EVENT_INDEX["login"]
_INT64 = npt.NDArray[np.int64]


@dataclass(slots=True)
class Events:
    """Columns of generated events; account is an index into the chunk's accounts."""

    account: _INT64
    user: _INT64
    kind: _INT64
    second: _INT64  # epoch seconds, UTC
    quantity: _INT64
    prop: _INT64  # code into PROPERTY_VALUES, -1 = no properties

    @classmethod
    def concat(cls, parts: list[Events]) -> Events:
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, empty, empty, empty, empty, empty)
        return cls(
            *(
                np.concatenate([getattr(p, f) for p in parts])
                for f in ("account", "user", "kind", "second", "quantity", "prop")
            )
        )

    def __len__(self) -> int:
        return int(self.account.size)

    def take(self, index: _INT64) -> Events:
        return Events(
            self.account[index],
            self.user[index],
            self.kind[index],
            self.second[index],
            self.quantity[index],
            self.prop[index],
        )


@dataclass(slots=True)
class _Sessions:
    user: _INT64
    day: _INT64
    extra: _INT64
    tier: _INT64
    trial: npt.NDArray[np.bool_]


def _health_factor(h: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """1 at health 0, towards 0 for failing accounts and 2 for thriving ones."""
    return 2.0 / (1.0 + np.exp(-1.3 * h))


def _sessions(story: Story, cal: Calendar, rng: np.random.Generator) -> _Sessions | None:
    active = story.active_days(cal)
    days = np.flatnonzero(active)
    if days.size == 0 or not story.users:
        return None
    lo, hi = int(days[0]), int(days[-1]) + 1
    join = np.array([u.join for u in story.users], dtype=np.int64)
    leave = np.array([u.leave for u in story.users], dtype=np.int64)
    propensity = np.array([u.propensity for u in story.users])
    number = np.array([u.number for u in story.users], dtype=np.int64)
    keep = (join < hi) & (leave > lo)
    join, leave, propensity, number = join[keep], leave[keep], propensity[keep], number[keep]
    span = np.arange(lo, hi)
    health = np.nan_to_num(story.health[cal.day_month[lo:hi]], nan=0.0)
    factor = _health_factor(health)
    seg = story.account.segment
    day_p = active[lo:hi] * _WEEKDAY[cal.weekday[lo:hi]] * factor * seg.user_activity
    alive = (span[None, :] >= join[:, None]) & (span[None, :] < leave[:, None])
    p = np.minimum(propensity[:, None] * day_p[None, :], 0.95) * alive
    who, when = np.nonzero(rng.random(p.shape) < p)
    lam = seg.events_per_session * (0.4 + 0.3 * factor[when])
    tiers = story.tier_by_day(cal)[lo:hi]
    month = cal.day_month[lo:hi]
    return _Sessions(
        user=number[who],
        day=span[when],
        extra=rng.poisson(lam).astype(np.int64),
        tier=tiers[when],
        trial=story.trial[month[when]],
    )


def _milestone_rows(
    story: Story, cal: Calendar, rng: np.random.Generator, active: npt.NDArray[np.bool_]
) -> list[tuple[int, int, int, int, int]]:
    """Events that mark moments: invitations, the first integration and report, SSO set-up
    and plan limits. Rows are (user, day, kind, prop code, quantity)."""
    rows: list[tuple[int, int, int, int, int]] = []

    def on(day: int) -> bool:
        return 0 <= day < cal.days and bool(active[day])

    admin = story.users[0].number if story.users else 1
    invited = EVENT_INDEX["user_invited"]
    for user in story.users[1:]:
        if on(user.join):
            rows.append((admin, user.join, invited, PROPERTY_CODES[invited][0], 1))
    for day, name in (
        (story.integration_day, "integration_connected"),
        (story.report_day, "report_created"),
    ):
        if on(day):
            kind = EVENT_INDEX[name]
            codes = PROPERTY_CODES[kind]
            rows.append((admin, day, kind, codes[int(rng.integers(len(codes)))], 1))
    tiers = story.tier_by_day(cal)
    first = int(np.argmax(active)) if active.any() else -1
    if first >= 0 and tiers[first] == TOP_TIER and on(first + 5):
        kind = EVENT_INDEX["sso_configured"]
        rows.append((admin, first + 5, kind, PROPERTY_CODES[kind][int(rng.integers(2))], 1))
    limit = EVENT_INDEX["plan_limit_reached"]
    seats_code, api_code, reports_code = PROPERTY_CODES[limit]
    for m in range(cal.months):
        lo, hi = int(cal.month_starts[m]), int(cal.month_starts[m + 1])
        h = story.health[m]
        code = -1
        if story.at_limit[m]:
            code = seats_code
        elif not np.isnan(h) and h > 0.4 and rng.random() < 0.12:
            code = reports_code if tiers[lo] == 0 else api_code
        if code < 0:
            continue
        for day in rng.integers(lo, hi, size=int(rng.integers(1, 4))).tolist():
            if on(day):
                rows.append((admin, day, limit, code, 1))
    return rows


def _type_rows(u: npt.NDArray[np.float64], cdf: npt.NDArray[np.float64]) -> _INT64:
    """Inverse-CDF sampling with one distribution per row."""
    kinds: _INT64 = np.minimum((u[:, None] > cdf).sum(axis=1), cdf.shape[1] - 1)
    return kinds.astype(np.int64)


def chunk_events(stories: list[Story], cal: Calendar, rng: np.random.Generator) -> Events:
    """All events of a chunk of accounts, ordered by time."""
    parts: list[tuple[int, _Sessions]] = []
    special: list[tuple[int, int, int, int, int, int]] = []
    for i, story in enumerate(stories):
        sessions = _sessions(story, cal, rng)
        if sessions is None:
            continue
        parts.append((i, sessions))
        active = story.active_days(cal)
        special.extend((i, *row) for row in _milestone_rows(story, cal, rng, active))
    if not parts:
        return Events.concat([])
    acc = np.concatenate([np.full(s.user.size, i, dtype=np.int64) for i, s in parts])
    user = np.concatenate([s.user for _, s in parts])
    day = np.concatenate([s.day for _, s in parts])
    extra = np.concatenate([s.extra for _, s in parts])
    tier = np.concatenate([s.tier for _, s in parts])
    trial = np.concatenate([s.trial for _, s in parts])
    tz = _utc_offsets(stories)[acc]
    first_integration = np.array([st.integration_day for st in stories], dtype=np.int64)
    first_report = np.array([st.report_day for st in stories], dtype=np.int64)

    # a session starts around late morning local time; its events follow minutes apart
    local = np.clip(rng.normal(11.5, 2.6, size=user.size), 6.0, 22.5) * 3600
    start = np.mod(local.astype(np.int64) - tz * 3600, DAY)
    size = 1 + extra
    row_session = np.repeat(np.arange(user.size), size)
    first_row = np.cumsum(size) - size
    n = int(size.sum())
    is_login = np.zeros(n, dtype=bool)
    is_login[first_row] = True
    # at least a second apart, and the whole session inside its day
    gaps = 1 + rng.exponential(240.0, size=n).astype(np.int64)
    gaps[is_login] = 0
    elapsed = np.cumsum(gaps)
    elapsed -= elapsed[first_row][row_session]
    length = elapsed[first_row + size - 1]
    start = np.maximum(np.minimum(start, DAY - 1 - length), 0)
    r_day = day[row_session]
    second = start[row_session] + elapsed

    r_tier = tier[row_session]
    kind = _type_rows(rng.random(n), _TYPE_CDF[r_tier])
    tried = trial[row_session] & ~is_login & (rng.random(n) < 0.25)
    kind[tried] = _type_rows(rng.random(int(tried.sum())), _TRIAL_CDF[r_tier[tried]])
    tried &= MIN_TIER[kind] > r_tier
    kind[is_login] = _LOGIN
    r_acc = acc[row_session]
    kind[NEEDS_INTEGRATION[kind] & (r_day < first_integration[r_acc])] = EVENT_INDEX[
        "search_performed"
    ]
    kind[NEEDS_REPORT[kind] & (r_day < first_report[r_acc])] = EVENT_INDEX["dashboard_viewed"]

    prop = np.full(n, -1, dtype=np.int64)
    has = rng.random(n) < PROPERTY_SHARE[kind]
    for k, codes in enumerate(PROPERTY_CODES):
        rows = np.flatnonzero(has & (kind == k))
        if codes and rows.size:
            prop[rows] = np.asarray(codes, dtype=np.int64)[rng.integers(len(codes), size=rows.size)]
    prop[tried] = TRIAL_CODE
    quantity = np.ones(n, dtype=np.int64)
    calls = np.flatnonzero(kind == EVENT_INDEX["api_call"])
    quantity[calls] = 1 + rng.lognormal(3.0, 1.1, size=calls.size).astype(np.int64)
    for name, mean in (("workflow_run", 2.0), ("file_uploaded", 0.4)):
        rows = np.flatnonzero(kind == EVENT_INDEX[name])
        quantity[rows] = 1 + rng.poisson(mean, size=rows.size)

    events = Events(
        r_acc, user[row_session], kind, cal.start_epoch + r_day * DAY + second, quantity, prop
    )
    if special:
        s = np.array(special, dtype=np.int64)
        s_sec = (
            cal.start_epoch
            + s[:, 2] * DAY
            + np.mod(
                rng.integers(13, 17, size=len(s)) * 3600
                - _utc_offsets(stories)[s[:, 0]] * 3600
                + rng.integers(0, 3600, size=len(s)),
                DAY,
            )
        )
        events = Events.concat([events, Events(s[:, 0], s[:, 1], s[:, 3], s_sec, s[:, 5], s[:, 4])])
    return _without_repeats(events)


def _without_repeats(events: Events) -> Events:
    """Time-ordered events with exact repeats dropped: an importer that keys events on their
    content would otherwise see one event twice."""
    order = np.lexsort(
        (events.prop, events.quantity, events.kind, events.user, events.account, events.second)
    )
    events = events.take(order)
    if len(events) == 0:
        return events
    repeat = np.ones(len(events) - 1, dtype=bool)
    for column in (
        events.second,
        events.account,
        events.user,
        events.kind,
        events.quantity,
        events.prop,
    ):
        repeat &= column[1:] == column[:-1]
    return events.take(np.flatnonzero(np.concatenate([[True], ~repeat])))


def _utc_offsets(stories: list[Story]) -> _INT64:
    return np.array([st.account.region.utc_offset for st in stories], dtype=np.int64)
