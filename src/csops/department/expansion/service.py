"""Expansion on day D: signals, likelihood, expected added ARR, owners, hand-offs.

The one entry point the command line and the weekly report call. Health (issue 5) joins
the signals when it exists; until then "strong health" is read as usage holding up.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import Engine

from csops.config import Settings
from csops.department.expansion.config import ExpansionConfig, load_config
from csops.department.expansion.facts import (
    Contact,
    load_contacts,
    load_lines,
    load_snapshot,
    prepare_groups,
)
from csops.department.expansion.handoff import Handoff, build_handoff
from csops.department.expansion.likelihood import Scorer, fit_scorer, training_set
from csops.department.expansion.lines import Line
from csops.department.expansion.owners import Seat, assign_owners
from csops.department.expansion.scripts import talk_tracks
from csops.department.expansion.signals import Assessment, Thresholds, assess
from csops.department.expansion.value import Value, expected_value
from csops.department.onboarding.warehouse import LINE_COLUMNS, open_lean

TABLES = {
    "accounts": ("account_id", "name", "segment", "region", "owner_email"),
    "contacts": ("contact_id", "account_id", "name", "email", "role", "is_primary"),
    "surveys": ("account_id", "kind", "score", "responded_at", "contact_id"),
    "subscription_versions": LINE_COLUMNS,
}
SNAPSHOT_SPACING_DAYS = 30


@dataclass(frozen=True)
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
    rows: tuple[Qualified, ...]  # one per account paying on D, by account id
    contacts: dict[str, list[Contact]]  # of the flagged accounts

    def flagged(self) -> list[Qualified]:
        return sorted(
            (q for q in self.rows if q.flagged), key=lambda q: (-q.weighted_arr, q.account_id)
        )


def config_source(settings: Settings, path: Path | None) -> Path | None:
    if path is not None:
        return path
    local = settings.workspace / "config" / "expansion.yaml"
    return local if local.exists() else None


def run_expansion(
    settings: Settings, engine: Engine, as_of: date, config_path: Path | None = None
) -> ExpansionResult:
    source = config_source(settings, config_path)
    config = load_config(source)
    con = open_lean(settings, engine, TABLES)
    try:
        return qualify(con, as_of, config, str(source) if source else "default")
    finally:
        con.close()


def limit_event_types(con: duckdb.DuckDBPyConnection, config: ExpansionConfig) -> list[str]:
    patterns = config.signals.plan_limit.event_types
    if not patterns:
        return []
    known = [r[0] for r in con.execute("SELECT DISTINCT event_type FROM events").fetchall()]
    return sorted({t for t in known for p in patterns if fnmatch.fnmatchcase(t, p)})


def train(
    con: duckdb.DuckDBPyConnection, as_of: date, config: ExpansionConfig, limit_types: list[str]
) -> Scorer:
    """Fit on monthly snapshots whose outcome window closed by D (facts as known then,
    outcomes from the lines as known on D)."""
    snapshots = []
    examples = 0
    for k in range(config.likelihood.snapshots):
        if examples >= config.likelihood.max_examples:
            break  # a large book has history enough in its latest snapshots
        t = as_of - timedelta(days=config.horizon_days + SNAPSHOT_SPACING_DAYS * k)
        snapshot = load_snapshot(con, t, config, limit_types)
        if snapshot.accounts:
            snapshots.append((t, assess(snapshot, config)[0]))
            examples += len(snapshot.accounts)
    lines_on_d: dict[str, list[Line]] = {}
    for line in load_lines(con, as_of):
        lines_on_d.setdefault(line.account_id, []).append(line)
    return fit_scorer(training_set(snapshots, lines_on_d, config.horizon_days), config)


def qualify(
    con: duckdb.DuckDBPyConnection, as_of: date, config: ExpansionConfig, source: str
) -> ExpansionResult:
    limit_types = limit_event_types(con, config)
    earliest = as_of - timedelta(
        days=config.horizon_days + SNAPSHOT_SPACING_DAYS * (config.likelihood.snapshots - 1)
    )
    prepare_groups(con, earliest, as_of, config)
    assessments, thresholds = assess(load_snapshot(con, as_of, config, limit_types), config)
    scorer = train(con, as_of, config, limit_types)
    likelihoods = scorer.score(assessments)
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
    return ExpansionResult(
        as_of=as_of,
        config=config,
        config_source=source,
        limit_types=tuple(limit_types),
        thresholds=thresholds,
        scorer=scorer,
        rows=rows,
        contacts=load_contacts(con, flagged_ids),
    )


def handoffs(result: ExpansionResult) -> list[Handoff]:
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
            contacts=result.contacts.get(q.account_id, []),
            tracks=talk_tracks(q.assessment, q.value),
        )
        for q in result.flagged()
    ]


def signal_rows(result: ExpansionResult) -> list[dict[str, Any]]:
    """One row per account paying on D: the `--out` table."""
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
                "mrr": sum((line.mrr for line in a.facts.lines), Decimal(0)),
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
        "likelihood": result.scorer.describe(),
        "thresholds": result.thresholds.as_dict(),
        "plan_limit_event_types": list(result.limit_types),
        "signal_counts": dict(sorted(counts.items())),
        "unassigned": sum(1 for q in flagged if q.owner is None),
    }
