"""L2: 5,000 statuses for one campaign within 10 s stay within 20 group messages per minute,
and the group's summary card is right within 10 s of the last status.

Run from the repository root: `python bench/group_pacing_bench.py [--statuses 5000]`.
The fake Telegram enforces the group limit itself (429 and a recorded violation when broken).
Exits with status 1 when L2 is not met.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.callbacks_bench import GROUP, client, running_bot, write_urls

CARD_LIMIT_S = 10.0
GROUP_PER_MINUTE = 20


def busiest_minute(times: list[float]) -> int:
    """The most calls in any 60-second window."""
    times = sorted(times)
    return max(
        (len([t for t in times[index:] if t < start + 60]) for index, start in enumerate(times)),
        default=0,
    )


async def main(statuses: int, seconds: float) -> int:
    failed_every = 20
    async with running_bot(statuses) as (telegram, process, _, message_ids):
        await telegram.wait_message(GROUP, "Recipients: ", timeout=30)
        with tempfile.TemporaryDirectory(prefix="pulse-bench-") as folder:
            urls = Path(folder) / "urls"
            write_urls(urls, process.url, message_ids)
            lines = urls.read_text(encoding="utf-8").split()
        # Every 20th recipient fails ("2"), the rest are delivered ("1").
        lines = [
            line.replace("status=1", "status=2") if index % failed_every == 0 else line
            for index, line in enumerate(lines)
        ]
        failed = len(range(0, statuses, failed_every))
        delivered = statuses - failed
        started = time.monotonic()
        result = await client(lines, statuses / seconds, seconds + 5, 32)
        last_status_at = time.monotonic()

        expected = (f"Delivered: {delivered:,}", f"Failed: {failed:,}", "Pending: 0")

        def right_card() -> bool:
            card = telegram.last(GROUP)
            return card is not None and all(part in card.get("text", "") for part in expected)

        await telegram.wait_for(right_card, timeout=60)
        card_right_at = time.monotonic()
        # Watch the group for the rest of the minute: late edits must also fit.
        await asyncio.sleep(max(0.0, 60 - (time.monotonic() - started)))
        group_calls = [
            call.time
            for call in telegram.requests
            if call.params.get("chat_id") == GROUP and call.method.lower() != "getupdates"
        ]
        violations = list(telegram.violations)

    lag = card_right_at - last_status_at
    busiest = busiest_minute(group_calls)
    print(f"L2 group pacing: {statuses:,} statuses for one campaign")
    print(
        f"statuses sent in {result['elapsed']:.1f} s ({result['per_second']:,.0f}/s), "
        f"answers {result['statuses']}"
    )
    print(f"Telegram calls to the group: {len(group_calls)} in total, busiest minute {busiest}")
    print(f"summary card right {lag:.1f} s after the last status")
    print(f"rate-limit violations recorded by the fake Telegram: {len(violations)}")
    met = (
        busiest <= GROUP_PER_MINUTE
        and not violations
        and lag <= CARD_LIMIT_S
        and result["elapsed"] <= seconds + 1
    )
    print("L2 met" if met else "L2 NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statuses", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=10.0)
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.statuses, arguments.seconds)))
