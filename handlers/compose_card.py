"""The composing conversation's states (docs/compose-wizard.md draws the transitions)."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup

from bot.compose.rules import Extra, Step
from bot.compose.wizard import ComposeStates


class Compose(StatesGroup):
    """Every state of the conversation."""

    type = State()
    sender = State()
    recipients = State()
    text = State()
    preview = State()
    confirm_send = State()
    edit = State()
    extras = State()
    extra_html = State()
    extra_button = State()
    extra_image = State()
    extra_ttl = State()
    extra_charset = State()
    template_name = State()
    fallback = State()  # the word for recipients without a value


COMPOSE_STATES = ComposeStates(
    steps={
        Step.TYPE: Compose.type,
        Step.SENDER: Compose.sender,
        Step.RECIPIENTS: Compose.recipients,
        Step.TEXT: Compose.text,
        Step.PREVIEW: Compose.preview,
    },
    extras={
        Extra.HTML: Compose.extra_html,
        Extra.BUTTON: Compose.extra_button,
        Extra.IMAGE: Compose.extra_image,
        Extra.TTL: Compose.extra_ttl,
        Extra.CHARSET: Compose.extra_charset,
    },
    template_name=Compose.template_name,
    fallback=Compose.fallback,
)
