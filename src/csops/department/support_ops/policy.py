"""SLA policies: the YAML file, validated, and the rule that picks a ticket's policy.

File format: docs/support.md. The first policy whose conditions all match applies. A
condition lists accepted values (case-insensitive); a ticket with no value for a
conditioned field does not match it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from csops.department.support_ops.clock import CALENDAR, Schedule, business_schedule

Target = Literal["first_reply", "next_reply", "periodic_update", "resolution"]
TARGETS: tuple[Target, ...] = ("first_reply", "next_reply", "periodic_update", "resolution")
HoursKind = Literal["calendar", "business"]
# Used when a policies file defines no schedule of its own.
DEFAULT_BUSINESS = business_schedule(
    "business", "UTC", {d: [(time(9), time(17))] for d in ("mon", "tue", "wed", "thu", "fri")}
)
_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class PolicyError(ValueError):
    """The policies file cannot be used; the message names the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScheduleSpec(_Strict):
    timezone: str = "UTC"
    hours: dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], str | list[str]]
    holidays: list[date] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from exc
        return value

    @field_validator("hours")
    @classmethod
    def _windows(cls, value: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        for day, windows in value.items():
            for window in [windows] if isinstance(windows, str) else windows:
                _parse_window(window, day)
        return value

    def build(self, name: str) -> Schedule:
        hours: dict[str, list[tuple[time, time | None]]] = {
            day: [_parse_window(w, day) for w in ([ws] if isinstance(ws, str) else ws)]
            for day, ws in self.hours.items()
        }
        return business_schedule(name, self.timezone, hours, self.holidays)


def _parse_window(text: str, day: str) -> tuple[time, time | None]:
    match = _WINDOW.match(text)
    if not match:
        raise ValueError(f"{day}: {text!r} is not a window like 09:00-17:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2 != 0):
        raise ValueError(f"{day}: {text!r} has an impossible time")
    start, end = time(h1, m1), (None if h2 == 24 else time(h2, m2))
    if end is not None and end <= start:
        raise ValueError(f"{day}: {text!r} ends before it starts (one window per day part)")
    return start, end


class Band(_Strict):
    name: str
    below: Decimal | None = None


class Conditions(_Strict):
    priority: list[str] | None = None
    segment: list[str] | None = None
    plan: list[str] | None = None
    channel: list[str] | None = None
    arr_band: list[str] | None = None


class TargetSpec(_Strict):
    minutes: float = Field(gt=0)
    hours: HoursKind | None = None


class PolicySpec(_Strict):
    name: str
    when: Conditions = Field(default_factory=Conditions)
    hours: HoursKind = "business"
    schedule: str | None = None
    targets: dict[Target, TargetSpec] = Field(min_length=1)

    @field_validator("targets", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        """`first_reply: 60` is short for `first_reply: {minutes: 60}`."""
        if isinstance(value, dict):
            return {
                k: {"minutes": v} if isinstance(v, int | float) and not isinstance(v, bool) else v
                for k, v in value.items()
            }
        return value


class PoliciesFile(_Strict):
    default_schedule: str | None = None
    default_priority: str | None = "normal"
    pause_statuses: list[str] = Field(default_factory=lambda: ["pending", "on-hold", "hold"])
    solved_statuses: list[str] = Field(default_factory=lambda: ["solved", "closed"])
    # Targets whose clock stands still during a pause (default: all of them).
    pause_targets: list[Target] = Field(default_factory=lambda: list(TARGETS))
    schedules: dict[str, ScheduleSpec] = Field(default_factory=dict)
    arr_bands: list[Band] = Field(default_factory=list)
    policies: list[PolicySpec] = Field(min_length=1)


@dataclass(frozen=True)
class TargetRule:
    target: str
    minutes: float
    schedule: Schedule  # CALENDAR for calendar hours

    @property
    def business(self) -> bool:
        return not self.schedule.always

    def describe(self) -> str:
        kind = f"business hours ({self.schedule.name})" if self.business else "calendar hours"
        return f"{self.minutes:g} min, {kind}"


@dataclass(frozen=True)
class Policy:
    name: str
    conditions: dict[str, frozenset[str]]
    targets: Mapping[str, TargetRule]
    schedule: Schedule  # the policy's business schedule, for business-hour figures


@dataclass(frozen=True)
class TicketTraits:
    """What policy conditions look at."""

    priority: str | None
    channel: str | None = None
    segment: str | None = None
    plan: str | None = None
    arr: Decimal | None = None


@dataclass(frozen=True)
class PolicySet:
    source: str
    policies: tuple[Policy, ...]
    pause_statuses: frozenset[str]
    solved_statuses: frozenset[str]
    pause_targets: frozenset[str]
    default_priority: str | None
    bands: tuple[tuple[str, Decimal | None], ...]
    default_schedule: Schedule

    def band_of(self, arr: Decimal | None) -> str | None:
        if arr is None or not self.bands:
            return None
        for name, below in self.bands:
            if below is None or arr < below:
                return name
        return self.bands[-1][0]

    def priority_of(self, priority: str | None) -> str | None:
        value = (priority or "").strip().lower()
        return value or (self.default_priority.lower() if self.default_priority else None)

    def policy_for(self, traits: TicketTraits) -> Policy | None:
        values = {
            "priority": self.priority_of(traits.priority),
            "channel": traits.channel,
            "segment": traits.segment,
            "plan": traits.plan,
            "arr_band": self.band_of(traits.arr),
        }
        for policy in self.policies:
            if all(
                (values[key] or "").strip().lower() in accepted
                for key, accepted in policy.conditions.items()
            ):
                return policy
        return None


def load_policies(path: Path | None = None) -> PolicySet:
    """The policies in `path`, or csops's default file."""
    if path is None:
        resource = resources.files("csops.department.support_ops") / "default_sla.yaml"
        return parse_policies(resource.read_text(), "default_sla.yaml (built in)")
    try:
        text = path.read_text()
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the policies file: {exc.strerror}") from exc
    return parse_policies(text, str(path))


def parse_policies(text: str, source: str) -> PolicySet:
    try:
        raw: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" line {where.line + 1}" if where is not None else ""
        raise PolicyError(f"{source}:{line} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise PolicyError(f"{source}: expected a mapping with a `policies` list at the top")
    try:
        spec = PoliciesFile.model_validate(raw)
    except ValidationError as exc:
        problem = exc.errors()[0]
        key = _key(problem["loc"], raw)
        more = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
        message = str(problem["msg"]).removeprefix("Value error, ")
        raise PolicyError(f"{source}: {key}: {message}{more}") from exc
    try:
        return _build(spec, source)
    except ValueError as exc:
        raise PolicyError(f"{source}: {exc}") from exc


def _key(loc: tuple[int | str, ...], raw: Any) -> str:
    """`policies[2].targets.first_reply` from pydantic's location, with the policy name."""
    parts: list[str] = []
    node = raw
    for part in loc:
        if isinstance(part, int):
            parts[-1] += f"[{part}]"
            if isinstance(node, list) and part < len(node):
                node = node[part]
                if isinstance(node, dict) and "name" in node:
                    parts[-1] += f" ({node['name']})"
        else:
            parts.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts) or "(top level)"


def _build(spec: PoliciesFile, source: str) -> PolicySet:
    schedules = {name: s.build(name) for name, s in spec.schedules.items()} or {
        "business": DEFAULT_BUSINESS
    }
    default_name = spec.default_schedule or next(iter(schedules), None)
    if default_name is not None and default_name not in schedules:
        raise ValueError(f"default_schedule: no schedule named {default_name!r}")
    default = schedules[default_name] if default_name else None
    band_names = {b.name.lower() for b in spec.arr_bands}
    _check_bands(spec.arr_bands)
    policies = []
    for i, p in enumerate(spec.policies):
        key = f"policies[{i}] ({p.name})"
        schedule_name = p.schedule or default_name
        if schedule_name is not None and schedule_name not in schedules:
            raise ValueError(f"{key}.schedule: no schedule named {schedule_name!r}")
        business = schedules[schedule_name] if schedule_name else None
        rules: dict[str, TargetRule] = {}
        for target, t in p.targets.items():
            minutes, kind = t.minutes, t.hours or p.hours
            if kind == "business" and business is None:
                raise ValueError(f"{key}.targets.{target}: business hours need a schedule")
            rules[target] = TargetRule(
                target, minutes, business if kind == "business" and business else CALENDAR
            )
        conditions = {
            k: frozenset(v.strip().lower() for v in values)
            for k, values in p.when.model_dump(exclude_none=True).items()
        }
        unknown = conditions.get("arr_band", frozenset()) - band_names
        if unknown:
            raise ValueError(
                f"{key}.when.arr_band: unknown band(s) {', '.join(sorted(unknown))}"
                f" (arr_bands defines: {', '.join(sorted(band_names)) or 'none'})"
            )
        policies.append(Policy(p.name, conditions, rules, business or CALENDAR))
    return PolicySet(
        source=source,
        policies=tuple(policies),
        pause_statuses=frozenset(s.lower() for s in spec.pause_statuses),
        solved_statuses=frozenset(s.lower() for s in spec.solved_statuses),
        pause_targets=frozenset(spec.pause_targets),
        default_priority=spec.default_priority,
        bands=tuple((b.name.lower(), b.below) for b in spec.arr_bands),
        default_schedule=default or CALENDAR,
    )


def _check_bands(bands: list[Band]) -> None:
    limits = [b.below for b in bands]
    if any(v is None for v in limits[:-1]):
        raise ValueError("arr_bands: only the last band may leave out `below`")
    bounded = [v for v in limits if v is not None]
    if bounded != sorted(bounded) or len(set(bounded)) != len(bounded):
        raise ValueError("arr_bands: `below` must increase from one band to the next")


def workspace_policies_path(workspace: Path) -> Path:
    return workspace / "config" / "sla.yaml"
