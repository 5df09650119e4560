"""Expansion settings from YAML (the shipped `default_expansion.yaml`, a workspace copy, or
a file given on the command line), validated completely; errors name file, key and why."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from csops.department.onboarding.journey import describe

SIGNALS = (
    "seat_utilisation",
    "usage_growth_28",
    "usage_growth_90",
    "plan_limit",
    "new_team",
    "higher_plan_features",
    "renewal_upcoming",
    "promoter_nps",
)


class ExpansionConfigError(ValueError):
    """An expansion config file cannot be used."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Threshold(_Strict):
    threshold: float | Literal["auto"] = "auto"
    percentile: float = Field(default=75, ge=0, le=100)
    min_threshold: float = 0.0
    min_baseline: int = Field(default=0, ge=0)


class PlanLimit(_Strict):
    event_types: tuple[str, ...] = ()
    min_count: int = Field(default=1, ge=1)


class NewTeam(_Strict):
    group_keys: tuple[str, ...] = ("team", "department", "group", "division", "workspace")
    min_users: int = Field(default=2, ge=1)
    lookback_days: int = Field(default=365, ge=1)


class HigherPlan(_Strict):
    min_adoption: float = Field(default=0.2, gt=0, le=1)
    min_accounts: int = Field(default=5, ge=1)


class Renewal(_Strict):
    within_days: int = Field(default=90, ge=1)


class Promoter(_Strict):
    min_score: int = Field(default=9, ge=0, le=10)
    lookback_days: int = Field(default=180, ge=1)


class Signals(_Strict):
    seat_utilisation: Threshold = Threshold(percentile=75, min_threshold=0.8)
    usage_growth_28: Threshold = Threshold(percentile=80, min_threshold=0.2, min_baseline=20)
    usage_growth_90: Threshold = Threshold(percentile=80, min_threshold=0.2, min_baseline=60)
    plan_limit: PlanLimit = PlanLimit()
    new_team: NewTeam = NewTeam()
    higher_plan_features: HigherPlan = HigherPlan()
    renewal_upcoming: Renewal = Renewal()
    promoter_nps: Promoter = Promoter()


class Likelihood(_Strict):
    min_positive_examples: int = Field(default=30, ge=1)
    snapshots: int = Field(default=6, ge=1, le=24)
    max_examples: int = Field(default=20_000, ge=100)
    base_rate: float = Field(default=0.05, ge=0, lt=1)
    rule_weights: dict[str, float] = Field(default_factory=dict)

    def weight(self, signal: str) -> float:
        return self.rule_weights.get(signal, 0.1)


class Flag(_Strict):
    min_likelihood: float | Literal["auto"] = "auto"
    lift_over_base: float = Field(default=1.5, gt=0)


class Route(_Strict):
    """Expansion in this segment / region goes to `owner` (e.g. a sales rep) instead of
    the CSM; an empty list matches everything."""

    segment: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    owner: str = Field(min_length=3)

    def accepts(self, segment: str | None, region: str | None) -> bool:
        return (not self.segment or segment in self.segment) and (
            not self.region or region in self.region
        )


class Owners(_Strict):
    routes: tuple[Route, ...] = ()
    capacity_per_owner: int = Field(default=25, ge=0)
    capacity: dict[str, int] = Field(default_factory=dict)
    handoff_due_days: int = Field(default=5, ge=0)

    def capacity_of(self, owner: str) -> int:
        return self.capacity.get(owner, self.capacity_per_owner)

    def owner_for(self, csm: str | None, segment: str | None, region: str | None) -> str | None:
        """The first route matching the segment and region, else the CSM."""
        for route in self.routes:
            if route.accepts(segment, region):
                return route.owner
        return csm


class ExpansionConfig(_Strict):
    window_days: int = Field(default=28, ge=1)
    horizon_days: int = Field(default=90, ge=1)
    signals: Signals = Signals()
    likelihood: Likelihood = Likelihood()
    flag: Flag = Flag()
    owners: Owners = Owners()


def default_config_path() -> Path:
    return Path(str(resources.files("csops.department.expansion") / "default_expansion.yaml"))


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text()) or {}
    except OSError as exc:
        raise ExpansionConfigError(f"{path}: cannot read the config file: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ExpansionConfigError(f"{path}: not valid YAML: {exc}") from exc


def merged(base: Any, override: Any) -> Any:
    """`override` laid over `base`: mappings merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(override, dict):
        return {k: merged(base.get(k), v) if k in base else v for k, v in override.items()} | {
            k: v for k, v in base.items() if k not in override
        }
    return override


def load_config(path: Path | None = None) -> ExpansionConfig:
    """The shipped defaults, with the keys of `path` (if any) laid over them: a company's
    file names only what it changes."""
    default = _read(default_config_path())
    if path is None:
        return parse_config(default, str(default_config_path()))
    raw = _read(path)
    if not isinstance(raw, dict):
        raise ExpansionConfigError(f"{path}: the file must hold a mapping")
    return parse_config(merged(default, raw), str(path))


def parse_config(raw: Any, source: str = "expansion config") -> ExpansionConfig:
    if not isinstance(raw, dict):
        raise ExpansionConfigError(f"{source}: the file must hold a mapping")
    try:
        config = ExpansionConfig.model_validate(raw)
    except ValidationError as exc:
        raise ExpansionConfigError(f"{source}: {describe(exc)}") from exc
    unknown = sorted(set(config.likelihood.rule_weights) - set(SIGNALS))
    if unknown:
        raise ExpansionConfigError(
            f"{source}: likelihood.rule_weights: unknown signal(s) {', '.join(unknown)} "
            f"(known: {', '.join(SIGNALS)})"
        )
    return config
