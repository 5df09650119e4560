"""DuckDB sees the events and the operational tables together, with exact types."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from csops.analytics.warehouse import open_warehouse
from csops.ingest.batch import ingest_paths
from csops.ingest.pipeline import IngestContext

BROKEN = Path(__file__).parent.parent / "fixtures" / "broken"


def test_events_join_accounts_and_money_stays_exact(ctx: IngestContext) -> None:
    ingest_paths(ctx, [BROKEN])
    con = open_warehouse(ctx.settings, ctx.engine)
    per_account = con.execute(
        "SELECT a.account_id, count(e.event_key) FROM accounts a "
        "LEFT JOIN events e USING (account_id) GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert per_account == [("acc_1", 2), ("acc_2", 1), ("acc_5", 0)]
    mrr = con.execute("SELECT sum(mrr) FROM subscriptions").fetchall()[0][0]
    assert mrr == Decimal("12500.50")  # 500.00 + 12000.50 + 0 (free line)
    attrs = con.execute(
        "SELECT json_extract_string(attributes, '$.employees') FROM accounts "
        "WHERE account_id = 'acc_2'"
    ).fetchall()
    assert attrs == [("5000",)]
    versions = con.execute("SELECT count(*) FROM subscription_versions").fetchall()
    assert versions == [(3,)]
