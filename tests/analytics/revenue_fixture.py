"""A small company whose January 2024 movements are computed by hand (see the test).

Every movement type and edge case of DESIGN.md's definitions appears once: a mid-month
start, several lines on one account, a downgrade and a churn in the same period, a
win-back, a free line, a line ending exactly on the period boundary.
"""

from __future__ import annotations

from pathlib import Path

ACCOUNTS = """account_id,name,segment,region,owner_email
A1,Month-end start,SMB,EMEA,ann@csops.test
A2,Two lines one ends,Mid-Market,EMEA,ann@csops.test
A3,Downgrade then churn,Enterprise,AMER,bob@csops.test
A4,Win-back,SMB,AMER,bob@csops.test
A5,Free line then paid,SMB,EMEA,ann@csops.test
A6,Ends on the boundary,Mid-Market,AMER,bob@csops.test
A7,Expansion,Enterprise,EMEA,ann@csops.test
A8,Flat annual,SMB,AMER,bob@csops.test
"""

SUBSCRIPTIONS = """subscription_id,account_id,mrr,start_date,end_date,plan,billing_period_months
S1,A1,100,2024-01-31,,Team,1
S2a,A2,200,2023-06-01,,Business,1
S2b,A2,50,2023-09-01,2024-01-20,Addon,1
S3a,A3,300,2023-01-01,2024-01-10,Business,12
S3b,A3,100,2024-01-10,2024-01-25,Team,1
S4a,A4,80,2023-03-01,2023-08-01,Team,1
S4b,A4,120,2024-01-05,,Team,1
S5a,A5,0,2023-01-01,,Free,1
S5b,A5,40,2024-01-20,,Starter,1
S6,A6,150,2023-05-01,2024-02-01,Business,1
S7a,A7,100,2023-01-01,2024-01-15,Team,1
S7b,A7,180,2024-01-15,,Business,1
S8,A8,60.005,2023-02-01,,Team,12
"""

ACTIVITIES = """activity_id,account_id,kind,occurred_at,summary
X1,A8,call,2023-12-15T10:00:00,Renewal call: happy to renew
X2,A2,email,2023-12-20T10:00:00,Newsletter
"""


def write_company(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in (
        ("accounts", ACCOUNTS),
        ("subscriptions", SUBSCRIPTIONS),
        ("activities", ACTIVITIES),
    ):
        path = folder / f"{name}.csv"
        path.write_text(text)
        paths.append(path)
    return paths
