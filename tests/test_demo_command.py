"""`csops demo` generates a company and loads every row of it through `csops ingest`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from csops.cli import app


def test_demo_loads_a_whole_company_without_rejections(tmp_path: Path) -> None:
    runner = CliRunner()
    ws = ["--workspace", str(tmp_path / "ws")]
    result = runner.invoke(app, [*ws, "demo", "--accounts", "60", "--months", "4", "--json"])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    totals = document["ingest"]["totals"]
    report = Path(document["report"])
    html = report.read_text()
    assert report.suffix == ".html" and "Revenue and retention" in html
    # Readable offline: charts are inline SVG, nothing is fetched (no script, link or src).
    assert "<svg" in html
    assert not any(tag in html for tag in ("<script", "<link", " src=", "url(http"))
    assert totals["rows_rejected"] == 0 and totals["files_refused"] == 0
    entities = {f["entity"] for f in document["ingest"]["files"]}
    assert entities == {
        "accounts",
        "contacts",
        "subscriptions",
        "tickets",
        "ticket_comments",
        "surveys",
        "activities",
        "invoices",
        "events",
    }
    status = json.loads(runner.invoke(app, [*ws, "status", "--json"]).stdout)
    assert status["rows"]["accounts"] == 60
    assert status["events"]["count"] > 0
    # Running the demo again regenerates the same company: nothing changes.
    again = json.loads(
        runner.invoke(app, [*ws, "demo", "--accounts", "60", "--months", "4", "--json"]).stdout
    )
    assert again["ingest"]["totals"]["rows_loaded"] == 0
    assert again["ingest"]["totals"]["rows_updated"] == 0


def test_run_does_the_departments_cycle_on_ingested_data(tmp_path: Path) -> None:
    from csops.analytics.store_copy import stale_tables
    from csops.config import Settings
    from csops.store.database import make_engine

    runner = CliRunner()
    demo = ["--workspace", str(tmp_path / "demo")]
    assert runner.invoke(app, [*demo, "demo", "--accounts", "60", "--months", "6"]).exit_code == 0
    own = ["--workspace", str(tmp_path / "own")]
    ingested = runner.invoke(app, [*own, "ingest", str(tmp_path / "demo" / "demo-data")])
    assert ingested.exit_code == 0, ingested.stderr
    # `csops ingest` made every table's analytic copy before it returned
    settings = Settings(home=tmp_path / "own")
    engine = make_engine(settings)
    assert stale_tables(settings, engine) == []
    engine.dispose()
    first = runner.invoke(app, [*own, "run", "--json"])
    assert first.exit_code == 0, first.stderr
    document = json.loads(first.stdout)
    assert document["failed"] == {}
    lines = list(document["done"].values())
    assert len(lines) == 3
    assert lines[0].startswith("churn model as of")
    assert lines[1].startswith("expansion model learned")
    assert "repeat questions in" in lines[2]
    report = Path(document["report"]).read_text()
    assert "Revenue and retention" in report
    second = json.loads(runner.invoke(app, [*own, "run", "--json"]).stdout)
    assert "reused" in list(second["done"].values())[1]
