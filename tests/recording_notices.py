"""A stand-in for Telegram at the service level: records every notice a service tells.

`told` lists what Telegram would have taken, `refused` what it would not (chats in
`unreachable`, as when the user blocked the bot). `wait_for` waits on the next matching notice
without sleeping: each `tell` wakes the waiters.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from bot.notices import Notice

N = TypeVar("N", bound=Notice)


class RecordingNotices:
    def __init__(self) -> None:
        self.told: list[tuple[int, Notice]] = []
        self.refused: list[tuple[int, Notice]] = []
        self.unreachable: set[int] = set()
        self.edited: list[tuple[int, int, Notice]] = []  # chat, message id, how it reads now
        self._told = asyncio.Condition()

    async def tell(self, chat_id: int, notice: Notice) -> bool:
        taken = chat_id not in self.unreachable
        async with self._told:
            (self.told if taken else self.refused).append((chat_id, notice))
            self._told.notify_all()
        return taken

    async def post(self, chat_id: int, notice: Notice) -> int | None:
        """As Telegram would: a message id for a card taken, None when refused."""
        if not await self.tell(chat_id, notice):
            return None
        return len(self.told)

    async def edit(self, chat_id: int, message_id: int, notice: Notice) -> bool:
        self.edited.append((chat_id, message_id, notice))
        return chat_id not in self.unreachable

    def of(self, kind: type[N], chat_id: int | None = None) -> list[N]:
        """The notices of one kind Telegram took (for one chat when given), oldest first."""
        return [
            notice
            for chat, notice in self.told
            if isinstance(notice, kind) and (chat_id is None or chat == chat_id)
        ]

    async def wait_for(
        self,
        kind: type[N],
        chat_id: int | None = None,
        where: Callable[[N], bool] = lambda _: True,
        *,
        refused: bool = False,
        timeout: float = 10.0,
    ) -> N:
        """The first notice of `kind` (to `chat_id`, matching `where`) told so far or next."""

        def found() -> N | None:
            for chat, notice in self.refused if refused else self.told:
                if isinstance(notice, kind) and chat_id in (None, chat) and where(notice):
                    return notice
            return None

        async with asyncio.timeout(timeout), self._told:
            await self._told.wait_for(lambda: found() is not None)
        notice = found()
        assert notice is not None
        return notice
