"""Backtest as of day D: would the health score have seen it coming?

For each origin o = D - H, D - H - 30, ... (as many as `origins`), a model is trained
with only what was known on o (labels up to o, and the event vocabulary of the year up to
o), the accounts active on o are scored with that vocabulary, and the scores are compared
with what happened by o + H (<= D). Nothing after D is read, so a backtest as of D gives
the same figures on the full history and on the data cut at D; nothing after o shapes
the model or the features of origin o. The origins' vocabularies come from one scan, taken
before any day's features, so each day's features are still computed once.

Three predictors are compared on the same accounts: the churn model, the scorecard, and
a naive baseline (product usage in the last 28 days fell by half or more vs the 28 days
before). The renewal forecast is backtested on the renewals due in the 30 days after
each origin: forecast ARR vs ARR of accounts that still had MRR on their renewal day.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from csops.health.dataset import WARM_UP_DAYS, HealthData
from csops.health.forecast import (
    by_term,
    forecast,
    next_renewal_shares,
    renewals_due,
    renewed,
)
from csops.health.labels import churned_after
from csops.health.metrics import (
    auc,
    brier,
    precision,
    reliability,
    share_of_churned,
    top_decile_lift,
)
from csops.health.scorecard import Scorecard, score
from csops.health.scoring import card_bands, churn_probability, model_bands, scorecard_risk

Array = npt.NDArray[np.float64]
Flags = npt.NDArray[np.bool_]
FORECAST_WINDOW_DAYS = 30
# The naive baseline's bands: usage down by half or more is red, by a fifth or more yellow.
NAIVE_RED, NAIVE_YELLOW = 0.5, 0.2


def naive_usage_drop(events_28d: Array, events_prev_28d: Array) -> Array:
    """Share of usage lost vs the prior 28 days (0 when usage held or grew; 1 when it
    stopped; an account with no usage in either window counts as stopped)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        drop = np.where(events_prev_28d > 0, 1.0 - events_28d / events_prev_28d, 0.0)
    drop = np.where((events_prev_28d <= 0) & (events_28d <= 0), 1.0, drop)
    return np.clip(drop, 0.0, 1.0)


def _predictor(risk: Array, y: Array, red: Flags, green: Flags, p: Array | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "auc": auc(risk, y),
        "top_decile_lift": top_decile_lift(risk, y),
        "red_accounts": int(red.sum()),
        "red_precision": precision(red, y),
        "churned_green_before": share_of_churned(green, y),
        "churned_red_before": share_of_churned(red, y),
    }
    if p is not None:
        out["brier"] = brier(p, y)
        out["reliability"] = [asdict(b) for b in reliability(p, y)]
    return out


def origins_for(as_of: date, horizon_days: int, first_day: date | None, count: int) -> list[date]:
    """Backtest origins, newest first; each needs a training history of its own."""
    found = []
    for j in range(count):
        o = as_of - timedelta(days=horizon_days + 30 * j)
        earliest_obs = o - timedelta(days=horizon_days)
        if first_day is None or earliest_obs < first_day + timedelta(days=WARM_UP_DAYS):
            break
        found.append(o)
    return found


def run_backtest(
    data: HealthData, card: Scorecard, as_of: date, horizon_days: int, origins: int = 3
) -> dict[str, Any]:
    days = origins_for(as_of, horizon_days, data.first_day, origins)
    result: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "horizon_days": horizon_days,
        "origins": [d.isoformat() for d in days],
    }
    if not days:
        result["error"] = (
            f"not enough history: a backtest as of {as_of} with a {horizon_days}-day horizon "
            f"needs events from at least {2 * horizon_days + WARM_UP_DAYS} days before"
        )
        return result
    ys, probs, card_risk, card_red, card_green, naive = [], [], [], [], [], []
    per_origin, models, forecast_rows = [], [], []
    vocabularies = data.vocabularies(days)
    for o in days:
        model = data.train(o, horizon_days, card)
        frame = data.frame(o, vocabularies[o])
        labels = churned_after(data.con, as_of, [o], horizon_days)
        y = np.array([float(labels.get((a, o), False)) for a in frame.account_ids])
        sc = score(card, frame)
        p = churn_probability(model, frame, sc)
        bands = card_bands(card, sc.score)
        ys.append(y)
        probs.append(p)
        card_risk.append(scorecard_risk(sc))
        card_red.append(bands == "red")
        card_green.append(bands == "green")
        naive.append(naive_usage_drop(frame.column("events_28d"), frame.column("events_prev_28d")))
        per_origin.append(
            {
                "origin": o.isoformat(),
                "accounts": len(y),
                "churned": int(y.sum()),
                "model_auc": auc(p, y),
                "scorecard_auc": auc(card_risk[-1], y),
                "naive_auc": auc(naive[-1], y),
            }
        )
        models.append(
            {
                k: model.metadata.get(k)
                for k in (
                    "as_of",
                    "chosen",
                    "validation",
                    "trusted",
                    "calibration",
                    "rows",
                    "churned_rows",
                    "event_types",
                )
            }
        )
        churn = dict(zip(frame.account_ids, p.tolist(), strict=True))
        due = renewals_due(data.con, o, FORECAST_WINDOW_DAYS)
        shares = next_renewal_shares(data.con, o, horizon_days)
        rows = forecast(due, churn, horizon_days, shares)
        done = renewed(data.con, as_of, [r.renewal for r in rows])
        forecast_arr = sum(r.expected_arr for r in rows)
        actual_arr = sum(
            r.renewal.arr for r in rows if done.get((r.renewal.account_id, r.renewal.renewal_date))
        )
        forecast_rows.append(
            {
                "origin": o.isoformat(),
                "window_days": FORECAST_WINDOW_DAYS,
                "renewals": len(rows),
                "arr_due": round(sum(r.renewal.arr for r in rows), 2),
                "forecast_arr": round(forecast_arr, 2),
                "actual_renewed_arr": round(actual_arr, 2),
                "error": (forecast_arr - actual_arr) / actual_arr if actual_arr else None,
                "by_term": by_term(rows, done),
                "next_renewal_shares": {str(m): round(v, 4) for m, v in shares.items()},
            }
        )
    y_all = np.concatenate(ys)
    p_all = np.concatenate(probs)
    by_model = model_bands(card, p_all)
    red_p, green_p = by_model == "red", by_model == "green"
    drop = np.concatenate(naive)
    result.update(
        accounts=len(y_all),
        churned=int(y_all.sum()),
        base_rate=float(y_all.mean()) if len(y_all) else None,
        model=_predictor(p_all, y_all, red_p, green_p, p_all),
        scorecard=_predictor(
            np.concatenate(card_risk),
            y_all,
            np.concatenate(card_red),
            np.concatenate(card_green),
            None,
        ),
        naive=_predictor(drop, y_all, drop >= NAIVE_RED, drop < NAIVE_YELLOW, None),
        per_origin=per_origin,
        models=models,
        renewal_forecast=forecast_rows,
    )
    return result
