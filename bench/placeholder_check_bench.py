"""The composer's placeholder check on a 100,000-row list: from the stored coverage, and the old
way of reading and scanning every row, which ran on the event loop at every wizard step.

Run from the repository root: `python bench/placeholder_check_bench.py [--rows 100000]`.
Prints the time to compute the coverage once (done in a worker thread when the list is read),
its stored size, and the best of five checks each way. Exits with status 1 when a check from
the coverage takes over 10 ms (a tenth of the L3 stall limit).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.compose.coverage import Coverage
from bot.compose.list_checks import check_placeholders
from bot.compose.placeholders import lacking_values
from bot.compose.recipients import Recipient
from storage.campaigns import Draft
from storage.store import Store

CHECK_LIMIT_S = 0.01


def best(run: Callable[[], object], times: int = 5) -> float:
    results = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        results.append(time.perf_counter() - started)
    return min(results)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    rows_wanted = parser.parse_args().rows
    rows = [
        (f"7900{n:07d}", {"name": "" if n % 997 == 0 else "Анна", "city": "Tula"})
        for n in range(rows_wanted)
    ]
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "lists.db")
        try:
            started = time.perf_counter()
            coverage = Coverage.of((Recipient(a, f) for a, f in rows), ["name", "city"]).to_data()
            computed = time.perf_counter() - started
            list_id = store.recipient_lists.save(1, rows, ["name", "city"], (), coverage)
            draft = Draft(type="sms", sender="Shop", text="Hello {name}, {city}")
            charset = Draft(type="sms", sender="Shop", text="Hello {name|x}", charset="CP1251")

            def scan() -> None:
                items = store.recipient_lists.items(list_id)
                lacking_values([Recipient(a, f) for a, f in items], ["name", "city"])

            stored = best(lambda: check_placeholders(draft, store, list_id))
            charset_check = best(lambda: check_placeholders(charset, store, list_id))
            scanned = best(scan, times=3)
        finally:
            store.close()
    print(f"placeholder coverage of {rows_wanted:,} rows")
    print(f"computed once: {computed * 1000:.0f} ms; stored: {len(json.dumps(coverage)):,} bytes")
    print(
        f"check from the coverage: {stored * 1000:.2f} ms (charset check {charset_check * 1000:.2f} ms)"
    )
    print(f"the old read and scan of every row: {scanned * 1000:.0f} ms")
    met = max(stored, charset_check) <= CHECK_LIMIT_S
    print("met" if met else "NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
