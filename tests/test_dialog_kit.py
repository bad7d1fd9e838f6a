"""What every dialog shares: texts in the person's language, old cards answered, a restart survived."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest
from aiogram import Bot
from aiogram.fsm.storage.base import StorageKey
from aiogram.methods import EditMessageText
from aiogram.types import Update

from bot.i18n import make_i18n
from bot.telegram.dialog_kit import Tr
from handlers import common, errors, templates
from storage.campaigns import Draft
from storage.store import Store
from tests.compose_user import Composer, make_operator
from tests.conftest import ADMIN, OPERATOR
from tests.dialog_client import dialog_client


@pytest.mark.parametrize(
    ("locale", "question"),
    [("en", "Delete template «Promo»?"), ("ru", "Удалить шаблон «Promo»?")],
)
async def test_texts_are_translated_and_formatted(tmp_path, locale, question):
    i18n = make_i18n("en", tmp_path)
    asked = Tr("Delete template «{name}»?")
    with i18n.context(), i18n.use_locale(locale):
        assert await asked.render_text({"name": "Promo"}, None) == question  # type: ignore[arg-type]


def saved_template(store: Store) -> None:
    store.templates.save("Promo", OPERATOR, Draft(type="sms", sender="Shop", text="Sale"))


@pytest.mark.parametrize(
    ("language", "answer"),
    [("en", "This card is no longer active."), ("ru", "Эта карточка больше не действует.")],
)
async def test_a_press_on_a_replaced_card_is_answered_and_the_card_loses_its_buttons(
    start_bot, telegram, language, answer
):
    program = await start_bot()
    saved_template(program.app.store)
    await make_operator(telegram)
    telegram.send_text(OPERATOR, "/templates", language_code=language)
    old = await telegram.wait_message(OPERATOR, contains="«Promo»")
    delete = telegram.find_button(old, "Delete" if language == "en" else "Удалить")
    telegram.send_text(OPERATOR, "/templates", language_code=language)
    await telegram.wait_message(OPERATOR, contains="«Promo»", after=old["message_id"])
    # The new card took over: the old one lost its buttons, and a press on it acts on nothing.
    assert telegram.buttons(telegram.message(OPERATOR, old["message_id"])) == []
    pressed = telegram.press(OPERATOR, old, delete, language_code=language)
    assert (await telegram.wait_answer(pressed))["text"] == answer
    assert "?" not in telegram.last(OPERATOR)["text"]


async def test_an_open_card_keeps_working_after_a_restart(start_bot, telegram):
    program = await start_bot()
    saved_template(program.app.store)
    await make_operator(telegram)
    telegram.send_text(OPERATOR, "/templates")
    card = await telegram.wait_message(OPERATOR, contains="«Promo»")

    await program.stop()
    await start_bot()

    telegram.press(OPERATOR, card, telegram.find_button(card, "Delete"))
    await telegram.wait_message(OPERATOR, contains="Delete template «Promo»?")
    assert telegram.last(OPERATOR)["message_id"] == card["message_id"]


async def test_cancel_ends_an_open_dialog_on_its_card(bot, telegram):
    saved_template(bot.app.store)
    await make_operator(telegram)
    telegram.send_text(OPERATOR, "/templates")
    card = await telegram.wait_message(OPERATOR, contains="«Promo»")
    telegram.send_text(OPERATOR, "/cancel")
    await telegram.wait_for(
        lambda: "Cancelled" in telegram.message(OPERATOR, card["message_id"])["text"]
    )
    assert telegram.buttons(telegram.message(OPERATOR, card["message_id"])) == []
    telegram.send_text(OPERATOR, "/cancel")
    await telegram.wait_message(OPERATOR, contains="Nothing to cancel")


async def test_an_open_dialog_leaves_other_updates_to_their_own_handlers(bot, telegram):
    saved_template(bot.app.store)
    await make_operator(telegram)
    telegram.send_text(OPERATOR, "/templates")
    card = await telegram.wait_message(OPERATOR, contains="«Promo»")
    # Data of no dialog reaches the handlers after the dialogs (here the last, for old buttons).
    pressed = telegram.press(OPERATOR, card, "campaign:gone:1")
    assert (await telegram.wait_answer(pressed))["text"] == "This button is no longer valid."
    telegram.press(OPERATOR, card, telegram.find_button(card, "Delete"))
    await telegram.wait_message(OPERATOR, contains="Delete template «Promo»?")
    # Telegram is asked only for its own updates: aiogram-dialog's event is none, and the bot
    # serves no business chats.
    [polled, *_] = telegram.calls("getUpdates")
    assert sorted(polled.params["allowed_updates"]) == ["callback_query", "message"]


async def test_a_reply_to_an_old_card_is_taken_as_written_on_its_own(bot, telegram):
    saved_template(bot.app.store)
    await make_operator(telegram)
    telegram.send_text(OPERATOR, "/templates")
    old = await telegram.wait_message(OPERATOR, contains="«Promo»")
    telegram.send_text(OPERATOR, "/stoplist")
    await telegram.wait_message(OPERATOR, contains="Stop-list", after=old["message_id"])
    telegram.send_text(OPERATOR, "/whoami", reply_to=old)
    await telegram.wait_message(OPERATOR, contains="Your user id")
    telegram.send_text(OPERATOR, "/cancel", reply_to=old)
    await telegram.wait_message(OPERATOR, contains="Cancelled")


TEAM_CHAT = -100900


async def test_a_press_on_another_members_card_in_a_group_leaves_the_card_to_its_owner(
    bot, telegram
):
    saved_template(bot.app.store)
    await make_operator(telegram)
    telegram.send_text(OPERATOR, "/templates", chat_id=TEAM_CHAT, chat_type="supergroup")
    card = await telegram.wait_message(TEAM_CHAT, contains="«Promo»")
    delete = telegram.find_button(card, "Delete")

    pressed = telegram.press(ADMIN, card, delete)
    assert (await telegram.wait_answer(pressed))["text"] == (
        "This card is another member's: send the command yourself to get your own."
    )
    assert telegram.buttons(telegram.message(TEAM_CHAT, card["message_id"])) != []

    telegram.press(OPERATOR, card, delete)
    await telegram.wait_for(
        lambda: (
            "Delete template «Promo»?" in telegram.message(TEAM_CHAT, card["message_id"])["text"]
        )
    )


async def test_a_message_reaches_its_handler_when_the_stored_dialog_it_named_is_gone(tmp_path):
    """A stack naming a dialog whose context is no longer stored (a stop between the two writes):
    the person's next message is not lost to it, not even once."""
    member = dialog_client(
        tmp_path,
        [errors.build_router(), common.build_cancel_router(), templates.build_router()],
        user_id=OPERATOR,
    )
    saved_template(member.store)
    await member.send("/templates")
    member.store.fsm.db.execute("DELETE FROM fsm WHERE key LIKE '%aiogd:context:%'")
    await member.send("/cancel")
    assert member.bot.sent() == ["Nothing to cancel."]
    await member.send("/templates")
    assert "«Promo»" in member.text


async def test_a_press_on_a_card_whose_dialog_is_not_stored_yet_is_taken_once_it_is(tmp_path):
    """aiogram-dialog draws a card before it stores the dialog, when the card's update ends. A
    press that comes in between (a quick tap, a slow commit) is taken once that update is over,
    not refused as a press on an old card."""
    member = dialog_client(
        tmp_path,
        [errors.build_router(), common.build_cancel_router(), templates.build_router()],
        user_id=OPERATOR,
    )
    saved_template(member.store)
    storage = member.client.dp.fsm.storage
    store_data, read_data = storage.set_data, storage.get_data
    held: list[str] = []
    drawn, asked = asyncio.Event(), asyncio.Event()

    async def set_data(key: StorageKey, data: Mapping[str, Any]) -> None:
        if key.destiny.startswith("aiogd:context:") and data and not held:
            held.append(key.destiny)
            drawn.set()  # the card is out; its dialog is stored once the press asked for it
            await asked.wait()
        await store_data(key, data)

    async def get_data(key: StorageKey) -> dict[str, Any]:
        if held and key.destiny == held[0]:
            asked.set()
        return await read_data(key)

    storage.set_data, storage.get_data = set_data, get_data  # type: ignore[method-assign]
    async with asyncio.timeout(10):  # the card's dialog is held until the press asks for it
        opening = asyncio.create_task(member.send("/templates"))
        await drawn.wait()
        answer = await member.press("Delete")
        await opening

    assert answer != "This card is no longer active."
    assert "Delete template «Promo»?" in member.text


async def test_a_message_written_while_the_card_before_is_stored_reaches_that_cards_dialog(
    tmp_path,
):
    """A message goes to the step the person's last update left them at, even when it comes
    before that update stored the dialog: here /cancel, written as /templates' card is drawn."""
    member = dialog_client(
        tmp_path,
        [errors.build_router(), common.build_cancel_router(), templates.build_router()],
        user_id=OPERATOR,
    )
    saved_template(member.store)
    dispatcher = member.client.dp
    storage = dispatcher.fsm.storage
    store_data, feed_update = storage.set_data, dispatcher.feed_update
    drawn, written = asyncio.Event(), asyncio.Event()

    async def set_data(key: StorageKey, data: Mapping[str, Any]) -> None:
        if key.destiny.startswith("aiogd:context:") and data and not drawn.is_set():
            drawn.set()  # the card is out; its dialog is stored once /cancel was written
            await written.wait()
        await store_data(key, data)

    async def feed(bot: Bot, update: Update, **kwargs: Any) -> Any:
        if update.message is not None and update.message.text == "/cancel":
            written.set()
        return await feed_update(bot, update, **kwargs)

    storage.set_data = set_data  # type: ignore[method-assign]
    dispatcher.feed_update = feed  # type: ignore[method-assign]
    async with asyncio.timeout(10):  # the card's dialog is held until /cancel is written
        opening = asyncio.create_task(member.send("/templates"))
        await drawn.wait()
        await member.send("/cancel")
        await opening

    closed = [call.text for call in member.bot.calls if isinstance(call, EditMessageText)]
    assert any("Cancelled" in text for text in closed), "the card /cancel was written on is closed"
    assert "Nothing to cancel." not in member.bot.sent()


async def test_a_list_opened_over_a_draft_under_way_says_on_its_card_that_it_closed_it(
    bot, telegram
):
    await make_operator(telegram)
    for command in ("/templates", "/stoplist"):
        composer = Composer(telegram)
        await composer.start("/new", expect="New message")
        draft = await composer.press("SMS", expect="sender")
        telegram.send_text(OPERATOR, command)
        await telegram.wait_for(
            lambda draft=draft, command=command: (
                f"Closed: you opened {command}. Nothing was sent."
                in telegram.message(OPERATOR, draft["message_id"])["text"]
            )
        )
        assert telegram.buttons(telegram.message(OPERATOR, draft["message_id"])) == []
