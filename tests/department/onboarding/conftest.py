"""Onboarding personas, written as data-contract files and a small test journey.

Start days (paying lines): fast_acme 2026-03-02 (Mon), slow_globex 2026-03-04 (same week),
stuck_initech 2026-03-09 (next week); free_hooli has only a free line (never onboards).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from csops.department.onboarding.journey import JourneyConfig, load_journey
from csops.ingest.batch import ingest_paths
from csops.ingest.pipeline import IngestContext

ACCOUNTS = """account_id,name,segment,owner_email
fast_acme,Acme,SMB,ann@vendor.test
slow_globex,Globex,SMB,bob@vendor.test
stuck_initech,Initech,SMB,ann@vendor.test
free_hooli,Hooli,SMB,bob@vendor.test
"""
SUBSCRIPTIONS = """subscription_id,account_id,mrr,start_date,plan,seats
s1,fast_acme,100,2026-03-02,Team,4
s2,slow_globex,150,2026-03-04,Team,6
s3,stuck_initech,300,2026-03-09,Team,10
s4,free_hooli,0,2026-03-02,Sandbox,
"""
EVENTS = """account_id,event_type,occurred_at,user_id
fast_acme,login,2026-02-20T09:00:00Z,u0
fast_acme,login,2026-03-02T09:00:00Z,u1
fast_acme,view,2026-03-03T09:00:00Z,u2
fast_acme,integration_connected,2026-03-04T09:00:00Z,u1
fast_acme,report,2026-03-05T23:59:00Z,u3
slow_globex,login,2026-03-10T10:00:00Z,u1
slow_globex,login,2026-03-25T10:00:00Z,u2
slow_globex,login,2026-04-25T10:00:00Z,u3
stuck_initech,login,2026-03-09T08:00:00Z,u1
free_hooli,login,2026-03-02T08:00:00Z,u1
"""
ACTIVITIES = """activity_id,account_id,kind,occurred_at
a1,fast_acme,call,2026-02-25T15:00:00Z
a2,slow_globex,meeting,2026-03-20T15:00:00Z
a3,stuck_initech,email,2026-03-12T15:00:00Z
a4,stuck_initech,call,2026-01-01T15:00:00Z
"""

JOURNEY = """
target_days: 30
stuck_after_days: 14
onboarding_days: 90
activity_lookback_days: 30
cohort_weeks: 12
journeys:
  - name: test
    milestones:
      - {key: first_activity, title: First activity, due_day: 1, rule: {kind: any_event}}
      - key: kickoff
        title: Kickoff
        due_day: 7
        rule: {kind: activity, activity_kinds: [call, meeting]}
        guide: Kickoff agenda
      - key: integration
        title: Integration
        due_day: 10
        optional: true
        rule: {kind: event, event_types: ["*integration*"]}
        training: Integrations workshop
      - key: team
        title: Three users
        due_day: 14
        rule: {kind: active_users, min_users: 3}
        first_value: true
      - key: seats
        title: Half the seats
        due_day: 14
        rule: {kind: seats_assigned, min_share: 0.5}
"""


def write(folder: Path, files: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text)
        paths.append(path)
    return paths


@pytest.fixture
def journey_file(tmp_path: Path) -> Path:
    return write(tmp_path / "config", {"journey.yaml": JOURNEY})[0]


@pytest.fixture
def journey(journey_file: Path) -> JourneyConfig:
    return load_journey(journey_file)


@pytest.fixture
def loaded(ctx: IngestContext, tmp_path: Path) -> IngestContext:
    files = {
        "accounts.csv": ACCOUNTS,
        "subscriptions.csv": SUBSCRIPTIONS,
        "events.csv": EVENTS,
        "activities.csv": ACTIVITIES,
    }
    report = ingest_paths(ctx, write(tmp_path / "data", files))
    assert all(f.error is None and not f.rows_rejected for f in report.files), report.files
    return ctx
