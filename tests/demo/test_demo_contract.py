"""The demo company's files honour the import data contract."""

from __future__ import annotations

import datetime as dt
import json
import re

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from csops.domain.contract import ENTITIES, Kind

from .conftest import END, END_TEXT, Company

CSV_ENTITIES = [name for name in ENTITIES if name != "events"]
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MONEY = re.compile(r"\d+\.\d{2}")
ID_PREFIX = {
    "accounts": "acc_",
    "contacts": "con_",
    "subscriptions": "sub_",
    "tickets": "tkt_",
    "surveys": "svy_",
    "activities": "act_",
    "invoices": "inv_",
}


def test_writes_one_file_per_entity_and_one_event_file_per_month(company: Company) -> None:
    assert set(company.paths) == set(ENTITIES)
    for entity in CSV_ENTITIES:
        assert [p.name for p in company.paths[entity]] == [f"{entity}.csv"]
    months = [p.name for p in company.paths["events"]]
    # 12 months ending 2025-03-10 touch 13 calendar months: 2024-03 … 2025-03
    assert months == [
        f"events-{m}.parquet"
        for m in [f"2024-{k:02d}" for k in range(3, 13)] + ["2025-01", "2025-02", "2025-03"]
    ]


@pytest.mark.parametrize("entity", CSV_ENTITIES)
def test_every_contract_column_is_present_and_required_ones_are_filled(
    company: Company, entity: str
) -> None:
    spec = ENTITIES[entity]
    rows = company.rows(entity)
    assert rows, entity
    header = set(rows[0])
    assert set(spec.column_names) <= header
    for column in spec.required:
        assert all(row[column] for row in rows), column


@pytest.mark.parametrize("entity", CSV_ENTITIES)
def test_values_have_the_contract_types(company: Company, entity: str) -> None:
    for column in ENTITIES[entity].columns:
        values = [row[column.name] for row in company.rows(entity) if row[column.name]]
        if column.kind is Kind.TIMESTAMP:
            assert all(TIMESTAMP.fullmatch(v) for v in values), column.name
        elif column.kind is Kind.DATE:
            assert all(DATE.fullmatch(v) for v in values), column.name
        elif column.kind is Kind.ENUM:
            assert set(values) <= set(column.choices), column.name
        elif column.kind is Kind.BOOLEAN:
            assert set(values) <= {"true", "false"}, column.name
        elif column.kind is Kind.EMAIL:
            assert all(re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", v) for v in values), column.name
    if entity in ID_PREFIX:
        key = ENTITIES[entity].key[0]
        ids = [row[key] for row in company.rows(entity)]
        assert all(i.startswith(ID_PREFIX[entity]) for i in ids)
        assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    ("entity", "column", "allowed"),
    [
        ("contacts", "role", {"admin", "champion", "executive", "user", "billing"}),
        ("surveys", "kind", {"nps", "csat", "ces"}),
        ("activities", "kind", {"call", "meeting", "email", "qbr", "note"}),
        ("invoices", "status", {"paid", "open", "failed", "void"}),
        ("ticket_comments", "author_kind", {"customer", "agent", "system"}),
        ("tickets", "channel", {"email", "chat", "web", "phone"}),
        ("tickets", "priority", {"low", "normal", "high", "urgent"}),
        ("tickets", "status", {"new", "open", "pending", "solved", "closed"}),
        ("accounts", "segment", {"SMB", "Mid-Market", "Enterprise"}),
        ("accounts", "region", {"NA", "EMEA", "APAC", "LATAM"}),
    ],
)
def test_enumerations_use_every_allowed_value_and_nothing_else(
    company: Company, entity: str, column: str, allowed: set[str]
) -> None:
    assert {row[column] for row in company.rows(entity)} == allowed


@pytest.mark.parametrize(("kind", "low", "high"), [("nps", 0, 10), ("csat", 1, 5), ("ces", 1, 7)])
def test_survey_scores_stay_on_their_scale(
    company: Company, kind: str, low: int, high: int
) -> None:
    scores = [int(r["score"]) for r in company.rows("surveys") if r["kind"] == kind]
    assert scores and low <= min(scores) and max(scores) <= high
    assert len(set(scores)) >= (high - low + 1) // 2  # the whole scale is used, not one value


def test_no_timestamp_reaches_the_end_of_history(company: Company) -> None:
    checked = 0
    for entity in CSV_ENTITIES:
        for column in ENTITIES[entity].columns:
            if column.kind is not Kind.TIMESTAMP:
                continue
            values = [r[column.name] for r in company.rows(entity) if r[column.name]]
            assert all(v < END_TEXT for v in values), (entity, column.name)
            checked += len(values)
    assert checked > 10_000
    end = pa.scalar(
        dt.datetime(END.year, END.month, END.day, tzinfo=dt.UTC), pa.timestamp("us", tz="UTC")
    )
    assert pc.max(company.events["occurred_at"]).as_py() < end.as_py()


def test_every_reference_points_at_an_existing_row(company: Company) -> None:
    accounts = {r["account_id"] for r in company.rows("accounts")}
    for entity in CSV_ENTITIES:
        if "account_id" in company.rows(entity)[0] and entity != "accounts":
            assert {r["account_id"] for r in company.rows(entity)} <= accounts, entity
    parents = {r["parent_account_id"] for r in company.rows("accounts")} - {""}
    assert parents and parents <= accounts
    assert set(company.events["account_id"].to_pylist()) <= accounts
    tickets = {r["ticket_id"] for r in company.rows("tickets")}
    assert {r["ticket_id"] for r in company.rows("ticket_comments")} == tickets
    contacts = {r["contact_id"] for r in company.rows("contacts")}
    assert {r["contact_id"] for r in company.rows("surveys")} <= contacts
    subscriptions = {r["subscription_id"] for r in company.rows("subscriptions")}
    assert {r["subscription_id"] for r in company.rows("invoices")} <= subscriptions
    emails = {r["email"] for r in company.rows("contacts")}
    assert {r["requester_email"] for r in company.rows("tickets")} <= emails


def test_money_has_two_decimals(company: Company) -> None:
    assert all(MONEY.fullmatch(r["mrr"]) for r in company.rows("subscriptions"))
    assert all(MONEY.fullmatch(r["amount"]) for r in company.rows("invoices"))


def test_events_have_the_parquet_schema_and_land_in_their_month_file(company: Company) -> None:
    import pyarrow.parquet as pq

    expected = pa.schema(
        [
            ("account_id", pa.string()),
            ("user_id", pa.string()),
            ("event_type", pa.string()),
            ("occurred_at", pa.timestamp("us", tz="UTC")),
            ("quantity", pa.int64()),
            ("properties", pa.string()),
        ]
    )
    for path in company.paths["events"]:
        table = pq.read_table(path)
        assert table.schema.equals(expected), path.name
        months = pc.strftime(table["occurred_at"], format="%Y-%m").unique().to_pylist()
        assert months == [path.name[len("events-") : -len(".parquet")]]
    assert 20 <= len(set(company.events["event_type"].to_pylist())) <= 25


def test_event_users_belong_to_their_account_and_properties_are_json(company: Company) -> None:
    sample = company.events.slice(0, 50_000).to_pylist()
    for row in sample:
        # product users, or CRM contacts for help-centre reads
        prefix = "con_" if row["event_type"].startswith("article_") else "u_"
        assert row["user_id"].startswith(prefix + row["account_id"][4:] + "_")
        if row["properties"] is not None:
            assert isinstance(json.loads(row["properties"]), dict)
    with_props = sum(r["properties"] is not None for r in sample)
    assert 0.05 * len(sample) < with_props < 0.6 * len(sample)


def test_events_are_unique_on_their_content(company: Company) -> None:
    """The importer keys events without an id on their content; no two may coincide."""
    keys = ["account_id", "user_id", "event_type", "occurred_at", "quantity", "properties"]
    table = company.events.select(keys)
    distinct = table.group_by(keys, use_threads=False).aggregate([])
    assert distinct.num_rows == table.num_rows
