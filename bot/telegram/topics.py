"""Forum topics: where in a chat a message goes (`message_thread_id`).

Two rules, applied to every Bot API call that can carry a topic and names none:
- a card about a campaign, or anything else sent to the notify group outside a conversation,
  goes to the topic configured for the campaign's type (NOTIFY_THREADS), else to
  NOTIFY_THREAD_ID;
- an answer to someone who wrote in a topic goes to that topic.

Both are kept in context variables, so the code that sends needs no topic of its own: the update
being handled sets the conversation, and the card code says which type a message is about.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from aiogram import BaseMiddleware
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import TelegramMethod
from aiogram.types import CallbackQuery, Message, TelegramObject, Update

# (chat, topic or None) of the update being answered; None outside an update.
_conversation: ContextVar[tuple[int, int | None] | None] = ContextVar("conversation", default=None)
# The message type a notify-group message is about; "" for a card of no particular type.
_about: ContextVar[str | None] = ContextVar("about_type", default=None)


@contextmanager
def about_type(message_type: str) -> Iterator[None]:
    """Messages sent (and tasks started) inside go to the notify group's topic for this type."""
    token = _about.set(message_type)
    try:
        yield
    finally:
        _about.reset(token)


def _topic_of(event: TelegramObject) -> tuple[int, int | None] | None:
    message = event.message if isinstance(event, CallbackQuery) else event
    if not isinstance(message, Message):
        return None
    topic = message.message_thread_id if message.is_topic_message else None
    return message.chat.id, topic


class ConversationTopic(BaseMiddleware):
    """Remembers the topic an update came from while it is handled (outer update middleware)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        topic = None
        if isinstance(event, Update):
            inner = event.message or event.callback_query
            topic = _topic_of(inner) if inner is not None else None
        token = _conversation.set(topic)
        try:
            return await handler(event, data)
        finally:
            _conversation.reset(token)


class TopicRouting(BaseRequestMiddleware):
    """Fills in `message_thread_id` by the two rules above (never overrides an explicit one)."""

    def __init__(
        self,
        notify_chat: Callable[[], int | None],
        default_thread: int | None,
        threads: dict[str, int],
    ) -> None:
        self.notify_chat, self.default_thread, self.threads = notify_chat, default_thread, threads

    def thread_for(self, chat_id: object) -> int | None:
        about, conversation = _about.get(), _conversation.get()
        if about is None and conversation is not None and conversation[0] == chat_id:
            return conversation[1]  # an answer stays where it was asked
        if chat_id == self.notify_chat():
            return self.threads.get(about or "", self.default_thread)
        return None

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Any,
        method: TelegramMethod[Any],
    ) -> Any:
        if "message_thread_id" in type(method).model_fields and method.message_thread_id is None:
            thread = self.thread_for(getattr(method, "chat_id", None))
            if thread is not None:
                method = method.model_copy(update={"message_thread_id": thread})
        return await make_request(bot, method)
