"""Waking a campaign when its waiting rows are due: one APScheduler job per campaign.

The rows' `not_before` in the database is the truth; the job only wakes the campaign, and is
set again from the database at every start (the engine asks for it when a pass ends, or at
start-up, with rows still waiting). A job that comes late runs however late; one that comes
early finds nothing due and asks to be woken again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.date import DateTrigger

log = logging.getLogger(__name__)


def job_id(campaign_id: int) -> str:
    return f"release:{campaign_id}"


class Releases:
    """Sets the job that launches a campaign when its earliest waiting row is due."""

    def __init__(self, scheduler: BaseScheduler, launch: Callable[[int], None]) -> None:
        self._scheduler = scheduler
        self._launch = launch

    def wake_at(self, campaign_id: int, moment: datetime) -> None:
        self._scheduler.add_job(
            self.fire,
            DateTrigger(run_date=moment),
            args=[campaign_id],
            id=job_id(campaign_id),
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )
        log.info("campaign %s: waiting recipients go out from %s", campaign_id, moment.isoformat())

    async def fire(self, campaign_id: int) -> None:
        # A coroutine, so APScheduler runs it on the event loop, where launching belongs (a
        # plain function would run in a worker thread).
        try:
            self._launch(campaign_id)
        except Exception:
            log.exception("campaign %s: could not release its waiting recipients", campaign_id)
