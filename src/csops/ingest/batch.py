"""Ingest several paths: expand folders, infer entities, load in dependency order."""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from csops.domain.contract import ENTITIES, Entity, load_order
from csops.ingest.pipeline import IngestContext, Progress, entity_for, ingest_file
from csops.ingest.readers import FileRefused, file_format
from csops.ingest.summary import FileSummary, IngestReport

# Called once per file: (path, entity name) → a progress callback for that file.
ProgressFactory = Callable[[Path, str], Progress | None]


def plan(
    paths: list[Path], entity_name: str | None
) -> list[tuple[Path, Entity | None, str | None]]:
    """(path, entity, why-refused) for every file named or found in a named folder,
    sorted so that referenced entities load first."""
    files: list[Path] = []
    refused: list[tuple[Path, Entity | None, str | None]] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
            usable = [p for p in found if _looks_ingestible(p)]
            if not usable:
                skipped = ", ".join(p.name for p in found[:5]) or "none"
                refused.append(
                    (
                        path,
                        None,
                        f"{path}: no .csv, .parquet or .jsonl files "
                        f"(optionally .gz) in this folder; files found: {skipped}",
                    )
                )
            files.extend(usable)
        elif path.exists():
            files.append(path)
        else:
            refused.append((path, None, f"{path}: no such file or folder"))
    planned: list[tuple[Path, Entity]] = []
    for f in files:
        if entity_name is not None:
            if entity_name not in ENTITIES:
                refused.append(
                    (f, None, f"unknown entity {entity_name!r}; known: {', '.join(ENTITIES)}")
                )
                continue
            planned.append((f, ENTITIES[entity_name]))
            continue
        entity = entity_for(f)
        if entity is None:
            refused.append(
                (
                    f,
                    None,
                    f"{f.name}: cannot tell the entity from the file name; "
                    f"name it after one of {', '.join(ENTITIES)} or pass --entity",
                )
            )
        else:
            planned.append((f, entity))
    order = load_order([e.name for _, e in planned])
    planned.sort(key=lambda item: (order.index(item[1].name), str(item[0])))
    return refused + [(f, e, None) for f, e in planned]


def _looks_ingestible(path: Path) -> bool:
    try:
        file_format(path)
    except FileRefused:
        return False
    return True


@contextmanager
def workspace_lock(workspace: Path) -> Iterator[None]:
    """One ingest at a time per workspace (a second one waits)."""
    workspace.mkdir(parents=True, exist_ok=True)
    with open(workspace / ".ingest.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ingest_paths(
    ctx: IngestContext,
    paths: list[Path],
    entity_name: str | None = None,
    progress: ProgressFactory | None = None,
) -> IngestReport:
    report = IngestReport()
    with workspace_lock(ctx.settings.workspace):
        for path, entity, why in plan(paths, entity_name):
            if entity is None:
                report.files.append(FileSummary(path=str(path), entity=None, error=why))
                continue
            callback = progress(path, entity.name) if progress else None
            report.files.append(ingest_file(ctx, path, entity, callback))
    return report
