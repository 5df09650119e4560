"""Same arguments, same bytes: the demo is reproducible to the last byte."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from csops.demo import generate_company

END = dt.date(2024, 11, 20)


def _digests(paths: dict[str, list[Path]]) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for files in paths.values()
        for p in files
    }


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first = generate_company(tmp_path / "a", accounts=60, months=6, seed=3, end=END)
    second = generate_company(tmp_path / "b", accounts=60, months=6, seed=3, end=END)
    assert _digests(first) == _digests(second)
    assert len(_digests(first)) == 8 + 7  # eight CSV files, events for 7 calendar months


def test_another_seed_gives_another_company(tmp_path: Path) -> None:
    first = generate_company(tmp_path / "a", accounts=60, months=6, seed=3, end=END)
    other = generate_company(tmp_path / "b", accounts=60, months=6, seed=4, end=END)
    assert _digests(first)["accounts.csv"] != _digests(other)["accounts.csv"]


def test_a_rerun_replaces_the_previous_files(tmp_path: Path) -> None:
    generate_company(tmp_path, accounts=30, months=12, seed=3, end=END)
    paths = generate_company(tmp_path, accounts=30, months=3, seed=3, end=END)
    on_disk = sorted(p.name for p in tmp_path.iterdir())
    assert on_disk == sorted(p.name for files in paths.values() for p in files)


def test_progress_is_reported_up_to_the_total(tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    generate_company(
        tmp_path,
        accounts=25,
        months=2,
        seed=1,
        end=END,
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    assert seen and seen[-1][1:] == (25, 25)


@pytest.mark.parametrize(("accounts", "months"), [(0, 12), (10, 0)])
def test_rejects_an_empty_company(tmp_path: Path, accounts: int, months: int) -> None:
    with pytest.raises(ValueError):
        generate_company(tmp_path, accounts=accounts, months=months, end=END)
