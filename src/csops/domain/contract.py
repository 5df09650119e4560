"""The import data contract: which entities exist, their columns, types and keys.

This is the single description of what a company may hand csops. Readers, validation,
the store schema and the docs all derive from it, so a column is declared once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """How a column's text is parsed and checked."""

    ID = "id"  # non-empty text, surrounding whitespace removed
    TEXT = "text"
    EMAIL = "email"
    ENUM = "enum"  # one of `Column.choices`, case-insensitive, stored lower case
    DATE = "date"  # ISO 8601 date
    TIMESTAMP = "timestamp"  # ISO 8601; no zone means UTC
    DECIMAL = "decimal"  # money or quantities, exact decimal text
    INTEGER = "integer"
    FRACTION = "fraction"  # decimal between 0 and 1
    BOOLEAN = "boolean"
    JSON = "json"  # a JSON object
    CURRENCY = "currency"  # ISO 4217 code, three letters


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    # A timestamp that records something that happened cannot lie in the future.
    happened: bool = False
    # Entity whose key this column must name (referential integrity).
    references: str | None = None


@dataclass(frozen=True)
class Check:
    """A rule across columns of one row: `condition` is SQL that is true for a bad row."""

    reason: str
    condition: str
    message: str


@dataclass(frozen=True)
class Entity:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    checks: tuple[Check, ...] = field(default=())
    # Events live in the Parquet event store, not the row store.
    is_event_stream: bool = False
    # Keep every previous version of a changed row (point-in-time reconstruction).
    versioned: bool = False

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


def _ref(name: str, entity: str, required: bool = True) -> Column:
    return Column(name, Kind.ID, required=required, references=entity)


ACCOUNTS = Entity(
    "accounts",
    (
        Column("account_id", Kind.ID, required=True),
        Column("name", Kind.TEXT, required=True),
        Column("segment", Kind.TEXT),
        Column("industry", Kind.TEXT),
        Column("region", Kind.TEXT),
        Column("owner_email", Kind.EMAIL),
        Column("created_at", Kind.TIMESTAMP, happened=True),
        Column("parent_account_id", Kind.ID),
    ),
    key=("account_id",),
)

CONTACTS = Entity(
    "contacts",
    (
        Column("contact_id", Kind.ID, required=True),
        _ref("account_id", "accounts"),
        Column("email", Kind.EMAIL, required=True),
        Column("name", Kind.TEXT),
        Column("role", Kind.ENUM, choices=("admin", "champion", "executive", "user", "billing")),
        Column("is_primary", Kind.BOOLEAN),
    ),
    key=("contact_id",),
)

SUBSCRIPTIONS = Entity(
    "subscriptions",
    (
        Column("subscription_id", Kind.ID, required=True),
        _ref("account_id", "accounts"),
        Column("mrr", Kind.DECIMAL, required=True, minimum=0),
        Column("start_date", Kind.DATE, required=True),
        Column("end_date", Kind.DATE),
        Column("plan", Kind.TEXT),
        Column("product", Kind.TEXT),
        Column("seats", Kind.INTEGER, minimum=0),
        Column("billing_period_months", Kind.INTEGER, minimum=1),
        Column("discount", Kind.FRACTION, minimum=0, maximum=1),
        Column("currency", Kind.CURRENCY),
    ),
    key=("subscription_id",),
    checks=(
        Check(
            "end_before_start",
            "end_date IS NOT NULL AND start_date IS NOT NULL AND end_date < start_date",
            "end_date is before start_date",
        ),
    ),
    versioned=True,
)

EVENTS = Entity(
    "events",
    (
        _ref("account_id", "accounts"),
        Column("event_type", Kind.ID, required=True),
        Column("occurred_at", Kind.TIMESTAMP, required=True, happened=True),
        Column("user_id", Kind.ID),
        Column("quantity", Kind.DECIMAL),
        Column("properties", Kind.JSON),
        # Optional: a company that has its own event ids gets them used as the key.
        Column("event_id", Kind.ID),
    ),
    key=("event_key",),
    is_event_stream=True,
)

TICKETS = Entity(
    "tickets",
    (
        Column("ticket_id", Kind.ID, required=True),
        _ref("account_id", "accounts"),
        Column("subject", Kind.TEXT, required=True),
        Column("created_at", Kind.TIMESTAMP, required=True, happened=True),
        Column("body", Kind.TEXT),
        Column("requester_email", Kind.EMAIL),
        Column("channel", Kind.TEXT),
        Column("priority", Kind.TEXT),
        Column("status", Kind.TEXT),
        Column("category", Kind.TEXT),
        Column("first_reply_at", Kind.TIMESTAMP, happened=True),
        Column("solved_at", Kind.TIMESTAMP, happened=True),
        Column("csat", Kind.DECIMAL, minimum=0),
    ),
    key=("ticket_id",),
    checks=(
        Check(
            "reply_before_creation",
            "first_reply_at IS NOT NULL AND first_reply_at < created_at",
            "first_reply_at is before created_at",
        ),
        Check(
            "solved_before_creation",
            "solved_at IS NOT NULL AND solved_at < created_at",
            "solved_at is before created_at",
        ),
    ),
)

TICKET_COMMENTS = Entity(
    "ticket_comments",
    (
        _ref("ticket_id", "tickets"),
        Column("author_kind", Kind.ENUM, required=True, choices=("customer", "agent", "system")),
        Column("created_at", Kind.TIMESTAMP, required=True, happened=True),
        Column("body", Kind.TEXT),
        Column("public", Kind.BOOLEAN),
        # Optional: a company's own comment id; otherwise the key is derived from content.
        Column("comment_id", Kind.ID),
    ),
    key=("comment_key",),
)

SURVEYS = Entity(
    "surveys",
    (
        Column("response_id", Kind.ID, required=True),
        _ref("account_id", "accounts"),
        Column("kind", Kind.ENUM, required=True, choices=("nps", "csat", "ces")),
        Column("score", Kind.DECIMAL, required=True),
        Column("responded_at", Kind.TIMESTAMP, required=True, happened=True),
        Column("contact_id", Kind.ID),
        Column("comment", Kind.TEXT),
    ),
    key=("response_id",),
    checks=(
        Check(
            "score_out_of_range",
            "(kind = 'nps' AND (score < 0 OR score > 10))"
            " OR (kind = 'csat' AND (score < 1 OR score > 5))"
            " OR (kind = 'ces' AND (score < 1 OR score > 7))",
            "score is outside the scale of its kind (nps 0-10, csat 1-5, ces 1-7)",
        ),
    ),
)

ACTIVITIES = Entity(
    "activities",
    (
        Column("activity_id", Kind.ID, required=True),
        _ref("account_id", "accounts"),
        Column(
            "kind", Kind.ENUM, required=True, choices=("call", "meeting", "email", "qbr", "note")
        ),
        Column("occurred_at", Kind.TIMESTAMP, required=True, happened=True),
        Column("owner_email", Kind.EMAIL),
        Column("summary", Kind.TEXT),
    ),
    key=("activity_id",),
)

INVOICES = Entity(
    "invoices",
    (
        Column("invoice_id", Kind.ID, required=True),
        _ref("account_id", "accounts"),
        Column("amount", Kind.DECIMAL, required=True, minimum=0),
        Column("due_date", Kind.DATE, required=True),
        Column("paid_at", Kind.TIMESTAMP, happened=True),
        Column("status", Kind.ENUM, choices=("paid", "open", "failed", "void")),
        Column("currency", Kind.CURRENCY),
    ),
    key=("invoice_id",),
)

# Dependency order: an entity is loaded after every entity it references.
ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        ACCOUNTS,
        CONTACTS,
        SUBSCRIPTIONS,
        TICKETS,
        TICKET_COMMENTS,
        SURVEYS,
        ACTIVITIES,
        INVOICES,
        EVENTS,
    )
}

# Row-store entities whose key is derived from the row's content rather than given.
DERIVED_KEYS: dict[str, tuple[str, ...]] = {
    "events": ("account_id", "user_id", "event_type", "occurred_at", "quantity", "properties"),
    "ticket_comments": ("ticket_id", "author_kind", "created_at", "body"),
}
# The column that, when present in the file, replaces the derived key.
NATURAL_KEY_OVERRIDE: dict[str, str] = {"events": "event_id", "ticket_comments": "comment_id"}


def load_order(names: list[str]) -> list[str]:
    """Sort entity names so referenced entities come first."""
    order = list(ENTITIES)
    return sorted(names, key=order.index)
