"""The SQL revenue metrics against the pure-Python reference (`csops.domain.revenue`).

A company of a few thousand accounts is generated with a seeded RNG, written as contract
files and loaded with the real ingest; then every month of two years of `metrics.trend`,
`metrics.mrr` on several days and the per-account `movements` model are held against the
reference computed from the very same lines. Money and counts must be equal exactly
(Decimal), rates to 1e-12.

The generator leans on the edge cases of DESIGN.md's definitions: starts and ends on the
1st (period boundaries), on the last day of a month and mid-month; several lines per
account (chains of plan changes and overlapping add-ons); a downgrade and a churn in the
same month; win-backs after a gap (and inside one month); free lines alone, before and
beside paid ones; paid lines that end the day they start (never active); amounts with
sub-cent digits.
"""

from __future__ import annotations

import calendar
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from csops.analytics import metrics
from csops.analytics.engines import PostgresEngine, QueryEngine
from csops.analytics.session import query_engine
from csops.domain import revenue
from csops.domain.periods import Period, Unit, add_months, periods
from csops.domain.revenue import Line, Movement
from csops.ingest.batch import ingest_paths
from csops.ingest.pipeline import IngestContext

ACCOUNTS = 3_000
SEED = 20240401
HISTORY = (date(2022, 6, 1), date(2026, 4, 1))  # lines start and end in here
AS_OF = date(2026, 1, 1)  # before the ingest (conftest NOW, 2026-06-01): a back-fill
FIRST, LAST = date(2024, 1, 1), date(2025, 12, 31)  # 24 whole months
MRR_DAYS = (date(2023, 2, 28), date(2024, 2, 29), date(2024, 12, 31), date(2025, 7, 1), AS_OF)
SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
RATE_TOLERANCE = 1e-12


@dataclass(frozen=True)
class Company:
    lines: tuple[Line, ...]
    segment: dict[str, str]


class _Generator:
    """Lines for one account after another, drawing from one seeded RNG."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.lo, self.hi = HISTORY

    def day(self, lo: date, hi: date) -> date:
        """A day in [lo, hi], often on a period boundary or a month's last day."""
        if hi <= lo:
            return lo
        pick = self.rng.random()
        span = (hi - lo).days
        d = lo + timedelta(days=int(self.rng.integers(0, span + 1)))
        if pick < 0.35:  # the 1st: a period boundary
            first = d.replace(day=1)
            return first if first >= lo else d
        if pick < 0.45:  # the month's last day
            last = d.replace(day=calendar.monthrange(d.year, d.month)[1])
            return last if last <= hi else d
        return d

    def mrr(self, segment: int) -> Decimal:
        cents = round(float(self.rng.lognormal((4.5, 6.3, 8.0)[segment], 0.6)) * 100)
        amount = Decimal(max(cents, 1)) / 100
        if self.rng.random() < 0.1:  # sub-cent prices (per-seat rates, currency conversion)
            amount += Decimal(int(self.rng.integers(1, 1000))) / 100_000
        return amount

    def account(self, account_id: str, segment: int) -> list[Line]:
        rng = self.rng
        lines: list[Line] = []
        start = self.day(self.lo, self.hi - timedelta(days=30))
        if rng.random() < 0.15:  # a free line first: a trial or a free plan
            free_end: date | None = self.day(start, start + timedelta(days=60))
            if rng.random() < 0.3:
                free_end = None  # the free plan stays on beside (or instead of) paid lines
            lines.append(Line(account_id, Decimal(0), start, free_end))
            if free_end is not None:
                start = free_end
            if rng.random() < 0.1:  # free only: never any MRR
                return lines
        # The main relationship: a chain of lines, each plan change ending one line the
        # day the next starts; it may churn, and may be won back later.
        episodes = 2 if rng.random() < 0.15 else 1
        for _ in range(episodes):
            if start >= self.hi:
                break
            end = self.day(start, self.hi) if rng.random() < 0.55 else None
            horizon = end or self.hi
            changes = sorted(self.day(start, horizon) for _ in range(int(rng.poisson(1.2))))
            amount = self.mrr(segment)
            cut = start
            for when in [*changes, end]:
                if when is not None and when < cut:
                    continue
                lines.append(Line(account_id, amount, cut, when))
                if when is None:
                    break
                cut = when
                factor = Decimal(str(round(float(rng.uniform(0.4, 1.9)), 2)))
                amount = (
                    (amount * factor).quantize(Decimal("0.01")) if rng.random() < 0.9 else amount
                )
            if end is None:
                break
            # Downgrade and churn in one month: a smaller line for a few days, then gone.
            if rng.random() < 0.1 and lines[-1].mrr > 1:
                last = lines.pop()
                cut = last.start_date + (end - last.start_date) // 2
                lines.append(Line(account_id, last.mrr, last.start_date, cut))
                lines.append(Line(account_id, (last.mrr / 3).quantize(Decimal("0.01")), cut, end))
            # A win-back: after a gap, often whole months, sometimes a few days.
            gap = int(rng.integers(1, 12)) if rng.random() < 0.3 else int(rng.integers(20, 500))
            start = self.day(end + timedelta(days=gap), end + timedelta(days=gap + 40))
        if rng.random() < 0.3:  # add-on lines overlapping the main ones
            first = lines[0].start_date
            for _ in range(int(rng.integers(1, 4))):
                a = self.day(first, self.hi)
                b = self.day(a, self.hi) if rng.random() < 0.7 else None
                lines.append(Line(account_id, self.mrr(0), a, b))
        if rng.random() < 0.03:  # a paid line that ends the day it starts: never active
            d = self.day(self.lo, self.hi)
            lines.append(Line(account_id, self.mrr(segment), d, d))
        return lines


def generate(n: int, seed: int) -> Company:
    gen = _Generator(seed)
    lines: list[Line] = []
    segment: dict[str, str] = {}
    for i in range(1, n + 1):
        account_id = f"acc_{i:05d}"
        s = int(gen.rng.choice(3, p=(0.6, 0.3, 0.1)))
        segment[account_id] = SEGMENTS[s]
        lines += gen.account(account_id, s)
    return Company(tuple(lines), segment)


def write_files(company: Company, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    accounts, subscriptions = folder / "accounts.csv", folder / "subscriptions.csv"
    with accounts.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["account_id", "name", "segment", "region", "owner_email"])
        for i, (account_id, seg) in enumerate(company.segment.items()):
            w.writerow([account_id, f"Company {i}", seg, "EMEA", f"csm{i % 7}@csops.test"])
    with subscriptions.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "subscription_id",
                "account_id",
                "mrr",
                "start_date",
                "end_date",
                "plan",
                "billing_period_months",
            ]
        )
        for i, line in enumerate(company.lines):
            w.writerow(
                [
                    f"sub_{i:06d}",
                    line.account_id,
                    format(line.mrr, "f"),
                    line.start_date.isoformat(),
                    "" if line.end_date is None else line.end_date.isoformat(),
                    "Free" if line.mrr == 0 else "Team",
                    12 if i % 4 == 0 else 1,
                ]
            )
    return [accounts, subscriptions]


@pytest.fixture(scope="module")
def company() -> Company:
    return generate(ACCOUNTS, SEED)


@pytest.fixture
def engines(ctx: IngestContext, company: Company, tmp_path: Path) -> Iterator[list[QueryEngine]]:
    """DuckDB over the store (SQLite or PostgreSQL); on PostgreSQL also the store itself
    running the translated models, used for the per-account movements only: the 24-month
    trend takes minutes on PostgreSQL at this size (about 500 s when measured)."""
    report = ingest_paths(ctx, write_files(company, tmp_path / "company"))
    for f in report.files:
        assert f.error is None and f.rows_rejected == 0, f
    with query_engine(ctx.settings, ctx.engine) as duck:
        if ctx.engine.dialect.name == "postgresql":
            yield [duck, PostgresEngine(ctx.engine)]
        else:
            yield [duck]


def test_the_generated_company_has_every_edge_case(company: Company) -> None:
    lines = company.lines
    by_account: dict[str, list[Line]] = {}
    for line in lines:
        by_account.setdefault(line.account_id, []).append(line)
    assert any(line.mrr == 0 for line in lines)
    assert any(line.end_date == line.start_date and line.mrr > 0 for line in lines)
    assert sum(1 for ls in by_account.values() if len(ls) >= 3) > ACCOUNTS // 10
    assert sum(1 for line in lines if line.end_date and line.end_date.day == 1) > 500
    assert sum(1 for line in lines if line.start_date.day not in (1,)) > 2_000
    assert sum(1 for line in lines if line.mrr != line.mrr.quantize(Decimal("0.01"))) > 100
    kinds = {
        k: sum(revenue.movements(lines, p.start, p.end).count(k) for p in _months()[:3])
        for k in Movement
    }
    assert all(count > 0 for count in kinds.values()), kinds


def _months() -> list[Period]:
    return periods(FIRST, LAST, Unit.MONTH, AS_OF)


def _close(actual: float | None, expected: Decimal | None) -> bool:
    if expected is None or actual is None:
        return actual is None and expected is None
    return abs(actual - float(expected)) <= RATE_TOLERANCE * max(1.0, abs(float(expected)))


@pytest.mark.slow
def test_trend_matches_the_reference_every_month(
    engines: list[QueryEngine], company: Company
) -> None:
    months = _months()
    assert len(months) == 24 and not any(p.partial for p in months)
    for engine in engines[:1]:  # DuckDB
        rows = metrics.trend(engine, FIRST, LAST, Unit.MONTH, AS_OF)
        assert [r["period"] for r in rows] == [p.label for p in months]
        for row, p in zip(rows, months, strict=True):
            ref = revenue.movements(company.lines, p.start, p.end)
            where = f"{engine.dialect} {p.label}"
            assert ref.reconciles, where
            assert (row["period_start"], row["period_end"]) == (p.start, p.end), where
            assert row["start_mrr"] == ref.start_mrr, where
            assert row["end_mrr"] == ref.end_mrr, where
            for kind in metrics.MOVEMENT_KINDS:
                assert row[f"{kind}_mrr"] == ref.amount(Movement(kind)), f"{where} {kind}"
                assert row[f"{kind}_accounts"] == ref.count(Movement(kind)), f"{where} {kind}"
            assert row["accounts_start"] == ref.accounts_start, where
            assert row["accounts_churned"] == ref.accounts_churned, where
            assert row["accounts_end"] == sum(1 for a in ref.accounts if a.m1 > 0), where
            assert _close(row["nrr"], ref.nrr), f"{where} nrr {row['nrr']} != {ref.nrr}"
            assert _close(row["grr"], ref.grr), f"{where} grr {row['grr']} != {ref.grr}"
            assert _close(row["logo_churn_rate"], ref.logo_churn_rate), where
            ttm = revenue.movements(company.lines, add_months(p.end, -12), p.end)
            assert _close(row["ttm_nrr"], ttm.nrr), f"{where} ttm_nrr"
            assert _close(row["ttm_grr"], ttm.grr), f"{where} ttm_grr"
            assert ref.logo_churn_rate is not None and ref.grr is not None
            assert _close(
                row["annualised_logo_churn_rate"], revenue.annualised(ref.logo_churn_rate)
            ), where
            assert _close(row["annualised_gross_revenue_churn"], revenue.annualised(1 - ref.grr)), (
                where
            )


@pytest.mark.slow
def test_mrr_matches_the_reference_on_several_days(
    engines: list[QueryEngine], company: Company
) -> None:
    for engine in engines[:1]:  # DuckDB
        for day in MRR_DAYS:
            ref = revenue.mrr_on(company.lines, day)
            [total] = metrics.mrr(engine, day)
            where = f"{engine.dialect} {day}"
            assert total["mrr"] == sum(ref.values(), Decimal(0)), where
            assert total["arr"] == 12 * sum(ref.values(), Decimal(0)), where
            assert total["paying_accounts"] == len(ref), where
            by_segment = {r["grp"]: r for r in metrics.mrr(engine, day, "segment")}
            for seg in SEGMENTS:
                mine = {a: m for a, m in ref.items() if company.segment[a] == seg}
                assert by_segment[seg]["mrr"] == sum(mine.values(), Decimal(0)), where
                assert by_segment[seg]["paying_accounts"] == len(mine), where


@pytest.mark.slow
def test_movement_kinds_match_per_account(engines: list[QueryEngine], company: Company) -> None:
    chosen = [
        metrics._Window("jan-24", date(2024, 1, 1), date(2024, 2, 1)),
        metrics._Window("mid-month", date(2024, 6, 15), date(2024, 7, 15)),
        metrics._Window("leap-day", date(2024, 2, 29), date(2024, 3, 31)),
        metrics._Window("quarter", date(2025, 7, 1), date(2025, 10, 1)),
        metrics._Window("one-day", date(2025, 3, 31), date(2025, 4, 1)),
        metrics._Window("same-day", date(2025, 5, 1), date(2025, 5, 1)),
    ]
    for engine in engines:
        rows = metrics.run(engine, "movements", {"as_of": AS_OF}, metrics._period_inputs(chosen))
        for w in chosen:
            ref = revenue.movements(company.lines, w.start, w.end)
            expected = {a.account_id: (a.kind.value, a.m0, a.m1) for a in ref.accounts}
            got = {
                r["account_id"]: (r["movement"], r["m0"], r["m1"])
                for r in rows
                if r["period"] == w.label
            }
            assert len(got) == sum(1 for r in rows if r["period"] == w.label)
            wrong = {
                a: (got.get(a), expected.get(a))
                for a in got.keys() | expected.keys()
                if got.get(a) != expected.get(a)
            }
            assert not wrong, (
                f"{engine.dialect} {w.label}: (sql, reference) {sorted(wrong.items())[:5]}"
            )
