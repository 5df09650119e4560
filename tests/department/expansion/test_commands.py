"""`csops expansion …` through its Typer app on a SQLite workspace."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from tests.department.expansion.conftest import load_personas
from typer.testing import CliRunner

from csops.commands.expansion import app
from csops.config import Settings
from csops.ingest.pipeline import IngestContext
from csops.store.database import make_engine, upgrade_schema

REQUIRED = ["account_id", "flagged", "likelihood", "expected_added_arr", "owner", "signals"]
PAYING = 7


@pytest.fixture
def workspace(tmp_path: Path, config_file: Path) -> Path:
    home = tmp_path / "ws"
    settings = Settings(home=home)
    engine = make_engine(settings)
    upgrade_schema(engine)
    load_personas(IngestContext(settings, engine, datetime(2026, 6, 1, 12)), tmp_path / "data")
    engine.dispose()
    (home / "config").mkdir()
    (home / "config" / "expansion.yaml").write_text(config_file.read_text())
    return home


def invoke(workspace: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"CSOPS_HOME": str(workspace)})
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".json"])
def test_signals_out_writes_one_row_per_paying_account(workspace: Path, suffix: str) -> None:
    path = workspace / f"signals{suffix}"
    code, _, _ = invoke(workspace, "signals", "--as-of", "2026-04-30", "--out", str(path))
    assert code == 0
    if suffix == ".csv":
        with path.open() as handle:
            rows = list(csv.DictReader(handle))
        flagged = {r["account_id"]: r["flagged"] == "true" for r in rows}
        signals = {r["account_id"]: json.loads(r["signals"]) for r in rows}
    elif suffix == ".parquet":
        table = pq.read_table(path)
        rows = table.to_pylist()
        assert str(table.schema.field("flagged").type) == "bool"
        flagged = {r["account_id"]: r["flagged"] for r in rows}
        signals = {r["account_id"]: json.loads(r["signals"]) for r in rows}
    else:
        rows = json.loads(path.read_text())
        flagged = {r["account_id"]: r["flagged"] for r in rows}
        signals = {r["account_id"]: r["signals"] for r in rows}
    assert len(rows) == PAYING
    assert all(set(REQUIRED) <= set(r) for r in rows)
    assert flagged["full_acme"] is True and flagged["big_business"] is False
    assert [s["signal"] for s in signals["limit_initech"]] == ["plan_limit"]
    assert set(signals["full_acme"][0]) == {"signal", "value", "evidence"}
    for r in rows:
        assert 0.0 <= float(r["likelihood"]) <= 1.0


def test_signals_json_is_one_document(workspace: Path) -> None:
    code, stdout, _ = invoke(workspace, "signals", "--as-of", "2026-04-30", "--json")
    assert code == 0
    doc = json.loads(stdout)
    assert doc["flagged"] == 6 and doc["paying_accounts"] == PAYING
    assert doc["likelihood"]["method"] == "rules"
    assert doc["plan_limit_event_types"] == ["quota_exceeded"]
    assert len(doc["accounts"]) == PAYING
    acme = next(r for r in doc["accounts"] if r["account_id"] == "full_acme")
    assert acme["expected_added_arr"] == 1440.0 and acme["as_of"] == "2026-04-30"


def test_handoff_and_scripts(workspace: Path) -> None:
    path = workspace / "handoffs.json"
    code, _, _ = invoke(workspace, "handoff", "--as-of", "2026-04-30", "--out", str(path))
    assert code == 0
    records = json.loads(path.read_text())
    assert len(records) == 6 and all(r["status"] == "proposed" for r in records)
    code, stdout, _ = invoke(
        workspace, "scripts", "teams_umbrella", "--as-of", "2026-04-30", "--json"
    )
    assert code == 0
    tracks = json.loads(stdout)["talk_tracks"]
    assert [t["signal"] for t in tracks] == ["new_team"]
    assert "team: sales" in tracks[0]["talk_track"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["signals", "--out", "x.txt"], "unknown output format '.txt'"),
        (["scripts", "nobody", "--as-of", "2026-04-30"], "is not paying on 2026-04-30"),
        (["signals", "--as-of", "30/04/2026"], "is not a date"),
    ],
)
def test_bad_input_is_a_clear_error(workspace: Path, args: list[str], message: str) -> None:
    code, _, stderr = invoke(workspace, *args)
    assert code != 0
    assert message in " ".join(stderr.split())


def test_broken_config_names_the_file(workspace: Path) -> None:
    (workspace / "config" / "expansion.yaml").write_text("flag: {lift_over_base: -1}\n")
    code, _, stderr = invoke(workspace, "signals", "--as-of", "2026-04-30")
    assert code == 2
    text = " ".join(stderr.split())
    assert "expansion.yaml" in text and "flag.lift_over_base" in text


def test_train_stores_the_model_that_signals_reuse(workspace: Path) -> None:
    code, stdout, _ = invoke(workspace, "train", "--as-of", "2026-04-20", "--json")
    assert code == 0
    trained = json.loads(stdout)
    assert Path(trained["model"]).exists() and trained["training_dates"]
    code, stdout, _ = invoke(workspace, "signals", "--as-of", "2026-04-30", "--json")
    assert code == 0
    assert json.loads(stdout)["likelihood"]["model_as_of"] == "2026-04-20"
    code, stdout, _ = invoke(workspace, "signals", "--as-of", "2026-04-30", "--json", "--retrain")
    assert code == 0
    assert json.loads(stdout)["likelihood"]["model_as_of"] == "2026-04-30"
