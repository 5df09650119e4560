"""The demo's time axis: whole days counted from the first day of history.

Everything inside the simulation is an integer day offset (negative = before history) or
seconds since the Unix epoch; dates are only built when rows are written.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

DAY = 86_400
_EPOCH = dt.date(1970, 1, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day of month `months` later, clamped to the month's last day (Jan 31 + 1 = Feb 28)."""
    total = day.year * 12 + (day.month - 1) + months
    year, month = divmod(total, 12)
    last = _cal.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


@dataclass(frozen=True, slots=True)
class Calendar:
    """History runs from `start` (inclusive) to `end` (exclusive), `months` grid months."""

    start: dt.date
    end: dt.date
    months: int
    days: int = field(init=False)
    start_epoch: int = field(init=False)
    month_starts: npt.NDArray[np.int64] = field(init=False, repr=False)
    day_month: npt.NDArray[np.int64] = field(init=False, repr=False)
    weekday: npt.NDArray[np.int64] = field(init=False, repr=False)
    calendar_months: tuple[str, ...] = field(init=False)
    day_calendar_month: npt.NDArray[np.int64] = field(init=False, repr=False)
    _shifted: dict[tuple[int, int], int] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        days = (self.end - self.start).days
        starts = [(add_months(self.start, k) - self.start).days for k in range(self.months)]
        month_starts = np.array([*starts, days], dtype=np.int64)
        day_index = np.arange(days, dtype=np.int64)
        keys: list[str] = []
        day_key = np.empty(days, dtype=np.int64)
        for d in range(days):
            day = self.start + dt.timedelta(days=d)
            key = f"{day.year:04d}-{day.month:02d}"
            if not keys or keys[-1] != key:
                keys.append(key)
            day_key[d] = len(keys) - 1
        object.__setattr__(self, "days", days)
        object.__setattr__(self, "start_epoch", (self.start - _EPOCH).days * DAY)
        object.__setattr__(self, "month_starts", month_starts)
        object.__setattr__(
            self, "day_month", np.searchsorted(month_starts, day_index, side="right") - 1
        )
        object.__setattr__(self, "weekday", (day_index + self.start.weekday()) % 7)
        object.__setattr__(self, "calendar_months", tuple(keys))
        object.__setattr__(self, "day_calendar_month", day_key)

    @classmethod
    def ending(cls, end: dt.date, months: int) -> Calendar:
        return cls(start=add_months(end, -months), end=end, months=months)

    def date_of(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=int(day))

    def day_of(self, when: dt.date) -> int:
        return (when - self.start).days

    def shift_months(self, day: int, months: int) -> int:
        """Day offset of the date `months` calendar months after `day`."""
        key = (day, months)
        shifted = self._shifted.get(key)
        if shifted is None:  # billing and renewals ask for the same dates again and again
            shifted = self._shifted[key] = self.day_of(add_months(self.date_of(day), months))
        return shifted

    def month_of(self, day: int) -> int:
        """Grid month holding `day`, clamped to the history."""
        if day < 0:
            return 0
        if day >= self.days:
            return self.months - 1
        return int(self.day_month[day])

    def epoch(self, day: int, seconds: int = 0) -> int:
        return self.start_epoch + int(day) * DAY + int(seconds)

    @property
    def end_epoch(self) -> int:
        return self.start_epoch + self.days * DAY
