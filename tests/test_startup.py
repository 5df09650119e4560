"""`csops` starts quickly: heavy libraries load only with the commands that need them."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sklearn", "lightgbm", "matplotlib", "scipy", "pyspark", "jinja2")


def test_importing_the_cli_loads_no_heavy_library() -> None:
    probe = f"import sys, csops.cli; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""


def test_a_lazy_group_loads_its_own_module_only() -> None:
    probe = (
        "import sys; from csops.commands.lazy import load_group; "
        "g = load_group('metrics'); "
        "print(g.name, ','.join(sorted(g.commands)), 'sklearn' in sys.modules)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert shown[0] == "metrics"
    assert shown[1].split(",") == ["cohorts", "mrr", "retention", "trend"]
    assert shown[2] == "False"
