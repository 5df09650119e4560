"""SQL models: readable `.sql` files in `analytics/sql/`, written in DuckDB's dialect and
translated by sqlglot for PostgreSQL and Spark, so there is one copy of each.

A model is one SELECT. It names its inputs as tables: store tables (`accounts`,
`subscription_versions`, `activities`, ...), other models (by file name: they are added as
CTEs, recursively), and small tables the caller passes (`inputs`, e.g. the `periods` to
report on), added as VALUES CTEs. Parameters are written `:name` and bound as typed
literals before translation, so every engine sees plain SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from importlib import resources

import sqlglot
from sqlglot import exp

DIALECTS = ("duckdb", "postgres", "spark")
Value = date | datetime | Decimal | int | float | str | bool | None


class ModelError(ValueError):
    """A model cannot be compiled: unknown model, missing parameter, cyclic reference."""


@cache
def model_names() -> frozenset[str]:
    folder = resources.files("csops.analytics") / "sql"
    return frozenset(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".sql"))


@cache
def model_text(name: str) -> str:
    if name not in model_names():
        raise ModelError(f"no SQL model named {name!r} (have: {', '.join(sorted(model_names()))})")
    return (resources.files("csops.analytics") / "sql" / f"{name}.sql").read_text()


def compile_model(
    name: str,
    dialect: str = "duckdb",
    params: Mapping[str, Value] | None = None,
    inputs: Mapping[str, Sequence[Mapping[str, Value]]] | None = None,
) -> str:
    """The SQL text of model `name` for `dialect`, with its dependencies as CTEs."""
    if dialect not in DIALECTS:
        raise ModelError(f"unknown SQL dialect {dialect!r}: use one of {', '.join(DIALECTS)}")
    bound = _standard_params(params or {})
    tree = _with_dependencies(name, bound, inputs or {})
    if dialect == "postgres":
        tree = tree.transform(_postgres_make_date)
    return tree.sql(dialect=dialect, pretty=True)


def _postgres_make_date(node: exp.Expr) -> exp.Expr:
    """sqlglot writes MAKE_DATE as DATE_FROM_PARTS for PostgreSQL, which has no such
    function; PostgreSQL's own is MAKE_DATE(year, month, day)."""
    if isinstance(node, exp.DateFromParts):
        parts = [node.args["year"], node.args["month"], node.args["day"]]
        return exp.Anonymous(this="MAKE_DATE", expressions=parts)
    return node


def _standard_params(params: Mapping[str, Value]) -> dict[str, Value]:
    bound = dict(params)
    as_of = bound.get("as_of")
    if isinstance(as_of, date) and not isinstance(as_of, datetime):
        # "Known on day D" means recorded before the end of D.
        bound.setdefault(
            "as_of_end", datetime.combine(as_of + timedelta(days=1), datetime.min.time())
        )
    return bound


@cache
def _parsed(name: str) -> exp.Expr:
    return sqlglot.parse_one(model_text(name), read="duckdb")


def _parse(name: str, params: Mapping[str, Value]) -> exp.Expr:
    tree = _parsed(name).copy()  # parsing is the slow part; binding changes the copy
    missing = {p.name for p in tree.find_all(exp.Placeholder)} - set(params)
    if missing:
        raise ModelError(f"model {name!r} needs parameter(s): {', '.join(sorted(missing))}")
    bound: exp.Expr = exp.replace_placeholders(tree, **{k: literal(v) for k, v in params.items()})
    return bound


def _with_dependencies(
    name: str,
    params: Mapping[str, Value],
    inputs: Mapping[str, Sequence[Mapping[str, Value]]],
) -> exp.Expr:
    ctes: dict[str, exp.Expr] = {}

    def visit(model: str, trail: tuple[str, ...]) -> exp.Expr:
        if model in trail:
            raise ModelError(f"models reference each other in a cycle: {' → '.join(trail)}")
        tree = _parse(model, params)
        local = {cte.alias for cte in tree.find_all(exp.CTE)}
        for table in tree.find_all(exp.Table):
            ref = table.name
            if ref in local or ref in ctes or table.db:
                continue
            if ref in inputs:
                ctes[ref] = values_table(inputs[ref])
            elif ref in model_names():
                ctes[ref] = visit(ref, (*trail, model))
        return tree

    root = visit(name, ())
    # Dependencies come first, in the order visited (each after its own dependencies);
    # a dependency's own CTEs are lifted out in front of it, as nested WITH is not
    # portable everywhere.
    ordered: list[exp.CTE] = []
    for cte_name, body in ctes.items():
        ordered += _lift(body)
        ordered.append(_cte(cte_name, body))
    ordered += _lift(root)
    unique: dict[str, exp.CTE] = {}
    for cte in ordered:
        unique.setdefault(cte.alias, cte)
    if unique:
        root.set(_WITH, exp.With(expressions=list(unique.values())))
    return root


_WITH = "with_" if "with_" in exp.Select.arg_types else "with"


def _lift(body: exp.Expr) -> list[exp.CTE]:
    """Take the CTEs out of `body` (which is changed) and return them."""
    inner = body.args.get(_WITH)
    if inner is None:
        return []
    body.set(_WITH, None)
    return list(inner.expressions)


def _cte(name: str, body: exp.Expr) -> exp.CTE:
    return exp.CTE(this=body, alias=exp.TableAlias(this=exp.to_identifier(name)))


def values_table(rows: Sequence[Mapping[str, Value]]) -> exp.Expr:
    """A small input table as SELECT ... UNION ALL ... (portable, typed by literals)."""
    if not rows:
        raise ModelError("an input table needs at least one row")
    selects = [exp.select(*(exp.alias_(literal(v), k) for k, v in row.items())) for row in rows]
    union: exp.Expr = selects[0]
    for s in selects[1:]:
        union = exp.union(union, s, distinct=False)
    return exp.select("*").from_(exp.paren(union).as_("_rows")) if len(rows) > 1 else union


def literal(value: Value) -> exp.Expr:
    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.true() if value else exp.false()
    if isinstance(value, datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), "TIMESTAMP")
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), "DATE")
    if isinstance(value, Decimal):
        text = format(value, "f")
        scale = len(text.split(".")[1]) if "." in text else 0
        return exp.cast(exp.Literal.number(text), f"DECIMAL(20, {max(scale, 0)})")
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))
