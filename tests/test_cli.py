"""The command line: JSON on stdout only, exit codes, settings errors, status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from csops.cli import app

BROKEN = Path(__file__).parent / "fixtures" / "broken"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _ws(tmp_path: Path) -> list[str]:
    return ["--workspace", str(tmp_path / "ws")]


def test_ingest_json_is_the_only_thing_on_stdout(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, [*_ws(tmp_path), "ingest", str(BROKEN / "accounts.csv"), "--json"])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {"files", "totals"}
    summary = document["files"][0]
    assert set(summary) == {
        "path",
        "entity",
        "rows_read",
        "rows_loaded",
        "rows_updated",
        "rows_unchanged",
        "rows_rejected",
        "reasons",
        "quarantine_path",
        "error",
    }
    assert summary["rows_loaded"] == 3 and summary["rows_rejected"] == 5


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["accounts.csv"], 0),
        (["accounts.csv", "--strict"], 1),
        (["tickets_missing_column.csv"], 2),
        (["no-such-file.csv"], 2),
    ],
)
def test_exit_codes(runner: CliRunner, tmp_path: Path, args: list[str], code: int) -> None:
    result = runner.invoke(
        app, [*_ws(tmp_path), "ingest", str(BROKEN / args[0]), *args[1:], "--json"]
    )
    assert result.exit_code == code, result.stderr
    assert json.loads(result.stdout)["totals"]["files"] == 1


def test_unknown_entity_flag_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [*_ws(tmp_path), "ingest", str(BROKEN / "accounts.csv"), "--entity", "widgets", "--json"],
    )
    assert result.exit_code == 2
    assert "unknown entity 'widgets'" in json.loads(result.stdout)["files"][0]["error"]


def test_second_run_says_nothing_changed(runner: CliRunner, tmp_path: Path) -> None:
    clean = tmp_path / "accounts.csv"
    clean.write_text("account_id,name\nacc_1,Acme\n")
    args = [*_ws(tmp_path), "ingest", str(clean)]
    runner.invoke(app, args)
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert "Nothing changed" in result.stdout


def test_second_run_with_rejections_does_not_claim_nothing_changed(
    runner: CliRunner, tmp_path: Path
) -> None:
    args = [*_ws(tmp_path), "ingest", str(BROKEN / "accounts.csv")]
    runner.invoke(app, args)
    result = runner.invoke(app, args)
    assert "Nothing changed" not in result.stdout
    assert "rejected rows are in quarantine" in result.stdout


def test_invalid_setting_is_reported_at_start(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSOPS_CURRENCY", "EURO")
    result = runner.invoke(app, [*_ws(tmp_path), "status", "--json"])
    assert result.exit_code == 2
    assert "CSOPS_CURRENCY" in result.stderr and "three-letter" in result.stderr
    assert result.stdout == ""


def test_status_reports_rows_events_ingests_and_masks_passwords(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner.invoke(app, [*_ws(tmp_path), "ingest", str(BROKEN), "--json"])
    result = runner.invoke(app, [*_ws(tmp_path), "status", "--json"])
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["rows"]["accounts"] == 3
    assert info["events"]["count"] == 3
    assert info["events"]["first"] == "2024-05-01T10:00:00"
    assert info["quarantine"]["accounts"] == 5
    assert info["schema_version"] == info["schema_head"]
    # Nine files loaded; the file refused for its missing column left no ingest behind.
    assert len(info["recent_ingests"]) == 9
    assert "tickets_missing_column.csv" not in {
        Path(i["path"]).name for i in info["recent_ingests"]
    }

    from csops.config import masked_url

    assert masked_url("postgresql+psycopg://csops:s3cret@db:5432/prod") == (
        "postgresql+psycopg://csops:***@db:5432/prod"
    )


def test_json_output_stays_clean_on_long_queries(runner: CliRunner, tmp_path: Path) -> None:
    from csops.analytics.duck import connect
    from csops.config import Settings

    con = connect(Settings(home=tmp_path / "ws"))
    assert con.execute("SELECT current_setting('enable_progress_bar')").fetchall() == [(False,)]


def test_a_folder_with_nothing_to_ingest_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.xlsx").write_bytes(b"")
    result = runner.invoke(app, [*_ws(tmp_path), "ingest", str(folder), "--json"])
    assert result.exit_code == 2
    error = json.loads(result.stdout)["files"][0]["error"]
    assert "no .csv, .parquet or .jsonl files" in error and "notes.xlsx" in error


def test_workspace_path_with_a_quote_works(runner: CliRunner, tmp_path: Path) -> None:
    ws = tmp_path / "O'Brien ws"
    result = runner.invoke(
        app, ["--workspace", str(ws), "ingest", str(BROKEN / "accounts.csv"), "--json"]
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["files"][0]["rows_loaded"] == 3


def test_status_of_a_missing_workspace_creates_nothing(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["--workspace", str(tmp_path / "typo"), "status", "--json"])
    assert result.exit_code == 2
    assert "no workspace at" in result.stderr
    assert not (tmp_path / "typo").exists()


def test_renewals_table_fits_a_narrow_terminal_one_line_per_renewal(
    runner: CliRunner, tmp_path: Path
) -> None:
    loaded = runner.invoke(app, [*_ws(tmp_path), "ingest", str(BROKEN)])
    assert loaded.exit_code == 2  # the fixture folder holds one unreadable file, by design
    result = runner.invoke(
        app, [*_ws(tmp_path), "renewals", "--as-of", "2024-12-15"], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    rows = [line for line in lines if line.lstrip().startswith("2025-")]
    assert [row.split()[0] for row in rows] == ["2025-01-15", "2025-02-01"]
    assert all("⚠" in row for row in rows)  # inside 90 days, no renewal conversation
    assert "Acme Corp" in rows[0] and "ana" in rows[0]
