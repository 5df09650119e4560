"""The share of the horizon's churn risk that a short term's next renewal carries, learned
from a hand-made history, and the renewal probability it gives."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from csops.analytics.warehouse import open_warehouse
from csops.health.forecast import Renewal, next_renewal_shares, renew_probability
from csops.ingest.batch import ingest_paths
from csops.ingest.pipeline import IngestContext

DAY = date(2026, 1, 1)
KNOWN_ON = date(2026, 6, 1)


def history(folder: Path) -> list[Path]:
    """Monthly accounts started 2025-10-15 (renewing on the 15th), one annual account."""
    folder.mkdir(parents=True)
    accounts = folder / "accounts.csv"
    accounts.write_text("account_id,name\n" + "".join(f"a{i},A{i}\n" for i in range(1, 6)))
    subscriptions = folder / "subscriptions.csv"
    subscriptions.write_text(
        "subscription_id,account_id,mrr,start_date,end_date,seats,billing_period_months\n"
        # a1 leaves on its first renewal after DAY (Jan 15): lost on it.
        "s1,a1,100,2025-10-15,2026-01-15,5,1\n"
        # a2 leaves on Mar 15: churned within 90 days of DAY, but renewed on Jan 15.
        "s2,a2,100,2025-10-15,2026-03-15,5,1\n"
        # a3 stays; a4 leaves on May 15, after the 90 days.
        "s3,a3,100,2025-10-15,,5,1\n"
        "s4,a4,100,2025-10-15,2026-05-15,5,1\n"
        # a5, annual, leaves on its renewal: a term as long as the horizon is not counted.
        "s5,a5,900,2025-01-15,2026-01-15,5,12\n"
    )
    return [accounts, subscriptions]


def test_next_renewal_share_by_hand(ctx: IngestContext, tmp_path: Path) -> None:
    ingest_paths(ctx, history(tmp_path / "in"))
    con = open_warehouse(ctx.settings, ctx.engine)
    try:
        # Monthly: a1 and a2 churned within 90 days of DAY; a1 was gone on its first
        # renewal: 1 of 2.
        assert next_renewal_shares(con, KNOWN_ON, 90, [DAY], min_churns=1) == {1: 0.5}
        # Too few churns to learn from: nothing learned, the even spread applies.
        assert next_renewal_shares(con, KNOWN_ON, 90, [DAY], min_churns=3) == {}
    finally:
        con.close()


def test_renew_probability_with_a_learned_share() -> None:
    monthly = Renewal("a1", "A", None, date(2026, 3, 1), 10, 1, 1_200.0)
    annual = Renewal("a2", "B", None, date(2026, 3, 1), 10, 12, 12_000.0)
    # p = 0.3 over 90 days, of which a quarter falls on the next monthly renewal.
    assert renew_probability(0.3, monthly, 90, {1: 0.25}) == pytest.approx(0.925)
    # A term with no learned share: the risk spread evenly, 0.7 ** (30 / 90).
    assert renew_probability(0.3, monthly, 90, {3: 0.5}) == pytest.approx(0.7 ** (1 / 3))
    # A term as long as the horizon takes the whole risk, whatever was learned.
    assert renew_probability(0.3, annual, 90, {12: 0.1}) == pytest.approx(0.7)
