"""docs/health.md stays honest: every health command and every base feature is in it."""

from __future__ import annotations

from pathlib import Path

import typer.main

from csops.commands.health import app
from csops.health.features import _BASE_NAMES

DOC = (Path(__file__).parents[2] / "docs" / "health.md").read_text()


def test_every_health_command_is_documented() -> None:
    for name in typer.main.get_group(app).commands:
        assert f"`csops health {name}" in DOC, name
    assert "`csops renewals forecast" in DOC


def test_every_feature_is_documented() -> None:
    for name in _BASE_NAMES:
        stem = name.removesuffix("_7d").removesuffix("_28d").removesuffix("_90d")
        assert name in DOC or stem in DOC, name
