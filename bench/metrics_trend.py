"""Benchmark: revenue metrics (`metrics trend` and friends) on DuckDB for 100,000 accounts.

Not a test: run it by hand (or in a nightly job) and read the table.

    python bench/metrics_trend.py                  # 100,000 accounts, cached workspace
    python bench/metrics_trend.py --fresh          # regenerate and re-ingest first
    python bench/metrics_trend.py --accounts 20000 --json

What it does:

1. Generates (once; cached under --data-dir while the account count, seed and generator
   version match) contract files `accounts.csv`, `subscriptions.csv` and `activities.csv`
   for a company of N accounts over five years ending at AS_OF: SMB / mid-market /
   enterprise accounts with lognormal MRR, monthly and annual terms, mid-month and
   first-of-month starts, up- and downgrades written as line changes (old line ends the
   day the new one starts), add-on lines, free trial lines and free plans, churn (annual
   terms at their anniversary, monthly ones mid-month or on a month boundary) and
   win-backs after a gap. All in numpy, vectorised: a few seconds for 100,000 accounts.
   It then loads them with the real ingest (`csops.ingest.batch.ingest_paths`) into a
   fresh SQLite workspace, also cached.
2. In this process, times each step separately: opening the warehouse (the Arrow hand-over
   of the three store tables, split into store read, Arrow conversion and DuckDB load per
   table), `metrics.trend` over 24 months by month (split into sqlglot compile and DuckDB
   execution), `metrics.mrr`, `metrics.retention` and `metrics.renewals`.
3. Runs `csops metrics trend --from ... --to ... --as-of ... --json` as a subprocess and
   times its wall clock end to end (interpreter start, imports, store open, hand-over,
   query, JSON), with its peak RSS; and `python -c "import csops.cli"` alone, to show
   what start-up costs.
4. Prints a table with PASS/FAIL against the target (and JSON with `--json`).

Target (issue 4): `metrics trend` over 24 months for 100,000 accounts in under 5 s on
DuckDB on this machine, end to end on the command line.

Exit status: 0 when the target is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import Engine, select

from csops.analytics import metrics
from csops.analytics.duck import connect
from csops.analytics.engines import MODEL_TABLES, DuckDBEngine
from csops.analytics.sql_models import Value, compile_model
from csops.analytics.warehouse import open_warehouse, table_as_arrow
from csops.config import Settings
from csops.domain.periods import Unit, add_months, periods
from csops.ingest.batch import ingest_paths
from csops.ingest.pipeline import IngestContext
from csops.store.database import make_engine, upgrade_schema
from csops.store.event_store import EventStore
from csops.store.tables import ENTITY_TABLES, subscription_versions

GENERATOR_VERSION = 1  # bump when the generated data changes shape
AS_OF = date(2026, 11, 1)
TREND_FROM = date(2024, 11, 1)  # 24 whole months: 2024-11 .. 2026-10
TREND_TO = date(2026, 10, 31)
HISTORY_START = date(2021, 11, 1)  # five years of history before AS_OF
INGESTED_AT = datetime(2026, 11, 1, 6, 0, 0)
TARGET_SECONDS = 5.0
SAMPLE_SECONDS = 0.02

SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
SEGMENT_SHARE = (0.62, 0.28, 0.10)
SEGMENT_MRR = ((4.6, 0.6), (6.6, 0.5), (8.4, 0.6))  # lognormal (mu, sigma) of the base MRR
SEGMENT_LIFETIME_MONTHS = (22.0, 40.0, 70.0)  # mean of the exponential time to churn
REGIONS = ("EMEA", "AMER", "APAC", "LATAM")
PLANS = ("Starter", "Team", "Business", "Enterprise")
ADDONS = ("Analytics", "SSO", "Extra storage", "Premium support")
ACTIVITY_KINDS = ("call", "meeting", "email", "qbr", "note")

T = TypeVar("T")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- data generation -----------------------------------------------------------------------


def _days(d: date) -> int:
    return int(np.datetime64(d, "D").astype(np.int64))


def _add_months(day: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Days (int64 since epoch) moved by whole months; the 31st becomes the month's last day."""
    as_day = day.astype("datetime64[D]")
    month = as_day.astype("datetime64[M]")
    dom = (as_day - month.astype("datetime64[D]")).astype(np.int64)  # 0-based day of month
    target = month + months.astype(np.int64)
    first = target.astype("datetime64[D]")
    length = ((target + 1).astype("datetime64[D]") - first).astype(np.int64)
    moved: np.ndarray = (first + np.minimum(dom, length - 1)).astype(np.int64)
    return moved


def _month_start(day: np.ndarray) -> np.ndarray:
    return (
        day.astype("datetime64[D]").astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    )


@dataclass
class Lines:
    account: np.ndarray  # account index
    mrr_cents: np.ndarray
    start: np.ndarray  # days since epoch
    end: np.ndarray  # days since epoch, -1 = open
    plan: np.ndarray  # index into PLANS + ADDONS + ("Free",)
    billing: np.ndarray  # months

    @staticmethod
    def concat(parts: list[Lines]) -> Lines:
        return Lines(
            *(np.concatenate([getattr(p, f) for p in parts]) for f in Lines.__dataclass_fields__)
        )


def generate_lines(n: int, seed: int) -> tuple[Lines, np.ndarray]:
    """Every subscription line of n accounts, and each account's segment index."""
    rng = np.random.default_rng([seed, 1])
    lo, hi = _days(HISTORY_START), _days(AS_OF)
    segment = rng.choice(3, size=n, p=SEGMENT_SHARE)

    # Episodes: a first paid relationship, and for some churned accounts a second one.
    signup = rng.integers(lo, hi - 20, size=n)
    on_first = rng.random(n) < 0.35  # a third of contracts start on the 1st
    signup = np.where(on_first, _month_start(signup), signup)
    annual = rng.random(n) < np.array([0.2, 0.45, 0.8])[segment]
    billing = np.where(annual, 12, 1)
    lifetime_m = rng.exponential(np.array(SEGMENT_LIFETIME_MONTHS)[segment])
    # Annual terms churn at an anniversary; monthly ones at a month boundary or mid-month.
    terms = np.maximum(np.ceil(lifetime_m / 12), 1).astype(np.int64)
    end_annual = _add_months(signup, terms * 12)
    end_monthly = signup + np.round(lifetime_m * 30.44).astype(np.int64) + 1
    snap = rng.random(n) < 0.5
    end_monthly = np.where(snap, _month_start(end_monthly), end_monthly)
    end_monthly = np.maximum(end_monthly, signup + 1)
    churn_at = np.where(annual, end_annual, end_monthly)
    churned = churn_at <= hi

    winback = churned & (rng.random(n) < 0.12)
    gap = rng.integers(30, 400, size=n)
    back_at = churn_at + gap
    winback &= back_at < hi - 5
    back_life = rng.exponential(30.0, size=n) * 30.44
    back_end = back_at + np.round(back_life).astype(np.int64) + 1
    back_end = np.where((back_end <= hi) & (rng.random(n) < 0.7), back_end, -1)

    ep_account = np.concatenate([np.arange(n), np.flatnonzero(winback)])
    ep_start = np.concatenate([signup, back_at[winback]])
    ep_end = np.concatenate([np.where(churned, churn_at, -1), back_end[winback]])
    ep_billing = np.concatenate([billing, billing[winback]])
    ep_seg = segment[ep_account]
    m = len(ep_account)

    # Each episode is a chain of lines: every plan change ends one line and starts the next.
    horizon = np.where(ep_end < 0, hi + 400, ep_end)
    years = (horizon - ep_start) / 365.25
    changes = np.minimum(rng.poisson(0.6 * years), 5)
    k = changes + 1
    line_ep = np.repeat(np.arange(m), k)
    pos = np.arange(len(line_ep)) - np.repeat(np.cumsum(k) - k, k)
    # Change days: sorted uniform points inside the episode (annual terms change on a
    # month boundary after a few months, monthly ones on any day).
    u = rng.random(len(line_ep))
    u[pos == 0] = 0.0
    order = np.lexsort((u, line_ep))
    u = u[order]
    span = horizon[line_ep] - ep_start[line_ep]
    starts = ep_start[line_ep] + np.floor(u * span).astype(np.int64)
    aligned = (ep_billing[line_ep] == 12) | (rng.random(len(line_ep)) < 0.3)
    starts = np.where((pos > 0) & aligned, _month_start(starts), starts)
    # Keep each chain increasing: a change never lands before the previous line's start.
    # (line_ep is sorted, so offsetting each episode far above the previous one makes one
    # running maximum restart at every episode.)
    shift = line_ep * (1 << 24)
    starts = np.maximum.accumulate(starts + shift) - shift
    next_start = np.roll(starts, -1)
    last = pos == k[line_ep] - 1
    ends = np.where(last, ep_end[line_ep], next_start)
    keep = (ends < 0) | (ends > starts)  # a change on the very day the line started: drop it
    keep |= last  # (the chain's last line keeps the episode's end)
    # MRR: a base per episode, then up (60%) or down (40%) at each change.
    base = rng.lognormal(*np.array(SEGMENT_MRR)[ep_seg].T)
    factor = np.where(rng.random(len(line_ep)) < 0.6, rng.uniform(1.1, 1.8, len(line_ep)), 1.0)
    factor = np.where(factor == 1.0, rng.uniform(0.5, 0.92, len(line_ep)), factor)
    factor[pos == 0] = 1.0
    log_mrr = np.log(base)[line_ep] + _group_cumsum(np.log(factor), line_ep)
    mrr_cents = np.maximum(np.round(np.exp(log_mrr) * 100), 100).astype(np.int64)
    plan = np.minimum(ep_seg[line_ep] + (pos > 1) + (factor > 1.5), 3)
    main = Lines(
        account=ep_account[line_ep][keep],
        mrr_cents=mrr_cents[keep],
        start=starts[keep],
        end=np.where(ends >= 0, ends, -1)[keep],
        plan=plan[keep],
        billing=ep_billing[line_ep][keep],
    )

    # Add-on lines on a quarter of the accounts, some of them already ended.
    has_addon = np.flatnonzero(rng.random(n) < 0.25)
    a = len(has_addon)
    first_end = np.where(churned, churn_at, hi + 200)[has_addon]
    addon_start = signup[has_addon] + rng.integers(0, 400, size=a)
    addon_start = np.minimum(addon_start, first_end - 1)
    addon_end = addon_start + rng.integers(20, 900, size=a)
    addon_end = np.where(rng.random(a) < 0.3, _month_start(addon_end), addon_end)
    addon_end = np.minimum(np.maximum(addon_end, addon_start + 1), first_end)
    addon_end = np.where((addon_end >= hi) | (rng.random(a) < 0.25), -1, addon_end)
    addon_end = np.where((addon_end < 0) & churned[has_addon], first_end, addon_end)
    addons = Lines(
        account=has_addon,
        mrr_cents=np.round(rng.uniform(10, 400, size=a) * 100).astype(np.int64),
        start=addon_start,
        end=addon_end,
        plan=4 + rng.integers(0, len(ADDONS), size=a),
        billing=np.ones(a, dtype=np.int64),
    )

    # Free lines: a 14-30 day trial before the first paid line, or a free plan left open.
    trial = np.flatnonzero(rng.random(n) < 0.15)
    t = len(trial)
    trial_len = rng.integers(14, 31, size=t)
    forever = rng.random(t) < 0.3
    free = Lines(
        account=trial,
        mrr_cents=np.zeros(t, dtype=np.int64),
        start=signup[trial] - trial_len,
        end=np.where(forever, -1, signup[trial]),
        plan=np.full(t, len(PLANS) + len(ADDONS)),
        billing=np.ones(t, dtype=np.int64),
    )
    return Lines.concat([main, addons, free]), segment


def _group_cumsum(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting at every group (`group` sorted)."""
    total = np.cumsum(values)
    first = np.r_[0, np.flatnonzero(np.diff(group)) + 1]
    offset = np.repeat(total[first] - values[first], np.diff(np.r_[first, len(group)]))
    result: np.ndarray = total - offset
    return result


def _strings(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    return pc.binary_join_element_wise(
        prefix, pc.utf8_lpad(pa.array(numbers).cast(pa.string()), width, "0"), ""
    )


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype("datetime64[D]"), pa.date32(), mask=days < 0)


def write_company(folder: Path, n: int, seed: int) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    lines, segment = generate_lines(n, seed)
    rng = np.random.default_rng([seed, 2])
    ids = _strings("acc_", np.arange(1, n + 1), 6)
    owners = _strings("csm", np.arange(60), 2)
    owner = pc.binary_join_element_wise(owners.take(rng.integers(0, 60, n)), "@csops.test", "")
    accounts = pa.table(
        {
            "account_id": ids,
            "name": _strings("Company ", np.arange(1, n + 1), 6),
            "segment": pa.array(SEGMENTS).take(segment),
            "region": pa.array(REGIONS).take(rng.integers(0, len(REGIONS), n)),
            "owner_email": owner,
        }
    )
    pacsv.write_csv(accounts, folder / "accounts.csv")

    # Sorted by account, then start, like an export from a billing system.
    order = np.lexsort((lines.start, lines.account))
    cents = lines.mrr_cents[order]
    mrr = pc.binary_join_element_wise(
        pa.array(cents // 100).cast(pa.string()),
        pc.utf8_lpad(pa.array(cents % 100).cast(pa.string()), 2, "0"),
        ".",
    )
    names = pa.array([*PLANS, *ADDONS, "Free"])
    subscriptions = pa.table(
        {
            "subscription_id": _strings("sub_", np.arange(1, len(order) + 1), 7),
            "account_id": ids.take(pa.array(lines.account[order])),
            "mrr": mrr,
            "start_date": _dates(lines.start[order]),
            "end_date": _dates(lines.end[order]),
            "plan": names.take(pa.array(lines.plan[order])),
            "billing_period_months": pa.array(lines.billing[order]),
        }
    )
    pacsv.write_csv(subscriptions, folder / "subscriptions.csv")

    # CRM activities: a few per account over the last year, so renewals has data to join.
    k = n // 2
    start = _days(AS_OF) - 365
    when = (start + rng.integers(0, 365, size=k)) * 86_400 + rng.integers(8, 18, size=k) * 3600
    kind = rng.integers(0, len(ACTIVITY_KINDS), size=k)
    summaries = pa.array(["Renewal call", "Check-in", "Newsletter", "QBR", "Note"])
    activities = pa.table(
        {
            "activity_id": _strings("act_", np.arange(1, k + 1), 7),
            "account_id": ids.take(pa.array(rng.integers(0, n, size=k))),
            "kind": pa.array(ACTIVITY_KINDS).take(pa.array(kind)),
            "occurred_at": pc.strftime(
                pa.array(when * 1_000_000, pa.timestamp("us")), "%Y-%m-%dT%H:%M:%S"
            ),
            "summary": summaries.take(pa.array(kind)),
        }
    )
    pacsv.write_csv(activities, folder / "activities.csv")
    return {"accounts": n, "subscriptions": len(order), "activities": k}


# -- workspace (cached) --------------------------------------------------------------------


def prepare(data_dir: Path, n: int, seed: int, fresh: bool) -> tuple[Path, dict[str, Any]]:
    meta_path = data_dir / "meta.json"
    want = {"generator": GENERATOR_VERSION, "accounts": n, "seed": seed}
    if not fresh and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if all(meta.get(k) == v for k, v in want.items()):
            log(f"reusing the workspace in {data_dir} (--fresh to rebuild)")
            return data_dir / "ws", meta
    shutil.rmtree(data_dir, ignore_errors=True)
    files = data_dir / "files"
    started = time.perf_counter()
    counts = write_company(files, n, seed)
    generated = time.perf_counter() - started
    log(f"generated {counts} in {generated:.1f} s")
    workspace = data_dir / "ws"
    settings = Settings(home=workspace)
    engine = make_engine(settings)
    upgrade_schema(engine)
    started = time.perf_counter()
    report = ingest_paths(IngestContext(settings, engine, INGESTED_AT), [files])
    ingested = time.perf_counter() - started
    engine.dispose()
    for f in report.files:
        if f.error or f.rows_rejected:
            raise SystemExit(f"ingest of {f.path} failed: {f.error or f.rows_rejected} rejected")
    log(f"ingested in {ingested:.1f} s")
    meta = {**want, **counts, "generate_s": generated, "ingest_s": ingested}
    meta_path.write_text(json.dumps(meta, indent=2))
    return workspace, meta


# -- timing --------------------------------------------------------------------------------


@dataclass
class Step:
    name: str
    seconds: float
    rows: int | None = None
    rss_mb: float | None = None
    note: str = ""


def rss_mb() -> float:
    return float(psutil.Process().memory_info().rss / 2**20)


def timed(steps: list[Step], name: str, fn: Callable[[], T], rows: Callable[[T], int]) -> T:
    started = time.perf_counter()
    result = fn()
    steps.append(Step(name, time.perf_counter() - started, rows(result), rss_mb()))
    return result


def warehouse_breakdown(settings: Settings, engine: Engine, steps: list[Step]) -> None:
    """Where opening the warehouse spends its time, table by table (same work as
    `open_warehouse`, cut in three: store read, Arrow conversion, DuckDB load)."""
    con = connect(settings)
    for name in MODEL_TABLES:
        table = subscription_versions if name == "subscription_versions" else ENTITY_TABLES[name]
        started = time.perf_counter()
        with engine.connect() as conn:
            rows = conn.execute(select(table)).all()
        read = time.perf_counter() - started
        started = time.perf_counter()
        arrow = table_as_arrow(engine, table)  # read + convert
        both = time.perf_counter() - started
        started = time.perf_counter()
        con.register("_t", arrow)
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _t").fetchall()
        con.unregister("_t")
        load = time.perf_counter() - started
        steps.append(Step(f"  {name}: store read (SQLAlchemy rows)", read, len(rows)))
        steps.append(Step(f"  {name}: Arrow conversion (total - read)", max(both - read, 0.0)))
        steps.append(Step(f"  {name}: DuckDB load", load))
    con.close()


def in_process(workspace: Path) -> list[Step]:
    settings = Settings(home=workspace)
    engine = make_engine(settings)
    steps: list[Step] = []
    started = time.perf_counter()
    EventStore(settings.events_dir).register(connect(settings))
    steps.append(Step("  event store view", time.perf_counter() - started))
    warehouse_breakdown(settings, engine, steps)
    con = timed(
        steps,
        "open_warehouse (Arrow hand-over, all three tables)",
        lambda: open_warehouse(settings, engine, MODEL_TABLES),
        lambda c: len(c.execute("SELECT 1 FROM subscription_versions").fetchall()),
    )
    duck = DuckDBEngine(con)
    # Compile and execute apart: sqlglot parses and writes the model tree every call.
    windows = [
        metrics._Window(p.label, p.start, p.end)
        for p in periods(TREND_FROM, TREND_TO, Unit.MONTH, AS_OF)
    ]
    ttm = [metrics._Window(f"ttm:{w.label}", add_months(w.end, -12), w.end) for w in windows]
    inputs = metrics._period_inputs(windows + ttm)
    params: dict[str, Value] = {"as_of": AS_OF, "group_by": "all"}
    sql = timed(
        steps,
        "  trend: sqlglot compile of `retention`",
        lambda: compile_model("retention", "duckdb", params, inputs),
        lambda s: len(s.splitlines()),
    )
    timed(steps, "  trend: DuckDB execution", lambda: duck.query(sql), len)
    rows = timed(
        steps,
        "metrics.trend, 24 months by month",
        lambda: metrics.trend(duck, TREND_FROM, TREND_TO, Unit.MONTH, AS_OF),
        len,
    )
    assert len(rows) == 24 and all(not r["partial"] for r in rows), rows
    steps[-1].note = f"last: start {rows[-1]['start_mrr']}, nrr {rows[-1]['nrr']:.4f}"
    timed(steps, "metrics.mrr (all)", lambda: metrics.mrr(duck, AS_OF), len)
    timed(steps, "metrics.mrr --by segment", lambda: metrics.mrr(duck, AS_OF, "segment"), len)
    timed(
        steps,
        "metrics.retention, one month",
        lambda: metrics.retention(duck, date(2026, 10, 1), AS_OF, AS_OF),
        len,
    )
    timed(
        steps,
        "metrics.retention, one month --by owner",
        lambda: metrics.retention(duck, date(2026, 10, 1), AS_OF, AS_OF, "owner"),
        len,
    )
    timed(steps, "metrics.renewals, 120 days", lambda: metrics.renewals(duck, AS_OF, 120), len)
    con.close()
    engine.dispose()
    return steps


class RssSampler:
    """Peak resident memory of a process and its descendants, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._stop.is_set():
            total = 0
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                for proc in [root, *root.children(recursive=True)]:
                    total += proc.memory_info().rss
            self.peak_bytes = max(self.peak_bytes, total)
            self._stop.wait(SAMPLE_SECONDS)


@dataclass
class Run:
    seconds: float
    peak_rss_mb: float
    cpu_seconds: float
    code: int
    stdout: str
    stderr: str


def run(command: list[str]) -> Run:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        with RssSampler(proc.pid) as sampler:
            _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return Run(
            seconds,
            max(sampler.peak_bytes / 2**20, usage.ru_maxrss / 1024),
            usage.ru_utime + usage.ru_stime,
            os.waitstatus_to_exitcode(status),
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace")[-2000:],
        )


def csops_command() -> list[str]:
    exe = shutil.which("csops") or str(Path(sys.executable).with_name("csops"))
    return [exe] if Path(exe).exists() else [sys.executable, "-m", "csops"]


def cli_trend(workspace: Path) -> Run:
    return run(
        [
            *csops_command(),
            "--workspace",
            str(workspace),
            "metrics",
            "trend",
            "--from",
            TREND_FROM.isoformat(),
            "--to",
            TREND_TO.isoformat(),
            "--as-of",
            AS_OF.isoformat(),
            "--json",
        ]
    )


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    with contextlib.redirect_stdout(sys.stderr):
        yield


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--fresh", action="store_true", help="regenerate and re-ingest")
    parser.add_argument("--repeat", type=int, default=3, help="CLI runs (best is reported)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.gettempdir()) / f"csops-bench-metrics-{args.accounts}"

    with quiet_stdout():
        workspace, meta = prepare(data_dir, args.accounts, args.seed, args.fresh)
        steps = in_process(workspace)
        peak_in_process = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        imports = run([sys.executable, "-c", "import csops.cli"])
        runs = [cli_trend(workspace) for _ in range(max(args.repeat, 1))]
    for r in runs:
        if r.code != 0:
            log(r.stderr)
            raise SystemExit(f"csops metrics trend failed with exit code {r.code}")
    best = min(runs, key=lambda r: r.seconds)
    periods = json.loads(best.stdout)["periods"]
    ok = best.seconds < TARGET_SECONDS

    if args.json:
        print(
            json.dumps(
                {
                    "data": meta,
                    "steps": [s.__dict__ for s in steps],
                    "in_process_peak_rss_mb": peak_in_process,
                    "import_csops_cli_s": imports.seconds,
                    "cli_trend": [
                        {"seconds": r.seconds, "peak_rss_mb": r.peak_rss_mb, "cpu_s": r.cpu_seconds}
                        for r in runs
                    ],
                    "cli_periods": len(periods),
                    "target_s": TARGET_SECONDS,
                    "pass": ok,
                },
                indent=2,
            )
        )
        return 0 if ok else 1

    print(
        f"data: {meta['accounts']:,} accounts, {meta['subscriptions']:,} subscription lines, "
        f"{meta['activities']:,} activities ({data_dir})"
    )
    print(f"trend: {TREND_FROM} .. {TREND_TO} by month, as of {AS_OF}\n")
    print(f"{'step':<58} {'seconds':>8} {'rows':>9} {'RSS MB':>8}")
    for s in steps:
        rows = "" if s.rows is None else f"{s.rows:,}"
        rss = "" if s.rss_mb is None else f"{s.rss_mb:,.0f}"
        print(f"{s.name:<58} {s.seconds:>8.3f} {rows:>9} {rss:>8}  {s.note}")
    print(f"{'in-process peak RSS':<58} {'':>8} {'':>9} {peak_in_process:>8,.0f}")
    print()
    print(f"{'python -c import csops.cli (start-up alone)':<58} {imports.seconds:>8.3f}")
    for i, r in enumerate(runs, 1):
        print(
            f"{f'csops metrics trend --json, run {i} (wall; cpu {r.cpu_seconds:.2f} s)':<58} "
            f"{r.seconds:>8.3f} {len(periods):>9} {r.peak_rss_mb:>8,.0f}"
        )
    verdict = "PASS" if ok else "FAIL"
    print(f"\n{verdict}: best CLI run {best.seconds:.2f} s, target < {TARGET_SECONDS:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
