"""The loop-lag monitor sees an injected stall: in its histogram, on /metrics, and in a warning;
it times garbage collections too, and the real program keeps its start-up objects out of them.

A stall may begin up to one sampling interval after a sample was due, so a block of B seconds
shows as a lag of at least B minus the interval; that is the only time these tests assert.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import re
import time
from collections.abc import Callable

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.loop_lag import LoopLagMonitor, Stall
from bot.metrics import Metrics

BLOCK = 0.4
INTERVAL = 0.05


def longest_lag(rendered: str) -> float:
    for family in text_string_to_metric_families(rendered):
        if family.name == "pulse_event_loop_lag_longest_seconds":
            return family.samples[0].value
    raise AssertionError("no longest-lag gauge in the metrics")


def lag_figures(rendered: str) -> dict[str, float]:
    """The loop-lag histogram's samples: '_sum', '_count' and '_bucket' per upper bound."""
    for family in text_string_to_metric_families(rendered):
        if family.name == "pulse_event_loop_lag_seconds":
            return {
                sample.name.removeprefix(family.name) + sample.labels.get("le", ""): sample.value
                for sample in family.samples
            }
    raise AssertionError("no loop-lag histogram in the metrics")


def collection_counts(rendered: str) -> dict[str, float]:
    """How many garbage collections the histogram holds, by generation."""
    for family in text_string_to_metric_families(rendered):
        if family.name == "pulse_gc_pause_seconds":
            return {
                sample.labels["generation"]: sample.value
                for sample in family.samples
                if sample.name.endswith("_count")
            }
    raise AssertionError("no garbage collection histogram in the metrics")


def generate_the_monthly_report() -> None:
    time.sleep(BLOCK)  # a blocking call inside the loop: what the monitor is for


async def monthly_report_stall(
    caplog: pytest.LogCaptureFixture, report: Callable[[], None], metrics: Metrics
) -> tuple[Stall, str]:
    """Run `report` in a task named "monthly-report" under a monitor: its stall and warning."""
    stalls: list[Stall] = []
    seen = asyncio.Event()

    def on_stall(stall: Stall) -> None:
        stalls.append(stall)  # a busy machine may add stalls of its own; ours is named
        if stall.task == "monthly-report":
            seen.set()

    monitor = LoopLagMonitor(
        metrics.loop_lag, collections=metrics.gc_pauses, interval=INTERVAL, on_stall=on_stall
    )
    monitor.start()
    try:
        with caplog.at_level(logging.WARNING, logger="bot.loop_lag"):

            async def run() -> None:
                report()

            await asyncio.create_task(run(), name="monthly-report")
            async with asyncio.timeout(10):
                await seen.wait()
    finally:
        monitor.stop()
    [stall] = [stall for stall in stalls if stall.task == "monthly-report"]
    [warning] = [r.getMessage() for r in caplog.records if "'monthly-report'" in r.getMessage()]
    assert monitor._collecting not in gc.callbacks, "a stopped monitor no longer times collections"
    return stall, warning


async def test_a_blocking_call_in_a_task_is_measured_and_named(
    caplog: pytest.LogCaptureFixture,
) -> None:
    metrics = Metrics()
    stall, warning = await monthly_report_stall(caplog, generate_the_monthly_report, metrics)

    assert stall.seconds >= BLOCK - INTERVAL
    assert stall.where is not None
    assert "tests/test_loop_lag.py" in stall.where
    assert "generate_the_monthly_report" in stall.where
    assert warning.startswith("event loop stalled for ")
    assert "generate_the_monthly_report" in warning

    figures = lag_figures(metrics.render().decode())
    assert figures["_sum"] >= BLOCK - INTERVAL
    assert figures["_count"] - figures["_bucket0.25"] >= 1, "a sample above 250 ms"


async def test_the_running_program_shows_a_stall_on_metrics_and_in_its_log(start_bot) -> None:
    program = await start_bot()
    # This test runs in the program's own loop: blocking here holds the program.
    generate_the_monthly_report()
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{program.url}/metrics") as response,
    ):
        assert response.status == 200
        rendered = await response.text()
    figures = lag_figures(rendered)
    assert figures["_sum"] >= BLOCK - INTERVAL
    assert BLOCK - INTERVAL <= longest_lag(rendered) <= figures["_sum"]
    assert figures["_count"] - figures["_bucket0.25"] >= 1
    logged = [line for line in program.logs().splitlines() if "event loop stalled" in line]
    assert any("generate_the_monthly_report" in line for line in logged)


async def test_the_loop_is_crowded_after_a_stall_and_no_longer_once_it_keeps_time() -> None:
    """What submission asks before it puts more requests in flight (bot/sending/request_slots)."""

    async def until(condition) -> None:  # type: ignore[no-untyped-def]
        # Asked as submission asks it, once in a while: the monitor signals nothing itself.
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(INTERVAL)

    monitor = LoopLagMonitor(Metrics().loop_lag, interval=INTERVAL)
    monitor.start()
    try:
        generate_the_monthly_report()  # the loop is held: the next sample comes late
        await until(monitor.crowded)
        await until(lambda: not monitor.crowded())  # half a second of samples on time
    finally:
        monitor.stop()


async def test_a_collection_during_a_stall_is_timed_and_named_in_the_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    metrics = Metrics()

    def report_then_collect() -> None:
        generate_the_monthly_report()
        gc.collect()  # a full collection, inside the same stall

    stall, warning = await monthly_report_stall(caplog, report_then_collect, metrics)

    assert 0 < stall.collecting < stall.seconds
    assert "; garbage collection took " in warning
    assert collection_counts(metrics.render().decode())["2"] >= 1


async def test_the_real_program_keeps_its_start_up_objects_out_of_collections_and_times_them(
    bot_process,
) -> None:
    [line] = [
        line for line in bot_process.logs().splitlines() if "kept out of garbage collection" in line
    ]
    frozen = int(re.search(r"([\d,]+) objects", line).group(1).replace(",", ""))
    assert frozen > 100_000, "aiogram's Bot API models alone are about 200,000 objects"

    async def counts() -> dict[str, float]:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{bot_process.url}/metrics") as response,
        ):
            return collection_counts(await response.text())

    # The youngest generation is collected every few hundred allocations of a running program;
    # its pauses reach the histogram at the monitor's next sample.
    async with asyncio.timeout(30):
        while not (await counts()).get("0"):  # noqa: ASYNC110 - another process: it cannot signal
            await asyncio.sleep(INTERVAL)
