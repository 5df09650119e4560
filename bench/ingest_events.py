"""Benchmark: `csops ingest` of a large events file, from CSV and from Parquet.

Not a test: run it by hand (or in a nightly job) and read the table.

    python bench/ingest_events.py                      # 10,000,000 rows, csv + parquet
    python bench/ingest_events.py --rows 1000000 --format parquet --json

What it does:

1. Generates (once; reused while the row count and generator version match) an
   `accounts.csv` (~2,000 accounts) and an events file of N rows as `events.csv` and/or
   `events.parquet` under `--data-dir`. The shape follows the data contract: account_id,
   event_type, occurred_at, user_id, quantity, properties (JSON object text on ~10% of
   rows). ~20,000 users with skewed activity, 20 event types with skewed frequency,
   timestamps (millisecond precision, unique) spread over the 24 months ending yesterday,
   in random order (so every batch touches every month). Generation streams 1M-row chunks
   (numpy + pyarrow), so memory stays bounded whatever N is.
2. Per format, in a fresh workspace: ingests accounts.csv (not timed), then times
   `csops --workspace WS ingest events.<ext> --json` as a subprocess while sampling the
   resident memory of its process tree every 50 ms, and checks the JSON summary
   (rows_loaded == N, rows_rejected == 0).
3. Times the same command again (a re-ingest must find every row unchanged).
4. Prints a table with PASS/FAIL against the targets (and JSON with `--json`).

Exit status: 0 when every check and target passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

GENERATOR_VERSION = 1  # bump when the generated data changes shape
CHUNK_ROWS = 1_000_000
N_ACCOUNTS = 2_000
N_USERS = 20_000
SPAN_DAYS = 730  # 24 months
SAMPLE_SECONDS = 0.05

TARGET_ROWS_PER_S = {"parquet": 1_000_000, "csv": 250_000}
TARGET_PEAK_RSS_MB = 1_500

EVENT_TYPES = (
    "login",
    "page_viewed",
    "report_viewed",
    "dashboard_opened",
    "search_performed",
    "record_created",
    "record_updated",
    "record_deleted",
    "file_uploaded",
    "export_downloaded",
    "comment_added",
    "invite_sent",
    "user_invited",
    "integration_synced",
    "api_call",
    "workflow_run",
    "alert_triggered",
    "settings_changed",
    "billing_viewed",
    "logout",
)
SOURCES = ("web", "mobile", "api", "integration")
FEATURES = tuple(f"feature_{i:02d}" for i in range(1, 31))

EVENT_SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("event_type", pa.string()),
        ("occurred_at", pa.timestamp("us", tz="UTC")),
        ("user_id", pa.string()),
        ("quantity", pa.int64()),
        ("properties", pa.string()),
    ]
)
# In CSV, occurred_at is ISO 8601 text with a Z.
CSV_SCHEMA = EVENT_SCHEMA.set(
    EVENT_SCHEMA.get_field_index("occurred_at"), pa.field("occurred_at", pa.string())
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- data generation -----------------------------------------------------------------------


def account_ids() -> list[str]:
    return [f"acc_{i:05d}" for i in range(1, N_ACCOUNTS + 1)]


@dataclass(frozen=True)
class Population:
    """Who generates events: users belong to accounts; activity is skewed."""

    user_ids: pa.Array  # string, N_USERS
    user_account: np.ndarray  # account index per user
    user_weight: np.ndarray  # probability of each user being the actor
    type_weight: np.ndarray  # probability of each event type


def population(seed: int) -> Population:
    rng = np.random.default_rng([seed, 0])
    # Account sizes are skewed (a few big customers, a long tail); every account has a user.
    account_size = rng.lognormal(mean=0.0, sigma=1.0, size=N_ACCOUNTS)
    extra = rng.choice(N_ACCOUNTS, size=N_USERS - N_ACCOUNTS, p=account_size / account_size.sum())
    user_account = np.concatenate([np.arange(N_ACCOUNTS), extra]).astype(np.int64)
    rng.shuffle(user_account)
    activity = rng.lognormal(mean=0.0, sigma=1.2, size=N_USERS)
    ranks = np.arange(1, len(EVENT_TYPES) + 1, dtype=np.float64)
    type_weight = 1.0 / ranks**1.1
    return Population(
        user_ids=pa.array([f"usr_{i:06d}" for i in range(1, N_USERS + 1)], pa.string()),
        user_account=user_account,
        user_weight=activity / activity.sum(),
        type_weight=type_weight / type_weight.sum(),
    )


def _stride(n: int) -> int:
    """A multiplier coprime with n: i → (i * stride) mod n is a permutation of 0..n-1."""
    stride = 2_147_483_629  # prime
    while math.gcd(stride, n) != 1:
        stride += 2
    return stride


def event_chunks(
    rows: int, seed: int, end: datetime, chunk_rows: int = CHUNK_ROWS
) -> Iterator[pa.Table]:
    """The events, `chunk_rows` at a time (EVENT_SCHEMA). Deterministic for (rows, seed, end).

    Timestamps are unique by construction: row i gets its own slot of the 24-month span
    (a permutation spreads consecutive rows over the whole span) plus a random offset inside
    the slot, so no two rows share an event key and a file never contains duplicates.
    """
    pop = population(seed)
    accounts = pa.array(account_ids(), pa.string())
    types = pa.array(EVENT_TYPES, pa.string())
    sources = pa.array(SOURCES, pa.string())
    features = pa.array(FEATURES, pa.string())
    span_ms = SPAN_DAYS * 86_400_000
    start_ms = int(end.timestamp() * 1000) - span_ms
    slot_ms = span_ms // rows
    if slot_ms < 1:
        raise SystemExit(f"--rows {rows:,} is more than one event per millisecond of 24 months")
    stride = _stride(rows)
    for chunk, first in enumerate(range(0, rows, chunk_rows)):
        n = min(chunk_rows, rows - first)
        rng = np.random.default_rng([seed, 1, chunk])
        index = np.arange(first, first + n, dtype=np.int64)
        slot = (index * stride) % rows
        occurred_ms = start_ms + slot * slot_ms + rng.integers(0, slot_ms, size=n)
        user = rng.choice(N_USERS, size=n, p=pop.user_weight)
        account = pop.user_account[user]
        event_type = rng.choice(len(EVENT_TYPES), size=n, p=pop.type_weight)
        no_user = rng.random(n) < 0.05  # system events carry no user
        quantity = np.where(rng.random(n) < 0.8, 1, rng.geometric(0.2, size=n)).astype(np.int64)
        has_props = rng.random(n) < 0.10
        props = _properties(rng, n, has_props, sources, features)
        yield pa.table(
            {
                "account_id": accounts.take(pa.array(account)),
                "event_type": types.take(pa.array(event_type)),
                "occurred_at": pa.array(occurred_ms * 1000, pa.int64()).cast(
                    pa.timestamp("us", tz="UTC")
                ),
                "user_id": pc.if_else(
                    pa.array(no_user), pa.scalar(None, pa.string()), pop.user_ids.take(user)
                ),
                "quantity": pa.array(quantity, pa.int64()),
                "properties": props,
            },
            schema=EVENT_SCHEMA,
        )


def _properties(
    rng: np.random.Generator, n: int, has: np.ndarray, sources: pa.Array, features: pa.Array
) -> pa.Array:
    """JSON object text on the rows flagged in `has`, null elsewhere."""
    k = int(has.sum())
    source = sources.take(pa.array(rng.integers(0, len(SOURCES), size=k)))
    feature = features.take(pa.array(rng.integers(0, len(FEATURES), size=k)))
    duration = pc.cast(pa.array(rng.integers(20, 60_000, size=k)), pa.string())
    text = pc.binary_join_element_wise(
        '{"source":"', source, '","feature":"', feature, '","duration_ms":', duration, "}", ""
    )
    position = pa.array(np.cumsum(has) - 1, pa.int64(), mask=~has)  # null index → null
    return text.take(position)


def to_csv_table(table: pa.Table) -> pa.Table:
    ts = table["occurred_at"].cast(pa.timestamp("ms", tz="UTC"))
    iso = pc.strftime(ts, format="%Y-%m-%dT%H:%M:%SZ")  # %S carries the milliseconds
    return table.set_column(table.schema.get_field_index("occurred_at"), "occurred_at", iso)


@dataclass(frozen=True)
class DataSet:
    accounts: Path
    events: dict[str, Path]  # format → file


def _meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".meta.json")


def _is_current(path: Path, rows: int, seed: int) -> bool:
    meta = _meta_path(path)
    if not (path.exists() and meta.exists()):
        return False
    try:
        info = json.loads(meta.read_text())
    except (OSError, ValueError):
        return False
    return bool(
        info.get("rows") == rows
        and info.get("seed") == seed
        and info.get("version") == GENERATOR_VERSION
        and info.get("bytes") == path.stat().st_size
    )


def _write_meta(path: Path, rows: int, seed: int, end: datetime, seconds: float) -> None:
    info = {
        "rows": rows,
        "seed": seed,
        "version": GENERATOR_VERSION,
        "bytes": path.stat().st_size,
        "end": end.isoformat(),
        "generated_in_s": round(seconds, 1),
    }
    _meta_path(path).write_text(json.dumps(info, indent=1) + "\n")


def prepare_data(data_dir: Path, rows: int, formats: list[str], seed: int) -> DataSet:
    data_dir.mkdir(parents=True, exist_ok=True)
    accounts = data_dir / "accounts.csv"
    if not _is_current(accounts, N_ACCOUNTS, seed):
        ids = account_ids()
        table = pa.table({"account_id": ids, "name": [f"Account {i[4:]}" for i in ids]})
        pacsv.write_csv(table, accounts)
        _write_meta(accounts, N_ACCOUNTS, seed, datetime.now(UTC), 0.0)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    end = today  # exclusive: the last timestamp falls on yesterday
    paths: dict[str, Path] = {}
    for fmt in formats:
        ext = "csv" if fmt == "csv" else "parquet"
        path = data_dir / f"events.{ext}"
        paths[fmt] = path
        if _is_current(path, rows, seed):
            log(f"reusing {path} ({path.stat().st_size / 1e6:,.0f} MB)")
            continue
        _meta_path(path).unlink(missing_ok=True)
        log(f"generating {path} ({rows:,} rows)…")
        started = time.perf_counter()
        tmp = path.with_name(path.name + ".tmp")
        if fmt == "csv":
            with pacsv.CSVWriter(tmp, CSV_SCHEMA) as csv_writer:
                for chunk in event_chunks(rows, seed, end):
                    csv_writer.write_table(to_csv_table(chunk))
        else:
            with pq.ParquetWriter(tmp, EVENT_SCHEMA, compression="snappy") as pq_writer:
                for chunk in event_chunks(rows, seed, end):
                    pq_writer.write_table(chunk, row_group_size=CHUNK_ROWS)
        os.replace(tmp, path)
        seconds = time.perf_counter() - started
        _write_meta(path, rows, seed, end, seconds)
        log(f"  {path.stat().st_size / 1e6:,.0f} MB in {seconds:,.1f} s")
    return DataSet(accounts, paths)


# -- running and measuring -------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    peak_rss_mb: float
    cpu_seconds: float
    exit_code: int
    summary: dict[str, Any] | None
    stderr_tail: str


class RssSampler:
    """Peak resident memory of a process and all its descendants, sampled in a thread."""

    def __init__(self, pid: int, interval: float = SAMPLE_SECONDS) -> None:
        self.pid = pid
        self.interval = interval
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
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for proc in procs:
                with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                    total += proc.memory_info().rss
            self.peak_bytes = max(self.peak_bytes, total)
            self._stop.wait(self.interval)


def csops_command() -> list[str]:
    exe = shutil.which("csops") or str(Path(sys.executable).with_name("csops"))
    if not Path(exe).exists():
        return [sys.executable, "-m", "csops.cli"]
    return [exe]


def run_csops(workspace: Path, *args: str) -> Run:
    command = [*csops_command(), "--workspace", str(workspace), *args]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        with RssSampler(proc.pid) as sampler:
            # wait4: this child's own resource usage (CPU, max RSS), not all children's.
            _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    try:
        summary: dict[str, Any] | None = json.loads(stdout)
    except ValueError:
        summary = None
    cpu = usage.ru_utime + usage.ru_stime
    # ru_maxrss (KiB, Linux) of the process itself: a floor under the sampled tree peak
    # that catches a spike shorter than the sampling interval.
    peak = max(sampler.peak_bytes / 2**20, usage.ru_maxrss / 1024)
    return Run(seconds, peak, cpu, code, summary, stderr[-2000:])


def file_summary(run: Run, path: Path) -> dict[str, Any]:
    if run.summary is None:
        return {}
    for f in run.summary.get("files", []):
        if Path(f.get("path", "")).name == path.name:
            return dict(f)
    return {}


@dataclass
class Result:
    format: str
    rows: int
    seconds: float
    rows_per_s: float
    peak_rss_mb: float
    cpu_seconds: float
    rerun_seconds: float
    rerun_peak_rss_mb: float
    target_rows_per_s: int
    speed_ok: bool
    memory_ok: bool
    checks_ok: bool
    problems: list[str] = field(default_factory=list)
    first: dict[str, Any] = field(default_factory=dict)
    rerun: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.speed_ok and self.memory_ok and self.checks_ok


def _check(
    label: str, run: Run, counts: dict[str, Any], expect: dict[str, int], problems: list[str]
) -> None:
    if run.exit_code != 0:
        problems.append(f"{label}: exit code {run.exit_code}: {run.stderr_tail.strip()[-500:]}")
    if not counts:
        problems.append(f"{label}: no JSON summary for the events file")
        return
    if counts.get("error"):
        problems.append(f"{label}: file refused: {counts['error']}")
    for key, wanted in expect.items():
        if counts.get(key) != wanted:
            problems.append(f"{label}: {key} = {counts.get(key)}, expected {wanted:,}")


def bench_format(fmt: str, data: DataSet, rows: int, work_root: Path, keep: bool) -> Result:
    workspace = Path(tempfile.mkdtemp(prefix=f"ws-{fmt}-", dir=work_root))
    events = data.events[fmt]
    problems: list[str] = []
    try:
        log(f"[{fmt}] workspace {workspace}: ingesting accounts (not timed)…")
        setup = run_csops(workspace, "ingest", str(data.accounts), "--json")
        _check(
            "accounts",
            setup,
            file_summary(setup, data.accounts),
            {"rows_loaded": N_ACCOUNTS, "rows_rejected": 0},
            problems,
        )
        log(f"[{fmt}] timing: csops --workspace {workspace} ingest {events} --json")
        first = run_csops(workspace, "ingest", str(events), "--json")
        first_counts = file_summary(first, events)
        _check("ingest", first, first_counts, {"rows_loaded": rows, "rows_rejected": 0}, problems)
        log(f"[{fmt}]   {first.seconds:,.1f} s, peak RSS {first.peak_rss_mb:,.0f} MB")
        log(f"[{fmt}] timing the re-ingest…")
        again = run_csops(workspace, "ingest", str(events), "--json")
        again_counts = file_summary(again, events)
        _check(
            "re-ingest",
            again,
            again_counts,
            {"rows_loaded": 0, "rows_unchanged": rows, "rows_rejected": 0},
            problems,
        )
        log(f"[{fmt}]   {again.seconds:,.1f} s, peak RSS {again.peak_rss_mb:,.0f} MB")
    finally:
        if keep:
            log(f"[{fmt}] kept workspace {workspace}")
        else:
            shutil.rmtree(workspace, ignore_errors=True)
    rate = rows / first.seconds if first.seconds > 0 else 0.0
    target = TARGET_ROWS_PER_S[fmt]
    peak = max(first.peak_rss_mb, again.peak_rss_mb)
    return Result(
        format=fmt,
        rows=rows,
        seconds=round(first.seconds, 2),
        rows_per_s=round(rate),
        peak_rss_mb=round(first.peak_rss_mb, 1),
        cpu_seconds=round(first.cpu_seconds, 2),
        rerun_seconds=round(again.seconds, 2),
        rerun_peak_rss_mb=round(again.peak_rss_mb, 1),
        target_rows_per_s=target,
        speed_ok=rate >= target,
        memory_ok=peak < TARGET_PEAK_RSS_MB,
        checks_ok=not problems,
        problems=problems,
        first=first_counts,
        rerun=again_counts,
    )


# -- reporting -------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def render_table(results: list[Result]) -> str:
    header = (
        "format",
        "rows",
        "seconds",
        "rows/s",
        "peak RSS MB",
        "rerun seconds",
        "rerun RSS MB",
        "checks",
    )
    lines = [
        (
            r.format,
            f"{r.rows:,}",
            f"{r.seconds:,.1f}",
            f"{r.rows_per_s:,.0f} {_verdict(r.speed_ok)} (≥{r.target_rows_per_s:,})",
            f"{r.peak_rss_mb:,.0f} {_verdict(r.peak_rss_mb < TARGET_PEAK_RSS_MB)} "
            f"(<{TARGET_PEAK_RSS_MB:,})",
            f"{r.rerun_seconds:,.1f}",
            f"{r.rerun_peak_rss_mb:,.0f} {_verdict(r.rerun_peak_rss_mb < TARGET_PEAK_RSS_MB)}",
            _verdict(r.checks_ok),
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]

    def fmt(row: tuple[str, ...]) -> str:
        return "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )

    out = [fmt(header), fmt(tuple("-" * w for w in widths)), *(fmt(row) for row in lines)]
    for r in results:
        out.extend(f"  {r.format}: {p}" for p in r.problems)
    return "\n".join(out)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=10_000_000, help="events (default 10M)")
    parser.add_argument("--format", choices=("csv", "parquet", "both"), default="both")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "csops-bench-events",
        help="where the generated files live (reused when current)",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="parent of the throw-away workspaces (default: the system temp folder)",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep-workspace", action="store_true", help="do not delete them")
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    formats = ["parquet", "csv"] if args.format == "both" else [args.format]
    data = prepare_data(args.data_dir, args.rows, formats, args.seed)
    work_root = args.work_dir or Path(tempfile.gettempdir())
    work_root.mkdir(parents=True, exist_ok=True)
    results = [
        bench_format(fmt, data, args.rows, work_root, args.keep_workspace) for fmt in formats
    ]
    table = render_table(results)
    command = " ".join(
        [
            "python bench/ingest_events.py",
            f"--rows {args.rows}",
            f"--format {args.format}",
            f"--data-dir {args.data_dir}",
        ]
    )
    if args.json:
        print(table, file=sys.stderr)
        document = {
            "command": command,
            "cpus": os.cpu_count(),
            "targets": {
                "rows_per_s": TARGET_ROWS_PER_S,
                "peak_rss_mb": TARGET_PEAK_RSS_MB,
            },
            "passed": all(r.passed for r in results),
            "results": [{**asdict(r), "passed": r.passed} for r in results],
        }
        print(json.dumps(document, indent=2))
    else:
        print(table)
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
