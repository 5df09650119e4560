"""The weekly report: one section per specialist, in a fixed order.

A specialist contributes by adding its `build_section` to SECTIONS. A section that fails
does not sink the report: it is replaced by a note naming the error.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from csops.config import Settings
from csops.reports.render import Report
from csops.reports.section import ReportContext, Section, Text

# (module, title) — each module has `build_section(ctx) -> Section | None`.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("csops.reports.revenue_section", "Revenue and retention"),
    ("csops.health.report_section", "Account health"),
    ("csops.department.onboarding.report_section", "Onboarding"),
    ("csops.department.expansion.report_section", "Account expansion"),
    ("csops.department.support_ops.report_section", "Support and SLA"),
    ("csops.department.knowledge_base.report_section", "Knowledge base"),
)


def build_weekly(
    settings: Settings,
    engine: Engine,
    as_of: date,
    on_error: Callable[[str, Exception], None] | None = None,
) -> Report:
    ctx = ReportContext(settings, engine, as_of)
    sections: list[Section] = []
    for module_name, title in SECTIONS:
        try:
            builder = importlib.import_module(module_name).build_section
            section = builder(ctx)
        except Exception as exc:  # one specialist's failure must not hide the others
            if on_error:
                on_error(title, exc)
            key = module_name.rsplit(".", 1)[-1]
            sections.append(Section(key, title, (Text(f"This section failed: {exc}"),)))
            continue
        if section is not None:
            sections.append(section)
    week_start = as_of - timedelta(days=7)
    return Report(
        title="Customer success weekly",
        as_of=as_of,
        generated_at=datetime.now(UTC).replace(tzinfo=None),
        sections=tuple(sections),
        period=f"week {week_start} → {as_of}",
    )
