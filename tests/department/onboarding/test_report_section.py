"""The Onboarding section of the weekly report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.department.onboarding.conftest import JOURNEY, write

from csops.department.onboarding.report_section import build_section
from csops.ingest.pipeline import IngestContext
from csops.reports.section import Chart, Figures, ReportContext, TableBlock


def test_section_has_activation_chart_drop_off_and_stalled(loaded: IngestContext) -> None:
    write(loaded.settings.workspace / "config", {"onboarding.yaml": JOURNEY})
    section = build_section(ReportContext(loaded.settings, loaded.engine, date(2026, 5, 1)))
    assert section is not None and section.key == "onboarding"
    kinds = [type(b) for b in section.blocks]
    assert Figures in kinds and Chart in kinds and TableBlock in kinds
    chart = next(b for b in section.blocks if isinstance(b, Chart))
    assert chart.svg.startswith("<svg")
    assert section.data["drop_off"]["milestone"] == "kickoff"
    assert section.data["stalled"] == ["stuck_initech"]
    # both cohorts are closed on 2026-05-01: 1 of 3 accounts activated within 30 days
    assert section.summary.startswith("33% of accounts in the last 2 closed weekly cohorts")


def test_no_section_without_onboarding_accounts(ctx: IngestContext, tmp_path: Path) -> None:
    assert build_section(ReportContext(ctx.settings, ctx.engine, date(2026, 5, 1))) is None
