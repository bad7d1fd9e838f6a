"""The submission gate: sending asks it before anything of a campaign leaves, on every path
(Send now, a schedule's run, a platform-mode schedule, a missed run sent, a resume)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from bot.approval.service import ApprovalService
from storage.approvals import ApprovalState

log = logging.getLogger(__name__)


class ApprovalGate:
    """`Sender.gate`: holds what waits for approval; checks what nobody asked about yet."""

    def __init__(self, approvals: ApprovalService) -> None:
        self.approvals = approvals
        self._cleared: set[int] = set()  # found below the thresholds since this start
        self._tasks: set[asyncio.Task[Any]] = set()

    def admits(self, campaign_id: int) -> bool:
        """Whether the campaign may be submitted now. When not, it is held (state `scheduled`)
        and whatever is owed follows in the background: the owner told that it waits, or the
        thresholds checked and approvers asked (or, below them, the campaign launched again)."""
        approval = self.approvals.store.approvals.for_campaign(campaign_id)
        if approval is not None:
            if approval.state is ApprovalState.APPROVED:
                return True
            campaign = self.approvals.store.campaigns.get(campaign_id)
            if self.approvals.hold(campaign_id) and campaign is not None:
                log.info("campaign %s reached its time but waits for approval", campaign_id)
                self._spawn(self.approvals.tell_owner(campaign, at_its_time=True))
            return False
        if not self.approvals.active or campaign_id in self._cleared:
            return True
        campaign = self.approvals.store.campaigns.get(campaign_id)
        if campaign is None or not self.approvals.fresh(campaign):
            return True  # under way before approval was asked for: never stopped halfway
        if campaign.test:
            return True  # one message to its author's own address: nobody else's to approve
        self._spawn(self._check(campaign_id))
        return False

    async def _check(self, campaign_id: int) -> None:
        """Ask for approval if needed; otherwise the campaign goes on."""
        approval = await self.approvals.request(campaign_id, tell_owner=True)
        if approval is None:
            self._cleared.add(campaign_id)
            self.approvals.launcher.launch(campaign_id)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(self._logged(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _logged(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except Exception:
            log.exception("approval: a background step failed")

    async def drain(self) -> None:
        """At shutdown: let the approvers and owners being told get their messages."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=10)
