"""Row validation against the data contract, as one DuckDB query per batch.

The query is generated from `domain.contract`: for each column it produces the typed value
(TRY_CAST and friends, so one bad cell never fails the batch) and, for each rule a row can
break, a reason code and a human message naming the column and the offending value.
Good rows come back typed, with their key, a content hash (to detect changes on re-ingest)
and their extra columns as a JSON `attributes` object; bad rows come back as they were read,
with `_error_reason` and the list of reason codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from csops.analytics.duck import literal
from csops.domain.contract import DERIVED_KEYS, NATURAL_KEY_OVERRIDE, Column, Entity, Kind
from csops.ingest.readers import LINE, READ_ERROR

ERROR = "_error_reason"
REASONS = "_reasons"
KEY = "_key"
ROW_HASH = "_row_hash"
ATTRIBUTES = "_attributes"
# The values that identify an event when it has no event_id of its own.
EVENT_KEY_COLUMNS = "account_id, user_id, event_type, occurred_at, quantity, properties"
RAW = "raw:"  # prefix of the columns as read, kept for quarantine

_DECIMAL = r"[+-]?([0-9]+([.][0-9]{0,6})?|[.][0-9]{1,6})"
_INTEGER = r"[+-]?[0-9]+"
_EMAIL = r"[^@\s]+@[^@\s]+[.][^@\s]+"
_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")


def q(name: str) -> str:
    """Quote an identifier for DuckDB."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class Rule:
    code: str
    condition: str  # SQL, true for a bad row
    message: str  # SQL expression producing the message


@dataclass(frozen=True)
class ColumnSql:
    typed: str  # SQL producing the typed value from the raw one
    rules: tuple[Rule, ...]


def _shown(raw: str) -> str:
    """SQL rendering the offending raw value, shortened, for messages."""
    return f"'''' || left(CAST({raw} AS VARCHAR), 60) || ''''"


def column_sql(column: Column, source_type: pa.DataType | None, now: datetime) -> ColumnSql:
    """Typed expression and rules for one contract column.

    `source_type` is the Arrow type the file gave (None when the column is absent: then it
    is NULL, which only a required column objects to).
    """
    name = column.name
    if source_type is None:
        typed = "NULL"
        rules: list[Rule] = []
        if column.required:
            rules.append(
                Rule(f"missing_value:{name}", "TRUE", literal(f"{name} is required but empty"))
            )
        return ColumnSql(typed, tuple(rules))

    is_text = pa.types.is_string(source_type) or pa.types.is_large_string(source_type)
    raw = q(name)
    value = f"NULLIF(trim({raw}), '')" if is_text else raw
    rules = []
    if column.required:
        rules.append(
            Rule(
                f"missing_value:{name}",
                f"{value} IS NULL",
                literal(f"{name} is required but empty"),
            )
        )
    kind = column.kind
    if kind in (Kind.ID, Kind.ENUM, Kind.EMAIL, Kind.CURRENCY):
        text = value if is_text else f"CAST({raw} AS VARCHAR)"
        if kind is Kind.ID:
            typed = text
        elif kind is Kind.ENUM:
            typed = f"lower({text})"
            choices = ", ".join(literal(c) for c in column.choices)
            rules.append(
                Rule(
                    f"invalid_enum:{name}",
                    f"{typed} IS NOT NULL AND {typed} NOT IN ({choices})",
                    f"'{name}: ' || {_shown(text)} || ' is not one of {', '.join(column.choices)}'",
                )
            )
        elif kind is Kind.EMAIL:
            typed = f"lower({text})"
            rules.append(
                Rule(
                    f"invalid_email:{name}",
                    f"{typed} IS NOT NULL AND NOT regexp_full_match({typed}, {literal(_EMAIL)})",
                    f"'{name}: ' || {_shown(text)} || ' is not an email address'",
                )
            )
        else:
            typed = f"upper({text})"
            rules.append(
                Rule(
                    f"invalid_currency:{name}",
                    f"{typed} IS NOT NULL AND NOT regexp_full_match({typed}, '[A-Z]{{3}}')",
                    f"'{name}: ' || {_shown(text)} || ' is not a three-letter currency code'",
                )
            )
    elif kind is Kind.TEXT:
        typed = (
            f"CASE WHEN {value} IS NULL THEN NULL ELSE {raw} END"
            if is_text
            else f"CAST({raw} AS VARCHAR)"
        )
    elif kind is Kind.DATE:
        typed = f"TRY_CAST({value} AS DATE)"
        rules.append(
            Rule(
                f"invalid_date:{name}",
                f"{value} IS NOT NULL AND {typed} IS NULL",
                f"'{name}: ' || {_shown(value)} || ' is not an ISO 8601 date (YYYY-MM-DD)'",
            )
        )
    elif kind is Kind.TIMESTAMP:
        if pa.types.is_timestamp(source_type) and source_type.tz is None:
            typed = raw  # Parquet timestamps without a zone are UTC by contract
        else:
            typed = f"timezone('UTC', TRY_CAST({value} AS TIMESTAMPTZ))"
        rules.append(
            Rule(
                f"invalid_timestamp:{name}",
                f"{value} IS NOT NULL AND {typed} IS NULL",
                f"'{name}: ' || {_shown(value)} || ' is not an ISO 8601 timestamp'",
            )
        )
        if column.happened:
            limit = now.strftime("%Y-%m-%d %H:%M:%S")
            rules.append(
                Rule(
                    f"future_timestamp:{name}",
                    f"{typed} > TIMESTAMP '{limit}'",
                    f"'{name}: ' || CAST({typed} AS VARCHAR) || ' is in the future'",
                )
            )
    elif kind in (Kind.DECIMAL, Kind.FRACTION, Kind.INTEGER):
        # DECIMAL(20, 6) is the store's money type everywhere: a larger value is a row
        # error here, never an overflow that aborts a whole file later.
        target = "BIGINT" if kind is Kind.INTEGER else "DECIMAL(20, 6)"
        pattern = _INTEGER if kind is Kind.INTEGER else _DECIMAL
        typed = f"TRY_CAST({value} AS {target})"
        wanted = (
            "a whole number"
            if kind is Kind.INTEGER
            else "a decimal (at most 14 digits before the point and 6 after)"
        )
        bad = (
            f"NOT regexp_full_match({value}, {literal(pattern)})" if is_text else f"{typed} IS NULL"
        )
        rules.append(
            Rule(
                f"invalid_number:{name}",
                f"{value} IS NOT NULL AND ({bad} OR {typed} IS NULL)",
                f"'{name}: ' || {_shown(value)} || ' is not {wanted}'",
            )
        )
        if column.minimum is not None:
            code = "negative" if column.minimum == 0 else "below_minimum"
            rules.append(
                Rule(
                    f"{code}:{name}",
                    f"{typed} < {column.minimum}",
                    f"'{name}: ' || {_shown(value)} || ' is below {column.minimum:g}'",
                )
            )
        if column.maximum is not None:
            rules.append(
                Rule(
                    f"above_maximum:{name}",
                    f"{typed} > {column.maximum}",
                    f"'{name}: ' || {_shown(value)} || ' is above {column.maximum:g}'",
                )
            )
    elif kind is Kind.BOOLEAN:
        text = f"lower({value})" if is_text else f"lower(CAST({raw} AS VARCHAR))"
        truthy = ", ".join(literal(v) for v in _TRUE)
        falsy = ", ".join(literal(v) for v in _FALSE)
        typed = f"CASE WHEN {text} IN ({truthy}) THEN TRUE WHEN {text} IN ({falsy}) THEN FALSE END"
        rules.append(
            Rule(
                f"invalid_boolean:{name}",
                f"{text} IS NOT NULL AND {typed} IS NULL",
                f"'{name}: ' || {_shown(value)} || ' is not true/false'",
            )
        )
    elif kind is Kind.JSON:
        text = value if is_text else f"CAST(to_json({raw}) AS VARCHAR)"
        typed = f"CASE WHEN json_valid({text}) THEN CAST(json({text}) AS VARCHAR) END"
        rules.append(
            Rule(
                f"invalid_json:{name}",
                f"{text} IS NOT NULL AND ({typed} IS NULL OR json_type({typed}) <> 'OBJECT')",
                f"'{name}: ' || {_shown(text)} || ' is not a JSON object'",
            )
        )
    else:  # pragma: no cover - every Kind is handled above
        raise AssertionError(kind)
    return ColumnSql(typed, tuple(rules))


@dataclass(frozen=True)
class ValidationQuery:
    sql: str  # every row: typed values, key and reason codes
    detail_sql: str  # rejected rows only: raw values and messages as well
    typed_columns: tuple[str, ...]
    extra_columns: tuple[str, ...]


def build_query(
    entity: Entity,
    schema: pa.Schema,
    now: datetime,
    references: Iterable[str],
    check_duplicates: bool,
) -> ValidationQuery:
    """The validation query for one batch registered as `batch`.

    `references` names the entities whose known keys are registered as `known_<entity>`
    (one column `key`); `check_duplicates` compares keys with `seen_keys(key, line)`.
    """
    types = {f.name: f.type for f in schema}
    present = set(types) - {LINE, READ_ERROR}
    known = set(references)
    typed_exprs: dict[str, str] = {}
    # Rules on single columns see the raw values (CTE `typed`); rules across columns,
    # references and duplicates see typed values (final SELECT over `t`).
    column_rules: list[Rule] = [
        Rule("encoding_error", f"{READ_ERROR} IS NOT NULL", f"{READ_ERROR}"),
    ]
    for column in entity.columns:
        col_sql = column_sql(column, types.get(column.name), now)
        typed_exprs[column.name] = col_sql.typed
        column_rules.extend(col_sql.rules)
    extras = tuple(sorted(present - set(entity.column_names)))

    row_rules: list[Rule] = []
    joins = []
    for column in entity.columns:
        if column.references and column.references in known and column.name in present:
            alias = f"ref_{column.name}"
            joins.append(
                f"LEFT JOIN known_{column.references} {alias} ON {alias}.key = t.{q(column.name)}"
            )
            row_rules.append(
                Rule(
                    f"unknown_reference:{column.name}",
                    f"t.{q(column.name)} IS NOT NULL AND {alias}.key IS NULL",
                    f"'{column.name}: ' || {_shown('t.' + q(column.name))} || "
                    f"' does not exist in {column.references}'",
                )
            )
    for check in entity.checks:
        row_rules.append(Rule(check.reason, check.condition, literal(check.message)))

    key_expr = _key_expr(entity, present)
    if check_duplicates:
        joins.append("LEFT JOIN seen_keys s ON s.key = t._key")
        key_label = " + ".join(entity.key) if entity.name not in DERIVED_KEYS else "key"
        row_rules.append(
            Rule(
                "duplicate_key",
                "t._key IS NOT NULL AND (s.line IS NOT NULL OR t._first_line < t._line)",
                f"'duplicate {key_label} ' || {_shown('t._key')} || ' (first on line ' || "
                f"CAST(coalesce(s.line, t._first_line) AS VARCHAR) || ')'",
            )
        )

    typed_select = ",\n    ".join(f"{expr} AS {q(name)}" for name, expr in typed_exprs.items())
    raw_select = "".join(f"{q(c)} AS {q(RAW + c)}, " for c in sorted(present))
    hash_parts = ", ".join(
        f"coalesce(CAST(t.{q(c)} AS VARCHAR), '\\N')" for c in entity.column_names
    )
    attrs = (
        "CAST(json_object("
        + ", ".join(f"{literal(c)}, CAST({q(c)} AS VARCHAR)" for c in extras)
        + ") AS VARCHAR)"
        if extras
        else "NULL"
    )
    events = entity.is_event_stream
    window = f", min(_line) OVER (PARTITION BY {KEY}) AS _first_line" if check_duplicates else ""
    first_line = ", _first_line" if check_duplicates else ""
    row_hash = (
        ""
        if events
        else f",\n  md5(concat_ws(chr(31), {hash_parts}, coalesce({ATTRIBUTES}, ''))) AS {ROW_HASH}"
    )
    month = ",\n  strftime(t.occurred_at, '%Y-%m') AS _month" if events else ""
    base = f"""
WITH typed AS (
  SELECT
    {typed_select},
    @@raw@@{LINE} AS _line,
    {attrs} AS {ATTRIBUTES},
    {_codes(column_rules)} AS _column_codes@@column_messages@@
  FROM batch
),
keyed AS (SELECT *, {key_expr} AS {KEY} FROM typed),
t AS (SELECT *{window} FROM keyed)
SELECT t.* EXCLUDE (_column_codes@@exclude_messages@@{first_line}),
  list_concat(_column_codes, {_codes(row_rules)}) AS {REASONS}@@messages@@{row_hash}{month}
FROM t {" ".join(joins)}
"""
    # The fast query types and checks every row; messages and the raw values are only
    # needed for rejected rows, so a second query produces them when a batch has any.
    fast = _fill(base, raw="", column_messages="", exclude_messages="", messages="")
    detail = _fill(
        base,
        raw=raw_select,
        column_messages=f",\n    {_messages(column_rules)} AS _column_messages",
        exclude_messages=", _column_messages",
        messages=(
            f",\n  concat_ws('; ', nullif(_column_messages, ''), "
            f"nullif({_messages(row_rules)}, '')) AS {ERROR}"
        ),
    )
    detail = f"SELECT * FROM ({detail}) WHERE len({REASONS}) > 0 ORDER BY _line"
    return ValidationQuery(fast, detail, tuple(typed_exprs), extras)


def _fill(template: str, **parts: str) -> str:
    for name, text in parts.items():
        template = template.replace(f"@@{name}@@", text)
    return template


def _codes(rules: list[Rule]) -> str:
    if not rules:
        return "[]::VARCHAR[]"
    cases = ", ".join(f"CASE WHEN {r.condition} THEN {literal(r.code)} END" for r in rules)
    return f"list_filter([{cases}], lambda x: x IS NOT NULL)"


def _messages(rules: list[Rule]) -> str:
    if not rules:
        return "''"
    cases = ", ".join(f"CASE WHEN {r.condition} THEN {r.message} END" for r in rules)
    return f"concat_ws('; ', {cases})"


def _key_expr(entity: Entity, present: set[str]) -> str:
    override = NATURAL_KEY_OVERRIDE.get(entity.name)
    if entity.is_event_stream:
        # DuckDB's 64-bit hash of the event's typed values: several times cheaper than a
        # cryptographic hash over text, which dominated ingest time. It is only stable
        # within a DuckDB hash implementation, so the event store records a probe value
        # and refuses to mix keys from another one (see EventStore.check_key_scheme).
        derived = f"hash({EVENT_KEY_COLUMNS})"
        if override and override in present:
            return f"CASE WHEN {q(override)} IS NULL THEN {derived} ELSE hash({q(override)}) END"
        return derived
    if entity.name in DERIVED_KEYS:
        parts = ", ".join(
            f"coalesce(CAST({q(c)} AS VARCHAR), '')" for c in DERIVED_KEYS[entity.name]
        )
        derived = f"md5(concat_ws(chr(31), {parts}))"
        if override and override in present:
            return f"coalesce({q(override)}, {derived})"
        return derived
    if len(entity.key) == 1:
        return q(entity.key[0])
    return "concat_ws(chr(31), " + ", ".join(q(k) for k in entity.key) + ")"


@dataclass
class Checked:
    good: pa.Table
    bad: pa.Table


def run_validation(
    con: duckdb.DuckDBPyConnection, query: ValidationQuery, batch: pa.Table
) -> Checked:
    con.register("batch", batch)
    try:
        result = con.sql(query.sql).to_arrow_table()
        ok = pc.equal(pc.list_value_length(result[REASONS]), 0)
        if pc.all(ok).as_py():
            return Checked(result, result.slice(0, 0))
        bad = con.sql(query.detail_sql).to_arrow_table()
    finally:
        con.unregister("batch")
    return Checked(result.filter(ok), bad)
