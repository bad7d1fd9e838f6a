"""`GET /l/<code>`: a short link sends its reader on to the original address and counts the click."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

from aiohttp import web

from bot.links import CODE_PATTERN, LINK_PATH, Utm, is_preview_robot, with_utm
from storage.links import Links

log = logging.getLogger(__name__)

# Nobody but the recipient should see the address, and a cached redirect would skip the count.
_HEADERS = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}


class LinkRedirects:
    def __init__(
        self, links: Links, utm: Utm, on_click: Callable[[int], None] = lambda campaign_id: None
    ) -> None:
        self._links = links
        self._utm = utm
        self._on_click = on_click  # told the campaign, so its card shows the new count

    def register(self, app: web.Application) -> None:
        app.router.add_get(LINK_PATH + "/{code}", self.handle, allow_head=True)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        code = request.match_info["code"]
        found = self._links.target(code) if CODE_PATTERN.match(code) else None
        if found is None:
            # Only addresses we shortened are ever redirected to: no open redirect.
            return web.Response(status=404, text="not found", headers=_HEADERS)
        target, campaign_id = found
        robot = is_preview_robot(request.headers.get("User-Agent", ""))
        if not robot and request.method == "GET":
            try:
                self._links.click(code)
            except sqlite3.Error:
                # The reader still gets where they were going; only the count is lost.
                log.exception("could not count a click")
            else:
                self._on_click(campaign_id)
        return web.Response(
            status=302, headers={**_HEADERS, "Location": with_utm(target, self._utm)}
        )
