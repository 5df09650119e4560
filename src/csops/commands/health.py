"""`csops health ...`: score, train, backtest, explain."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq
import typer

from csops.commands.common import JSON, as_of_option, emit_json, err, fail, fail_on, out, session
from csops.config import Settings
from csops.files import write_text_atomic
from csops.health.backtest import run_backtest
from csops.health.dataset import HealthData
from csops.health.scorecard import Scorecard, ScorecardError
from csops.health.scorecard_fit import ScorecardFit, ScorecardFitError, render_scorecard
from csops.health.scoring import AccountHealth
from csops.health.service import (
    card_for,
    fit_scorecard,
    health_data,
    model_for,
    model_summary,
    score_all,
    scorecard_path,
)


class HealthSession(NamedTuple):
    day: date
    settings: Settings
    data: HealthData
    card: Scorecard


@contextmanager
def health_session(as_of: str | None, scorecard: Path | None) -> Iterator[HealthSession]:
    """The --as-of day, the company's data as known on it and the scorecard to use; a broken
    scorecard ends the command with its message (exit 2)."""
    with session(as_of) as s, health_data(s.settings, s.engine, s.day) as data:
        with fail_on(ScorecardError):
            card = card_for(data, scorecard_path(s.settings, scorecard))
        yield HealthSession(s.day, s.settings, data, card)


app = typer.Typer(
    help="Health score, churn model, explanations and backtest.", no_args_is_help=True
)

AS_OF = as_of_option("Day to score as of (YYYY-MM-DD, default today).")
HORIZON = typer.Option(90, "--horizon-days", min=7, help="Churn horizon in days.")
SCORECARD = typer.Option(None, "--scorecard", help="Scorecard YAML (default: workspace's).")


def output_row(s: AccountHealth) -> dict[str, Any]:
    """The output row of the CLI contract (only the model's signals are worked out)."""
    return {
        "account_id": s.account_id,
        "churn_probability": round(s.churn_probability, 4),
        "health_score": None if s.health_score is None else round(s.health_score, 1),
        "band": s.band,
        "top_signals": [x.to_json() for x in s.top_signals],
    }


def write_scores(path: Path, rows: list[dict[str, Any]]) -> None:
    """csv, parquet or json by extension; top_signals is a JSON list (text in csv/parquet)."""
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    flat = [{**r, "top_signals": json.dumps(r["top_signals"])} for r in rows]
    if suffix == ".json":
        path.write_text(json.dumps(rows, indent=2))
    elif suffix == ".csv":
        with path.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(_row_fields()))
            writer.writeheader()
            writer.writerows(flat)
    elif suffix == ".parquet":
        table = pa.table({k: [r[k] for r in flat] for k in _row_fields()})
        pq.write_table(table, path)
    else:
        raise fail(f"--out {path}: use a .csv, .parquet or .json file name")


def _row_fields() -> tuple[str, ...]:
    return ("account_id", "churn_probability", "health_score", "band", "top_signals")


@app.command()
def score(
    as_of: str | None = AS_OF,
    account: str | None = typer.Option(None, "--account", help="Only this account."),
    top: int | None = typer.Option(None, "--top", min=1, help="Only the N riskiest."),
    horizon_days: int = HORIZON,
    out_path: Path | None = typer.Option(None, "--out", help="Write .csv, .parquet or .json."),
    scorecard: Path | None = SCORECARD,
    retrain: bool = typer.Option(False, "--retrain", help="Train a new model first."),
    as_json: bool = JSON,
) -> None:
    """Score every account active on the day: churn probability, health score, band and
    the top signals behind them (riskiest first)."""
    with health_session(as_of, scorecard) as (day, settings, data, card):
        model = model_for(data, settings, card, horizon_days, retrain)
        _, scores = score_all(data, model, card)
    scores.sort(key=lambda s: (-s.churn_probability, s.account_id))
    if account is not None:
        scores = [s for s in scores if s.account_id == account]
        if not scores:
            raise fail(f"account {account!r} is not active on {day}", 1)
    if top is not None:
        scores = scores[:top]
    rows = [output_row(s) for s in scores]
    if not model.trusted:
        err.print(f"[yellow]{model.metadata.get('warning', 'model not trusted')}[/yellow]")
    if out_path is not None:
        write_scores(out_path, rows)
        err.print(f"wrote {len(rows)} rows to {out_path}")
    if as_json:
        emit_json({"as_of": day.isoformat(), "model": model_summary(model), "accounts": rows})
    elif out_path is None:
        for s in scores:
            signal = s.top_signals[0].text if s.top_signals else ""
            hs = "—" if s.health_score is None else f"{s.health_score:5.1f}"
            out.print(f"{s.account_id}  {s.churn_probability:6.1%}  {hs}  {s.band:6}  {signal}")


@app.command()
def train(
    as_of: str | None = AS_OF,
    horizon_days: int = HORIZON,
    scorecard: Path | None = SCORECARD,
    as_json: bool = JSON,
) -> None:
    """Train the churn model on the history known on the day and store it in
    WORKSPACE/models/ with its metadata."""
    with health_session(as_of, scorecard) as (_, settings, data, card):
        model = model_for(data, settings, card, horizon_days, retrain=True)
    summary = model_summary(model)
    if as_json:
        emit_json(summary)
    else:
        for k, v in summary.items():
            out.print(f"{k}: {v}")


@app.command()
def backtest(
    as_of: str | None = AS_OF,
    horizon_days: int = HORIZON,
    origins: int = typer.Option(3, "--origins", min=1, max=12, help="Monthly origins."),
    scorecard: Path | None = SCORECARD,
    as_json: bool = JSON,
) -> None:
    """How well the model, the scorecard and a naive baseline predicted churn on past
    days (trained only on what was known then), and the renewal forecast vs actual."""
    with health_session(as_of, scorecard) as (day, _, data, card):
        result = run_backtest(data, card, day, horizon_days, origins)
    if as_json:
        emit_json(result)
        return
    if "error" in result:
        raise fail(result["error"], 1)
    out.print(f"{result['accounts']} account-days, {result['churned']} churned")
    for name in ("model", "scorecard", "naive"):
        r = result[name]
        out.print(
            f"{name:10} AUC {r['auc'] or 0:.3f}  lift {r['top_decile_lift'] or 0:.2f}  "
            f"red precision {r['red_precision'] or 0:.2f}  "
            f"churned that were green {r['churned_green_before'] or 0:.0%}"
        )
    for f in result["renewal_forecast"]:
        out.print(
            f"renewals after {f['origin']}: forecast {f['forecast_arr']:,.0f} vs actual "
            f"{f['actual_renewed_arr']:,.0f}"
        )


@app.command()
def explain(
    account_id: str = typer.Argument(..., help="Account to explain."),
    as_of: str | None = AS_OF,
    horizon_days: int = HORIZON,
    scorecard: Path | None = SCORECARD,
    as_json: bool = JSON,
) -> None:
    """Why an account scores as it does: model contributions and scorecard points, in
    plain words."""
    with health_session(as_of, scorecard) as (day, settings, data, card):
        model = model_for(data, settings, card, horizon_days, retrain=False)
        _, scores = score_all(data, model, card)
    found = [s for s in scores if s.account_id == account_id]
    if not found:
        raise fail(f"account {account_id!r} is not active on {day}", 1)
    s = found[0]
    if as_json:
        emit_json({"as_of": day.isoformat(), **s.to_json(), "model": model_summary(model)})
        return
    hs = "—" if s.health_score is None else f"{s.health_score:.0f}"
    out.print(f"{s.account_id}: churn risk {s.churn_probability:.1%}, health {hs} ({s.band})")
    for sig in s.top_signals:
        out.print(f"  {'▲' if sig.contribution > 0 else '▼'} {sig.text}")
    out.print("scorecard points lost:")
    for sig in s.scorecard_signals:
        out.print(f"  -{sig.contribution:.1f}  {sig.text}")


@app.command("fit-scorecard")
def fit_scorecard_command(
    as_of: str | None = AS_OF,
    horizon_days: int = HORIZON,
    scorecard: Path | None = SCORECARD,
    out_path: Path | None = typer.Option(
        None, "--out", help="Where to write (default WORKSPACE/health/scorecard.yaml)."
    ),
    as_json: bool = JSON,
) -> None:
    """Fit the scorecard's weights to the company's own churn history and write the
    scorecard YAML (measures, scales and bands unchanged)."""
    with (
        health_session(as_of, scorecard) as (day, settings, data, card),
        fail_on(ScorecardFitError, ScorecardError),
    ):
        fit = fit_scorecard(data, card, horizon_days)
    target = out_path or settings.workspace / "health" / "scorecard.yaml"
    write_text_atomic(target, render_scorecard(fit.document, fit_header(fit, day, horizon_days)))
    if as_json:
        emit_json({"path": str(target), **fit.summary(), "groups": fit.document["groups"]})
        return
    out.print(f"wrote {target}")
    for line in fit_lines(fit):
        out.print(f"  {line}")
    out.print(f"  compare: csops health backtest --scorecard {target}")


def fit_lines(fit: ScorecardFit) -> list[str]:
    """What a fit measured, in words: AUC of the scorecard before and after."""

    def figure(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    lines = [
        f"AUC on the days fitted: {figure(fit.auc_before)} before, {figure(fit.auc_after)} after"
    ]
    before, after = fit.held_out_auc_before, fit.held_out_auc_after
    if fit.held_out_days and before is not None and after is not None:
        first, last = fit.held_out_days[0], fit.held_out_days[-1]
        lines.append(
            f"AUC on days held out ({first}..{last}): "
            f"{figure(before)} before, {figure(after)} after"
        )
        if after <= before:
            lines.append("the new weights rank churn no better on days they did not see")
    else:
        lines.append(fit.held_out_missing or "no churn on the days held out")
    return lines


def fit_header(fit: ScorecardFit, day: date, horizon_days: int) -> str:
    """The comment the written scorecard starts with."""
    lines = [
        f"csops health scorecard: weights fitted to {horizon_days}-day churn on the history "
        f"known on {day} (csops health fit-scorecard).",
        *fit_lines(fit),
        "Measures, scales and bands are as they were; edit freely (see docs/health.md).",
    ]
    return "".join(f"# {line}\n" for line in lines)
