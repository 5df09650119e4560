"""The Onboarding section of the weekly report: activation by weekly start cohort (chart),
time to first value, the milestone where most accounts drop off, and who is stalled."""

from __future__ import annotations

from statistics import median

from csops.department.onboarding.cohorts import drop_off, stalled_now
from csops.department.onboarding.journey import JourneyError
from csops.department.onboarding.progress import Status
from csops.department.onboarding.service import run_onboarding, summary_json
from csops.reports.charts import line_chart
from csops.reports.section import Chart, Figure, Figures, ReportContext, Section, TableBlock, Text

Block = Figures | TableBlock | Chart | Text


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def build_section(ctx: ReportContext) -> Section | None:
    try:
        result = run_onboarding(ctx.settings, ctx.engine, ctx.as_of)
    except JourneyError as exc:
        return Section("onboarding", "Onboarding", (Text(f"Journey configuration error: {exc}"),))
    if not result.cohorts:
        return None
    target = result.config.target_days
    final = [c for c in result.cohorts if c.final]
    latest = final[-1] if final else None
    recent = final[-8:]
    started = sum(c.accounts for c in recent)
    activated = sum(c.activated for c in recent)
    days = [p.days_to_first_value for p in result.progress if p.days_to_first_value is not None]
    now = result.onboarding_now()
    stuck = [p for p in now if p.status is Status.STUCK]
    behind = [p for p in now if p.status is Status.BEHIND]
    blocks: list[Block] = [
        Figures(
            (
                Figure(
                    "Activation, last 8 closed cohorts",
                    _pct(activated / started if started else None),
                    f"first value within {target} days; {activated} of {started}",
                ),
                Figure(
                    "Latest closed cohort",
                    _pct(latest.activation_rate if latest else None),
                    f"week of {latest.week.isoformat()}" if latest else "",
                ),
                Figure(
                    "Median days to first value",
                    "–" if not days else f"{median(days):g}",
                    f"{len(days)} accounts in the cohort window",
                ),
                Figure("Onboarding now", str(len(now)), "accounts within the onboarding window"),
                Figure(
                    "Stuck",
                    str(len(stuck)),
                    f"no progress for {result.config.stuck_after_days}+ days",
                    "bad" if stuck else "neutral",
                ),
                Figure(
                    "Behind",
                    str(len(behind)),
                    "a milestone overdue",
                    "bad" if behind else "neutral",
                ),
            )
        ),
        Chart(
            "Activation rate by weekly start cohort",
            line_chart(
                [c.week.strftime("%d %b") for c in result.cohorts],
                {
                    "activation (closed cohorts)": [
                        c.activation_rate if c.final else None for c in result.cohorts
                    ],
                    "so far (window still open)": [
                        None if c.final else c.activation_rate for c in result.cohorts
                    ],
                },
                percent=True,
            ),
            caption=(
                f"Share of the week's new accounts that reached first value within {target} days."
            ),
        ),
    ]
    worst = drop_off(result.funnel)
    if worst is not None:
        blocks.append(
            Text(
                f"Most accounts that have not finished onboarding stand before "
                f"'{worst.title}' ({worst.stalled_here} accounts)."
            )
        )
    blocks.append(
        TableBlock(
            "Milestone funnel (accounts started in the cohort window)",
            ("journey", "milestone", "reached", "share", "stalled here"),
            tuple(
                (
                    s.journey,
                    s.title,
                    str(s.reached),
                    _pct(s.reached / s.accounts if s.accounts else None),
                    str(s.stalled_here),
                )
                for s in result.funnel
            ),
            numeric=("reached", "share", "stalled here"),
        )
    )
    blocks.append(
        TableBlock(
            "Stalled now (longest without progress first)",
            ("account", "day", "stalled before", "last progress", "owner"),
            tuple(
                (
                    f"{p.account.name} ({p.account.account_id})",
                    str(p.day),
                    p.stalled_at.title if p.stalled_at else "",
                    p.last_progress.isoformat(),
                    p.account.owner or "–",
                )
                for p in stalled_now(list(result.progress))[:15]
            ),
            numeric=("day",),
            empty="No account is stuck.",
        )
    )
    data = summary_json(result)
    data["stalled"] = [s["account_id"] for s in data["stalled"]]
    return Section(
        key="onboarding",
        title="Onboarding",
        blocks=tuple(blocks),
        data=data,
        summary=(
            f"{_pct(activated / started if started else None)} of accounts in the last "
            f"{len(recent)} closed weekly cohorts reached first value within {target} days; "
            f"{len(stuck)} stuck and {len(behind)} behind now."
        ),
    )
