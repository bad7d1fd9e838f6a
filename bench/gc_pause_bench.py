"""What a full garbage collection costs the program, before and after its start-up objects are
frozen (bot/loop_lag.py, `freeze_startup_objects`).

Run from the repository root: `python bench/gc_pause_bench.py [--runs 5]`. It imports the
program as `python -m bot` does, then times full collections (the median of `--runs`) with
every object tracked, and again once they are frozen.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def full_collection_ms(runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        gc.collect()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main(runs: int) -> int:
    import bot.app  # noqa: F401 - what `python -m bot` imports before it starts
    from bot.loop_lag import freeze_startup_objects

    tracked = len(gc.get_objects())
    before = full_collection_ms(runs)
    frozen = freeze_startup_objects()
    after = full_collection_ms(runs)
    print(f"objects tracked after import: {tracked:,}; frozen: {frozen:,}")
    print(
        f"full collection, median of {runs}: {before:.1f} ms before the freeze, {after * 1000:.1f} µs after"
    )
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    sys.exit(main(parser.parse_args().runs))
