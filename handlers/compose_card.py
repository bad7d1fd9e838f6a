"""The composing dialog's windows (docs/compose-wizard.md draws the transitions), and the table
that routes what is pressed or sent on its card to the handler of the window it is in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message

from bot.compose.cards import ComposeMove, PickKind
from bot.compose.rules import Extra, Step
from bot.compose.wizard import ComposeStates, ComposeWizard
from storage.members import OwnAddress


class Compose(StatesGroup):
    """Every window of the dialog."""

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
    test_phone = State()  # the member's own number, for Test to me
    test_email = State()  # the member's own e-mail, for Test to me


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
    extras_menu=Compose.extras,
    template_name=Compose.template_name,
    fallback=Compose.fallback,
    confirm_send=Compose.confirm_send,
    edit=Compose.edit,
    test_address={OwnAddress.PHONE: Compose.test_phone, OwnAddress.EMAIL: Compose.test_email},
)

Press = Callable[[ComposeWizard], Awaitable[None]]
Pick = Callable[[ComposeWizard, int], Awaitable[None]]
Typed = Callable[[Message, ComposeWizard], Awaitable[None]]
Accepts = Callable[[Message], bool]


def text(message: Message) -> bool:
    return message.text is not None


def not_text(message: Message) -> bool:
    return message.text is None


def document(message: Message) -> bool:
    return message.document is not None


def photo(message: Message) -> bool:
    return bool(message.photo)


def anything(message: Message) -> bool:
    return True


@dataclass
class CardHandlers:
    """What each window does with a press of its buttons or a message sent to it."""

    presses: dict[tuple[State, ComposeMove], Press] = field(default_factory=dict)
    picks: dict[tuple[State, PickKind], Pick] = field(default_factory=dict)
    inputs: dict[State, list[tuple[Accepts, Typed]]] = field(default_factory=dict)

    def press(self, states: Iterable[State], action: ComposeMove, handler: Press) -> None:
        for state in states:
            self.presses[state, action] = handler

    def pick(self, state: State, what: PickKind, handler: Pick) -> None:
        self.picks[state, what] = handler

    def typed(self, states: Iterable[State], accepts: Accepts, handler: Typed) -> None:
        """Messages the handler takes in these windows (tried in the order registered)."""
        for state in states:
            self.inputs.setdefault(state, []).append((accepts, handler))
