"""A process of its own for work on big recipient lists, so its Python never shares the GIL.

Reading a 100,000-row upload is seconds of pure Python (CSV rows, number parsing, zones,
placeholder coverage) plus C calls that keep the GIL for tens of milliseconds each (regular
expressions over the whole text, splitting it); so is counting the SMS parts of each
recipient's own text for the preview. In a worker thread that work takes turns on the
GIL with the event loop, and the loop, which answers every person and every status callback,
fell behind by hundreds of milliseconds at a time. In a process it runs beside the loop, on a
core of its own when there is one.

The process runs at a lower CPU priority than the program (NICENESS), so that where cores are
few the loop still runs first. It is started at the first big list (spawned, not forked: the program has threads),
imports only the list work (not aiogram), and stays for the next one; small lists are handled
in a thread, where starting a process would cost more than it saves. It reads and writes the
database itself, over connections of its own, and sends back only what the card shows, so
nothing list-sized crosses back into the program.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from typing import ParamSpec, TypeVar

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

# From this size on an upload is read in the process: about 15,000 rows of a phone and a name.
BIG_UPLOAD_BYTES = 512 * 1024
# From this size on a stored list's texts are measured there (each recipient's own text).
BIG_LIST_ROWS = 15_000
# How much lower than the program's the process's CPU priority is: on a machine with few cores
# the loop, which answers people and the platform, runs first, and list work takes what is left.
NICENESS = 10

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_yield_to_the_program,
            )
        return _pool


async def in_list_process(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run `work` (a module-level function; its arguments and result are pickled) in the list
    process. A process that died (killed, out of memory) is replaced and the work tried once
    more there. Work that writes may then have written part of its result already: a list
    stored in part (its size not yet set, so nothing refers to it) is stored again whole, and a
    stop-list file already applied is applied again (its addresses are there; its audit record
    is written twice). Nothing is ever sent from here."""
    global _pool
    loop = asyncio.get_running_loop()
    for attempt in (1, 2):
        pool = _executor()
        try:
            return await loop.run_in_executor(pool, _call, work, args, kwargs)
        except BrokenProcessPool:
            log.warning("the list process died; starting a new one (attempt %d)", attempt)
            with _lock:
                if _pool is pool:
                    _pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _yield_to_the_program() -> None:
    with suppress(OSError):  # a system that refuses only keeps the same priority
        os.nice(NICENESS)


def _call(work: Callable[..., T], args: tuple, kwargs: dict) -> T:
    return work(*args, **kwargs)


def stop_list_process() -> None:
    """Let the process go at shutdown (it is idle between uploads)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
