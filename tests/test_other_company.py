"""The department on a company it has never seen.

The demo company's files are rewritten into another vocabulary (csops.demo.variant): other
plan, product, segment, region, priority and channel names, meaningless event names, no
login events, 60% of the events, no columns beyond the contract, events as CSV. Every
specialist must still work, and nothing the demo company calls things may leak into what
csops produces for this one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from csops.cli import app
from csops.demo import generate_company
from csops.demo.variant import PLAN_NAMES, event_name

END = date(2026, 11, 1)
AS_OF = "2026-10-31"
DEMO_WORDS = ("Starter", "Business", "Core platform", "Mid-Market", "SMB", "login", "dashboard")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    from csops.demo.variant import rewrite_company

    root = tmp_path_factory.mktemp("other")
    generate_company(root / "demo", accounts=250, months=15, end=END, seed=3)
    rewrite_company(root / "demo", root / "other")
    ws = ["--workspace", str(root / "ws")]
    result = CliRunner().invoke(app, [*ws, "ingest", str(root / "other"), "--json"])
    assert result.exit_code == 0, result.output
    totals = json.loads(result.stdout)["totals"]
    assert totals["rows_rejected"] == 0 and totals["files_refused"] == 0
    # What `csops demo` does after ingest: the department's models.
    for step in (["health", "train"], ["kb", "repeat-questions"]):
        result = CliRunner().invoke(app, [*ws, *step, "--as-of", AS_OF, "--json"])
        assert result.exit_code == 0, result.output
    yield ws


def run(ws: list[str], *args: str) -> dict[str, object]:
    result = CliRunner().invoke(app, [*ws, *args, "--json"])
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


def test_revenue_is_reported_under_the_companys_own_plan_names(workspace: list[str]) -> None:
    document = json.dumps(run(workspace, "metrics", "mrr", "--as-of", AS_OF, "--by", "plan"))
    assert any(name in document for name in PLAN_NAMES.values())
    assert not any(name in document for name in PLAN_NAMES)


def test_health_scores_every_active_account_with_the_companys_events(
    workspace: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "health.parquet"
    run(workspace, "health", "score", "--as-of", AS_OF, "--out", str(out))
    scores = pq.read_table(out).to_pylist()
    assert len(scores) > 100
    assert all(0 <= row["churn_probability"] <= 1 for row in scores)
    signals = " ".join(row["top_signals"] for row in scores)
    assert "evt." in signals  # explanations name this company's events ...
    assert not any(word in signals for word in DEMO_WORDS)  # ... and never the demo's
    assert event_name("login") not in signals  # a dropped event cannot explain anything


def test_expansion_works_without_a_configured_limit_event(
    workspace: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "expansion.parquet"
    run(workspace, "expansion", "signals", "--as-of", AS_OF, "--out", str(out))
    rows = pq.read_table(out).to_pylist()
    assert {"account_id", "flagged", "likelihood", "expected_added_arr", "owner"} <= set(rows[0])
    fired = {s["signal"] for row in rows for s in json.loads(row["signals"])}
    assert "plan_limit" not in fired  # no limit event configured for this company
    assert {"seat_utilisation", "promoter_nps"} & fired
    assert 0 < sum(row["flagged"] for row in rows) < len(rows)
    upgrades = {row["next_plan"] for row in rows if row["next_plan"]}
    assert upgrades and upgrades <= set(PLAN_NAMES.values())  # the ladder comes from prices


def test_onboarding_drops_milestones_the_company_has_no_events_for(
    workspace: list[str],
) -> None:
    document = run(workspace, "onboarding", "status", "--as-of", AS_OF)
    milestones = {row["milestone"] for row in document["funnel"]}  # type: ignore[attr-defined]
    assert "first_activity" in milestones and "integration" not in milestones
    assert document["cohorts"]


def test_every_ticket_gets_an_sla_under_the_companys_priority_names(
    workspace: list[str],
) -> None:
    document = run(workspace, "support", "sla", "--as-of", AS_OF)
    compliance = document["compliance"]
    assert compliance["no_policy"] == 0  # type: ignore[index]
    assert compliance["overall"]["sla"]["tickets"] > 0  # type: ignore[index]
    # The tickets say P1..P4; the default policies know those names as well as their own.
    assert set(compliance["policies"]) == {"urgent", "high", "normal", "low"}  # type: ignore[index]


def test_the_weekly_report_has_every_section_and_no_failures(
    workspace: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        app,
        [*workspace, "report", "weekly", "--as-of", AS_OF, "--format", "json", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    sections = json.loads(out.read_text())["sections"]
    assert set(sections) == {
        "revenue",
        "health",
        "onboarding",
        "expansion",
        "support",
        "knowledge_base",
    }
    assert "This section failed" not in json.dumps(sections)
    # Customers' own words may name the demo's plans (ticket text is kept as written); the
    # figures csops computes must use this company's names only.
    computed = json.dumps([sections[k] for k in ("revenue", "health", "onboarding", "expansion")])
    assert not any(name in computed for name in ("Starter", "Core platform", "Mid-Market"))
