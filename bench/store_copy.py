"""Benchmark: copying the store tables into DuckDB for analysis (`csops.analytics.store_copy`).

Not a test: run it by hand and read the figures.

    python bench/store_copy.py --accounts 100000 --months 24

`csops ingest` makes these copies before it returns, so the first command after an
ingest does not wait for them; this measures what that step adds to an ingest that
touched every table. It takes the shared company of that size (`bench/company.py`),
moves its existing copies aside, makes every table's copy again, timing each, and puts
the old copies back.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from company import prepare_company
from figures import Figures, step

from csops.analytics.store_copy import STORE_TABLES, copies_folder, ensure_copies
from csops.store.database import make_engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--profile", type=Path, help="Write cProfile files into this folder.")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    company = prepare_company(args.accounts, args.months)
    settings = company.settings
    engine = make_engine(settings)
    folder = copies_folder(settings)
    figures = Figures(accounts=args.accounts, months=args.months)
    with tempfile.TemporaryDirectory(dir=folder.parent if folder.exists() else None) as aside:
        if folder.exists():
            shutil.move(folder, Path(aside) / "store")
        try:
            rows: dict[str, int] = {}
            for name in STORE_TABLES:
                with step(figures, f"copy_{name}", args.profile):
                    ensure_copies(settings, engine, [name], on_copy=rows.__setitem__)
            figures["rows"] = rows
            figures["copy_all_s"] = round(sum(figures[f"copy_{n}_s"] for n in STORE_TABLES), 2)
            figures["megabytes_on_disk"] = round(
                sum(p.stat().st_size for p in folder.glob("*.duckdb")) / 1e6, 1
            )
        finally:
            if (Path(aside) / "store").exists():
                shutil.rmtree(folder, ignore_errors=True)
                shutil.move(Path(aside) / "store", folder)
    if args.json:
        print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
