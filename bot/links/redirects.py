"""`GET /l/<code>`: a short link sends its reader on to the original address and counts the click.

Clicks are gathered for a moment and stored together: one transaction (one disk sync) per
moment instead of one per click keeps the endpoint fast under a burst of readers.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable

from aiohttp import web

from bot.links.tracking import CODE_PATTERN, LINK_PATH, Utm, is_preview_robot, with_utm
from bot.metrics import Metrics
from storage.clock import utc_now_iso
from storage.links import Clicks, Links

log = logging.getLogger(__name__)

# Nobody but the recipient should see the address, and a cached redirect would skip the count.
_HEADERS = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}
FLUSH_SECONDS = 0.2


class LinkRedirects:
    def __init__(
        self,
        links: Links,
        utm: Utm,
        on_click: Callable[[int], None] = lambda campaign_id: None,
        *,
        metrics: Metrics | None = None,
        flush_seconds: float = FLUSH_SECONDS,
    ) -> None:
        self._metrics = metrics
        self._links = links
        self._utm = utm
        self._on_click = on_click  # told the campaign, so its card shows the new count
        self._flush_seconds = flush_seconds
        self._pending: dict[str, Clicks] = {}
        self._campaigns: set[int] = set()
        self._timer: asyncio.TimerHandle | None = None

    def register(self, app: web.Application) -> None:
        app.router.add_get(LINK_PATH + "/{code}", self.handle, allow_head=True)
        app.on_cleanup.append(self._stored_at_exit)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        code = request.match_info["code"]
        found = self._links.target(code) if CODE_PATTERN.match(code) else None
        if found is None:
            # Only addresses we shortened are ever redirected to: no open redirect.
            self._counted("unknown")
            return web.Response(status=404, text="not found", headers=_HEADERS)
        target, campaign_id = found
        if is_preview_robot(request.headers.get("User-Agent", "")):
            self._counted("robot")
        elif request.method == "GET":
            self._counted("click")
            self._count(code, campaign_id)
        return web.Response(
            status=302, headers={**_HEADERS, "Location": with_utm(target, self._utm)}
        )

    def _counted(self, kind: str) -> None:
        if self._metrics is not None:
            self._metrics.link_requests.labels(kind=kind).inc()

    def _count(self, code: str, campaign_id: int) -> None:
        now = utc_now_iso()
        pending = self._pending.get(code)
        if pending is None:
            self._pending[code] = Clicks(code, 1, now, now)
        else:
            pending.count += 1
            pending.last_at = now
        self._campaigns.add(campaign_id)
        if self._timer is None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self._flush_seconds, self.flush)

    def flush(self) -> None:
        """Store the clicks gathered so far and tell their campaigns."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        campaigns, self._campaigns = self._campaigns, set()
        try:
            self._links.add_clicks(pending.values())
        except sqlite3.Error:
            # Readers got where they were going; only these counts are lost.
            log.exception("could not store %d clicks", sum(c.count for c in pending.values()))
            return
        for campaign_id in campaigns:
            try:
                self._on_click(campaign_id)
            except Exception:
                log.exception("campaign %s: click listener failed", campaign_id)

    async def _stored_at_exit(self, app: web.Application) -> None:
        self.flush()
