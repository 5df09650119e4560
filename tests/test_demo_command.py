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
