"""Expansion on day D: signals, likelihood, expected added ARR, owners, hand-offs.

The one entry point the command line and the weekly report call. Health (issue 5) joins
the signals when it exists; until then "strong health" is read as usage holding up.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
from sqlalchemy import Engine

from csops.config import Settings
from csops.department.expansion.allocation import paused_gc
from csops.department.expansion.config import ExpansionConfig, load_config
from csops.department.expansion.evidence import assessments as assess_accounts
from csops.department.expansion.facts import (
    Contact,
    known_lines,
    load_contacts,
    load_frames,
    load_outcomes,
    paying_counts,
)
from csops.department.expansion.frame import Frame
from csops.department.expansion.handoff import Handoff, build_handoff
from csops.department.expansion.likelihood import (
    Scorer,
    fit_scorer,
    preload_learner,
    training_set,
)
from csops.department.expansion.lines import NO_OUTCOME
from csops.department.expansion.model_store import latest_scorer, save_scorer
from csops.department.expansion.owners import Seat, assign_owners
from csops.department.expansion.scripts import talk_tracks
from csops.department.expansion.signals import Assessment, Thresholds, assess
from csops.department.expansion.value import Value, expected_value
from csops.department.onboarding.warehouse import LINE_COLUMNS, open_lean
from csops.department.proposals import Proposal

TABLES = {
    "accounts": ("account_id", "name", "segment", "region", "owner_email"),
    "contacts": ("contact_id", "account_id", "name", "email", "role", "is_primary"),
    "surveys": ("account_id", "kind", "score", "responded_at", "contact_id"),
    "subscription_versions": LINE_COLUMNS,
}
SNAPSHOT_SPACING_DAYS = 30
# The columns `--out` always writes, even for an empty table.
SIGNAL_COLUMNS = (
    "account_id",
    "flagged",
    "likelihood",
    "expected_added_arr",
    "owner",
    "signals",
)


@dataclass(frozen=True, slots=True)
class Qualified:
    assessment: Assessment
    likelihood: float
    flagged: bool
    value: Value
    owner: str | None
    owner_note: str

    @property
    def account_id(self) -> str:
        return self.assessment.facts.account_id

    @property
    def weighted_arr(self) -> float:
        return self.likelihood * float(self.value.added_arr)


@dataclass(frozen=True)
class ExpansionResult:
    as_of: date
    config: ExpansionConfig
    config_source: str
    limit_types: tuple[str, ...]
    thresholds: Thresholds
    scorer: Scorer
    model_as_of: date  # the day the likelihood model's data is as of (D when learned now)
    training_dates: tuple[date, ...]  # of a model learned in this run (empty: reused)
    rows: tuple[Qualified, ...]  # one per account paying on D, by account id
    contacts: dict[str, list[Contact]] | None  # of the flagged accounts (None: not loaded)

    def flagged(self) -> list[Qualified]:
        """The flagged accounts, the most valuable (weighted added ARR) first."""
        return list(self._flagged)

    @cached_property
    def _flagged(self) -> tuple[Qualified, ...]:
        with paused_gc():
            chosen = [q for q in self.rows if q.flagged]
            return tuple(sorted(chosen, key=lambda q: (-q.weighted_arr, q.account_id)))


def config_source(settings: Settings, path: Path | None) -> Path | None:
    if path is not None:
        return path
    local = settings.workspace / "config" / "expansion.yaml"
    return local if local.exists() else None


def run_expansion(
    settings: Settings,
    engine: Engine,
    as_of: date,
    config_path: Path | None = None,
    with_contacts: bool = False,
    retrain: bool = False,
) -> ExpansionResult:
    """Expansion on D; `with_contacts` also reads the flagged accounts' contacts, which
    only the hand-offs need. The likelihood model stored for D is reused (see
    `model_store`); without one, or with `retrain`, it is learned and stored."""
    source = config_source(settings, config_path)
    config = load_config(source)
    stored = None if retrain else latest_scorer(settings.workspace, as_of, config)
    con = open_lean(settings, engine, TABLES)
    try:
        result = qualify(
            con, as_of, config, str(source) if source else "default", with_contacts, stored
        )
    finally:
        con.close()
    if stored is None:
        save_scorer(settings.workspace, as_of, config, result.scorer, list(result.training_dates))
    return result


def train_expansion(
    settings: Settings, engine: Engine, as_of: date, config_path: Path | None = None
) -> tuple[Scorer, list[date], Path]:
    """Learn the likelihood model as of D and store it: (model, training dates, file)."""
    config = load_config(config_source(settings, config_path))
    con = open_lean(settings, engine, TABLES)
    try:
        scorer, dates = learn(con, as_of, config)
    finally:
        con.close()
    path = save_scorer(settings.workspace, as_of, config, scorer, dates)
    return scorer, dates, path


def learn(
    con: duckdb.DuckDBPyConnection, as_of: date, config: ExpansionConfig
) -> tuple[Scorer, list[date]]:
    """The likelihood model learned from the history before D, and its training dates."""
    taken, caps = training_plan(con, as_of, config)
    limit_types = limit_event_types(con, config, list(taken))
    frames = load_frames(con, list(taken), config, limit_types, caps) if taken else {}
    return train(con, as_of, config, frames), list(taken)


def limit_event_types(
    con: duckdb.DuckDBPyConnection, config: ExpansionConfig, dates: list[date]
) -> list[str]:
    """The company's event types that match the configured plan-limit patterns, among
    those seen in the windows of `dates` (the only events plan-limit hits are counted
    over: the result is the same as with every type, and nothing after D is read)."""
    patterns = config.signals.plan_limit.event_types
    if not patterns or not dates:
        return []
    low = min(dates) - timedelta(days=config.window_days - 1)
    high = max(dates) + timedelta(days=1)
    known = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT event_type FROM events WHERE occurred_at >= ? AND occurred_at < ?",
            [datetime.combine(low, time()), datetime.combine(high, time())],
        ).fetchall()
    ]
    return sorted({t for t in known for p in patterns if fnmatch.fnmatchcase(t, p)})


def training_plan(
    con: duckdb.DuckDBPyConnection, as_of: date, config: ExpansionConfig
) -> tuple[dict[date, int], dict[date, int]]:
    """The monthly training dates whose outcome window closed by D, newest first, until
    `max_examples` accounts are in: (examples per date, caps for the dates that give only
    a sample of their paying accounts)."""
    settings = config.likelihood
    taken: dict[date, int] = {}
    caps: dict[date, int] = {}
    for k in range(settings.snapshots):
        examples = sum(taken.values())
        if examples >= settings.max_examples:
            break  # a large book has history enough in its latest snapshots
        t = as_of - timedelta(days=config.horizon_days + SNAPSHOT_SPACING_DAYS * k)
        paying = paying_counts(con, [t])[t]
        if paying:
            taken[t] = min(paying, settings.max_examples - examples)
            if taken[t] < paying:
                caps[t] = taken[t]
    return taken, caps


def train(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    config: ExpansionConfig,
    frames: Mapping[date, Frame],
) -> Scorer:
    """Fit on the training frames (facts as known on each date t, outcomes within
    (t, t + horizon] from the lines as known on D)."""
    lines_on_d = known_lines(con, as_of)
    parts = []
    for t, frame in frames.items():
        assessed = assess(frame, config)
        ids = frame.values("account_id")
        outcomes = load_outcomes(con, lines_on_d, t, config.horizon_days, ids)
        labels = np.array([outcomes.get(a, NO_OUTCOME).expanded for a in ids], dtype=bool)
        parts.append((t, assessed.features(), labels))
    return fit_scorer(training_set(parts), config)


def qualify(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    config: ExpansionConfig,
    source: str,
    with_contacts: bool = False,
    stored: tuple[date, Scorer] | None = None,
) -> ExpansionResult:
    """Qualify every account paying on D, with the `stored` likelihood model (its data's
    day, the model) or one learned now from the history before D."""
    taken, caps = training_plan(con, as_of, config) if stored is None else ({}, {})
    limit_types = limit_event_types(con, config, [as_of, *taken])
    if sum(taken.values()) >= config.likelihood.min_positive_examples + 10:
        preload_learner()  # enough examples that the model may be learned
    frames = load_frames(con, [as_of, *taken], config, limit_types, caps)
    now = assess(frames[as_of], config)
    model_as_of, scorer = stored or (
        as_of,
        train(con, as_of, config, {t: frames[t] for t in taken}),
    )
    likelihoods = scorer.score(now.features(), now.fired).tolist()
    with paused_gc():  # one record per account below: see `allocation`
        assessments = assess_accounts(now)
        values = [expected_value(a) for a in assessments]
        flags = [
            bool(a.signals) and p >= scorer.flag_threshold
            for a, p in zip(assessments, likelihoods, strict=True)
        ]
        seats = [
            Seat(
                a.facts.account_id,
                config.owners.owner_for(a.facts.owner, a.facts.segment, a.facts.region),
                a.facts.segment,
                a.facts.region,
                f,
                p * float(v.added_arr),
                a.facts.owner,
            )
            for a, p, v, f in zip(assessments, likelihoods, values, flags, strict=True)
        ]
        owners = assign_owners(seats, config.owners.capacity_of)
        rows = tuple(
            Qualified(a, p, f, v, owners[a.facts.account_id].owner, owners[a.facts.account_id].note)
            for a, p, v, f in zip(assessments, likelihoods, values, flags, strict=True)
        )
    flagged_ids = [q.account_id for q in rows if q.flagged]
    contacts = load_contacts(con, flagged_ids) if with_contacts else None
    return ExpansionResult(
        as_of=as_of,
        config=config,
        config_source=source,
        limit_types=tuple(limit_types),
        thresholds=now.thresholds,
        scorer=scorer,
        model_as_of=model_as_of,
        training_dates=tuple(taken),
        rows=rows,
        contacts=contacts,
    )


def handoffs(result: ExpansionResult) -> list[Handoff]:
    """The hand-offs of the flagged accounts (the result must hold their contacts)."""
    if result.contacts is None:
        raise ValueError("hand-offs need the contacts: qualify with with_contacts=True")
    contacts = result.contacts
    return [
        build_handoff(
            account_id=q.account_id,
            account_name=q.assessment.facts.name,
            owner=q.owner,
            owner_note=q.owner_note,
            as_of=result.as_of,
            due_days=result.config.owners.handoff_due_days,
            likelihood=q.likelihood,
            value=q.value,
            signals=q.assessment.signals,
            contacts=contacts.get(q.account_id, []),
            tracks=talk_tracks(q.assessment, q.value),
        )
        for q in result.flagged()
    ]


def proposals(result: ExpansionResult) -> list[Proposal]:
    """The flagged accounts as the department's common proposal records."""
    return [h.proposal for h in handoffs(result)]


def signal_rows(result: ExpansionResult) -> list[dict[str, Any]]:
    """One row per account paying on D: the `--out` table."""
    with paused_gc():
        return _signal_rows(result)


def _signal_rows(result: ExpansionResult) -> list[dict[str, Any]]:
    rows = []
    for q in result.rows:
        a = q.assessment
        rows.append(
            {
                "account_id": q.account_id,
                "account_name": a.facts.name,
                "as_of": result.as_of,
                "flagged": q.flagged,
                "likelihood": round(q.likelihood, 4),
                "expected_added_arr": q.value.added_arr,
                "weighted_added_arr": round(q.weighted_arr, 2),
                "value_route": q.value.route,
                "owner": q.owner,
                "owner_note": q.owner_note,
                "segment": a.facts.segment,
                "region": a.facts.region,
                "plan": a.plan.plan if a.plan else None,
                "next_plan": a.next_plan.plan if a.next_plan else None,
                "mrr": a.facts.mrr,
                "seats": a.seats,
                "signal_count": len(a.signals),
                "signals": [
                    {"signal": s.signal, "value": s.value, "evidence": s.evidence}
                    for s in a.signals
                ],
                "likelihood_method": result.scorer.method,
            }
        )
    return rows


def summary(result: ExpansionResult) -> dict[str, Any]:
    with paused_gc():
        return _summary(result)


def _summary(result: ExpansionResult) -> dict[str, Any]:
    flagged = result.flagged()
    counts: dict[str, int] = {}
    for q in result.rows:
        for s in q.assessment.signals:
            counts[s.signal] = counts.get(s.signal, 0) + 1
    return {
        "as_of": result.as_of.isoformat(),
        "config": result.config_source,
        "paying_accounts": len(result.rows),
        "flagged": len(flagged),
        "expected_added_arr_flagged": float(sum(q.value.added_arr for q in flagged)),
        "weighted_added_arr_flagged": round(sum(q.weighted_arr for q in flagged), 2),
        "likelihood": {**result.scorer.describe(), "model_as_of": result.model_as_of.isoformat()},
        "thresholds": result.thresholds.as_dict(),
        "plan_limit_event_types": list(result.limit_types),
        "signal_counts": dict(sorted(counts.items())),
        "unassigned": sum(1 for q in flagged if q.owner is None),
    }
