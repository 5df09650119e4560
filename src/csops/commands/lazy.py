"""Command groups imported only when used, so `csops ingest` does not pay for loading
scikit-learn, LightGBM or matplotlib (seconds of start-up) that only other commands need."""

from __future__ import annotations

import importlib
from typing import Any

import typer.core
import typer.main

# command name -> (module with a Typer `app`, one-line help). `csops --help` imports them
# all to list them; running one command imports only its own group.
GROUPS: dict[str, tuple[str, str]] = {
    "metrics": ("csops.commands.metrics", "Revenue and retention metrics (point in time)."),
    "renewals": ("csops.commands.renewals", "Renewals due: ARR at stake, owner, conversations."),
    "report": ("csops.commands.report", "Reports: the weekly report."),
    "health": ("csops.commands.health", "Health score, churn model, backtest, explanations."),
    "onboarding": ("csops.commands.onboarding", "Onboarding journeys, activation, proposals."),
    "expansion": ("csops.commands.expansion", "Expansion signals, likelihood, hand-offs."),
    "support": ("csops.commands.support", "Support Ops: SLA compliance, warnings, triage."),
    "kb": ("csops.commands.kb", "Knowledge base: repeat questions, articles, deflection."),
}


class LazyGroup(typer.core.TyperGroup):
    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *GROUPS]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in GROUPS:
            return load_group(cmd_name)
        return super().get_command(ctx, cmd_name)


def load_group(name: str) -> Any:
    module = importlib.import_module(GROUPS[name][0])
    command = typer.main.get_command(module.app)
    command.name = name
    return command
