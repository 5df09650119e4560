"""`csops expansion …`: signals with evidence, likelihood, expected ARR, owners, talk
tracks and hand-offs to Sales, point in time."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from csops.commands.common import AS_OF, JSON, config_option, emit_json, err, fail, out, session
from csops.department.expansion.backtest import Backtest, run_backtest
from csops.department.expansion.config import ExpansionConfigError
from csops.department.expansion.export import (
    ExportError,
    export_format,
    plain_rows,
    write_table,
)
from csops.department.expansion.scripts import talk_tracks
from csops.department.expansion.service import (
    SIGNAL_COLUMNS,
    ExpansionResult,
    handoffs,
    run_expansion,
    signal_rows,
    summary,
    train_expansion,
)

app = typer.Typer(
    help="Account expansion: signals, likelihood, expected ARR, owners, hand-offs to Sales.",
    no_args_is_help=True,
)

CONFIG = config_option("Expansion", "expansion.yaml")


def _check_out(path: Path | None) -> None:
    if path is None:
        return
    try:
        export_format(path)
    except ExportError as exc:
        raise fail(f"--out {exc}", soft_wrap=True) from exc


RETRAIN = typer.Option(
    False, "--retrain", help="Learn the likelihood model again instead of reusing the stored one."
)


def _run(
    as_of: str | None, config: Path | None, with_contacts: bool = False, retrain: bool = False
) -> ExpansionResult:
    with session(as_of, ExpansionConfigError, soft_wrap=True) as s:
        return run_expansion(s.settings, s.engine, s.day, config, with_contacts, retrain)


@app.command("train")
def train(as_of: str | None = AS_OF, as_json: bool = JSON, config: Path | None = CONFIG) -> None:
    """Learn the expansion likelihood from the history before the day and store it; later
    days reuse it for a month (as `csops health train` does for the churn model)."""
    with session(as_of, ExpansionConfigError, soft_wrap=True) as s:
        scorer, dates, path = train_expansion(s.settings, s.engine, s.day, config)
    doc = {
        "as_of": s.day.isoformat(),
        "model": str(path),
        "training_dates": [d.isoformat() for d in dates],
        **scorer.describe(),
    }
    if as_json:
        emit_json(doc)
        return
    out.print(
        f"Expansion likelihood as of {s.day}: {scorer.method} from {scorer.examples:,} "
        f"examples ({scorer.positives:,} expanded) on {len(dates)} training dates; "
        f"stored in {path}",
        soft_wrap=True,
    )


@app.command("signals")
def signals(
    as_of: str | None = AS_OF,
    out_path: Path | None = typer.Option(
        None, "--out", help="Write one row per paying account: .csv, .parquet or .json."
    ),
    as_json: bool = JSON,
    config: Path | None = CONFIG,
    retrain: bool = RETRAIN,
) -> None:
    """Per paying account: signals with evidence, likelihood (learned or rules), expected
    added ARR, flag and owner."""
    _check_out(out_path)
    result = _run(as_of, config, retrain=retrain)
    rows = signal_rows(result)
    if out_path is not None:
        write_table(out_path, rows, SIGNAL_COLUMNS)
        err.print(f"{len(rows)} accounts written to {out_path}", soft_wrap=True)
    doc = summary(result)
    if as_json:
        emit_json({**doc, "accounts": plain_rows(rows)})
        return
    scorer = doc["likelihood"]
    out.print(
        f"Expansion as of {result.as_of}: {doc['flagged']} of {doc['paying_accounts']} paying "
        f"accounts flagged; likelihood {scorer['method']} (base rate {scorer['base_rate']:.1%}, "
        f"flag at {scorer['flag_threshold']:.1%})"
    )
    if not result.limit_types:
        err.print("plan-limit signal off: no plan-limit event types configured (see --config)")
    table = Table(title="Flagged accounts, by weighted added ARR")
    for name in ("account", "likelihood", "added ARR", "owner", "signals"):
        table.add_column(name, justify="right" if name in ("likelihood", "added ARR") else "left")
    for q in result.flagged()[:40]:
        table.add_row(
            f"{q.assessment.facts.name} ({q.account_id})",
            f"{q.likelihood:.0%}",
            f"{q.value.added_arr:,.0f}",
            q.owner or f"– ({q.owner_note})",
            ", ".join(s.signal for s in q.assessment.signals),
        )
    out.print(table)


@app.command("handoff")
def handoff(
    as_of: str | None = AS_OF,
    out_path: Path = typer.Option(
        ..., "--out", help="Write the hand-offs: .csv, .json or .parquet."
    ),
    as_json: bool = JSON,
    config: Path | None = CONFIG,
) -> None:
    """Hand-off records to Sales for every flagged account: signals, evidence, expected ARR,
    contacts, owner, talk tracks (status `proposed`; nothing is sent)."""
    _check_out(out_path)
    result = _run(as_of, config, with_contacts=True)
    records = [h.as_dict() for h in handoffs(result)]
    write_table(out_path, records, ("id", "account_id", "owner", "expected_added_arr", "signals"))
    err.print(f"{len(records)} hand-offs written to {out_path}", soft_wrap=True)
    if as_json:
        emit_json({"as_of": result.as_of.isoformat(), "out": str(out_path), "handoffs": records})


@app.command("scripts")
def scripts(
    account_id: str = typer.Argument(..., help="The account id."),
    as_of: str | None = AS_OF,
    as_json: bool = JSON,
    config: Path | None = CONFIG,
) -> None:
    """Talk tracks for one account, one per signal, built from its own evidence."""
    result = _run(as_of, config)
    match = next((q for q in result.rows if q.account_id == account_id), None)
    if match is None:
        raise fail(f"account {account_id!r} is not paying on {result.as_of}", 1, soft_wrap=True)
    tracks = talk_tracks(match.assessment, match.value)
    if as_json:
        emit_json(
            {
                "account_id": account_id,
                "as_of": result.as_of.isoformat(),
                "flagged": match.flagged,
                "likelihood": round(match.likelihood, 4),
                "expected_added_arr": float(match.value.added_arr),
                "owner": match.owner,
                "talk_tracks": tracks,
            }
        )
        return
    if not tracks:
        out.print(f"No expansion signal for {match.assessment.facts.name} on {result.as_of}.")
        return
    for track in tracks:
        out.print(f"[bold]{track['signal']}[/bold]: {track['talk_track']}\n")


@app.command("backtest")
def backtest(as_of: str = typer.Option(..., "--as-of", help="The earlier day to qualify on."),
             as_json: bool = JSON, config: Path | None = CONFIG) -> None:  # fmt: skip
    """Qualify as of an earlier day, then check who expanded (MRR or seats up) within the
    horizon after it: precision of the flag, lift over unflagged accounts, AUC."""
    with session(as_of, ExpansionConfigError, soft_wrap=True) as s:
        result: Backtest = run_backtest(s.settings, s.engine, s.day, config)
    doc = result.as_dict()
    if as_json:
        emit_json(doc)
        return

    def pct(x: float | None) -> str:
        return "–" if x is None else f"{x:.1%}"

    out.print(
        f"Flagged on {doc['as_of']}: {doc['flagged']} accounts, {doc['flagged_expanded']} expanded "
        f"by {doc['outcome_known_on']} ({pct(result.precision)}); unflagged: "
        f"{doc['unflagged_expanded']} of {doc['unflagged']} ({pct(result.unflagged_rate)}); "
        f"lift {doc['lift']}; AUC {doc['auc']}; likelihood {doc['likelihood_method']}"
    )
