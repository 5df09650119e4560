"""What a report is made of. A specialist contributes a `Section`; renderers never need
to know which specialist wrote it.

A section is a list of blocks: headline figures, tables, charts (inline SVG, drawn
server-side so the report needs no network), and short paragraphs. `data` carries the
same content as plain JSON-able values for the JSON format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine

from csops.config import Settings


@dataclass(frozen=True)
class Figure:
    """One headline number: `value` is already formatted for people."""

    label: str
    value: str
    note: str = ""  # e.g. "monthly rate", "trailing 12 months"
    tone: str = "neutral"  # neutral | good | bad


@dataclass(frozen=True)
class Figures:
    items: tuple[Figure, ...]


@dataclass(frozen=True)
class TableBlock:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # Columns that hold numbers are right-aligned.
    numeric: tuple[str, ...] = ()
    empty: str = "Nothing to show."


@dataclass(frozen=True)
class Chart:
    title: str
    svg: str  # a complete <svg> element
    caption: str = ""


@dataclass(frozen=True)
class Text:
    text: str


Block = Figures | TableBlock | Chart | Text


@dataclass(frozen=True)
class Section:
    key: str  # stable identifier, e.g. "revenue", "health"
    title: str
    blocks: tuple[Block, ...]
    data: dict[str, Any] = field(default_factory=dict)
    summary: str = ""


@dataclass(frozen=True)
class ReportContext:
    """What a section builder may use. The as-of date bounds everything it reads."""

    settings: Settings
    engine: Engine
    as_of: date


SectionBuilder = Callable[[ReportContext], Section | None]
