"""Onboarding on day D: load facts from the warehouse, apply the journey, summarise.

This is the one entry point the command line and the weekly report call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import Engine

from csops.config import Settings
from csops.department.onboarding import facts
from csops.department.onboarding.cohorts import (
    Cohort,
    FunnelStep,
    cohorts,
    drop_off,
    funnel,
    stalled_now,
    week_of,
)
from csops.department.onboarding.journey import JourneyConfig, load_journey
from csops.department.onboarding.progress import AccountProgress, Status, progress_all
from csops.department.onboarding.proposals import onboarding_proposals
from csops.department.onboarding.warehouse import LINE_COLUMNS, open_lean
from csops.department.proposals import Proposal

TABLES = {
    "accounts": ("account_id", "name", "segment", "owner_email"),
    "activities": ("account_id", "kind", "occurred_at"),
    "subscription_versions": LINE_COLUMNS,
}


@dataclass(frozen=True)
class OnboardingResult:
    as_of: date
    config: JourneyConfig
    config_source: str
    progress: tuple[AccountProgress, ...]  # accounts started within the cohort window
    cohorts: tuple[Cohort, ...]
    funnel: tuple[FunnelStep, ...]
    proposals: tuple[Proposal, ...]

    def onboarding_now(self) -> list[AccountProgress]:
        return [
            p for p in self.progress if p.status in (Status.ON_TRACK, Status.BEHIND, Status.STUCK)
        ]


def journey_source(settings: Settings, path: Path | None) -> Path | None:
    """An explicit file, else WORKSPACE/config/onboarding.yaml when present, else None
    (the shipped default)."""
    if path is not None:
        return path
    local = settings.workspace / "config" / "onboarding.yaml"
    return local if local.exists() else None


def run_onboarding(
    settings: Settings,
    engine: Engine,
    as_of: date,
    config_path: Path | None = None,
    account_id: str | None = None,
) -> OnboardingResult:
    source = journey_source(settings, config_path)
    config = load_journey(source)
    con = open_lean(settings, engine, TABLES)
    try:
        return onboarding_on(con, as_of, config, str(source) if source else "default", account_id)
    finally:
        con.close()


def onboarding_on(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    config: JourneyConfig,
    source: str = "default",
    account_id: str | None = None,
) -> OnboardingResult:
    """Onboarding on D over an open warehouse connection holding `TABLES`."""
    window = timedelta(weeks=config.cohort_weeks, days=config.onboarding_days)
    since = None if account_id else as_of - window
    accounts = facts.load_accounts(con, as_of, since, account_id)
    known = facts.event_types(con, min((a.start for a in accounts), default=as_of), as_of)
    config = config.for_event_types(known)
    days = facts.milestone_days(con, config, as_of, known)
    progress = progress_all(accounts, days, as_of, config)
    first_week = week_of(as_of) - timedelta(weeks=config.cohort_weeks - 1)
    in_cohorts = [p for p in progress if week_of(p.account.start) >= first_week]
    return OnboardingResult(
        as_of=as_of,
        config=config,
        config_source=source,
        progress=tuple(progress),
        cohorts=tuple(cohorts(progress, as_of, config)),
        funnel=tuple(funnel(in_cohorts)),
        proposals=tuple(onboarding_proposals(progress, as_of, config)),
    )


def _num(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def progress_json(p: AccountProgress) -> dict[str, Any]:
    return {
        "account_id": p.account.account_id,
        "name": p.account.name,
        "segment": p.account.segment,
        "plan": p.account.plan,
        "owner": p.account.owner,
        "journey": p.journey,
        "start": p.account.start.isoformat(),
        "day": p.day,
        "status": p.status.value,
        "days_to_first_value": p.days_to_first_value,
        "last_progress": p.last_progress.isoformat(),
        "milestones": [
            {
                "key": m.key,
                "title": m.title,
                "due": m.due.isoformat(),
                "done": m.done.isoformat() if m.done else None,
                "overdue": m.overdue,
                "first_value": m.first_value,
            }
            for m in p.milestones
        ],
        "next_step": None
        if p.next_step is None
        else {
            "milestone": p.next_step.key,
            "title": p.next_step.title,
            "guide": p.next_step.guide,
            "owner": p.account.owner,
        },
    }


def summary_json(result: OnboardingResult) -> dict[str, Any]:
    statuses: dict[str, int] = {s.value: 0 for s in Status}
    for p in result.progress:
        statuses[p.status.value] += 1
    worst = drop_off(result.funnel)
    return {
        "as_of": result.as_of.isoformat(),
        "journey_config": result.config_source,
        "target_days": result.config.target_days,
        "accounts": len(result.progress),
        "status_counts": statuses,
        "cohorts": [
            {
                "week": c.week.isoformat(),
                "accounts": c.accounts,
                "activated": c.activated,
                "activation_rate": _num(c.activation_rate, 4),
                "final": c.final,
                "reached_first_value": c.reached_first_value,
                "median_days_to_first_value": _num(c.median_days),
                "p75_days_to_first_value": _num(c.p75_days),
            }
            for c in result.cohorts
        ],
        "funnel": [
            {
                "journey": s.journey,
                "milestone": s.key,
                "title": s.title,
                "reached": s.reached,
                "accounts": s.accounts,
                "share": _num(s.reached / s.accounts, 4) if s.accounts else None,
                "stalled_here": s.stalled_here,
            }
            for s in result.funnel
        ],
        "drop_off": None
        if worst is None
        else {
            "journey": worst.journey,
            "milestone": worst.key,
            "title": worst.title,
            "stalled_here": worst.stalled_here,
        },
        "stalled": [progress_json(p) for p in stalled_now(list(result.progress))],
    }
