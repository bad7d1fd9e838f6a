"""Step-level tests of a dialog, through aiogram-dialog's test tools and no Telegram at all.

The Dispatcher is wired as the program wires it (`bot.telegram.wiring.wire_dispatcher`: languages, the
stranger gate, role checks, presses answered once, dialogs) around the routers under test, with
a Store of its own. aiogram-dialog's `BotClient` sends the updates; the cards a dialog draws are
kept by its `MockMessageManager`; what handlers send or answer themselves is recorded by
`RecordingBot`. A step takes milliseconds, against about a second for the fakes over HTTP, so
edge cases of one dialog belong here and whole journeys stay with the fakes.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiogram import Dispatcher, Router
from aiogram.methods import AnswerCallbackQuery, SendMessage, TelegramMethod
from aiogram.types import Chat, Message, User
from aiogram_dialog.test_tools import BotClient, MockMessageManager
from aiogram_dialog.test_tools.bot_client import FakeBot
from aiogram_dialog.test_tools.keyboard import InlineButtonTextLocator
from aiogram_dialog.utils import CB_SEP

from bot.config import load_settings
from bot.i18n import make_i18n
from bot.telegram.fsm_storage import SQLiteStorage
from bot.telegram.wiring import wire_dispatcher
from storage.members import Role
from storage.store import Store
from tests.recording_notices import RecordingNotices

BOT_TOKEN = "123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


class RecordingBot(FakeBot):
    """A bot that records what handlers send and how presses are answered."""

    def __init__(self) -> None:
        self.calls: list[TelegramMethod[Any]] = []
        self.answers: dict[str, AnswerCallbackQuery] = {}
        self._message_ids = itertools.count(10_000)

    async def __call__(
        self, method: TelegramMethod[Any], request_timeout: int | None = None
    ) -> Any:
        self.calls.append(method)
        if isinstance(method, AnswerCallbackQuery):
            self.answers[method.callback_query_id] = method
            return True
        if isinstance(method, SendMessage):
            return Message(
                message_id=next(self._message_ids),
                date=datetime.now(UTC),
                chat=Chat(id=int(method.chat_id), type="private"),
                from_user=User(id=self.id, is_bot=True, first_name="Pulse"),
                text=method.text,
            )
        return True  # edits and the like: taken

    def sent(self) -> list[str]:
        """The texts handlers sent as messages of their own (cards are the dialog's)."""
        return [call.text for call in self.calls if isinstance(call, SendMessage)]


class Cards(MockMessageManager):
    """Keeps every card drawn; presses are answered by the dispatcher's middleware, as in the
    program (bot/telegram/dialog_kit.py, `CardMessages`)."""

    async def answer_callback(self, bot: Any, callback_query: Any) -> None:
        return None


@dataclass
class DialogClient:
    """One member talking to the dialogs of `routers`."""

    client: BotClient
    cards: Cards
    bot: RecordingBot
    store: Store

    @property
    def card(self) -> Message:
        """The card drawn last (a card that only lost its buttons is not drawn anew)."""
        return next(message for message in reversed(self.cards.sent_messages) if message.text)

    @property
    def text(self) -> str:
        """The card's text as the dialog rendered it (HTML)."""
        return self.card.text or ""

    def buttons(self) -> list[str]:
        markup = self.card.reply_markup
        return [button.text for row in markup.inline_keyboard for button in row] if markup else []

    async def send(self, text: str) -> None:
        await self.client.send(text)

    async def press(self, label: str) -> str:
        """Press the button labelled `label` on the last card; returns how the press was answered."""
        query_id = await self.client.click(self.card, InlineButtonTextLocator(re.escape(label)))
        answer = self.bot.answers.get(query_id)
        return (answer.text or "") if answer else ""

    async def press_in_card(self, data: str) -> str:
        """A press carrying `data` inside the last card's dialog, as a forged or old client sends
        it; returns how it was answered."""
        markup = self.card.reply_markup
        assert markup is not None, "the card has no buttons"
        dialog, _separator, _button = (markup.inline_keyboard[0][0].callback_data or "").partition(
            CB_SEP
        )
        return await self.press_data(f"{dialog}{CB_SEP}{data}")

    async def press_data(self, data: str) -> str:
        """A press with any data on the last card, as a forged client sends it."""
        button = self.card.reply_markup.inline_keyboard[0][0]  # type: ignore[union-attr]
        forged = self.card.model_copy(
            update={
                "reply_markup": self.card.reply_markup.model_copy(  # type: ignore[union-attr]
                    update={
                        "inline_keyboard": [[button.model_copy(update={"callback_data": data})]]
                    }
                )
            }
        )
        query_id = await self.client.click(forged, InlineButtonTextLocator(re.escape(button.text)))
        answer = self.bot.answers.get(query_id)
        return (answer.text or "") if answer else ""


def dialog_client(
    tmp_path: Path,
    routers: list[Router],
    *,
    role: Role = Role.OPERATOR,
    user_id: int = 2002,
    store: Store | None = None,
    services: dict[str, Any] | None = None,
    **settings: Any,
) -> DialogClient:
    """A member with `role` in a private chat with a Dispatcher holding `routers`; `settings`
    are the program's (`locale="ru"` for the Russian interface). `store` and `services` (by the
    names handlers take them, e.g. `scheduling`) are a test world's, when the dialog needs one."""
    values = {"bot_token": BOT_TOKEN, "data_dir": str(tmp_path / "data"), "locale": "en"}
    loaded = load_settings(_env_file=None, **(values | settings))
    store = store or Store.open(tmp_path / "dialogs.db")
    store.members.set_role(user_id, role, added_by=None)
    i18n = make_i18n(loaded.locale, tmp_path / "locales")
    dispatcher = Dispatcher(
        storage=SQLiteStorage(store.fsm),
        store=store,
        settings=loaded,
        i18n=i18n,
        **(services or {}),
    )
    cards = Cards()
    wire_dispatcher(dispatcher, store, RecordingNotices(), i18n, routers, message_manager=cards)
    bot = RecordingBot()
    client = BotClient(dispatcher, user_id=user_id, chat_id=user_id, bot=bot)
    return DialogClient(client, cards, bot, store)
