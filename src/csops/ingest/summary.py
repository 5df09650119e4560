"""What an ingest reports, per file and in total (the `--json` shape of `csops ingest`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

COUNTS = ("rows_read", "rows_loaded", "rows_updated", "rows_unchanged", "rows_rejected")


@dataclass
class FileSummary:
    path: str
    entity: str | None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    rows_rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    quarantine_path: str | None = None
    error: str | None = None

    @property
    def changed_nothing(self) -> bool:
        return (
            self.error is None
            and self.rows_loaded == 0
            and self.rows_updated == 0
            and self.rows_rejected == 0
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class IngestReport:
    files: list[FileSummary] = field(default_factory=list)

    def totals(self) -> dict[str, Any]:
        totals: dict[str, Any] = {k: sum(getattr(f, k) for f in self.files) for k in COUNTS}
        reasons: Counter[str] = Counter()
        for f in self.files:
            reasons.update(f.reasons)
        totals["reasons"] = dict(sorted(reasons.items()))
        totals["files"] = len(self.files)
        totals["files_refused"] = sum(1 for f in self.files if f.error)
        return totals

    def as_dict(self) -> dict[str, Any]:
        return {"files": [f.as_dict() for f in self.files], "totals": self.totals()}

    def by_entity(self) -> list[tuple[int, FileSummary]]:
        """(number of files, summed summary) per entity, for a compact display."""
        grouped: dict[str, tuple[int, FileSummary]] = {}
        for f in self.files:
            name = f.entity or "?"
            files, total = grouped.get(name, (0, FileSummary(path="", entity=name)))
            for key in COUNTS:
                setattr(total, key, getattr(total, key) + getattr(f, key))
            grouped[name] = (files + 1, total)
        return list(grouped.values())

    def exit_code(self, strict: bool) -> int:
        """0 processed; 1 with --strict when a row was rejected; 2 when a file was refused."""
        if any(f.error for f in self.files):
            return 2
        if strict and any(f.rows_rejected for f in self.files):
            return 1
        return 0
