"""`csops onboarding …` through its Typer app on a SQLite workspace."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import pytest
from tests.department.onboarding.conftest import (
    ACCOUNTS,
    ACTIVITIES,
    EVENTS,
    JOURNEY,
    SUBSCRIPTIONS,
    write,
)
from typer.testing import CliRunner

from csops.commands.onboarding import app
from csops.config import Settings
from csops.ingest.batch import ingest_paths
from csops.ingest.pipeline import IngestContext
from csops.store.database import make_engine, upgrade_schema


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    home = tmp_path / "ws"
    settings = Settings(home=home)
    engine = make_engine(settings)
    upgrade_schema(engine)
    files = {
        "accounts.csv": ACCOUNTS,
        "subscriptions.csv": SUBSCRIPTIONS,
        "events.csv": EVENTS,
        "activities.csv": ACTIVITIES,
    }
    ingest_paths(
        IngestContext(settings, engine, datetime(2026, 6, 1, 12)), write(tmp_path / "d", files)
    )
    engine.dispose()
    write(home / "config", {"onboarding.yaml": JOURNEY})
    return home


def invoke(workspace: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"CSOPS_HOME": str(workspace)})
    return result.exit_code, result.stdout, result.stderr


def test_bare_command_prints_the_cohorts_as_one_json_document(workspace: Path) -> None:
    code, stdout, _ = invoke(workspace, "--as-of", "2026-04-01", "--json")
    assert code == 0
    doc = json.loads(stdout)
    assert doc["journey_config"].endswith("onboarding.yaml")
    assert [(c["week"], c["accounts"], c["activated"]) for c in doc["cohorts"]] == [
        ("2026-03-02", 2, 1),
        ("2026-03-09", 1, 0),
    ]
    code, stdout2, _ = invoke(workspace, "status", "--as-of", "2026-04-01", "--json")
    assert json.loads(stdout2) == doc


def test_account_and_proposals(workspace: Path, tmp_path: Path) -> None:
    code, stdout, _ = invoke(
        workspace, "account", "stuck_initech", "--as-of", "2026-04-01", "--json"
    )
    assert code == 0
    doc = json.loads(stdout)
    assert doc["status"] == "stuck" and doc["next_step"]["milestone"] == "kickoff"
    out = tmp_path / "proposals.csv"
    code, _, _ = invoke(workspace, "proposals", "--as-of", "2026-04-01", "--out", str(out))
    assert code == 0
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["account_id"], r["kind"], r["owner"], r["due"]) for r in rows] == [
        ("slow_globex", "training_offer", "bob@vendor.test", "2026-04-04"),
        ("stuck_initech", "check_in_call", "ann@vendor.test", "2026-04-03"),
    ]
    assert len(json.loads(rows[0]["evidence"])) == 4


def test_unknown_account_and_broken_journey_are_clear_errors(workspace: Path) -> None:
    code, _, stderr = invoke(workspace, "account", "free_hooli", "--as-of", "2026-04-01")
    assert code == 1 and "has not started" in " ".join(stderr.split())
    (workspace / "config" / "onboarding.yaml").write_text("journeys: []\n")
    code, _, stderr = invoke(workspace, "--as-of", "2026-04-01")
    text = " ".join(stderr.split())
    assert code == 2 and "onboarding.yaml" in text and "journeys" in text
