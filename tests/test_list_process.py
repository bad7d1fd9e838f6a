"""The list process: a process that dies is replaced and the work tried once more there."""

from __future__ import annotations

import os
from pathlib import Path

from bot.compose.list_process import NICENESS, in_list_process, stop_list_process


def pid_of_worker() -> int:
    return os.getpid()


def niceness() -> int:
    return os.nice(0)


def die_once(marker: str) -> int:
    """Dies (as if killed) the first time, answers the second."""
    if not Path(marker).exists():
        Path(marker).touch()
        os._exit(9)
    return os.getpid()


async def test_a_process_that_died_is_replaced_and_stays_for_the_next_work(tmp_path):
    try:
        worker = await in_list_process(die_once, str(tmp_path / "died"))  # answered the 2nd time
        assert await in_list_process(pid_of_worker) == worker
        # Its list work gives way to the program's loop where cores are few.
        assert await in_list_process(niceness) == min(os.nice(0) + NICENESS, 19)
    finally:
        stop_list_process()
