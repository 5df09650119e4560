"""Features on a hand-made company: every number below is counted by hand."""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest

from csops.analytics.warehouse import open_warehouse
from csops.config import Settings
from csops.health.dataset import HealthData
from csops.ingest.batch import ingest_paths
from csops.ingest.pipeline import IngestContext
from csops.store.database import make_engine, upgrade_schema

D = date(2026, 5, 1)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text.strip() + "\n")
    return path


def company(
    folder: Path,
    extra_events: str = "",
    end_b: str = "",
    extra_accounts: str = "",
    extra_subscriptions: str = "",
) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write(
            folder, "accounts.csv", "account_id,name\nacme,Acme\nglobex,Globex\n" + extra_accounts
        ),
        write(
            folder,
            "contacts.csv",
            "contact_id,account_id,email,role,created_at\n"
            "c1,acme,a@acme.io,champion,2025-01-01T00:00:00\n"
            "c2,acme,b@acme.io,champion,2026-03-01T00:00:00\n"
            "c3,acme,c@acme.io,champion,2026-06-01T00:00:00\n",
        ),
        write(
            folder,
            "subscriptions.csv",
            "subscription_id,account_id,mrr,start_date,end_date,seats,billing_period_months\n"
            "s1,acme,100,2025-06-15,,10,12\n"
            f"s2,globex,50,2026-01-10,{end_b},4,1\n"
            "s3,globex,70,2026-07-01,,4,1\n" + extra_subscriptions,
        ),
        write(
            folder,
            "events.csv",
            "account_id,event_type,occurred_at,user_id\n"
            # acme: prior 28 days (Mar 6 - Apr 3): 4 events by u1, u2, u3
            "acme,open,2026-03-10T10:00:00,u1\n"
            "acme,open,2026-03-11T10:00:00,u2\n"
            "acme,build,2026-03-12T10:00:00,u3\n"
            "acme,open,2026-03-20T10:00:00,u1\n"
            # last 28 days (Apr 4 - May 1): 2 events by u2 (u1, the top user, went silent)
            "acme,open,2026-04-20T10:00:00,u2\n"
            "acme,open,2026-05-01T23:59:00,u2\n"
            # globex: one event in the last 7 days
            "globex,build,2026-04-28T09:00:00,g1\n" + extra_events,
        ),
        write(
            folder,
            "surveys.csv",
            "response_id,account_id,kind,score,responded_at\n"
            "r1,acme,nps,9,2026-01-05T00:00:00\nr2,acme,nps,4,2026-04-01T00:00:00\n"
            "r3,acme,nps,0,2026-05-02T00:00:00\n",
        ),
        write(
            folder,
            "invoices.csv",
            "invoice_id,account_id,amount,due_date,paid_at,status\n"
            "i1,acme,100,2026-03-03,,failed\ni2,acme,100,2026-04-03,,failed\n"
            "i3,acme,100,2026-01-03,2026-01-02T00:00:00,paid\n"
            "i4,globex,50,2026-04-10,2026-05-20T00:00:00,paid\n",
        ),
        write(
            folder,
            "tickets.csv",
            "ticket_id,account_id,subject,created_at,priority,first_reply_at,solved_at\n"
            "t1,acme,Broken,2026-04-25T08:00:00,urgent,2026-04-25T09:00:00,2026-05-03T00:00:00\n"
            "t2,acme,Help,2026-04-01T08:00:00,low,2026-04-03T08:00:00,2026-04-04T00:00:00\n",
        ),
    ]


def features(ctx: IngestContext, folder: Path, **extra: str) -> dict[str, dict[str, float]]:
    ingest_paths(ctx, company(folder, **extra))
    con = open_warehouse(ctx.settings, ctx.engine)
    data = HealthData(con, D)
    frame = data.frame(D)
    return {a: frame.row(i) for i, a in enumerate(frame.account_ids)}


def test_features_count_by_hand(ctx: IngestContext, tmp_path: Path) -> None:
    f = features(ctx, tmp_path / "in")
    acme, globex = f["acme"], f["globex"]
    assert sorted(f) == ["acme", "globex"]
    assert (acme["events_28d"], acme["events_prev_28d"], acme["events_90d"]) == (2, 4, 6)
    assert acme["events_trend_28d"] == -0.5
    assert (acme["active_users_28d"], acme["active_users_prev_28d"]) == (1, 3)
    assert acme["seat_utilisation"] == 0.1
    assert acme["top_user_gone"] == 1
    assert acme["days_since_last_event"] == 0
    assert acme["events[open]_28d"] == 2 and acme["events[build]_days_since"] == 50
    assert (acme["nps_latest"], acme["nps_previous"], acme["nps_change"]) == (4, 9, -5)
    assert acme["failed_invoices_90d"] == 2 and acme["days_since_first_failed_invoice"] == 59
    assert acme["overdue_invoices"] == 2
    assert acme["open_tickets"] == 1 and acme["urgent_tickets_90d"] == 1
    assert acme["slow_first_replies_90d"] == 1  # t2 waited 48 hours
    # The champion changed on Mar 1 (c3, created after D, is not known yet).
    assert acme["contacts_known"] == 2 and acme["champion_changes_180d"] == 1
    # 2025-06-15 + 12 months = 2026-06-15: 45 days after May 1.
    assert acme["days_to_renewal"] == 45 and acme["tenure_days"] == 320
    # Globex: no survey is missing, not zero; an invoice paid after D is overdue on D.
    assert math.isnan(globex["nps_latest"]) and math.isnan(globex["ticket_csat_90d"])
    assert globex["overdue_invoices"] == 1 and globex["mrr"] == 50
    assert globex["events_7d"] == 1 and globex["events_prev_28d"] == 0
    assert math.isnan(globex["events_trend_28d"])
    # An event type the account never used: none counted, no "days since".
    assert globex["events[open]_28d"] == 0 and globex["events[open]_90d"] == 0
    assert math.isnan(globex["events[open]_days_since"])
    assert math.isnan(globex["events[open]_trend_28d"])


def test_future_data_does_not_move_features(ctx: IngestContext, tmp_path: Path) -> None:
    before = features(ctx, tmp_path / "a")
    # Later: more events, globex cancels (entered after D with an end date after D).
    later = "acme,open,2026-05-02T00:00:00,u9\nglobex,build,2026-06-01T00:00:00,g1\n"
    ingest_paths(ctx, company(tmp_path / "b", extra_events=later, end_b="2026-05-20"))
    con = open_warehouse(ctx.settings, ctx.engine)
    frame = HealthData(con, D).frame(D)
    after = {a: frame.row(i) for i, a in enumerate(frame.account_ids)}
    assert after.keys() == before.keys()
    for account, row in before.items():
        for name, value in row.items():
            other = after[account][name]
            assert (math.isnan(value) and math.isnan(other)) or value == other, (account, name)


def test_silent_account_is_past_the_lookback(ctx: IngestContext, tmp_path: Path) -> None:
    """An active account with no event in the 365 days up to D is "more than 365 days"
    silent (366), not missing: the scorecard scores it as the worst, and says so."""
    from csops.health.explain import describe
    from csops.health.features import FeatureFrame
    from csops.health.scorecard import parse_scorecard, score

    f = features(
        ctx,
        tmp_path / "in",
        extra_accounts="hooli,Hooli\ninitech,Initech\n",
        # initech's only event is 365 days before D, just outside the lookback (D - 365, D];
        # hooli, a new customer, has none at all.
        extra_subscriptions="s4,initech,80,2025-01-01,,5,1\ns5,hooli,60,2026-04-20,,5,1\n",
        extra_events="initech,open,2025-05-01T10:00:00,i1\n",
    )
    assert sorted(f) == ["acme", "globex", "hooli", "initech"]
    since = {a: row["days_since_last_event"] for a, row in f.items()}
    assert since == {"acme": 0, "globex": 3, "hooli": 366, "initech": 366}
    assert f["initech"]["events_90d"] == 0 and f["initech"]["events[open]_90d"] == 0
    assert math.isnan(f["initech"]["events[open]_days_since"])
    assert describe("days_since_last_event", f["initech"], D) == (
        "no product activity in the last 365 days"
    )
    assert describe("days_since_last_event", f["globex"], D) == "no product activity for 3 days"
    card = parse_scorecard(
        {
            "bands": {"green": 70, "yellow": 40},
            "groups": {
                "usage": {
                    "weight": 1,
                    "measures": [
                        {"feature": "days_since_last_event", "scale": {"bad": 14, "good": 1}},
                        {"feature": "open_tickets", "scale": {"bad": 3, "good": 0}},
                    ],
                }
            },
        },
        "card.yaml",
        set(next(iter(f.values()))),
    )
    accounts = sorted(f)
    names = list(f["acme"])
    frame = FeatureFrame(
        accounts, [D] * 4, names, np.array([[f[a][n] for n in names] for a in accounts])
    )
    result = score(card, frame)
    # acme: 0 days -> 100 (clipped), 1 open ticket -> 66.7; globex: 3 days -> 100 * 11 / 13,
    # no ticket -> 100; hooli and initech: silent -> 0, no ticket -> 100: 50, not 100.
    assert result.score.tolist() == pytest.approx([250 / 3, 50 * (11 / 13 + 1), 50, 50])
    assert result.points_lost["days_since_last_event"].tolist()[2:] == [50, 50]


def test_contract_end_known_on_d_keeps_the_account_active(
    settings: Settings, tmp_path: Path
) -> None:
    """Scored on the day the data is loaded (the usual `csops run`), a contract entered
    with its term end is known to end later: the account is active until then, and a
    line that ends after D has not ended yet."""
    engine = make_engine(settings)
    upgrade_schema(engine)
    on_d = IngestContext(settings, engine, datetime(2026, 5, 1, 9, 0))
    f = features(
        on_d,
        tmp_path / "in",
        extra_accounts="initech,Initech\nhooli,Hooli\n",
        # initech: an annual contract whose term ends 31 days after D. hooli: one line
        # ended 21 days before D, another is open.
        extra_subscriptions="s4,initech,80,2025-06-01,2026-06-01,5,12\n"
        "s5,hooli,30,2026-01-10,2026-04-10,2,1\ns6,hooli,60,2026-04-10,2027-04-10,4,12\n",
    )
    engine.dispose()
    assert sorted(f) == ["acme", "globex", "hooli", "initech"]
    assert f["initech"]["mrr"] == 80 and f["initech"]["lines_ended_90d"] == 0
    assert f["initech"]["days_to_renewal"] == 31
    assert f["hooli"]["mrr"] == 60 and f["hooli"]["lines_ended_90d"] == 1
