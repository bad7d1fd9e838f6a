"""What a start loads counts against the footprint (L6): heavy libraries the program needs only
now and then are imported when first used, never at start."""

from __future__ import annotations

import subprocess
import sys

from tests.bot_process import ROOT

LATER = ("numpy", "matplotlib", "openpyxl", "pandas")


def test_a_start_loads_none_of_the_heavy_libraries_used_later():
    # A fresh interpreter: this test process may hold them already from other tests.
    probe = (
        "import sys, bot.app, handlers; "
        f"print(' '.join(name for name in {LATER!r} if name in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == []
