"""The journey file: the shipped default is valid and generic; bad files name the problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.department.onboarding.conftest import JOURNEY

from csops.department.onboarding.journey import (
    EventRule,
    JourneyConfig,
    JourneyError,
    load_journey,
    parse_journey,
)


def test_default_journey_is_valid_and_names_no_required_event_type() -> None:
    config = load_journey()
    journey = config.journeys[0]
    assert journey.first_value().key == "breadth"
    for milestone in journey.milestones:
        # Any rule naming event types must be optional: the default works for any company.
        assert milestone.optional or not isinstance(milestone.rule, EventRule)


def test_optional_milestone_dropped_when_no_event_type_matches() -> None:
    config = load_journey()
    keys = [m.key for m in config.for_event_types(["login", "page_view"]).journeys[0].milestones]
    assert "integration" not in keys
    kept = config.for_event_types(["crm_integration_added"]).journeys[0].milestones
    assert "integration" in [m.key for m in kept]


def test_journey_for_picks_first_match_else_last() -> None:
    raw = {
        "journeys": [
            {
                "name": "enterprise",
                "match": {"segment": ["Enterprise"]},
                "milestones": [
                    {
                        "key": "a",
                        "title": "A",
                        "due_day": 1,
                        "first_value": True,
                        "rule": {"kind": "any_event"},
                    },
                ],
            },
            {
                "name": "everyone",
                "milestones": [
                    {
                        "key": "b",
                        "title": "B",
                        "due_day": 1,
                        "first_value": True,
                        "rule": {"kind": "active_users", "min_users": 2},
                    },
                ],
            },
        ]
    }
    config = parse_journey(raw)
    assert config.journey_for("Enterprise", "Pro").name == "enterprise"
    assert config.journey_for("SMB", "Pro").name == "everyone"
    assert config.journey_for(None, None).name == "everyone"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("journeys: [", "not valid YAML"),
        ("- just a list", "must hold a mapping"),
        (
            JOURNEY.replace("min_users: 3", "min_users: 0"),
            "journeys[0].milestones[3].rule.active_users.min_users: Input should be greater",
        ),
        (JOURNEY.replace("kind: any_event", "kind: anything"), "journeys[0].milestones[0].rule"),
        (JOURNEY.replace("first_value: true", "first_value: false"), "exactly one milestone"),
        (JOURNEY.replace("stuck_after_days: 14", "stuck_afterdays: 14"), "stuck_afterdays: Extra"),
    ],
)
def test_broken_journey_names_file_key_and_why(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "onboarding.yaml"
    path.write_text(text)
    with pytest.raises(JourneyError) as info:
        load_journey(path)
    assert str(info.value).startswith(str(path))
    assert expected in str(info.value)


def test_missing_journey_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(JourneyError, match="cannot read the journey file"):
        load_journey(tmp_path / "nope.yaml")


def test_test_journey_loads(journey: JourneyConfig) -> None:
    assert [m.key for m in journey.journeys[0].ordered()] == [
        "first_activity",
        "kickoff",
        "integration",
        "team",
        "seats",
    ]
