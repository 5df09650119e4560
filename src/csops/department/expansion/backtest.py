"""Did flagged accounts expand more often? A backtest at an earlier as-of date E.

The accounts are qualified exactly as on E (signals, thresholds and the likelihood model
use only what was known on E); their outcome is read from the lines as known on
E + horizon: MRR or seats up within (E, E + horizon]. Precision = expanded / flagged;
lift = precision / the expansion rate of the unflagged accounts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import Engine

from csops.config import Settings
from csops.department.expansion.config import ExpansionConfig, load_config
from csops.department.expansion.facts import known_lines, load_outcomes
from csops.department.expansion.lines import NO_OUTCOME, Outcome
from csops.department.expansion.service import TABLES, ExpansionResult, config_source, qualify
from csops.department.onboarding.warehouse import open_lean


@dataclass(frozen=True)
class Backtest:
    as_of: date
    outcome_known_on: date
    method: str
    flagged: int
    flagged_expanded: int
    unflagged: int
    unflagged_expanded: int
    won_arr: Decimal  # added ARR (12 x MRR rise) of the flagged accounts that expanded
    auc: float | None  # of the likelihood against the outcome, over all paying accounts

    @property
    def precision(self) -> float | None:
        return self.flagged_expanded / self.flagged if self.flagged else None

    @property
    def unflagged_rate(self) -> float | None:
        return self.unflagged_expanded / self.unflagged if self.unflagged else None

    @property
    def lift(self) -> float | None:
        p, u = self.precision, self.unflagged_rate
        return None if p is None or not u else p / u

    def as_dict(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            "as_of": self.as_of.isoformat(),
            "outcome_known_on": self.outcome_known_on.isoformat(),
            "likelihood_method": self.method,
            "flagged": self.flagged,
            "flagged_expanded": self.flagged_expanded,
            "unflagged": self.unflagged,
            "unflagged_expanded": self.unflagged_expanded,
            "precision": r(self.precision),
            "unflagged_rate": r(self.unflagged_rate),
            "lift": r(self.lift),
            "auc": r(self.auc),
            "won_arr": float(self.won_arr),
        }


def score_outcomes(
    result: ExpansionResult, outcomes: Mapping[str, Outcome], known_on: date
) -> Backtest:
    counts = {True: [0, 0], False: [0, 0]}
    won = Decimal(0)
    labels, scores = [], []
    for q in result.rows:
        o = outcomes.get(q.account_id, NO_OUTCOME)
        counts[q.flagged][0] += 1
        counts[q.flagged][1] += o.expanded
        if q.flagged and o.expanded:
            won += o.added_mrr * 12
        labels.append(o.expanded)
        scores.append(q.likelihood)
    auc = None
    if 0 < sum(labels) < len(labels):
        from sklearn.metrics import roc_auc_score

        auc = float(roc_auc_score(labels, scores))
    return Backtest(
        as_of=result.as_of,
        outcome_known_on=known_on,
        method=result.scorer.method,
        flagged=counts[True][0],
        flagged_expanded=counts[True][1],
        unflagged=counts[False][0],
        unflagged_expanded=counts[False][1],
        won_arr=won,
        auc=auc,
    )


def run_backtest(
    settings: Settings, engine: Engine, as_of: date, config_path: Path | None = None
) -> Backtest:
    source = config_source(settings, config_path)
    config = load_config(source)
    con = open_lean(settings, engine, TABLES)
    try:
        return backtest_on(con, as_of, config, str(source) if source else "default")
    finally:
        con.close()


def backtest_on(
    con: duckdb.DuckDBPyConnection, as_of: date, config: ExpansionConfig, source: str = "default"
) -> Backtest:
    """The backtest over an open warehouse connection holding the expansion `TABLES`."""
    known_on = as_of + timedelta(days=config.horizon_days)
    result = qualify(con, as_of, config, source)
    later = known_lines(con, known_on)
    ids = [q.account_id for q in result.rows]
    outcomes = load_outcomes(con, later, as_of, config.horizon_days, ids)
    return score_outcomes(result, outcomes, known_on)
