"""The preview's "Test to me": one message to the member's own address, asked for when missing."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.access import OPERATOR
from bot.compose.cards import ComposeAction, ComposeMove
from bot.compose.list_checks import next_step
from bot.compose.rules import Step
from bot.compose.wizard import ComposeWizard as Wizard
from bot.members import own_addresses, test_message
from bot.members.cards import (
    address_refusal_text,
    no_own_address_text,
    render_test_address_prompt,
    stopped_warning,
    test_already_sent,
    test_sent_notice,
)
from bot.members.own_addresses import AddressError, NoOwnAddress, Request
from bot.sending.engine import Sender
from bot.telegram.dialogs import NOT_COMMAND, OnCurrentCard
from bot.telegram.presses import alert
from handlers.compose_card import Compose
from storage.members import Member, OwnAddress

LAST_TEST = "last_test"  # {"fingerprint": ..., "campaign": ...}: a repeated press sends nothing


class TestAddress(StatesGroup):
    """The composing card asks for the member's own address, then the test goes."""

    phone = State()
    email = State()


ASKING = {OwnAddress.PHONE: TestAddress.phone, OwnAddress.EMAIL: TestAddress.email}


async def test_pressed(
    query: CallbackQuery,
    wizard: Wizard,
    member: Member,
    sender: Sender,
    callback_answer: CallbackAnswer,
) -> None:
    """Send the test to the stored address, or ask for it first."""
    draft, _list_id = await wizard.load()
    fresh = wizard.store.members.get(member.user_id) or member
    kind = own_addresses.test_address_kind(draft.type, draft.find_token, fresh)
    if isinstance(kind, NoOwnAddress):
        alert(callback_answer, no_own_address_text(kind))
        return
    address = fresh.address(kind)
    if address is None:
        await wizard.state.set_state(ASKING[kind])
        await wizard.show(*render_test_address_prompt(kind))
        return
    await send_test(wizard, member, sender, kind, address, callback_answer)


async def address_typed(message: Message, wizard: Wizard, member: Member, sender: Sender) -> None:
    """Keep the typed address in the profile and send the test; a wrong one is asked again."""
    kind = (
        OwnAddress.PHONE
        if await wizard.state.get_state() == TestAddress.phone.state
        else OwnAddress.EMAIL
    )
    try:
        address = own_addresses.check_address(kind, message.text or "")
        own_addresses.keep(wizard.store, member.user_id, Request(kind, address))
    except AddressError as error:
        await wizard.show(*render_test_address_prompt(kind, "⚠️ " + address_refusal_text(error)))
        return
    await send_test(wizard, member, sender, kind, address, None)


async def back_pressed(query: CallbackQuery, wizard: Wizard) -> None:
    await wizard.show_preview()


async def send_test(
    wizard: Wizard,
    member: Member,
    sender: Sender,
    kind: OwnAddress,
    address: str,
    callback_answer: CallbackAnswer | None,
) -> None:
    draft, list_id = await wizard.load()
    step, _problem = next_step(draft, list_id, wizard.store, wizard.settings)
    if step is not Step.PREVIEW or list_id is None:
        await wizard.advance()  # something changed under the card (e.g. the settings)
        return
    fingerprint = test_message.fingerprint(draft, list_id, address)
    last = (await wizard.state.get_data()).get(LAST_TEST) or {}
    if last.get("fingerprint") == fingerprint:
        if callback_answer is not None:
            text = test_already_sent(last["campaign"])
            alert(callback_answer, text)
            return
        await wizard.show_preview(notice=test_already_sent(last["campaign"]))
        return
    campaign_id = test_message.send_test(
        wizard.store, sender, draft, list_id, author_id=member.user_id, address=address
    )
    await wizard.state.update_data(
        {LAST_TEST: {"fingerprint": fingerprint, "campaign": campaign_id}}
    )
    notice = test_sent_notice(campaign_id, kind, address)
    if own_addresses.is_stopped(wizard.store, address):
        notice += "\n" + stopped_warning()
    await wizard.show_preview(notice=notice)


def build_router() -> Router:
    """A fresh router with this module's handlers, so each Dispatcher gets its own."""
    router = Router(name="compose-test")
    router.callback_query.filter(OnCurrentCard())
    router.callback_query.register(
        test_pressed,
        Compose.preview,
        ComposeAction.filter(F.action == ComposeMove.TEST_ME),
        flags=OPERATOR,
    )
    router.message.register(address_typed, TestAddress.phone, F.text, NOT_COMMAND, flags=OPERATOR)
    router.message.register(address_typed, TestAddress.email, F.text, NOT_COMMAND, flags=OPERATOR)
    router.callback_query.register(
        back_pressed,
        TestAddress.phone,
        ComposeAction.filter(F.action == ComposeMove.BACK),
        flags=OPERATOR,
    )
    router.callback_query.register(
        back_pressed,
        TestAddress.email,
        ComposeAction.filter(F.action == ComposeMove.BACK),
        flags=OPERATOR,
    )
    return router
