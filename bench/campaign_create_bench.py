"""L3's Send step: the largest event-loop stall while a 100,000-row list becomes a campaign,
and while a stop cancels the rows of a 100,000-row campaign.

Run from the repository root: `python bench/campaign_create_bench.py [--recipients 100000]`.
Each step runs twice on the same SQLite file: once on the event loop's thread (as the program
did before) and once as the program does it now, in a worker thread over a connection of its
own. A ticker on the loop notes how late each of its 5 ms sleeps wakes; the largest delay is the
stall. Exits with status 1 when the program's way stalls the loop for more than 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.sending.creation import NewCampaign, create_campaign, create_off_loop
from storage.campaigns import CampaignState, Draft
from storage.store import Store

STALL_LIMIT_S = 0.100
TICK_S = 0.005


async def largest_stall(work: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    """Seconds the work took and the largest delay of the loop's ticker meanwhile."""
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    delays: list[float] = []

    async def ticker() -> None:
        while not done.is_set():
            due = loop.time() + TICK_S
            await asyncio.sleep(TICK_S)
            delays.append(loop.time() - due)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(TICK_S * 4)
    started = time.perf_counter()
    await work()
    took = time.perf_counter() - started
    await asyncio.sleep(TICK_S * 4)
    done.set()
    await task
    return took, max(delays)


async def main_async(recipients: int) -> bool:
    ok = True
    with tempfile.TemporaryDirectory(prefix="create-bench-") as folder:
        store = Store.open(Path(folder) / "bench.db")
        try:
            for way in ("on the loop", "worker thread"):
                rows = [(f"79{n:09d}", {"name": f"n{n}"}) for n in range(recipients)]
                list_id = await store.recipient_lists.save_off_loop(1, rows, ["name"])
                draft = Draft(type="sms", sender="Bench", text="Hello, {name}!")
                new = NewCampaign(draft, list_id, 1, 1, False, False, True)
                campaign_id = 0

                async def create(new: NewCampaign = new, way: str = way) -> None:
                    nonlocal campaign_id
                    if way == "on the loop":
                        campaign_id = create_campaign(store, new)
                    else:
                        campaign_id = await create_off_loop(store, new)

                took, stall = await largest_stall(create)
                print(f"create, {way}: {took:.2f} s, largest loop stall {stall * 1000:.0f} ms")

                def cancel(apart: Store, campaign_id: int = campaign_id) -> int:
                    return apart.messages.cancel_new(campaign_id)

                async def stop(way: str = way, cancel=cancel) -> None:
                    if way == "on the loop":
                        with store.db.atomic():
                            cancel(store)
                    else:
                        await store.write_off_loop(cancel)

                took, stop_stall = await largest_stall(stop)
                print(f"stop, {way}: {took:.2f} s, largest loop stall {stop_stall * 1000:.0f} ms")
                assert store.campaigns.get(campaign_id).state is CampaignState.SUBMITTING
                if way == "worker thread":
                    ok = stall <= STALL_LIMIT_S and stop_stall <= STALL_LIMIT_S
        finally:
            store.close()
    print(f"no stall over {STALL_LIMIT_S * 1000:.0f} ms: {'met' if ok else 'NOT met'}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    arguments = parser.parse_args()
    sys.exit(0 if asyncio.run(main_async(arguments.recipients)) else 1)


if __name__ == "__main__":
    main()
