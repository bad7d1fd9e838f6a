"""How the program meets Telegram: the middlewares every update passes, and the HTTP session."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods.base import Response, TelegramMethod, TelegramType
from aiogram.utils.i18n import I18n, SimpleI18nMiddleware
from aiogram_dialog.api.entities import DIALOG_EVENT_NAME
from aiogram_dialog.api.protocols import MessageManagerProtocol

from bot.access import RoleCheck, StrangerGate
from bot.notices import Notices
from bot.telegram import dialog_kit
from bot.telegram.in_flight import UpdatesInFlight
from bot.telegram.presses import AnswerPresses
from bot.telegram.topics import ConversationTopic
from storage.clock import utc_now
from storage.store import Store


def wire_dispatcher(
    dp: Dispatcher,
    store: Store,
    notices: Notices,
    i18n: I18n,
    routers: list[Router],
    clock: Callable[[], datetime] = utc_now,
    message_manager: MessageManagerProtocol | None = None,
) -> None:
    """The middlewares every update passes (language, who may do what, presses answered once,
    dialogs), then the routers. Step-level dialog tests wire theirs the same way."""
    i18n_middleware = SimpleI18nMiddleware(i18n)
    i18n_middleware.setup(dp)
    dp.update.outer_middleware(ConversationTopic())
    # A press on a card drawn by an update still being handled waits for it (dialog_kit).
    in_flight = UpdatesInFlight()
    dp.update.outer_middleware(in_flight)
    dp["updates_in_flight"] = in_flight
    gate = StrangerGate(store, notices, clock=clock)
    dp.message.outer_middleware(gate)
    dp.callback_query.outer_middleware(gate)
    dp.message.middleware(RoleCheck())
    dp.callback_query.middleware(RoleCheck())
    # Inside RoleCheck: a refused press is answered there, with the reason.
    dp.callback_query.middleware(AnswerPresses())
    dialog_kit.install(dp, message_manager)
    # Dialogs redrawn from outside an update speak the configured language too.
    dp.observers[DIALOG_EVENT_NAME].outer_middleware(i18n_middleware)
    dp.include_routers(*routers)


class TelegramSession(AiohttpSession):
    """aiogram's HTTP session, keeping the answer model of each kind of call it has parsed.

    aiogram reads every answer as `Response[<what the method returns>]`; pydantic holds such
    parametrised models only weakly, so after each garbage collection they were built again,
    schema and validator, at several milliseconds of CPU per Telegram call.
    """

    answer_models: ClassVar[dict[object, type]] = {}

    def check_response(
        self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in self.answer_models:
            self.answer_models[returning] = Response[returning]  # type: ignore[valid-type]
        return super().check_response(bot, method, status_code, content)
