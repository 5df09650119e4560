"""The demo company behaves like a real B2B SaaS business: the stories later features are
demonstrated on (churn, expansion, onboarding, support, renewals) are all in the data."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections import Counter

import pyarrow.compute as pc

from csops.demo.catalog import ADDON_PLAN, PLANS

from .conftest import END, Company

HISTORY_START = "2024-03-10"
LAST_DAY = (END - dt.timedelta(days=1)).isoformat()


def mrr_on(lines: list[dict[str, str]], day: str) -> float:
    return sum(
        float(r["mrr"])
        for r in lines
        if r["start_date"] <= day and (not r["end_date"] or r["end_date"] > day)
    )


def churned_accounts(company: Company) -> tuple[set[str], set[str]]:
    """(paying at the start of history, of those: no MRR on the last day)."""
    paying, gone = set(), set()
    for account, lines in company.by_account("subscriptions").items():
        if mrr_on(lines, HISTORY_START) > 0:
            paying.add(account)
            if mrr_on(lines, LAST_DAY) == 0:
                gone.add(account)
    return paying, gone


def test_subscription_lines_are_priced_from_the_plan_and_never_negative(company: Company) -> None:
    prices = {p.name: p for p in (*PLANS, ADDON_PLAN)}
    for row in company.rows("subscriptions"):
        mrr, discount = float(row["mrr"]), float(row["discount"])
        assert mrr >= 0 and 0 <= discount <= 0.3
        assert not row["end_date"] or row["end_date"] > row["start_date"]
        assert row["billing_period_months"] in {"1", "12"}
        if row["plan"] in prices:
            expected = prices[row["plan"]].list_mrr(int(row["seats"])) * (1 - discount)
            assert abs(mrr - expected) <= 0.01, row


def test_core_lines_of_an_account_never_overlap(company: Company) -> None:
    for lines in company.by_account("subscriptions").values():
        core = sorted(
            (r for r in lines if r["product"] == "Core platform"), key=lambda r: r["start_date"]
        )
        for before, after in itertools.pairwise(core):
            assert before["end_date"] and before["end_date"] <= after["start_date"]


def test_renewals_and_changes_start_the_day_the_previous_line_ends(company: Company) -> None:
    successors = 0
    for lines in company.by_account("subscriptions").values():
        core = sorted(
            (r for r in lines if r["product"] == "Core platform"), key=lambda r: r["start_date"]
        )
        successors += sum(a["end_date"] == b["start_date"] for a, b in itertools.pairwise(core))
    assert successors > 100


def test_the_catalogue_has_annual_monthly_addon_and_free_lines(company: Company) -> None:
    rows = company.rows("subscriptions")
    assert {r["billing_period_months"] for r in rows} == {"1", "12"}
    assert {r["product"] for r in rows} == {"Core platform", "Analytics add-on", "Sandbox"}
    assert any(float(r["mrr"]) == 0 for r in rows)
    assert {r["plan"] for r in rows} >= {p.name for p in PLANS}
    open_annual = [
        r for r in rows if r["billing_period_months"] == "12" and r["end_date"] > LAST_DAY
    ]
    assert open_annual, "current annual terms end in the future"


def test_logo_churn_is_believable(company: Company) -> None:
    paying, gone = churned_accounts(company)
    assert 0.08 <= len(gone) / len(paying) <= 0.35


def test_some_accounts_expand_and_some_come_back(company: Company) -> None:
    expanded = reactivated = 0
    for lines in company.by_account("subscriptions").values():
        core = sorted(
            (r for r in lines if r["product"] == "Core platform"), key=lambda r: r["start_date"]
        )
        pairs = list(itertools.pairwise(core))
        expanded += any(
            a["end_date"] == b["start_date"] and float(b["mrr"]) > float(a["mrr"]) for a, b in pairs
        )
        reactivated += any(a["end_date"] < b["start_date"] for a, b in pairs)
    assert expanded >= 40
    assert reactivated >= 3


def test_net_revenue_retention_is_that_of_a_healthy_saas(company: Company) -> None:
    m0 = m1 = 0.0
    for lines in company.by_account("subscriptions").values():
        start = mrr_on(lines, HISTORY_START)
        if start > 0:
            m0 += start
            m1 += mrr_on(lines, LAST_DAY)
    assert 0.9 <= m1 / m0 <= 1.35


def test_accounts_with_failed_payments_churn_more(company: Company) -> None:
    paying, gone = churned_accounts(company)
    failed = {r["account_id"] for r in company.rows("invoices") if r["status"] == "failed"}
    with_failures = paying & failed
    without = paying - failed
    assert len(with_failures) >= 15
    rate_failed = len(with_failures & gone) / len(with_failures)
    rate_clean = len(without & gone) / len(without)
    assert rate_failed > 1.5 * rate_clean


def test_accounts_whose_usage_falls_churn_more(company: Company) -> None:
    paying, gone = churned_accounts(company)
    events = company.events
    months = pc.strftime(events["occurred_at"], format="%Y-%m")
    first = pc.equal(months, "2024-04")
    counts = Counter(events.filter(first)["account_id"].to_pylist())
    low = {a for a in paying if counts[a] < 40}
    high = paying - low
    assert len(gone & low) / len(low) > len(gone & high) / len(high)


def test_failed_invoices_are_sometimes_paid_after_a_retry(company: Company) -> None:
    invoices = company.rows("invoices")
    failed = [r for r in invoices if r["status"] == "failed"]
    paid_periods = {
        (r["subscription_id"], r["period_start"]) for r in invoices if r["status"] == "paid"
    }
    recovered = [r for r in failed if (r["subscription_id"], r["period_start"]) in paid_periods]
    assert failed and 0 < len(recovered) < len(failed)


def test_invoices_bill_each_period_at_the_line_price(company: Company) -> None:
    lines = {r["subscription_id"]: r for r in company.rows("subscriptions")}
    statuses: Counter[str] = Counter()
    for invoice in company.rows("invoices"):
        line = lines[invoice["subscription_id"]]
        expected = round(float(line["mrr"]) * int(line["billing_period_months"]), 2)
        assert float(invoice["amount"]) == expected
        assert (invoice["status"] == "paid") == bool(invoice["paid_at"])
        if invoice["paid_at"]:
            assert invoice["paid_at"][:10] >= invoice["issued_on"]
        statuses[invoice["status"]] += 1
    assert statuses["paid"] > 0.85 * sum(statuses.values())
    assert statuses["open"] and statuses["failed"]


def test_new_customers_start_every_week(company: Company) -> None:
    firsts: dict[str, str] = {}
    for row in company.rows("subscriptions"):
        firsts[row["account_id"]] = min(firsts.get(row["account_id"], "9"), row["start_date"])
    start = dt.date.fromisoformat(HISTORY_START)
    weeks = {
        (dt.date.fromisoformat(d) - start).days // 7 for d in firsts.values() if d >= HISTORY_START
    }
    assert len(weeks) >= 0.85 * 52
    assert sum(d < HISTORY_START for d in firsts.values()) > 80, "a base already exists"


def test_onboarding_speed_varies_and_kickoffs_follow_the_first_subscription(
    company: Company,
) -> None:
    firsts: dict[str, str] = {}
    for row in company.rows("subscriptions"):
        firsts[row["account_id"]] = min(firsts.get(row["account_id"], "9"), row["start_date"])
    kinds = company.events["event_type"]
    connected = company.events.filter(pc.equal(kinds, "integration_connected"))
    first_integration: dict[str, str] = {}
    for account, at in zip(
        connected["account_id"].to_pylist(), connected["occurred_at"].to_pylist(), strict=True
    ):
        day = at.date().isoformat()
        first_integration[account] = min(first_integration.get(account, "9"), day)
    lags = [
        (dt.date.fromisoformat(first_integration[a]) - dt.date.fromisoformat(d)).days
        for a, d in firsts.items()
        if d >= HISTORY_START and a in first_integration
    ]
    assert len(lags) > 100
    assert min(lags) <= 3 and max(lags) >= 30
    kickoffs = [r for r in company.rows("activities") if "kickoff" in r["summary"].lower()]
    assert len(kickoffs) > 50
    for row in kickoffs:
        lag = (
            dt.date.fromisoformat(row["occurred_at"][:10])
            - dt.date.fromisoformat(firsts[row["account_id"]])
        ).days
        assert 0 < lag <= 10


def test_a_departed_champion_goes_quiet_and_a_new_one_appears(company: Company) -> None:
    champions: dict[str, list[dict[str, str]]] = {}
    for row in company.rows("contacts"):
        if row["role"] == "champion":
            champions.setdefault(row["account_id"], []).append(row)
    replaced = {a: rows for a, rows in champions.items() if len(rows) >= 2}
    assert len(replaced) >= 3
    users = company.events["user_id"]
    for rows in replaced.values():
        old, new = rows[0], rows[-1]
        assert new["created_at"] > old["created_at"]
        old_events = company.events.filter(pc.equal(users, old["user_id"]))
        if old_events.num_rows:
            last = pc.max(old_events["occurred_at"]).as_py().date().isoformat()
            assert last < new["created_at"][:10]


def test_higher_plan_features_show_up_on_lower_plans_before_upgrades(company: Company) -> None:
    trials = company.events.filter(pc.equal(company.events["properties"], '{"trial": true}'))
    assert trials.num_rows > 20
    assert len(set(trials["account_id"].to_pylist())) >= 5
    limits = company.events.filter(pc.equal(company.events["event_type"], "plan_limit_reached"))
    assert '{"limit": "seats"}' in set(limits["properties"].to_pylist())


def test_renewal_conversations_precede_annual_renewals(company: Company) -> None:
    summaries = [r["summary"].lower() for r in company.rows("activities")]
    assert sum("renewal" in s for s in summaries) > 30
    assert any(r["kind"] == "qbr" for r in company.rows("activities"))


def test_tickets_agree_with_their_comments(company: Company) -> None:
    comments: dict[str, list[dict[str, str]]] = {}
    for row in company.rows("ticket_comments"):
        comments.setdefault(row["ticket_id"], []).append(row)
    for ticket in company.rows("tickets"):
        thread = comments[ticket["ticket_id"]]
        times = [c["created_at"] for c in thread]
        assert times == sorted(times) and times[0] == ticket["created_at"]
        replies = [
            c["created_at"] for c in thread if c["author_kind"] == "agent" and c["public"] == "true"
        ]
        assert ticket["first_reply_at"] == (replies[0] if replies else "")
        done = ticket["status"] in ("solved", "closed")
        assert done == bool(ticket["solved_at"])
        if done:
            assert ticket["solved_at"] >= replies[-1]
        else:
            assert not ticket["csat"]
        if ticket["channel"] == "phone":
            assert thread[0]["author_kind"] == "agent"


def test_first_replies_mostly_meet_their_targets(company: Company) -> None:
    targets = {"urgent": 1, "high": 4}
    met = total = 0
    for t in company.rows("tickets"):
        if t["priority"] in targets and t["first_reply_at"] and t["channel"] != "phone":
            created = dt.datetime.fromisoformat(t["created_at"])
            reply = dt.datetime.fromisoformat(t["first_reply_at"])
            total += 1
            met += (reply - created).total_seconds() <= targets[t["priority"]] * 3600
    assert 0.75 <= met / total <= 0.97


def test_ticket_text_is_varied_and_sometimes_carries_personal_data(company: Company) -> None:
    tickets = company.rows("tickets")
    bodies = [t["body"] for t in tickets]
    assert len(set(bodies)) > 0.9 * len(bodies)
    phones = sum(bool(re.search(r"\+\d{1,2}[ (]", b)) for b in bodies)
    assert 0.05 * len(bodies) < phones < 0.6 * len(bodies)
    assert any("> On " in b for b in bodies)
    categorised = sum(bool(t["category"]) for t in tickets)
    assert 0.4 < categorised / len(tickets) < 0.6


def test_an_emerging_issue_surges_in_the_last_weeks(company: Company) -> None:
    recent_start = (END - dt.timedelta(days=21)).isoformat()
    slack = [t for t in company.rows("tickets") if "slack" in t["subject"].lower()]
    recent = [t for t in slack if t["created_at"] >= recent_start]
    # 3 of 52 weeks hold the majority of the year's Slack tickets
    assert len(recent) > 0.5 * len(slack)


def test_solved_tickets_end_with_a_reusable_answer(company: Company) -> None:
    """Agents answer the same question the same way, which a knowledge base can learn."""
    comments = company.rows("ticket_comments")
    answers = Counter(
        c["body"].split("\n\n")[1]
        for c in comments
        if c["author_kind"] == "agent" and c["public"] == "true" and c["body"].startswith("Hi ")
    )
    reused = sum(n for n in answers.values() if n >= 5)
    assert reused > 0.5 * sum(answers.values())


def test_nps_follows_the_accounts_fate(company: Company) -> None:
    gone = {
        a
        for a, lines in company.by_account("subscriptions").items()
        if mrr_on(lines, LAST_DAY) == 0
    }
    scores = [
        (r["account_id"] in gone, int(r["score"]))
        for r in company.rows("surveys")
        if r["kind"] == "nps"
    ]
    churned = [s for g, s in scores if g]
    stayed = [s for g, s in scores if not g]
    assert sum(churned) / len(churned) < sum(stayed) / len(stayed) - 0.5


def test_csm_books_differ_in_size(company: Company) -> None:
    books = Counter(r["owner_email"] for r in company.rows("accounts"))
    assert 8 <= len(books) <= 12
    assert max(books.values()) > 5 * min(books.values())


def test_properties_use_the_documented_shapes(company: Company) -> None:
    values = set(company.events["properties"].drop_null().to_pylist())
    keys = {k for v in values for k in json.loads(v)}
    assert {"team", "limit", "integration", "trial"} <= keys
