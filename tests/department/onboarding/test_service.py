"""Onboarding over the store: milestone days from the data, cohorts, point in time."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.department.onboarding.conftest import JOURNEY, write

from csops.department.onboarding.progress import Status
from csops.department.onboarding.service import run_onboarding, summary_json
from csops.ingest.batch import ingest_paths
from csops.ingest.pipeline import IngestContext

D = date(2026, 4, 1)


def test_milestone_days_status_and_ttfv_from_data(
    loaded: IngestContext, journey_file: Path
) -> None:
    result = run_onboarding(loaded.settings, loaded.engine, D, journey_file)
    by_id = {p.account.account_id: p for p in result.progress}
    assert sorted(by_id) == ["fast_acme", "slow_globex", "stuck_initech"]  # free line: no
    fast = by_id["fast_acme"]
    assert {m.key: m.done for m in fast.milestones} == {
        "first_activity": date(2026, 3, 2),  # the login before the start does not count
        "kickoff": date(2026, 3, 2),  # call 5 days before the start: day 0
        "integration": date(2026, 3, 4),
        "team": date(2026, 3, 5),  # third distinct user (u0 was before the start)
        "seats": date(2026, 3, 3),  # ceil(0.5 x 4) = 2 users
    }
    assert fast.status is Status.COMPLETED and fast.days_to_first_value == 3
    slow = by_id["slow_globex"]
    assert slow.status is Status.BEHIND  # last progress 2026-03-20, 12 days ago
    assert slow.days_to_first_value is None
    stuck = by_id["stuck_initech"]
    # an email is not a kickoff, and the call of 2026-01-01 is beyond the 30-day lookback
    assert {m.key for m in stuck.milestones if m.done} == {"first_activity"}
    assert stuck.status is Status.STUCK
    assert [(p.account_id, p.kind) for p in result.proposals] == [
        ("slow_globex", "training_offer"),
        ("stuck_initech", "check_in_call"),
    ]


def test_cohorts_and_funnel_from_data(loaded: IngestContext, journey_file: Path) -> None:
    doc = summary_json(
        run_onboarding(loaded.settings, loaded.engine, date(2026, 5, 1), journey_file)
    )
    assert doc["cohorts"] == [
        {
            "week": "2026-03-02",
            "accounts": 2,
            "activated": 1,  # fast_acme in 3 days; slow_globex took 52
            "activation_rate": 0.5,
            "final": True,
            "reached_first_value": 2,
            "median_days_to_first_value": 27.5,
            "p75_days_to_first_value": 39.8,
        },
        {
            "week": "2026-03-09",
            "accounts": 1,
            "activated": 0,
            "activation_rate": 0.0,
            "final": True,
            "reached_first_value": 0,
            "median_days_to_first_value": None,
            "p75_days_to_first_value": None,
        },
    ]
    assert [(s["milestone"], s["reached"], s["stalled_here"]) for s in doc["funnel"]] == [
        ("first_activity", 3, 0),
        ("kickoff", 2, 1),
        ("integration", 1, 1),
        ("team", 2, 0),
        ("seats", 2, 0),
    ]
    assert doc["drop_off"]["milestone"] == "kickoff"
    assert [s["account_id"] for s in doc["stalled"]] == ["stuck_initech"]


def test_data_after_the_as_of_date_does_not_move_the_result(
    loaded: IngestContext, journey_file: Path, tmp_path: Path
) -> None:
    before = run_onboarding(loaded.settings, loaded.engine, D, journey_file)
    later = {
        "events.csv": "account_id,event_type,occurred_at,user_id\n"
        + "".join(
            f"stuck_initech,integration_connected,2026-04-02T08:00:00Z,u{i}\n"
            for i in (2, 3, 4, 5, 6)
        ),
        "activities.csv": "activity_id,account_id,kind,occurred_at\n"
        "a9,stuck_initech,call,2026-04-02T09:00:00Z\n",
        # a later correction of the line (seats) and a new line starting after D
        "subscriptions.csv": "subscription_id,account_id,mrr,start_date,plan,seats\n"
        "s3,stuck_initech,300,2026-03-09,Team,2\n"
        "s5,late_umbrella,90,2026-04-15,Team,3\n",
        "accounts.csv": "account_id,name\nlate_umbrella,Umbrella\n",
    }
    ingest_paths(loaded, write(tmp_path / "later", later))
    after = run_onboarding(loaded.settings, loaded.engine, D, journey_file)
    assert summary_json(after) == summary_json(before)
    assert after.proposals == before.proposals
    # ...while a later as-of date does see the new facts
    moved = run_onboarding(loaded.settings, loaded.engine, date(2026, 4, 20), journey_file)
    stuck = next(p for p in moved.progress if p.account.account_id == "stuck_initech")
    assert stuck.days_to_first_value == 24  # five new users on 2026-04-02
    assert "late_umbrella" in {p.account.account_id for p in moved.progress}


COUNTING = """
journeys:
  - name: counting
    milestones:
      - {key: three_events, title: Three events, due_day: 7, rule: {kind: any_event, min_count: 3}}
      - key: second_login
        title: Second login
        due_day: 14
        rule: {kind: event, event_types: [login], min_count: 2}
        first_value: true
      - {key: two_kinds, title: Two kinds, due_day: 14, rule: {kind: event_breadth, min_types: 2}}
"""


def test_rules_that_count_events_from_data(loaded: IngestContext, tmp_path: Path) -> None:
    path = write(tmp_path / "counting", {"journey.yaml": COUNTING})[0]
    result = run_onboarding(loaded.settings, loaded.engine, D, path)
    done = {p.account.account_id: {m.key: m.done for m in p.milestones} for p in result.progress}
    assert done == {
        # events since the start 2026-03-02: login 03-02, view 03-03, integration 03-04, ...
        "fast_acme": {
            "three_events": date(2026, 3, 4),
            "second_login": None,  # the other login was before the start
            "two_kinds": date(2026, 3, 3),
        },
        # logins 03-10 and 03-25; the third event (04-25) is after D
        "slow_globex": {"three_events": None, "second_login": date(2026, 3, 25), "two_kinds": None},
        "stuck_initech": {"three_events": None, "second_login": None, "two_kinds": None},
    }


def test_an_event_type_first_seen_after_the_day_adds_no_milestone(
    loaded: IngestContext, tmp_path: Path
) -> None:
    journey = tmp_path / "journey.yaml"
    journey.write_text(
        JOURNEY.replace(
            "      - key: team\n",
            "      - key: export\n"
            "        title: First export\n"
            "        due_day: 12\n"
            "        optional: true\n"
            '        rule: {kind: event, event_types: ["*export*"]}\n'
            "      - key: team\n",
        )
    )
    before = run_onboarding(loaded.settings, loaded.engine, D, journey)
    assert "export" not in [m.key for j in before.config.journeys for m in j.milestones]
    later = {
        "events.csv": "account_id,event_type,occurred_at,user_id\n"
        "stuck_initech,report_exported,2026-04-02T08:00:00Z,u2\n"
    }
    ingest_paths(loaded, write(tmp_path / "later", later))
    after = run_onboarding(loaded.settings, loaded.engine, D, journey)
    assert summary_json(after) == summary_json(before)
    moved = run_onboarding(loaded.settings, loaded.engine, date(2026, 4, 20), journey)
    assert "export" in [m.key for j in moved.config.journeys for m in j.milestones]
