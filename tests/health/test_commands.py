"""The commands on a small demo company, and the point-in-time promise: scoring the full
history as of D gives the same scores as scoring the data cut at D."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

from csops.commands.health import app
from csops.commands.renewals_forecast import forecast_command
from csops.config import Settings
from csops.demo import generate_company
from csops.health.report_section import build_section
from csops.ingest.batch import ingest_paths
from csops.ingest.pipeline import IngestContext
from csops.reports.section import ReportContext, TableBlock
from csops.store.database import make_engine, upgrade_schema

END = date(2026, 5, 1)
D = date(2026, 2, 15)
NOW = datetime(2026, 6, 1, 12, 0, 0)
# Columns known only after they happened: blanked in the cut when later than D.
LATER = {
    "subscriptions": ("end_date",),
    "tickets": ("first_reply_at", "solved_at", "csat"),
    "invoices": ("paid_at",),
}
WHEN = {
    "accounts": "created_at",
    "contacts": "created_at",
    "subscriptions": "start_date",
    "tickets": "created_at",
    "ticket_comments": "created_at",
    "surveys": "responded_at",
    "activities": "occurred_at",
    "invoices": "due_date",
}


def _after_d(text: str) -> bool:
    return bool(text) and text[:10] > D.isoformat()


def cut_at_d(source: Path, target: Path) -> list[Path]:
    """The demo files as they would have been exported on D."""
    target.mkdir(parents=True)
    paths = []
    for path in sorted(source.iterdir()):
        out = target / path.name
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            limit = pa.scalar(datetime(2026, 2, 16), pa.timestamp("us", tz="UTC"))
            keep = pc.less(table["occurred_at"], limit)
            table = table.filter(keep)
            if table.num_rows:
                pq.write_table(table, out)
                paths.append(out)
            continue
        entity = path.stem
        with path.open(newline="") as f, out.open("w", newline="") as g:
            reader = csv.DictReader(f)
            writer = csv.DictWriter(g, fieldnames=reader.fieldnames or [])
            writer.writeheader()
            for row in reader:
                if entity in WHEN and _after_d(row[WHEN[entity]]):
                    continue
                for column in LATER.get(entity, ()):
                    if (column == "csat" and _after_d(row["solved_at"])) or (
                        column != "csat" and _after_d(row[column])
                    ):
                        row[column] = ""
                writer.writerow(row)
        paths.append(out)
    return paths


def workspace(home: Path, files: list[Path]) -> Path:
    settings = Settings(home=home)
    engine = make_engine(settings)
    upgrade_schema(engine)
    ingest_paths(IngestContext(settings, engine, NOW), files)
    engine.dispose()
    return home


@pytest.fixture(scope="module")
def homes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("health")
    paths = generate_company(root / "demo", accounts=120, months=16, seed=3, end=END)
    files = [p for ps in paths.values() for p in ps]
    full = workspace(root / "full", files)
    cut = workspace(root / "cut", cut_at_d(root / "demo", root / "cut-files"))
    return full, cut


def invoke(home: Path, *args: str) -> dict[str, object]:
    result = CliRunner().invoke(app, list(args), env={"CSOPS_HOME": str(home)})
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


def test_score_full_history_equals_data_cut_at_d(homes: tuple[Path, Path]) -> None:
    full, cut = homes
    a = invoke(full, "score", "--as-of", D.isoformat(), "--json")
    b = invoke(cut, "score", "--as-of", D.isoformat(), "--json")
    assert a["accounts"] == b["accounts"]
    accounts = a["accounts"]
    assert isinstance(accounts, list) and len(accounts) > 50
    first = accounts[0]
    assert set(first) == {"account_id", "churn_probability", "health_score", "band", "top_signals"}
    assert first["band"] in ("green", "yellow", "red")
    assert all(s["text"] and s["direction"] for s in first["top_signals"])
    probabilities = [r["churn_probability"] for r in accounts]
    assert probabilities == sorted(probabilities, reverse=True)
    assert (full / "models").is_dir() and list((full / "models").glob("churn-h90-*.json"))


def test_backtest_reports_three_predictors(homes: tuple[Path, Path]) -> None:
    full, _ = homes
    args = (
        "backtest",
        "--as-of",
        END.isoformat(),
        "--horizon-days",
        "60",
        "--origins",
        "1",
        "--json",
    )
    a = invoke(full, *args)
    assert a["origins"] and isinstance(a["model"], dict)
    for name in ("model", "naive", "scorecard"):
        block = a[name]
        assert isinstance(block, dict)
        for key in ("auc", "top_decile_lift", "red_precision", "churned_green_before"):
            assert key in block, (name, key)
    assert isinstance(a["renewal_forecast"], list) and a["renewal_forecast"]
    for month in a["renewal_forecast"]:
        terms = month["by_term"]
        assert sum(t["renewals"] for t in terms) == month["renewals"]
        lost = sum(t["arr_lost"] for t in terms)
        assert lost == pytest.approx(month["arr_due"] - month["actual_renewed_arr"], abs=0.05)


def test_score_out_files_and_one_account(homes: tuple[Path, Path], tmp_path: Path) -> None:
    full, _ = homes
    target = tmp_path / "scores.csv"
    doc = invoke(
        full, "score", "--as-of", D.isoformat(), "--top", "3", "--out", str(target), "--json"
    )
    accounts = doc["accounts"]
    assert isinstance(accounts, list) and len(accounts) == 3
    with target.open() as f:
        rows = list(csv.DictReader(f))
    assert [r["account_id"] for r in rows] == [r["account_id"] for r in accounts]
    assert json.loads(rows[0]["top_signals"]) == accounts[0]["top_signals"]
    one = invoke(
        full, "score", "--as-of", D.isoformat(), "--account", rows[1]["account_id"], "--json"
    )
    assert one["accounts"] == [accounts[1]]


def test_explain_and_forecast(homes: tuple[Path, Path]) -> None:
    full, _ = homes
    scored = invoke(full, "score", "--as-of", D.isoformat(), "--top", "1", "--json")
    accounts = scored["accounts"]
    assert isinstance(accounts, list)
    account = accounts[0]["account_id"]
    why = invoke(full, "explain", account, "--as-of", D.isoformat(), "--json")
    assert why["account_id"] == account and why["scorecard_signals"]
    group = typer.Typer()
    group.command("forecast")(forecast_command)
    group.command("other")(lambda: None)
    result = CliRunner().invoke(
        group,
        ["forecast", "--as-of", D.isoformat(), "--within-days", "60", "--json"],
        env={"CSOPS_HOME": str(full)},
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    renewals = doc["renewals"]
    assert renewals and all(0 <= r["renew_probability"] <= 1 for r in renewals)
    assert all(0 <= r["days_left"] <= 60 for r in renewals)
    assert sum(m["expected_arr"] for m in doc["months"]) == pytest.approx(
        doc["expected_arr"], abs=0.1
    )
    shares = doc["next_renewal_shares"]
    assert isinstance(shares, dict) and all(0 <= v <= 1 for v in shares.values())


def test_broken_scorecard_is_a_clear_error(homes: tuple[Path, Path], tmp_path: Path) -> None:
    full, _ = homes
    bad = tmp_path / "card.yaml"
    bad.write_text("bands: {green: 70, yellow: 40}\ngroups:\n  usage: {weight: 1}\n")
    result = CliRunner().invoke(
        app,
        ["score", "--as-of", D.isoformat(), "--scorecard", str(bad), "--json"],
        env={"CSOPS_HOME": str(full)},
    )
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())  # the console wraps long lines
    assert "card.yaml: groups.usage.measures: must be a non-empty list" in message


def test_report_section(homes: tuple[Path, Path]) -> None:
    full, _ = homes
    settings = Settings(home=full)
    engine = make_engine(settings)
    section = build_section(ReportContext(settings, engine, D))
    engine.dispose()
    assert section is not None and section.key == "health"
    bands = section.data["bands"]
    at_risk = section.data["at_risk"]
    assert sum(bands.values()) > 50 and set(bands) <= {"green", "yellow", "red"}
    assert at_risk and at_risk[0]["churn_probability"] >= at_risk[-1]["churn_probability"]
    titles = [getattr(b, "title", "") for b in section.blocks]
    assert "Biggest risks" in titles
    assert any(t.startswith("How predictive") for t in titles)


def test_report_reuses_the_backtest_stored_with_the_model(homes: tuple[Path, Path]) -> None:
    """The first report works the backtest out once and stores it in the model file; the
    next one shows the stored figures instead of training a backtest model again."""
    full, _ = homes
    settings = Settings(home=full)
    engine = make_engine(settings)
    build_section(ReportContext(settings, engine, D))
    (path,) = sorted((full / "models").glob(f"churn-h90-{D.isoformat()}.json"))
    stored = json.loads(path.read_text())
    assert stored["metadata"]["backtest"]["origins"]
    stored["metadata"]["backtest"]["model"]["auc"] = 0.123  # a figure no backtest gave
    path.write_text(json.dumps(stored))
    section = build_section(ReportContext(settings, engine, D))
    engine.dispose()
    assert section is not None and section.data["backtest"]["model"]["auc"] == 0.123
    tables = [
        b
        for b in section.blocks
        if isinstance(b, TableBlock) and b.title.startswith("How predictive")
    ]
    assert tables[0].rows[0][1] == "0.12"


def test_fit_scorecard_writes_a_scorecard_the_commands_use(
    homes: tuple[Path, Path], tmp_path: Path
) -> None:
    full, _ = homes
    target = tmp_path / "fitted.yaml"
    a = invoke(full, "fit-scorecard", "--as-of", END.isoformat(), "--out", str(target), "--json")
    assert a["path"] == str(target)
    for key in ("auc_before", "auc_after", "held_out_auc_before", "held_out_auc_after"):
        value = a[key]
        assert isinstance(value, float) and 0.0 <= value <= 1.0, key
    held_out = a["held_out_days"]
    assert isinstance(held_out, list) and held_out and max(held_out) <= END.isoformat()
    text = target.read_text()
    assert text.startswith("# csops health scorecard: weights fitted to 90-day churn")
    groups = a["groups"]
    assert isinstance(groups, dict)
    # group weights are points out of 100, each rounded
    assert abs(sum(g["weight"] for g in groups.values()) - 100) <= len(groups) / 2
    scored = invoke(full, "score", "--as-of", D.isoformat(), "--scorecard", str(target), "--json")
    accounts = scored["accounts"]
    assert isinstance(accounts, list) and len(accounts) > 50
