"""The Expansion section of the weekly report."""

from __future__ import annotations

from pathlib import Path

from tests.department.expansion.conftest import D

from csops.department.expansion.report_section import build_section
from csops.ingest.pipeline import IngestContext
from csops.reports.section import Chart, Figures, ReportContext, TableBlock


def test_section_lists_flagged_accounts_and_the_pipeline(
    loaded: IngestContext, config_file: Path
) -> None:
    config = loaded.settings.workspace / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "expansion.yaml").write_text(config_file.read_text())
    section = build_section(ReportContext(loaded.settings, loaded.engine, D))
    assert section is not None and section.key == "expansion"
    assert {type(b) for b in section.blocks} >= {Figures, Chart, TableBlock}
    assert section.data["flagged"] == 6
    assert section.data["pipeline_flagged_a_horizon_ago"]["as_of"] == "2026-01-30"
    top = next(b for b in section.blocks if isinstance(b, TableBlock))
    assert top.rows[0][0] == "Globex (growing_globex)"  # 0.1925 x 4800 is the largest


def test_no_section_without_paying_accounts(ctx: IngestContext) -> None:
    assert build_section(ReportContext(ctx.settings, ctx.engine, D)) is None
