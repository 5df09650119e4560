"""Benchmark: csops's churn model vs a tuned gradient-boosting baseline built by hand.

Not a test: run it by hand and read the figures.

    python bench/gbm_baseline.py                        # 2,000 accounts, 24 months
    python bench/gbm_baseline.py --json
    python bench/gbm_baseline.py --grid quick           # a smoke run (4 settings)
    python bench/gbm_baseline.py --check-backtest       # also run run_backtest: same figures?

The bar of the health issue: on the demo company and on a company the team has not seen,
the churn probability's AUC and top-decile lift (accounts active on an as-of day vs what
happened in the `--horizon-days` after it) should be at least as good as a well-tuned
gradient-boosting baseline built by hand on the same data, and clearly better than the
naive baseline. This measures exactly that, on the shared bench companies of
`bench/company.py` (`prepare_company` and `prepare_other_company`: the demo company and
the same company rewritten in a stranger's vocabulary; generated once, reused, not timed).

For each company and each origin of `csops health backtest --as-of <last day> --origins N`
(`origins_for`), on the same accounts (active on the origin) and the same labels
(`churned_after` as known on the as-of day), four predictors:

1. `csops` — the churn model as `run_backtest` runs it: `HealthData.train(origin, ...)`
   (logistic vs LightGBM chosen on a time-ordered split, calibrated), then
   `churn_probability` on the origin's frame with the origin's event vocabulary.
2. `lgbm tuned` — the hand baseline: `lightgbm` trained on the same training rows
   (`HealthData.training_set(origin, horizon)`: the same observation days and features,
   raw values with missing as NaN, plan and segment one-hot as `design_matrix` builds
   them). Its hyperparameters are chosen by a grid search (num_leaves x learning_rate x
   min_child_samples x feature_fraction x is_unbalance, see GRIDS), each setting fitted on
   the training days and scored by AUC on the validation days, its rounds chosen by early
   stopping there (up to 1000, patience 50). The split is time-ordered and purged: the
   last quarter of observation days validates; only days at least `horizon` days before
   the first validation day train (no training label looks into the validation period;
   the same split csops selects its learner on). The best setting is refitted on all
   training rows with its rounds and scores the origin's accounts: its own probability,
   not calibrated, except that when `is_unbalance` won, the log of the weight it gave the
   churns is taken off the log-odds again (otherwise origins whose settings differ in it
   pool on different scales; the pooled figures without that are printed too).
3. `csops learner` — a diagnostic: csops's `BoostedLearner` (its fixed `LGB_PARAMS`) fitted
   the same way as 2 (early stopping on the same split, refit with those rounds), its raw
   log-odds, no calibration, no learner choice. 1 vs 3 isolates what csops's model
   selection and calibration add or cost; 2 vs 3 what tuning the hyperparameters adds.
4. `naive` — usage in the last 28 days down by half or more vs the 28 before
   (`naive_usage_drop`), as `run_backtest` reports it.

Metrics are the project's (`csops.health.metrics.auc`, `top_decile_lift`), pooled over the
origins as `run_backtest` pools them (scores of every origin concatenated, then one AUC
and one lift), and per origin; the pooled difference csops - hand baseline comes with a
95% interval from a paired bootstrap over accounts (1,000 resamples within each origin:
is a gap more than the noise of ~250 churns?). Prints a table (company x predictor:
pooled AUC and lift, per-origin AUC, their mean), the hyperparameters the grid chose at
each origin with their validation AUC next to csops's own LightGBM validation AUC on the
same split, and wall / CPU seconds and peak memory. The grid runs in `--workers` worker
processes, one LightGBM thread each; at 2,000 accounts the whole run takes about 5
minutes on 2 cores, nearly all of it the grid's 96 settings x 6 origins (`--grid quick`:
about a minute). Wall times depend on the other work on the machine; the CPU seconds
printed are the main process's (the grid's workers are not in them).
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
from company import BenchCompany, prepare_company, prepare_other_company
from figures import cpu_s, peak_mb

from csops.analytics.warehouse import open_warehouse
from csops.health.backtest import naive_usage_drop, origins_for, run_backtest
from csops.health.dataset import HealthData
from csops.health.design import design_matrix, spec_for
from csops.health.labels import churned_after
from csops.health.learners import BoostedLearner
from csops.health.metrics import auc, top_decile_lift
from csops.health.scorecard import score
from csops.health.scoring import churn_probability
from csops.health.service import HEALTH_TABLES, card_for, scorecard_path
from csops.store.database import make_engine

Array = npt.NDArray[np.float64]

# The hand baseline's search space (LightGBM's own parameter names).
GRIDS: dict[str, dict[str, Sequence[Any]]] = {
    "full": {
        "num_leaves": (7, 15, 31, 63),
        "learning_rate": (0.03, 0.1),
        "min_child_samples": (20, 50, 100),
        "feature_fraction": (0.7, 1.0),
        "is_unbalance": (False, True),
    },
    "quick": {
        "num_leaves": (7, 31),
        "learning_rate": (0.1,),
        "min_child_samples": (50,),
        "feature_fraction": (0.7,),
        "is_unbalance": (False, True),
    },
}
MAX_ROUNDS = 1000
PATIENCE = 50
FIXED: dict[str, Any] = {
    "objective": "binary",
    "metric": "auc",
    "seed": 7,
    "deterministic": True,
    "force_row_wise": True,
    "feature_pre_filter": False,  # one Dataset serves every min_child_samples
    "verbose": -1,
}
PREDICTORS = ("csops", "lgbm tuned", "csops learner", "naive")
# The hand baseline's probabilities as LightGBM gives them (is_unbalance not undone): only
# pooling over origins can tell them apart, so only the pooled figures show them.
UNCORRECTED = "lgbm tuned, is_unbalance not undone"
BOOTSTRAP = 1000
METRICS = ("auc", "top_decile_lift")


@dataclass(frozen=True)
class Searcher:
    """Where the grid runs: worker processes, the settings, a folder for the splits."""

    pool: Executor
    grid: list[dict[str, Any]]
    folder: Path
    workers: int


def settings_of(grid: dict[str, Sequence[Any]]) -> list[dict[str, Any]]:
    keys = list(grid)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*grid.values())]


def time_split(days: npt.NDArray[np.int64], horizon_days: int) -> tuple[Array, Array]:
    """Training and validation rows: the last quarter of observation days validates; the
    days at least `horizon_days` before its first day train (as `train_churn_model`)."""
    unique = sorted(set(days.tolist()))
    n_valid = max(1, round(len(unique) / 4))
    valid_start = unique[-n_valid]
    return days <= valid_start - horizon_days, days >= valid_start


# The grid's worker processes: each loads an origin's split once (from the file the main
# process wrote) and fits settings on it one after another, one LightGBM thread each.
# Processes, not threads: concurrent LightGBM boosters in one process can crash it.
_split: tuple[str, lgb.Dataset, lgb.Dataset, Array, Array] | None = None


def _fit_setting(path: str, setting: dict[str, Any]) -> dict[str, Any]:
    """One setting fitted on the split in `path`, stopped early on its validation rows."""
    global _split
    if _split is None or _split[0] != path:
        with np.load(path) as z:
            xt, yt, xv, yv = z["xt"], z["yt"], z["xv"], z["yv"]
        train = lgb.Dataset(xt, yt, params={**FIXED, "num_threads": 1}, free_raw_data=False)
        valid = lgb.Dataset(xv, yv, reference=train, free_raw_data=False)
        _split = (path, train, valid, xv, yv)
    _, train, valid, xv, yv = _split
    started = time.perf_counter()
    booster = lgb.train(
        {**FIXED, **setting, "num_threads": 1},
        train,
        num_boost_round=MAX_ROUNDS,
        valid_sets=[valid],
        callbacks=[lgb.early_stopping(PATIENCE, verbose=False)],
    )
    rounds = int(booster.best_iteration or MAX_ROUNDS)
    p = np.asarray(booster.predict(xv, num_iteration=rounds), dtype=np.float64)
    return {
        **setting,
        "rounds": rounds,
        "validation_auc": auc(p, yv),
        "fit_s": round(time.perf_counter() - started, 2),
    }


def search(
    pool: Executor, split: Sequence[Array], grid: list[dict[str, Any]], folder: Path
) -> list[dict[str, Any]]:
    """Every setting of `grid` fitted on the training rows of `split` (xt, yt, xv, yv),
    stopped early on its validation rows: rounds and validation AUC, in grid order."""
    path = folder / f"split-{time.monotonic_ns()}.npz"
    xt, yt, xv, yv = split
    np.savez(path, xt=xt, yt=yt, xv=xv, yv=yv)
    try:
        # map hands the settings out in grid order, so the slow ones (many leaves, small
        # steps) are spread over the workers.
        return list(pool.map(_fit_setting, itertools.repeat(str(path)), grid))
    finally:
        path.unlink()


def tuned_baseline(
    x: Array,
    y: Array,
    days: npt.NDArray[np.int64],
    horizon_days: int,
    searcher: Searcher,
) -> tuple[Callable[[Array], Array], Callable[[Array], Array], dict[str, Any]]:
    """The hand baseline of one origin: the grid's best setting on the purged time split,
    refitted on every training row with its early-stopped rounds. Returns its churn
    probability, the same without undoing `is_unbalance`, and the setting."""
    is_train, is_valid = time_split(days, horizon_days)
    split = (x[is_train], y[is_train], x[is_valid], y[is_valid])
    results = search(searcher.pool, split, searcher.grid, searcher.folder)
    best = max(results, key=lambda r: r["validation_auc"] or 0.0)  # first of equals
    setting = {k: best[k] for k in searcher.grid[0]}
    booster = lgb.train(
        {**FIXED, **setting, "num_threads": searcher.workers},
        lgb.Dataset(x, y),
        num_boost_round=best["rounds"],
    )
    # is_unbalance weights each churn by (non-churns / churns), which adds log of that to
    # the model's log-odds; taking it off again puts every origin's probabilities on the
    # real churn rate's scale, as a careful hand builder would before pooling origins (the
    # ranking within an origin does not change).
    shift = float(np.log((len(y) - y.sum()) / y.sum())) if setting.get("is_unbalance") else 0.0

    def probability(z: Array) -> Array:
        logit = np.asarray(booster.predict(z, raw_score=True), dtype=np.float64) - shift
        return np.asarray(1.0 / (1.0 + np.exp(-logit)), dtype=np.float64)

    def uncorrected(z: Array) -> Array:
        return np.asarray(booster.predict(z), dtype=np.float64)

    chosen = {
        **setting,
        "rounds": best["rounds"],
        "validation_auc": best["validation_auc"],
        "settings_tried": len(results),
        "grid_fit_s": round(sum(r["fit_s"] for r in results), 1),
        "train_rows": int(is_train.sum()),
        "train_churned": int(y[is_train].sum()),
        "validation_rows": int(is_valid.sum()),
        "validation_churned": int(y[is_valid].sum()),
        "prior_shift": round(shift, 4),
    }
    return probability, uncorrected, chosen


def csops_learner(
    x: Array, y: Array, days: npt.NDArray[np.int64], horizon_days: int
) -> Callable[[Array], Array]:
    """csops's BoostedLearner (fixed LGB_PARAMS) fitted like the hand baseline: rounds by
    early stopping on the same split, refitted on every row; raw log-odds."""
    is_train, is_valid = time_split(days, horizon_days)
    _, rounds = BoostedLearner.fit(x[is_train], y[is_train], valid=(x[is_valid], y[is_valid]))
    learner, _ = BoostedLearner.fit(x, y, rounds=rounds)
    return learner.logit


def metrics_of(risk: Array, y: Array) -> dict[str, float | None]:
    return {"auc": auc(risk, y), "top_decile_lift": top_decile_lift(risk, y)}


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def paired_bootstrap(
    a: list[Array], b: list[Array], ys: list[Array], resamples: int = BOOTSTRAP, seed: int = 7
) -> dict[str, list[float]]:
    """95% intervals of the pooled differences a - b (AUC, top-decile lift): the accounts of
    each origin resampled with replacement, the same rows for both predictors."""
    rng = np.random.default_rng(seed)
    sizes = [len(y) for y in ys]
    offsets = np.cumsum([0, *sizes[:-1]])
    a_all, b_all, y_all = np.concatenate(a), np.concatenate(b), np.concatenate(ys)
    diffs: dict[str, list[float]] = {m: [] for m in METRICS}
    for _ in range(resamples):
        rows = np.concatenate(
            [o + rng.integers(0, n, n) for o, n in zip(offsets, sizes, strict=True)]
        )
        y = y_all[rows]
        for key, metric in (("auc", auc), ("top_decile_lift", top_decile_lift)):
            ma, mb = metric(a_all[rows], y), metric(b_all[rows], y)
            if ma is not None and mb is not None:
                diffs[key].append(ma - mb)
    return {k: [float(q) for q in np.percentile(v, [2.5, 97.5])] for k, v in diffs.items() if v}


def measure(
    company: BenchCompany,
    horizon_days: int,
    origins: int,
    searcher: Searcher,
    check_backtest: bool,
) -> dict[str, Any]:
    as_of = company.end - timedelta(days=1)
    wall, cpu = time.perf_counter(), cpu_s()
    con = open_warehouse(company.settings, make_engine(company.settings), HEALTH_TABLES)
    data = HealthData(con, as_of)
    card = card_for(data, scorecard_path(company.settings, None))
    days: list[date] = origins_for(as_of, horizon_days, data.first_day, origins)
    if not days:
        raise SystemExit(f"{company.settings.home}: not enough history for a backtest")
    vocabularies = data.vocabularies(days)
    scores: dict[str, list[Array]] = {k: [] for k in (*PREDICTORS, UNCORRECTED)}
    ys: list[Array] = []
    per_origin: list[dict[str, Any]] = []
    seconds = {"csops_train_s": 0.0, "grid_s": 0.0}
    for o in days:
        print(f"  origin {o} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        model = data.train(o, horizon_days, card)  # as run_backtest
        seconds["csops_train_s"] += time.perf_counter() - started
        frame = data.frame(o, vocabularies[o])
        labels = churned_after(data.con, as_of, [o], horizon_days)
        y = np.array([float(labels.get((a, o), False)) for a in frame.account_ids])
        # The same training rows csops's model was trained on (cached features).
        training, y_train = data.training_set(o, horizon_days)
        spec = spec_for(training)
        x_train = design_matrix(training, spec)
        x_origin = design_matrix(frame, spec)
        obs = np.array([d.toordinal() for d in training.days], dtype=np.int64)
        started = time.perf_counter()
        predict, uncorrected, chosen = tuned_baseline(x_train, y_train, obs, horizon_days, searcher)
        seconds["grid_s"] += time.perf_counter() - started
        risk = {
            "csops": churn_probability(model, frame, score(card, frame)),
            "lgbm tuned": predict(x_origin),
            "csops learner": csops_learner(x_train, y_train, obs, horizon_days)(x_origin),
            "naive": naive_usage_drop(frame.column("events_28d"), frame.column("events_prev_28d")),
            UNCORRECTED: uncorrected(x_origin),
        }
        ys.append(y)
        for k in scores:
            scores[k].append(risk[k])
        validation = model.metadata.get("validation") or {}
        per_origin.append(
            {
                "origin": o.isoformat(),
                "accounts": len(y),
                "churned": int(y.sum()),
                "training_rows": len(y_train),
                "training_churned": int(y_train.sum()),
                "csops_chosen": model.metadata.get("chosen"),
                "csops_validation_auc": {k: v.get("auc") for k, v in validation.items()},
                "lgbm_tuned_setting": chosen,
                **{k: metrics_of(risk[k], y) for k in PREDICTORS},
            }
        )
        print(
            "    " + "  ".join(f"{k} {per_origin[-1][k]['auc']:.4f}" for k in PREDICTORS),
            file=sys.stderr,
            flush=True,
        )
    y_all = np.concatenate(ys)
    pooled = {k: metrics_of(np.concatenate(v), y_all) for k, v in scores.items()}
    result: dict[str, Any] = {
        "workspace": str(company.settings.home),
        "as_of": as_of.isoformat(),
        "horizon_days": horizon_days,
        "origins": [d.isoformat() for d in days],
        "accounts": len(y_all),
        "churned": int(y_all.sum()),
        "pooled": pooled,
        "mean_of_origins": {
            k: {m: float(np.mean([r[k][m] for r in per_origin])) for m in METRICS}
            for k in PREDICTORS
        },
        "per_origin": per_origin,
        "csops_minus_lgbm_tuned": {
            **{m: _minus(pooled["csops"][m], pooled["lgbm tuned"][m]) for m in METRICS},
            "ci95": paired_bootstrap(scores["csops"], scores["lgbm tuned"], ys),
        },
        **{k: round(v, 1) for k, v in seconds.items()},
    }
    if check_backtest:
        # run_backtest itself on the same data: its model and naive figures should be ours.
        bt = run_backtest(data, card, as_of, horizon_days, origins)
        result["run_backtest"] = {k: metrics_of_report(bt[k]) for k in ("model", "naive")}
    con.close()
    result["wall_s"] = round(time.perf_counter() - wall, 1)
    result["cpu_s"] = round(cpu_s() - cpu, 1)
    result["peak_mb"] = round(peak_mb())
    return result


def metrics_of_report(report: dict[str, Any]) -> dict[str, Any]:
    return {"auc": report["auc"], "top_decile_lift": report["top_decile_lift"]}


def show(results: dict[str, Any]) -> None:
    def f(v: float | None, digits: int = 4) -> str:
        return "-" if v is None else f"{v:.{digits}f}"

    n = max(len(r["per_origin"]) for r in results["companies"].values())
    heads = "  ".join(f"{'AUC o' + str(i + 1):>8}" for i in range(n))
    print(
        f"{'company':8} {'predictor':14} {'AUC':>7} {'lift':>6}  {heads}  "
        f"{'mean AUC':>8} {'mean lift':>9}"
    )
    for name, r in results["companies"].items():
        for k in PREDICTORS:
            pooled, mean = r["pooled"][k], r["mean_of_origins"][k]
            cells = "  ".join(f"{f(o[k]['auc']):>8}" for o in r["per_origin"])
            print(
                f"{name:8} {k:14} {f(pooled['auc']):>7} {f(pooled['top_decile_lift'], 2):>6}  "
                f"{cells}  {f(mean['auc']):>8} {f(mean['top_decile_lift'], 2):>9}"
            )
        un = r["pooled"][UNCORRECTED]
        print(
            f"{'':8} ({UNCORRECTED}: pooled AUC {f(un['auc'])}, lift {f(un['top_decile_lift'], 2)})"
        )
        print(
            f"{'':8} ({r['accounts']} account-days, {r['churned']} churned; origins "
            f"{', '.join(r['origins'])} = o1..o{len(r['origins'])})"
        )
        d = r["csops_minus_lgbm_tuned"]
        ci = d["ci95"]
        print(
            f"{'':8} csops - lgbm tuned, pooled: AUC {d['auc']:+.4f} (95% CI "
            f"{ci['auc'][0]:+.4f} .. {ci['auc'][1]:+.4f}), lift {d['top_decile_lift']:+.2f} "
            f"(95% CI {ci['top_decile_lift'][0]:+.2f} .. {ci['top_decile_lift'][1]:+.2f}; "
            f"paired bootstrap over accounts, {BOOTSTRAP} resamples)"
        )
        if "run_backtest" in r:
            rb = r["run_backtest"]
            print(
                f"{'':8} run_backtest: model AUC {f(rb['model']['auc'])} lift "
                f"{f(rb['model']['top_decile_lift'], 2)}, naive AUC {f(rb['naive']['auc'])} "
                f"lift {f(rb['naive']['top_decile_lift'], 2)}"
            )
    print()
    print("hyperparameters chosen by the grid (validation AUC on the purged time split;")
    print("csops's own LightGBM / logistic validation AUC on the same split):")
    for name, r in results["companies"].items():
        for o in r["per_origin"]:
            s = o["lgbm_tuned_setting"]
            v = o["csops_validation_auc"]
            print(
                f"  {name:6} {o['origin']}: leaves {s['num_leaves']}, lr {s['learning_rate']}, "
                f"min_child {s['min_child_samples']}, ff {s['feature_fraction']}, "
                f"unbalance {s['is_unbalance']}, rounds {s['rounds']} -> val AUC "
                f"{f(s['validation_auc'])} | csops lgbm {f(v.get('lightgbm'))}, logistic "
                f"{f(v.get('logistic'))} (chosen {o['csops_chosen']})"
            )
    print()
    for name, r in results["companies"].items():
        print(
            f"{name}: {r['wall_s']:.0f} s wall ({r['cpu_s']:.0f} s CPU in the main process; "
            f"csops training {r['csops_train_s']:.0f} s, grid {r['grid_s']:.0f} s), "
            f"peak {r['peak_mb']} MB"
        )
    print(
        f"total {results['wall_s']:.0f} s wall; load average {results['load_average'][0]:.2f} "
        f"at start, {results['load_average'][1]:.2f} at end ({os.cpu_count()} cores)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--horizon-days", type=int, default=90)
    parser.add_argument("--origins", type=int, default=3)
    parser.add_argument("--grid", choices=sorted(GRIDS), default="full")
    parser.add_argument("--workers", type=int, default=2, help="Grid worker processes.")
    parser.add_argument("--company", choices=("demo", "other", "both"), default="both")
    parser.add_argument("--check-backtest", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    grid = settings_of(GRIDS[args.grid])
    started = time.perf_counter()
    load = os.getloadavg()[0]
    companies = {}
    # Spawned workers: a forked child of a process that has run OpenMP (LightGBM, DuckDB)
    # can hang.
    context = multiprocessing.get_context("spawn")
    with (
        ProcessPoolExecutor(args.workers, mp_context=context) as pool,
        tempfile.TemporaryDirectory(prefix="gbm-baseline-") as folder,
    ):
        searcher = Searcher(pool, grid, Path(folder), args.workers)
        for name, prepare in (("demo", prepare_company), ("other", prepare_other_company)):
            if args.company not in (name, "both"):
                continue
            print(f"measuring the {name} company ...", file=sys.stderr, flush=True)
            company = prepare(args.accounts, args.months)
            companies[name] = measure(
                company, args.horizon_days, args.origins, searcher, args.check_backtest
            )
    results = {
        "accounts": args.accounts,
        "months": args.months,
        "grid": {"name": args.grid, **GRIDS[args.grid]},
        "max_rounds": MAX_ROUNDS,
        "patience": PATIENCE,
        "companies": companies,
        "wall_s": round(time.perf_counter() - started, 1),
        "load_average": [load, os.getloadavg()[0]],
    }
    if args.json:
        print(json.dumps(results, indent=2, default=str))
        return
    show(results)


if __name__ == "__main__":
    main()
