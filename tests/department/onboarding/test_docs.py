"""docs/onboarding.md documents every command, setting and rule kind."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import typer.main

from csops.commands.onboarding import app
from csops.department.onboarding.journey import JourneyConfig, Milestone, Rule

DOC = (Path(__file__).parents[3] / "docs" / "onboarding.md").read_text()


def test_every_command_is_documented() -> None:
    for name in typer.main.get_group(app).commands:
        assert f"`csops onboarding {name}" in DOC or f"`csops onboarding [{name}]" in DOC, name


def test_every_setting_milestone_field_and_rule_kind_is_documented() -> None:
    for name in JourneyConfig.model_fields:
        assert f"`{name}`" in DOC, name
    for name in Milestone.model_fields:
        assert f"`{name}`" in DOC, name
    for rule in get_args(get_args(Rule)[0]):
        kind = get_args(rule.model_fields["kind"].annotation)[0]
        assert f"`{kind}`" in DOC, kind
