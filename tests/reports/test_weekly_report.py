"""The weekly report: built from the store, rendered three ways, opened in a real browser."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import matplotlib.image
import pytest
from tests.analytics.revenue_fixture import write_company

from csops.ingest.batch import ingest_paths
from csops.ingest.pipeline import IngestContext
from csops.reports.render import Report, render
from csops.reports.section import Section, Text
from csops.reports.weekly import SECTIONS, build_weekly

AS_OF = date(2024, 3, 6)


@pytest.fixture
def report(ctx: IngestContext, tmp_path: Path) -> Report:
    ingest_paths(replace(ctx, now=datetime(2024, 1, 1)), write_company(tmp_path / "company"))
    return build_weekly(ctx.settings, ctx.engine, AS_OF)


def test_revenue_section_carries_the_hand_computed_figures(report: Report) -> None:
    document = json.loads(render(report, "json"))
    revenue = document["sections"]["revenue"]
    january = next(m for m in revenue["months"] if m["period"] == "2024-01")
    assert january["start_mrr"] == "860.005000" and january["churn_mrr"] == "450.000000"
    windows = {w["within_days"]: w for w in revenue["renewals_due"]}
    assert [windows[d]["renewals"] for d in (30, 60, 90, 120)] == sorted(
        windows[d]["renewals"] for d in (30, 60, 90, 120)
    )
    assert document["as_of"] == "2024-03-06"


def test_markdown_has_every_section_and_table(report: Report) -> None:
    text = render(report, "md")
    assert text.startswith("# Customer success weekly")
    assert "## Revenue and retention" in text
    assert "| month | start MRR |" in text


def test_a_failing_section_is_reported_not_fatal(
    report: Report, ctx: IngestContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "csops.reports.weekly.SECTIONS", (*SECTIONS, ("csops.no_such_specialist", "Missing"))
    )
    errors: list[str] = []
    built = build_weekly(ctx.settings, ctx.engine, AS_OF, lambda t, e: errors.append(t))
    assert errors == ["Missing"]
    failed = built.sections[-1]
    assert isinstance(failed.blocks[0], Text) and "failed" in failed.blocks[0].text
    assert built.sections[0].key == "revenue"


def test_unknown_format_is_refused(report: Report) -> None:
    with pytest.raises(ValueError, match="unknown report format"):
        render(report, "pdf")


def test_html_is_escaped(report: Report) -> None:
    hostile = Section("x", "<b>title</b>", (Text("<script>alert(1)</script>"),))
    html = render(replace(report, sections=(hostile,)), "html")
    assert "<script>alert" not in html and "&lt;script&gt;" in html


CHROMIUM = shutil.which("chromium")


def _chromium(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM, "Chromium is required for the browser tests (.ci/run installs it)"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={cwd / 'profile'}",
    ]
    return subprocess.run(
        [CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120, cwd=cwd
    )


@pytest.mark.slow
def test_html_report_renders_in_headless_chromium(report: Report, tmp_path: Path) -> None:
    page = tmp_path / "weekly.html"
    page.write_text(render(report, "html"))
    dom = _chromium("--dump-dom", page.as_uri(), cwd=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'id="revenue"' in dom.stdout
    assert dom.stdout.count("<svg") >= 2  # trend and waterfall charts
    shot = tmp_path / "shot.png"
    taken = _chromium(
        f"--screenshot={shot}", "--window-size=1100,1400", page.as_uri(), cwd=tmp_path
    )
    assert taken.returncode == 0 and shot.exists(), taken.stderr[-2000:]
    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[0] >= 1000 and pixels.std() > 0.05  # not a blank page
