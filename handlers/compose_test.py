"""The preview's "Test to me": one message to the member's own address, asked for when missing."""

from __future__ import annotations

from aiogram.types import Message

from bot.compose.cards import ComposeMove
from bot.compose.list_checks import next_step
from bot.compose.rules import Step
from bot.compose.wizard import ComposeWizard
from bot.members import own_addresses, test_message
from bot.members.cards import (
    address_refusal_text,
    no_own_address_text,
    stopped_warning,
    test_already_sent,
    test_sent_notice,
)
from bot.members.own_addresses import AddressError, NoOwnAddress, Request
from bot.sending.engine import Sender
from bot.telegram.dialog_kit import alert_press, member_of
from handlers.compose_card import COMPOSE_STATES, CardHandlers, Compose, text
from storage.members import OwnAddress


async def test_pressed(wizard: ComposeWizard) -> None:
    """Send the test to the stored address, or ask for it first."""
    draft, _list_id = wizard.load()
    member = member_of(wizard.manager)
    fresh = wizard.store.members.get(member.user_id) or member
    kind = own_addresses.test_address_kind(draft.type, draft.find_token, fresh)
    if isinstance(kind, NoOwnAddress):
        alert_press(wizard.manager, no_own_address_text(kind))
        return
    address = fresh.address(kind)
    if address is None:
        await wizard.go(COMPOSE_STATES.test_address[kind])
        return
    await send_test(wizard, kind, address, pressed=True)


async def address_typed(message: Message, wizard: ComposeWizard) -> None:
    """Keep the typed address in the profile and send the test; a wrong one is asked again."""
    kind = COMPOSE_STATES.test_address_of(wizard.state)
    assert kind is not None  # the handler is registered only on the address questions
    try:
        address = own_addresses.check_address(kind, message.text or "")
        own_addresses.keep(wizard.store, member_of(wizard.manager).user_id, Request(kind, address))
    except AddressError as error:
        wizard.warning = "⚠️ " + address_refusal_text(error)
        return
    await send_test(wizard, kind, address, pressed=False)


async def send_test(wizard: ComposeWizard, kind: OwnAddress, address: str, pressed: bool) -> None:
    draft, list_id = wizard.load()
    step, _problem = next_step(draft, list_id, wizard.store, wizard.settings)
    if step is not Step.PREVIEW or list_id is None:
        await wizard.advance()  # something changed under the card (e.g. the settings)
        return
    fingerprint = test_message.fingerprint(draft, list_id, address)
    author_id = member_of(wizard.manager).user_id
    repeated = test_message.sent_before(wizard.store, author_id, fingerprint)
    if repeated is not None:
        if pressed:
            alert_press(wizard.manager, test_already_sent(repeated))
            return
        await wizard.show_preview(notice=test_already_sent(repeated))
        return
    sender: Sender = wizard.manager.middleware_data["sender"]
    campaign_id = test_message.send_test(
        wizard.store,
        sender,
        draft,
        list_id,
        author_id=author_id,
        address=address,
        fingerprint=fingerprint,
    )
    notice = test_sent_notice(campaign_id, kind, address)
    if own_addresses.is_stopped(wizard.store, address):
        notice += "\n" + stopped_warning()
    await wizard.show_preview(notice=notice)


def register(card: CardHandlers) -> None:
    card.press([Compose.preview], ComposeMove.TEST_ME, test_pressed)
    card.typed([Compose.test_phone, Compose.test_email], text, address_typed)
