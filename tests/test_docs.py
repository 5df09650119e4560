"""Docs stay honest: every command, setting and reason code is documented."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow as pa
import typer.main

from csops.cli import app
from csops.config import Settings
from csops.domain.contract import ENTITIES
from csops.ingest.validate import column_sql

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()
INGEST_DOC = (ROOT / "docs" / "ingest.md").read_text()


def test_every_command_is_in_the_readme() -> None:
    group = typer.main.get_group(app)
    names = group.list_commands(None)  # type: ignore[arg-type]
    assert {"ingest", "metrics", "renewals", "report", "support", "kb"} <= set(names)
    for name in names:
        assert f"`csops {name}" in README, name
        command = group.get_command(None, name)  # type: ignore[arg-type]
        for sub in getattr(command, "commands", {}):
            assert f"`csops {name} {sub}" in README, f"{name} {sub}"


def test_every_setting_is_in_the_readme() -> None:
    for name in Settings.model_fields:
        assert f"CSOPS_{name.upper()}" in README, name


def test_every_reason_code_is_in_the_ingest_doc() -> None:
    codes = {
        "duplicate_key",
        "encoding_error",
        "wrong_field_count",
        "invalid_json",
        "truncated_line",
        "unknown_reference",
    }
    for entity in ENTITIES.values():
        codes.update(check.reason for check in entity.checks)
        for column in entity.columns:
            for rule in column_sql(column, pa.string(), datetime(2026, 1, 1)).rules:
                codes.add(rule.code.split(":")[0])
    for code in codes:
        assert f"`{code}" in INGEST_DOC, code


def test_every_entity_and_column_is_in_the_readme() -> None:
    for entity in ENTITIES.values():
        assert f"| {entity.name} |" in README, entity.name
        for column in entity.column_names:
            assert column in README, f"{entity.name}.{column}"
