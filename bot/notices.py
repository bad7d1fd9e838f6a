"""What the services tell people, and the one way it reaches Telegram.

Services (sending, schedules, campaign lifecycle) hold neither a `Bot` nor an `I18n`. They
describe what happened as a `Notice`, a frozen dataclass of plain facts (ids, counts, reason
codes), and hand it to `Notices.tell`. Tests give them a recorder instead of Telegram.

`TelegramNotices` is the Telegram side: each capability's `cards.py` registers how its notices
read (`render(notice) -> Card`), and the text is rendered in the configured language at the
moment it is sent, so a notice owed across a restart reads in the language of that day. A card
may carry a picture; one drawn when the card is sent is drawn in a worker thread, so the event
loop never waits on it.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from aiogram.exceptions import TelegramAPIError
from aiogram.types import BufferedInputFile

from bot.texts import units

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.types import InlineKeyboardMarkup
    from aiogram.utils.i18n import I18n

log = logging.getLogger(__name__)
CAPTION_CHARS = 1024  # Telegram's limit on a photo's caption, counted after the HTML is parsed
_TAG = re.compile(r"<[^>]*>")


class Notice:
    """Base of every notice: a frozen dataclass saying what happened, never how it reads."""


class Notices(Protocol):
    async def tell(self, chat_id: int, notice: Notice) -> bool:
        """Deliver `notice` to one chat; True once Telegram took it."""


@dataclass(frozen=True)
class Photo:
    """A picture sent with a card: its bytes, or how to draw them (blocking work, run in a
    worker thread when the card is sent)."""

    filename: str
    content: bytes | Callable[[], bytes]


@dataclass(frozen=True)
class Card:
    """A notice as it reads in Telegram: HTML text, its buttons, and maybe a picture."""

    text: str
    markup: InlineKeyboardMarkup | None = None
    photo: Photo | None = None


def caption_fits(text: str) -> bool:
    """Whether an HTML text fits under a photo: Telegram counts what is shown, in UTF-16 units."""
    return units(html.unescape(_TAG.sub("", text))) <= CAPTION_CHARS


Render = Callable[[Any], Card]


class TelegramNotices:
    """Renders each notice with the card its capability registered and sends it.

    One attempt per call: the pacing layer under the `Bot` already waits out 429s and retries
    what is safe to retry; what still fails is logged and reported as not delivered, so the
    caller decides whether the notice stays owed.
    """

    def __init__(
        self,
        bot: Bot,
        i18n: I18n,
        locale: str,
        renderers: Iterable[Mapping[type[Notice], Render]],
    ) -> None:
        self._bot, self._i18n, self._locale = bot, i18n, locale
        self._renderers: dict[type[Notice], Render] = {}
        for table in renderers:
            for kind, render in table.items():
                if kind in self._renderers:
                    raise ValueError(f"two renderers for {kind.__name__}")
                self._renderers[kind] = render

    def render(self, notice: Notice) -> Card:
        try:
            render = self._renderers[type(notice)]
        except KeyError:
            raise LookupError(f"no card registered for {type(notice).__name__}") from None
        with self._i18n.context(), self._i18n.use_locale(self._locale):
            return render(notice)

    async def tell(self, chat_id: int, notice: Notice) -> bool:
        return await self.post(chat_id, notice) is not None

    async def post(self, chat_id: int, notice: Notice) -> int | None:
        """Like `tell`, for a card to be changed later: its message id, or None.

        A card with a picture is a photo with the text as its caption; a text too long for a
        caption follows the photo as a message of its own (which then is the card's message).
        """
        card = self.render(notice)
        picture = await self._picture(card.photo, notice) if card.photo else None
        try:
            if picture is None:
                sent = await self._bot.send_message(chat_id, card.text, reply_markup=card.markup)
            elif caption_fits(card.text):
                sent = await self._bot.send_photo(
                    chat_id, picture, caption=card.text, reply_markup=card.markup
                )
            else:
                await self._bot.send_photo(chat_id, picture)
                sent = await self._bot.send_message(chat_id, card.text, reply_markup=card.markup)
        except TelegramAPIError as error:
            log.warning("could not tell chat %s (%s): %s", chat_id, type(notice).__name__, error)
            return None
        return sent.message_id

    async def _picture(self, photo: Photo, notice: Notice) -> BufferedInputFile | None:
        """The card's picture, drawn off the event loop; None when it cannot be drawn, and the
        card goes out as text alone rather than not at all."""
        content = photo.content
        if callable(content):
            try:
                content = await asyncio.to_thread(content)
            except Exception:
                log.exception("the picture for %s could not be drawn", type(notice).__name__)
                return None
        return BufferedInputFile(content, filename=photo.filename)

    async def edit(self, chat_id: int, message_id: int, notice: Notice) -> bool:
        """Redraw a card sent earlier as `notice` now reads (its buttons too); True when done."""
        card = self.render(notice)
        try:
            await self._bot.edit_message_text(
                card.text, chat_id=chat_id, message_id=message_id, reply_markup=card.markup
            )
        except TelegramAPIError as error:
            log.info("could not redraw a card in chat %s: %s", chat_id, error)
            return False
        return True
