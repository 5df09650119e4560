"""The onboarding journey as configuration: milestones, their due days and completion rules.

A journey file is YAML (the default ships as `default_journey.yaml`). Loading validates
it completely, and a problem is reported as `file: key.path: why`, never as a traceback.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class JourneyError(ValueError):
    """A journey file cannot be used: unreadable, not YAML, or a key with a bad value."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AnyEvent(_Strict):
    """Met when the account has produced `min_count` events of any type."""

    kind: Literal["any_event"]
    min_count: int = Field(default=1, ge=1)


class EventRule(_Strict):
    """Met at the `min_count`-th event whose type matches one of `event_types` (globs)."""

    kind: Literal["event"]
    event_types: tuple[str, ...] = Field(min_length=1)
    min_count: int = Field(default=1, ge=1)


class ActiveUsers(_Strict):
    """Met on the day the `min_users`-th distinct user is first seen."""

    kind: Literal["active_users"]
    min_users: int = Field(ge=1)


class EventBreadth(_Strict):
    """Met on the day the `min_types`-th distinct event type is first seen."""

    kind: Literal["event_breadth"]
    min_types: int = Field(ge=1)


class SeatsAssigned(_Strict):
    """Met when distinct users seen reach ceil(min_share x seats), seats as known on D."""

    kind: Literal["seats_assigned"]
    min_share: float = Field(gt=0, le=1)


class ActivityRule(_Strict):
    """Met at the `min_count`-th CRM activity of one of `activity_kinds`."""

    kind: Literal["activity"]
    activity_kinds: tuple[Literal["call", "meeting", "email", "qbr", "note"], ...] = Field(
        min_length=1
    )
    min_count: int = Field(default=1, ge=1)


Rule = Annotated[
    AnyEvent | EventRule | ActiveUsers | EventBreadth | SeatsAssigned | ActivityRule,
    Field(discriminator="kind"),
]


class Milestone(_Strict):
    key: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    due_day: int = Field(ge=0)
    rule: Rule
    first_value: bool = False
    # An optional milestone names event types the company may not have: it is dropped
    # from the journey when no event type in the data matches.
    optional: bool = False
    guide: str = ""
    training: str = ""


class Match(_Strict):
    segment: tuple[str, ...] = ()
    plan: tuple[str, ...] = ()

    def accepts(self, segment: str | None, plan: str | None) -> bool:
        return (not self.segment or segment in self.segment) and (
            not self.plan or plan in self.plan
        )


class Journey(_Strict):
    name: str
    match: Match = Match()
    milestones: tuple[Milestone, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_first_value(self) -> Journey:
        keys = [m.key for m in self.milestones]
        if len(set(keys)) != len(keys):
            raise ValueError(f"milestone keys repeat in journey {self.name!r}: {keys}")
        first_value = [m.key for m in self.milestones if m.first_value]
        if len(first_value) != 1:
            raise ValueError(
                f"journey {self.name!r} needs exactly one milestone with first_value: true "
                f"(has {len(first_value)})"
            )
        if any(m.optional for m in self.milestones if m.first_value):
            raise ValueError(f"the first-value milestone of {self.name!r} cannot be optional")
        return self

    def ordered(self) -> tuple[Milestone, ...]:
        """Milestones by due day (ties keep file order): the order a customer walks them."""
        return tuple(sorted(self.milestones, key=lambda m: m.due_day))

    def first_value(self) -> Milestone:
        return next(m for m in self.milestones if m.first_value)


class DueDays(_Strict):
    stuck: int = Field(default=2, ge=0)
    behind: int = Field(default=3, ge=0)


class JourneyConfig(_Strict):
    target_days: int = Field(default=30, ge=1)
    stuck_after_days: int = Field(default=14, ge=1)
    onboarding_days: int = Field(default=90, ge=1)
    activity_lookback_days: int = Field(default=30, ge=0)
    cohort_weeks: int = Field(default=26, ge=1)
    proposal_due_days: DueDays = DueDays()
    journeys: tuple[Journey, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> JourneyConfig:
        names = [j.name for j in self.journeys]
        if len(set(names)) != len(names):
            raise ValueError(f"journey names repeat: {names}")
        return self

    def journey_for(self, segment: str | None, plan: str | None) -> Journey:
        """The first journey whose match accepts the account; else the last journey."""
        for journey in self.journeys:
            if journey.match.accepts(segment, plan):
                return journey
        return self.journeys[-1]

    def for_event_types(self, known: Iterable[str]) -> JourneyConfig:
        """The config with optional milestones dropped where no known event type matches."""
        types = list(known)
        journeys = []
        for journey in self.journeys:
            kept = tuple(m for m in journey.milestones if not m.optional or _matches(m, types))
            journeys.append(journey.model_copy(update={"milestones": kept}))
        return self.model_copy(update={"journeys": tuple(journeys)})


def _matches(milestone: Milestone, types: list[str]) -> bool:
    rule = milestone.rule
    if not isinstance(rule, EventRule):
        return True
    return any(fnmatch.fnmatchcase(t, p) for p in rule.event_types for t in types)


def default_journey_path() -> Path:
    return Path(str(resources.files("csops.department.onboarding") / "default_journey.yaml"))


def load_journey(path: Path | None = None) -> JourneyConfig:
    """Read and validate a journey file (the shipped default when `path` is None)."""
    path = path or default_journey_path()
    try:
        raw: Any = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise JourneyError(f"{path}: cannot read the journey file: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise JourneyError(f"{path}: not valid YAML: {exc}") from exc
    return parse_journey(raw, str(path))


def parse_journey(raw: Any, source: str = "journey") -> JourneyConfig:
    if not isinstance(raw, dict):
        raise JourneyError(f"{source}: the file must hold a mapping with a `journeys` list")
    try:
        return JourneyConfig.model_validate(raw)
    except ValidationError as exc:
        raise JourneyError(f"{source}: {describe(exc)}") from exc


def describe(exc: ValidationError) -> str:
    """Every problem as `key.path: why`, joined; list positions shown as [n]."""
    problems = []
    for problem in exc.errors():
        where = ""
        for part in problem["loc"]:
            where += f"[{part}]" if isinstance(part, int) else f".{part}" if where else str(part)
        problems.append(f"{where or '(top)'}: {problem['msg']}")
    return "; ".join(problems)
