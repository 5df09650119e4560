"""The revenue SQL models against January 2024 of a company computed by hand."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from tests.analytics.revenue_fixture import write_company

from csops.analytics import metrics
from csops.analytics.engines import QueryEngine
from csops.analytics.metrics import MetricError
from csops.analytics.session import query_engine
from csops.domain.periods import Unit
from csops.ingest.batch import ingest_paths
from csops.ingest.pipeline import IngestContext

D = Decimal
JAN, FEB = date(2024, 1, 1), date(2024, 2, 1)


@pytest.fixture
def engine(ctx: IngestContext, tmp_path: Path) -> Iterator[QueryEngine]:
    loaded = replace(ctx, now=datetime(2024, 1, 1))
    report = ingest_paths(loaded, write_company(tmp_path / "company"))
    assert all(f.rows_rejected == 0 and f.error is None for f in report.files)
    with query_engine(ctx.settings, ctx.engine) as eng:
        yield eng


def test_january_movements_match_the_hand_computation(engine: QueryEngine) -> None:
    [row] = metrics.retention(engine, JAN, FEB, as_of=date(2024, 3, 1))
    # start: A2 250 + A3 300 + A6 150 + A7 100 + A8 60.005
    assert row["start_mrr"] == D("860.005")
    # end: A1 100 + A2 200 + A4 120 + A5 40 + A7 180 + A8 60.005 (A6 ends on Feb 1)
    assert row["end_mrr"] == D("700.005")
    assert row["new_mrr"] == D(140)  # A1 starting on the 31st; A5 whose only prior line was free
    assert row["new_accounts"] == 2
    assert row["reactivation_mrr"] == D(120)  # A4 back after five months away
    assert row["reactivation_accounts"] == 1
    assert row["expansion_mrr"] == D(80)  # A7 100 -> 180
    assert row["contraction_mrr"] == D(50)  # A2 loses its add-on mid-month
    assert row["churn_mrr"] == D(450)  # A3 (downgraded, then gone) 300 + A6 150
    assert (row["churn_accounts"], row["accounts_churned"], row["accounts_start"]) == (2, 2, 5)
    assert row["accounts_end"] == 6
    total = (
        row["start_mrr"]
        + row["new_mrr"]
        + row["reactivation_mrr"]
        + row["expansion_mrr"]
        - row["contraction_mrr"]
        - row["churn_mrr"]
    )
    assert total == row["end_mrr"]
    # NRR: A2 200 + A7 180 + A8 60.005 over 860.005; GRR: (860.005 - 450 - 50) / 860.005
    assert row["nrr"] == pytest.approx(440.005 / 860.005, rel=1e-12)
    assert row["grr"] == pytest.approx(360.005 / 860.005, rel=1e-12)
    assert row["logo_churn_rate"] == pytest.approx(2 / 5, rel=1e-12)


def test_mrr_on_a_day_and_by_group(engine: QueryEngine) -> None:
    [total] = metrics.mrr(engine, date(2024, 1, 20))
    # Jan 20: A2 200 (add-on ended that day), A3 100 (downgraded line, ends Jan 25),
    # A4 120, A5 40, A6 150, A7 180, A8 60.005; A1 starts Jan 31
    assert total["mrr"] == D("850.005")
    assert total["arr"] == D("10200.06")
    assert total["paying_accounts"] == 7
    by_region = {r["grp"]: r["mrr"] for r in metrics.mrr(engine, date(2024, 1, 20), "region")}
    assert by_region == {"EMEA": D(420), "AMER": D("430.005")}
    by_plan = {r["grp"]: r["paying_accounts"] for r in metrics.mrr(engine, FEB, "plan")}
    # The free plan has no paying account; A2 is paying on Business only.
    assert by_plan == {"Team": 3, "Business": 2, "Starter": 1}


def test_retention_by_segment_reconciles_per_group(engine: QueryEngine) -> None:
    rows = metrics.retention(engine, JAN, FEB, date(2024, 3, 1), "segment")
    assert {r["grp"] for r in rows} == {"SMB", "Mid-Market", "Enterprise"}
    enterprise = next(r for r in rows if r["grp"] == "Enterprise")
    assert (enterprise["start_mrr"], enterprise["end_mrr"]) == (D(400), D(180))
    assert sum((r["start_mrr"] for r in rows), D(0)) == D("860.005")


def test_monthly_trend_chains_and_labels_rates(engine: QueryEngine) -> None:
    rows = metrics.trend(
        engine, date(2023, 12, 1), date(2024, 2, 15), Unit.MONTH, date(2024, 2, 15)
    )
    assert [r["period"] for r in rows] == ["2023-12", "2024-01", "2024-02"]
    assert rows[0]["end_mrr"] == rows[1]["start_mrr"] == D("860.005")
    assert rows[2]["partial"] and rows[2]["period_end"] == date(2024, 2, 15)
    jan = rows[1]
    assert jan["annualised_logo_churn_rate"] == pytest.approx(1 - (1 - 0.4) ** 12, rel=1e-9)
    assert "annualised_logo_churn_rate" not in rows[2]  # a partial month is not annualised
    # Trailing twelve months to Feb 1 2024: from Feb 1 2023 (A3 300, A7 100, A8 60.005;
    # A4 starts in March) to Feb 1 2024 (A3 0, A7 180, A8 60.005).
    assert jan["ttm_nrr"] == pytest.approx(240.005 / 460.005, rel=1e-12)
    assert jan["ttm_grr"] == pytest.approx(160.005 / 460.005, rel=1e-12)


def test_a_range_ending_after_as_of_is_refused(engine: QueryEngine) -> None:
    with pytest.raises(MetricError, match="after the as-of date"):
        metrics.retention(engine, JAN, FEB, as_of=date(2024, 1, 15))


def test_renewals_from_terms_and_conversations(engine: QueryEngine) -> None:
    rows = metrics.renewals(engine, date(2024, 1, 21), within_days=30)
    due = {r["account_id"]: r for r in rows}
    # Monthly lines renew on their start day each month; A6 ends on Feb 1 on record;
    # A8's annual term (from 2023-02-01) ends 2024-02-01 and had a renewal call.
    assert due["A2"]["renewal_date"] == date(2024, 2, 1)
    assert due["A6"]["ends_on_record"] is True
    assert due["A8"]["renewal_date"] == date(2024, 2, 1)
    assert due["A8"]["days_left"] == 11
    assert due["A8"]["last_conversation"] == date(2023, 12, 15)
    assert due["A8"]["needs_conversation"] is False
    assert due["A2"]["needs_conversation"] is True  # an email newsletter is no conversation
    assert due["A5"]["renewal_date"] == date(2024, 2, 20)
    assert due["A5"]["arr"] == D(480)  # the free line is not at stake
    assert due["A3"]["renewal_date"] == date(2024, 1, 25)  # its end date is on record
    assert due["A3"]["ends_on_record"] is True and due["A3"]["days_left"] == 4
    assert [r["renewal_date"] for r in rows] == sorted(r["renewal_date"] for r in rows)


def test_month_end_start_renews_on_the_last_day_of_short_months(engine: QueryEngine) -> None:
    rows = metrics.renewals(engine, date(2024, 2, 10), within_days=60)
    a1 = [r["renewal_date"] for r in rows if r["account_id"] == "A1"]
    assert a1 == [date(2024, 2, 29)]  # started Jan 31: the next term ends on Feb 29


def test_cohorts_track_logo_and_revenue_retention(engine: QueryEngine) -> None:
    cells = metrics.cohorts(engine, date(2024, 3, 1), since=date(2023, 1, 1))
    jan_2023 = [c for c in cells if c["cohort_month"] == date(2023, 1, 1)]
    # Jan 2023 cohort: A3 (300) and A7 (100); measured Feb 1 2023 and on.
    assert jan_2023[0]["cohort_accounts"] == 2
    assert jan_2023[0]["start_mrr"] == D(400)
    feb_2024 = next(c for c in jan_2023 if c["measured_on"] == FEB)
    assert feb_2024["accounts_retained"] == 1 and feb_2024["mrr"] == D(180)
    assert feb_2024["revenue_retention"] == pytest.approx(0.45)
    assert feb_2024["months_since"] == 12


def test_a_change_recorded_later_does_not_move_an_earlier_as_of(
    ctx: IngestContext, tmp_path: Path
) -> None:
    folder = tmp_path / "company"
    ingest_paths(replace(ctx, now=datetime(2024, 1, 1)), write_company(folder))
    subs = folder / "subscriptions.csv"
    # On May 1 the company records A8's price rise and A7's cancellation (end Mar 1).
    text = subs.read_text().replace("S8,A8,60.005,", "S8,A8,90,")
    subs.write_text(text.replace("S7b,A7,180,2024-01-15,,", "S7b,A7,180,2024-01-15,2024-03-01,"))
    ingest_paths(replace(ctx, now=datetime(2024, 5, 1)), [subs])
    with query_engine(ctx.settings, ctx.engine) as eng:
        before = {r["grp"]: r["mrr"] for r in metrics.mrr(eng, date(2024, 2, 15), "plan")}
        after = {r["grp"]: r["mrr"] for r in metrics.mrr(eng, date(2024, 5, 2), "plan")}
        renewals_then = {r["account_id"]: r for r in metrics.renewals(eng, date(2024, 2, 15), 60)}
    assert before["Team"] == D("280.005")  # A1 100 + A4 120 + A8 at the old 60.005
    assert before["Business"] == D(380)  # A2 200 + A7 180: the cancellation was not known
    assert after["Team"] == D(310)  # A1 100 + A4 120 + A8 at the new 90
    assert "Business" in after and after["Business"] == D(200)
    assert renewals_then["A7"]["ends_on_record"] is False
