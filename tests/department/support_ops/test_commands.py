"""`csops support sla` and `csops support triage` on a small company, loaded through
ingest, on SQLite and PostgreSQL. Expectations are hand-computed below.

Policies (written to a file): urgent = first reply 60, resolution 1440 calendar minutes;
everything else = first reply 480 business minutes (Mon-Fri 09-17 UTC). As of Friday
2026-05-29, i.e. the instant 2026-05-30 00:00.
  t1 big,   urgent, opened Fri 22:00, no reply: first reply breached at 23:00;
            resolution due Sat 22:00 (22 h ahead).
  t2 small, urgent, opened Fri 23:00, no reply: first reply breached at Sat 00:00;
            resolution due Sat 23:00.
  t3 small, normal, opened Thu 16:00, replied Fri 10:00 (2 business hours, 18 calendar),
            solved Fri 11:00: achieved.
  t4 big,   low, opened by an agent Wed 09:00, replied Thu 12:00 (11 business hours, 27
            calendar): breached at Wed 17:00 (480 minutes = all of Wed); solved Thu 13:00.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from csops.commands.support import app
from csops.department.support_ops.report_section import build_section
from csops.ingest.batch import ingest_paths
from csops.ingest.pipeline import IngestContext
from csops.reports.section import Chart, ReportContext, TableBlock

POLICIES = """
policies:
  - name: urgent
    when: {priority: [urgent]}
    hours: calendar
    targets: {first_reply: 60, resolution: 1440}
  - name: rest
    hours: business
    targets: {first_reply: 480}
"""

FILES = {
    "accounts.csv": """account_id,name,segment,owner_email
acc_big,Big Renewal Co,Enterprise,csm.big@example.com
acc_small,Small Shop,SMB,csm.small@example.com
""",
    "subscriptions.csv": """subscription_id,account_id,mrr,start_date,plan,billing_period_months
sub_big,acc_big,10000,2025-06-15,Scale,12
sub_small,acc_small,100,2026-01-10,Basic,1
""",
    "tickets.csv": "ticket_id,account_id,subject,created_at,body,priority,status,category,"
    """solved_at
t1,acc_big,Total outage,2026-05-29T22:00:00,Everything is down for everyone,urgent,new,Availability,
t2,acc_small,Question,2026-05-29T23:00:00,How do I export?,urgent,new,,
t3,acc_small,Invoice,2026-05-28T16:00:00,Please resend,normal,solved,Billing,2026-05-29T11:00:00
t4,acc_big,Onboarding call,2026-05-27T09:00:00,Follow-up,low,solved,,2026-05-28T13:00:00
""",
    "ticket_comments.csv": """ticket_id,author_kind,created_at,body,public
t1,customer,2026-05-29T22:00:00,Everything is down,true
t2,customer,2026-05-29T23:00:00,How do I export?,true
t3,customer,2026-05-28T16:00:00,Please resend,true
t3,agent,2026-05-29T10:00:00,Sent,true
t4,agent,2026-05-27T09:00:00,As discussed on the phone,true
t4,agent,2026-05-27T09:30:00,internal note,false
t4,agent,2026-05-28T12:00:00,Here is the summary,true
""",
}


@pytest.fixture
def company(ctx: IngestContext, tmp_path: Path) -> dict[str, str]:
    folder = tmp_path / "data"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / name).write_text(text)
    ingest_paths(ctx, [folder])
    (tmp_path / "sla.yaml").write_text(POLICIES)
    env = {"CSOPS_HOME": str(ctx.settings.home)}
    if ctx.settings.database_url:
        env["CSOPS_DATABASE_URL"] = ctx.settings.database_url
    env["POLICIES"] = str(tmp_path / "sla.yaml")
    return env


def run(env: dict[str, str], *args: str) -> tuple[int, Any, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    document = json.loads(result.stdout) if result.exit_code == 0 and "--json" in args else None
    return result.exit_code, document, result.stderr


def test_sla_compliance_times_breaches_and_warnings(company: dict[str, str]) -> None:
    code, doc, err = run(
        company, "sla", "--as-of", "2026-05-29", "--warn-hours", "24",
        "--policies", company["POLICIES"], "--json",
    )  # fmt: skip
    assert code == 0, err
    overall = doc["compliance"]["overall"]
    assert overall["sla"] == {
        "tickets": 4, "achieved": 1, "breached": 3, "running": 0, "compliance": 0.25
    }  # fmt: skip
    assert overall["targets"]["first_reply"]["compliance"] == 0.25
    assert doc["compliance"]["policies"]["urgent"]["targets"]["resolution"]["running"] == 2
    times = doc["times"]
    assert times["first_reply_time"]["calendar_hours"]["median"] == 22.5
    assert times["first_reply_time"]["business_hours"]["median"] == 6.5
    assert times["resolution_time"]["calendar_hours"]["median"] == 23.5
    assert times["resolution_time"]["business_hours"]["median"] == 7.5
    by_account = [(r["account_id"], r["breached_tickets"]) for r in doc["breaches_by_account"]]
    assert by_account == [("acc_big", 2), ("acc_small", 1)]
    warnings = doc["breach_warnings"]["tickets"]
    assert [w["ticket_id"] for w in warnings] == ["t1", "t2"]
    first = warnings[0]
    assert (first["due_at"], first["hours_left"], first["targets"]) == (
        "2026-05-30 22:00:00",
        22.0,
        ["resolution"],
    )
    assert (first["arr"], first["days_to_renewal"], first["owner_email"]) == (
        120000.0,
        17,
        "csm.big@example.com",
    )


def test_sla_lists_every_target_with_tickets_flag(company: dict[str, str]) -> None:
    code, doc, err = run(
        company, "sla", "--as-of", "2026-05-29", "--policies", company["POLICIES"],
        "--tickets", "--json",
    )  # fmt: skip
    assert code == 0, err
    rows = {r["ticket_id"]: r for r in doc["tickets"]}
    t4 = rows["t4"]["targets"][0]
    assert (t4["target"], t4["state"], t4["breached_at"]) == (
        "first_reply",
        "breached",
        "2026-05-27 17:00:00",
    )
    assert t4["elapsed_minutes"] == 660  # the opening and private comments are not replies


def test_warnings_only_within_the_horizon(company: dict[str, str]) -> None:
    code, doc, err = run(
        company, "sla", "--as-of", "2026-05-29", "--warn-hours", "4",
        "--policies", company["POLICIES"], "--json",
    )  # fmt: skip
    assert code == 0, err
    assert doc["breach_warnings"]["tickets"] == []


def test_triage_one_ticket(company: dict[str, str]) -> None:
    code, doc, err = run(
        company, "triage", "--as-of", "2026-05-29", "--ticket", "t1",
        "--policies", company["POLICIES"], "--json",
    )  # fmt: skip
    assert code == 0, err
    (row,) = doc["tickets"]
    assert row["category"] == "Availability"
    assert row["sla"]["policy"] == "urgent"
    assert row["priority"]["suggested"] == "urgent"
    assert any(r["rule"] == "urgency_words" for r in row["priority"]["rules"])
    assert row["account"]["open_tickets"] == 1
    assert row["account"]["sla_breaches_last_30_days"] == 2


def test_triage_open_tickets(company: dict[str, str]) -> None:
    code, doc, err = run(
        company, "triage", "--as-of", "2026-05-29", "--policies", company["POLICIES"], "--json"
    )
    assert code == 0, err
    # Queue order: the resolution of t1 falls due first (Sat 22:00, t2 at 23:00).
    assert [(r["ticket_id"], r["next_due_at"]) for r in doc["tickets"]] == [
        ("t1", "2026-05-30 22:00:00"),
        ("t2", "2026-05-30 23:00:00"),
    ]


def test_broken_policies_file_names_file_and_key(company: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("policies:\n  - name: x\n    targets: {first_reply: -1}\n")
    code, _, err = run(company, "sla", "--policies", str(broken), "--json")
    assert code == 2
    assert str(broken) in err and "policies[0] (x).targets.first_reply.minutes" in err


def test_unknown_ticket_is_an_error(company: dict[str, str]) -> None:
    code, _, err = run(company, "triage", "--ticket", "nope", "--json")
    assert code == 2 and "nope" in err


def test_report_section_reads_the_workspace_policies(
    ctx: IngestContext, company: dict[str, str]
) -> None:
    config = ctx.settings.workspace / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "sla.yaml").write_text(POLICIES)
    section = build_section(ReportContext(ctx.settings, ctx.engine, date(2026, 5, 29)))
    assert section is not None and section.key == "support"
    assert section.data["compliance"]["overall"]["sla"]["compliance"] == 0.25
    assert [w["ticket_id"] for w in section.data["breach_warnings"]] == ["t1", "t2"]
    tables = [b for b in section.blocks if isinstance(b, TableBlock)]
    assert tables[1].rows[0][0] == "t1" and tables[1].rows[0][-1] == "csm.big@example.com"
    assert any(isinstance(b, Chart) and b.svg.startswith("<svg") for b in section.blocks)
    json.dumps(section.data)  # plain JSON for the JSON report


def test_report_section_is_left_out_without_tickets(ctx: IngestContext) -> None:
    assert build_section(ReportContext(ctx.settings, ctx.engine, date(2026, 5, 29))) is None
