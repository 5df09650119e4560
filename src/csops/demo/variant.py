"""Another company: the demo company's files rewritten into a stranger's vocabulary.

csops is judged on companies it has never seen: other plan names, event names, segment
names, priorities, file formats and volumes. This rewrite keeps the demo's behaviour (who
churns, who grows, what customers ask) but changes every name a feature could have learnt
by heart, thins the event stream, drops the columns the contract does not require, and
writes the events as CSV instead of Parquet. Tests and benchmarks run the department on it
to catch code that only works for the demo's shape.

Pure rewrite of files: nothing here knows how csops reads them.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from csops.domain.contract import ENTITIES

PLAN_NAMES = {
    "Starter": "Spark",
    "Team": "Crew",
    "Business": "Fleet",
    "Enterprise": "Armada",
    "Analytics": "Insight pack",
    "Sandbox": "Playground",
}
PRODUCT_NAMES = {
    "Core platform": "Workbench",
    "Analytics add-on": "Insight pack",
    "Sandbox": "Playground",
}
SEGMENT_NAMES = {"SMB": "Self-serve", "Mid-Market": "Commercial", "Enterprise": "Strategic"}
REGION_NAMES = {"NA": "AMER", "EMEA": "EU+", "APAC": "ASIA", "LATAM": "SOUTH"}
PRIORITY_NAMES = {"low": "P4", "normal": "P3", "high": "P2", "urgent": "P1"}
CHANNEL_NAMES = {"email": "mail", "chat": "messenger", "web": "portal", "phone": "voice"}
OWNER_DOMAIN = ("lumora.io", "quillstack.example")

# A company that does not track logins or sessions: the most common demo event is gone.
DROPPED_EVENTS = frozenset({"login"})
EVENT_KEEP_SHARE = 0.6


def event_name(demo_name: str) -> str:
    """A stable, meaningless name: nothing may recognise an event by its demo name."""
    return "evt." + hashlib.sha1(demo_name.encode()).hexdigest()[:8]


def rewrite_company(src: Path, out: Path, *, seed: int = 11) -> dict[str, list[Path]]:
    """Rewrites the demo company's files in `src` into `out`; returns {entity: [paths]}."""
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, list[Path]] = {}
    for entity in ENTITIES:
        if entity == "events":
            continue
        path = src / f"{entity}.csv"
        if not path.exists():
            continue
        table = _contract_columns(
            entity,
            pacsv.read_csv(
                path,
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                convert_options=_all_text(path),
            ),
        )
        table = _rename_values(entity, table)
        target = out / f"{entity}.csv"
        pacsv.write_csv(table, target)
        written[entity] = [target]
    rng = np.random.default_rng(seed)
    events = [_rewrite_events(p, out, rng) for p in sorted(src.glob("events-*.parquet"))]
    written["events"] = [p for p in events if p is not None]
    return written


def _all_text(path: Path) -> pacsv.ConvertOptions:
    """Reads every column as text, so values are rewritten exactly as they were written."""
    with path.open(newline="", encoding="utf-8") as handle:
        names = next(csv.reader(handle))
    return pacsv.ConvertOptions(
        column_types={n: pa.string() for n in names},
        strings_can_be_null=False,
    )


def _contract_columns(entity: str, table: pa.Table) -> pa.Table:
    """Only the columns the data contract defines: extras a demo file carries are gone."""
    known = set(ENTITIES[entity].column_names)
    return table.select([c for c in table.column_names if c in known])


_VALUE_MAPS: Mapping[str, Mapping[str, Mapping[str, str]]] = {
    "accounts": {"segment": SEGMENT_NAMES, "region": REGION_NAMES},
    "subscriptions": {"plan": PLAN_NAMES, "product": PRODUCT_NAMES},
    "tickets": {"priority": PRIORITY_NAMES, "channel": CHANNEL_NAMES},
}


def _rename_values(entity: str, table: pa.Table) -> pa.Table:
    for column, mapping in _VALUE_MAPS.get(entity, {}).items():
        if column in table.column_names:
            values = [mapping.get(v, v) for v in table.column(column).to_pylist()]
            table = table.set_column(
                table.column_names.index(column), column, pa.array(values, pa.string())
            )
    for column in ("owner_email", "assignee_email"):
        if column in table.column_names:
            replaced = pc.replace_substring(table.column(column), *OWNER_DOMAIN)
            table = table.set_column(table.column_names.index(column), column, replaced)
    return table


def _rewrite_events(path: Path, out: Path, rng: np.random.Generator) -> Path | None:
    table = pq.read_table(path)
    types = table.column("event_type")
    kept = pc.invert(pc.is_in(types, pa.array(sorted(DROPPED_EVENTS))))
    kept = pc.and_(kept, pa.array(rng.random(len(table)) < EVENT_KEEP_SHARE))
    table = table.filter(kept)
    if len(table) == 0:
        return None
    names = {t: event_name(t) for t in pc.unique(table.column("event_type")).to_pylist()}
    renamed = pa.array([names[t] for t in table.column("event_type").to_pylist()], pa.string())
    table = table.set_column(table.column_names.index("event_type"), "event_type", renamed)
    table = _contract_columns("events", table)
    target = out / path.with_suffix(".csv").name
    pacsv.write_csv(table, target)
    return target
