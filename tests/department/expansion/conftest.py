"""Expansion personas on D = 2026-04-30 (window: 2026-04-03 to 2026-04-30), written as
data-contract files, and a test config with fixed thresholds so every figure is
hand-computable. Team lines cost 50 per seat, Business lines 80.

| account | plan, seats, mrr | what fires |
|---|---|---|
| full_acme | Team, 4, 200 | seat_utilisation (4 users / 4 seats), higher_plan_features |
| growing_globex | Team, 10, 400 | usage_growth_28 (30 events vs 20) |
| limit_initech | Team, 5, 250 | plan_limit (2 quota events) |
| teams_umbrella | Team, 10, 500 | new_team (team: sales, 2 users; finance seen before) |
| promoter_hooli | Team, 10, 500 | promoter_nps (9, latest) |
| renewing_soylent | Business annual, 10, 800 | renewal_upcoming (2026-06-15) |
| big_business | Business, 20, 1600 | nothing |
| churned_wonka, free_only | ended / free | not paying on D |
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from csops.ingest.batch import ingest_paths
from csops.ingest.pipeline import IngestContext

D = date(2026, 4, 30)

ACCOUNTS = """account_id,name,segment,region,owner_email
full_acme,Acme,SMB,NA,ann@v.test
growing_globex,Globex,SMB,NA,ann@v.test
limit_initech,Initech,SMB,NA,ann@v.test
teams_umbrella,Umbrella,SMB,NA,bob@v.test
promoter_hooli,Hooli,SMB,NA,bob@v.test
renewing_soylent,Soylent,SMB,NA,bob@v.test
big_business,Big,SMB,NA,cat@v.test
churned_wonka,Wonka,SMB,NA,ann@v.test
free_only,Free,SMB,NA,ann@v.test
"""
SUBSCRIPTIONS = """\
subscription_id,account_id,mrr,start_date,end_date,plan,seats,billing_period_months
s1,full_acme,200,2025-01-01,,Team,4,1
s2,growing_globex,400,2025-01-01,,Team,10,1
s3,limit_initech,250,2025-01-01,,Team,5,1
s4,teams_umbrella,500,2025-01-01,,Team,10,1
s5,promoter_hooli,500,2025-01-01,,Team,10,1
s6,renewing_soylent,800,2025-06-15,,Business,10,12
s7,big_business,1600,2025-01-01,,Business,20,1
s8,churned_wonka,300,2025-01-01,2026-03-01,Team,6,1
s9,free_only,0,2025-01-01,,Sandbox,5,1
"""
CONTACTS = """contact_id,account_id,email,name,role
c1,promoter_hooli,pat@hooli.test,Pat Lee,champion
c2,full_acme,ed@acme.test,Ed Exec,executive
c3,full_acme,uma@acme.test,Uma User,user
c4,full_acme,cy@acme.test,Cy Champion,champion
"""
SURVEYS = """response_id,account_id,kind,score,responded_at,contact_id
r1,promoter_hooli,nps,3,2025-06-01T10:00:00Z,c1
r2,promoter_hooli,nps,9,2026-04-01T10:00:00Z,c1
r3,growing_globex,nps,8,2026-04-01T10:00:00Z,
"""


def _events() -> str:
    rows = ["account_id,event_type,occurred_at,user_id,properties"]

    def add(account: str, kind: str, when: str, user: str, props: str = "") -> None:
        rows.append(f"{account},{kind},{when},{user},{props}")

    for u in ("u1", "u2", "u3", "u4"):
        add("full_acme", "login", "2026-04-10T09:00:00Z", u)
    add("full_acme", "advanced_report", "2026-04-11T09:00:00Z", "u1")
    for i in range(30):
        add("growing_globex", "login", f"2026-04-15T09:{i:02d}:00Z", "u1")
    for i in range(20):
        add("growing_globex", "login", f"2026-03-20T09:{i:02d}:00Z", "u1")
    add("limit_initech", "login", "2026-04-20T08:00:00Z", "u1")
    add("limit_initech", "quota_exceeded", "2026-04-20T09:00:00Z", "u1", '"{""limit"": ""api""}"')
    add("limit_initech", "quota_exceeded", "2026-04-25T09:00:00Z", "u1", '"{""limit"": ""seats""}"')
    add("teams_umbrella", "report", "2026-02-01T09:00:00Z", "u1", '"{""team"": ""finance""}"')
    add("teams_umbrella", "report", "2026-04-20T09:00:00Z", "u2", '"{""team"": ""sales""}"')
    add("teams_umbrella", "report", "2026-04-21T09:00:00Z", "u3", '"{""team"": ""sales""}"')
    for i in range(5):
        add("renewing_soylent", "login", f"2026-03-01T09:0{i}:00Z", "u1")
        add("renewing_soylent", "login", f"2025-12-01T09:0{i}:00Z", "u1")
    add("renewing_soylent", "advanced_report", "2026-04-05T09:00:00Z", "u1")
    add("big_business", "advanced_report", "2026-04-06T09:00:00Z", "u1")
    add("big_business", "login", "2026-04-06T08:00:00Z", "u1")
    return "\n".join(rows) + "\n"


CONFIG = """
signals:
  seat_utilisation: {threshold: 0.9}
  usage_growth_28: {threshold: 0.3, min_baseline: 10}
  usage_growth_90: {threshold: 0.5, min_baseline: 10}
  plan_limit: {event_types: ["*quota*"]}
  higher_plan_features: {min_adoption: 0.5, min_accounts: 1}
likelihood: {snapshots: 1}
owners:
  capacity_per_owner: 2
  capacity: {cat@v.test: 1}
"""


def write(folder: Path, files: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in files.items():
        (folder / name).write_text(text)
        paths.append(folder / name)
    return paths


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return write(tmp_path / "config", {"expansion.yaml": CONFIG})[0]


def load_personas(ctx: IngestContext, folder: Path) -> IngestContext:
    files = {
        "accounts.csv": ACCOUNTS,
        "subscriptions.csv": SUBSCRIPTIONS,
        "contacts.csv": CONTACTS,
        "surveys.csv": SURVEYS,
        "events.csv": _events(),
    }
    report = ingest_paths(ctx, write(folder, files))
    assert all(f.error is None and not f.rows_rejected for f in report.files), report.files
    return ctx


@pytest.fixture
def loaded(ctx: IngestContext, tmp_path: Path) -> IngestContext:
    return load_personas(ctx, tmp_path / "data")
