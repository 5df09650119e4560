"""docs/expansion.md documents every command and every configuration key."""

from __future__ import annotations

from pathlib import Path

import typer.main
import yaml

from csops.commands.expansion import app
from csops.department.expansion.config import SIGNALS, default_config_path

DOC = (Path(__file__).parents[3] / "docs" / "expansion.md").read_text()


def test_every_command_is_documented() -> None:
    for name in typer.main.get_group(app).commands:
        assert f"`csops expansion {name}" in DOC, name


def test_every_config_key_and_signal_is_documented() -> None:
    raw = yaml.safe_load(default_config_path().read_text())
    for key, value in raw.items():
        assert f"`{key}" in DOC, key
        if isinstance(value, dict) and key != "signals":
            for sub in value:
                assert f"`{sub}`" in DOC, f"{key}.{sub}"
    for signal in SIGNALS:
        assert f"`{signal}`" in DOC, signal
