"""Which updates of each person are still being handled, so a press can wait for them.

aiogram-dialog draws a card before it stores the dialog behind it: the card is sent (or edited)
while its update is handled, and the dialog is stored when that update ends. A quick press on
the new card (a double tap, or a person faster than a slow commit) can arrive in between and
find no dialog: such a press waits for that person's earlier updates and is then taken again,
once (`bot/telegram/dialog_kit.py`, `answer_old_card`). A message written in between would
reach the step before: what a person writes waits for their earlier updates, so it goes to the
step their last one left them at. Presses are not queued: a press on another card during a
long send must not wait for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User

# A press waits at most this long for the updates before it; a person waits for no longer.
EARLIER_UPDATES_WAIT_S = 10.0


class UpdatesInFlight(BaseMiddleware):
    """An outer middleware on updates: notes each person's updates from arrival to the end."""

    def __init__(self) -> None:
        self._running: dict[int, dict[int, asyncio.Event]] = {}

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if not isinstance(event, Update) or user is None:
            return await handler(event, data)
        running = self._running.setdefault(user.id, {})
        if event.update_id in running:  # the same update taken again: noted already
            return await handler(event, data)
        done = running[event.update_id] = asyncio.Event()
        try:
            if event.message is not None:
                await self.earlier_handled(user.id, event.update_id)
            return await handler(event, data)
        finally:
            done.set()
            del running[event.update_id]
            if not running:
                del self._running[user.id]

    async def earlier_handled(self, user_id: int, update_id: int) -> bool:
        """Wait until the person's updates that came before `update_id` are handled (for
        `EARLIER_UPDATES_WAIT_S` at most); whether there were any. Only earlier ones: two
        presses never wait for each other."""
        earlier = [
            done.wait()
            for other, done in self._running.get(user_id, {}).items()
            if other < update_id
        ]
        if not earlier:
            return False
        with suppress(TimeoutError):
            async with asyncio.timeout(EARLIER_UPDATES_WAIT_S):
                await asyncio.gather(*earlier)
        return True

    async def all_handled(self) -> None:
        """Wait until no update is being handled (for `EARLIER_UPDATES_WAIT_S` at most): at
        shutdown, after the last update was taken, so none is cut off halfway (a dialog drawn
        and not yet stored, a reply not yet sent)."""
        running = [done.wait() for person in self._running.values() for done in person.values()]
        if not running:
            return
        with suppress(TimeoutError):
            async with asyncio.timeout(EARLIER_UPDATES_WAIT_S):
                await asyncio.gather(*running)
