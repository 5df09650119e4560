"""The group labels of the new-team pass (`facts._groups`): the first configured key found,
in the properties before the attributes; attributes are read only when some are filled."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from csops.department.expansion import facts
from csops.department.expansion.config import load_config

D = date(2026, 4, 30)


def _groups(rows: list[tuple[str, str, str | None, str | None]]) -> set[tuple[str, str, int]]:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE events (account_id VARCHAR, user_id VARCHAR, occurred_at TIMESTAMP, "
        "properties VARCHAR, attributes VARCHAR)"
    )
    for account, user, props, attrs in rows:
        con.execute(
            "INSERT INTO events VALUES (?, ?, TIMESTAMP '2026-04-20 09:00:00', ?, ?)",
            [account, user, props, attrs],
        )
    con.execute("CREATE TEMP TABLE exp_pay_0 AS SELECT 'a' AS account_id")
    facts._groups(con, [D], load_config(None))
    found = con.execute(
        "SELECT account_id, grp, users_0 FROM exp_groups WHERE grp IS NOT NULL"
    ).fetchall()
    return set(found)


@pytest.mark.parametrize(
    ("props", "attrs", "label"),
    [
        ('{"team": "sales"}', None, "team: sales"),
        ('{"department": "ops", "team": "sales"}', None, "team: sales"),
        ('{"department": "ops"}', '{"team": "hr"}', "team: hr"),
        ('{"team": "sales"}', '{"team": "hr"}', "team: sales"),
        (None, '{"workspace": "w1"}', "workspace: w1"),
        ('{"other": 1}', '{"group": "g"}', "group: g"),
    ],
)
def test_label_takes_the_first_key_properties_before_attributes(
    props: str | None, attrs: str | None, label: str
) -> None:
    rows = [("a", "u1", props, attrs), ("a", "u2", props, attrs)]
    assert _groups(rows) == {("a", label, 2)}


def test_without_attributes_and_accounts_not_paying_left_out() -> None:
    rows = [
        ("a", "u1", '{"team": "sales"}', None),
        ("a", "u2", '{"teams": "x", "note": "\\"team\\""}', None),
        ("b", "u1", '{"team": "sales"}', None),
    ]
    assert _groups(rows) == {("a", "team: sales", 1)}
