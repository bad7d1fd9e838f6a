"""A test to oneself: /me keeps the member's own phone and e-mail, and the preview's "Test to me"
sends exactly one message there, with the first recipient's values, and nothing to the list."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.compose.cards import ComposeAction, ComposeMove
from tests.compose_user import Composer, make_operator
from tests.conftest import GROUP, OPERATOR

OWN_PHONE = "79005554433"
CLIENTS = b"phone,name\n79001000001,Anna\n79001000002,Boris\n79001000003,Vera\n"


async def sms_preview(telegram) -> Composer:
    composer = Composer(telegram)
    await composer.start("/new", expect="")
    await composer.press("SMS")
    await composer.press("Shop")
    await composer.upload("clients.csv", CLIENTS)
    await composer.say("Hello, {name}! Sale today.", expect="Preview")
    return composer


async def ask_me(telegram, command: str, expect: str) -> str:
    after = (telegram.last(OPERATOR) or {}).get("message_id", 0)
    telegram.send_text(OPERATOR, command)
    return (await telegram.wait_message(OPERATOR, contains=expect, after=after))["text"]


async def test_test_to_me_sends_one_message_to_the_own_phone_and_nothing_to_the_list(
    start_bot, telegram, platform
):
    bot = await start_bot(PULSE_SENDERS="Shop", DIGEST_CRON="0 10 * * 1")
    await make_operator(telegram)
    await ask_me(telegram, "/me phone +7 (900) 555-44-33", "Kept: +79005554433")
    composer = await sms_preview(telegram)

    card = await composer.press("Test to me", expect="Test №1 sent to +79005554433")
    assert "Nothing went to the list" in card["text"]
    assert "Preview" in card["text"]  # the card is still the preview: Send is one press away
    status = await telegram.wait_message(OPERATOR, contains="Message №1")
    assert "Test to the author's own address" in status["text"]
    assert [(m.sent_to, m.sent_text) for m in platform.messages.values()] == [
        (OWN_PHONE, "Hello, Anna! Sale today.")
    ]

    again = telegram.press(
        OPERATOR, composer.card, telegram.find_button(composer.card, "Test to me")
    )
    answer = await telegram.wait_answer(again)
    assert "already went to you as test №1" in answer["text"]

    await composer.press("Send", expect="campaign №2")
    await telegram.wait_for(lambda: len(platform.messages) == 4)
    await telegram.wait_message(GROUP, contains="Campaign №2")
    assert sorted(m.sent_to for m in platform.messages.values()) == [
        "79001000001",
        "79001000002",
        "79001000003",
        OWN_PHONE,
    ]
    assert not [m for m in telegram.chat(GROUP) if "№1" in m.get("text", "")]

    listed = await ask_me(telegram, "/campaigns", "Latest campaigns")
    first, second = listed.split("№1 ·")[1], listed.split("№2 ·")[1].split("№1 ·")[0]
    assert "Test to the author's own address" in first
    assert "Test to the author's own address" not in second
    profile = await ask_me(telegram, "/me", "Your profile")
    assert "Campaigns in the last 30 days: 1 (and 1 test message)" in profile
    assert await bot.app.digest.send()
    digest = await telegram.wait_message(GROUP, "Digest")
    assert "Campaigns: 1 · recipients: 3" in digest["caption"]


async def test_without_a_stored_phone_the_button_asks_for_it_and_then_sends(
    start_bot, telegram, platform
):
    await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    composer = await sms_preview(telegram)

    await composer.press("Test to me", expect="Where should the test go? Send your mobile number")
    card = await composer.say("12345", expect="«12345» is not a phone number")
    assert "Where should the test go?" in card["text"]
    await composer.say("+7 495 123-45-67", expect="is not a mobile number")
    await composer.say("8 900 555 44 33", expect="Test №1 sent to +79005554433")
    await telegram.wait_for(lambda: len(platform.messages) == 1)
    assert [m.sent_to for m in platform.messages.values()] == [OWN_PHONE]
    profile = await ask_me(telegram, "/me", "Your profile")
    assert "Phone: +79005554433" in profile


async def test_back_from_the_question_returns_to_the_preview_and_sends_nothing(
    start_bot, telegram, platform
):
    await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    composer = await sms_preview(telegram)

    await composer.press("Test to me", expect="Where should the test go?")
    await composer.press("Back", expect="Preview")
    await composer.press("Send", expect="campaign №1")
    await telegram.wait_for(lambda: len(platform.messages) == 3)
    assert OWN_PHONE not in [m.sent_to for m in platform.messages.values()]


async def test_an_email_goes_to_the_own_email_and_push_tokens_are_explained(
    start_bot, telegram, platform
):
    await start_bot(PULSE_SENDERS="Shop", PULSE_TYPES="sms,email,push")
    await make_operator(telegram)
    await ask_me(telegram, "/me email Me@Example.COM", "Kept: Me@example.com")
    composer = Composer(telegram)
    await composer.start("/send email a@example.com,b@example.com\nHi there", expect="Preview")
    await composer.press("Test to me", expect="Test №1 sent to Me@example.com")
    await telegram.wait_for(lambda: len(platform.messages) == 1)
    assert [m.sent_to for m in platform.messages.values()] == ["Me@example.com"]

    await composer.start("/send push fcm:token-1\nYour order", expect="Your order")
    press = telegram.press(
        OPERATOR, composer.card, telegram.find_button(composer.card, "Test to me")
    )
    answer = await telegram.wait_answer(press)
    assert "Push and chat-bot messages go to app tokens" in answer["text"]
    assert len(platform.messages) == 1


async def test_me_keeps_refuses_and_removes_own_addresses(start_bot, telegram):
    await start_bot()
    await make_operator(telegram)

    profile = await ask_me(telegram, "/me", "Your profile")
    assert f"Telegram id: {OPERATOR}" in profile
    assert "Role: operator" in profile
    assert "Language: English (as your Telegram)" in profile
    assert "Phone: not set" in profile
    assert "E-mail: not set" in profile
    assert "Campaigns in the last 30 days: 0" in profile

    await ask_me(telegram, "/me phone 89005554433", "Kept: +79005554433")
    refused = await ask_me(telegram, "/me phone 555-abc", "is not a phone number")
    assert "Nothing was changed" in refused
    explained = await ask_me(telegram, "/me phone", "Write the number after the command")
    assert "/me phone -" in explained
    await ask_me(telegram, "/me email not-an-address", "is not an e-mail address")
    profile = await ask_me(telegram, "/me", "Your profile")
    assert "Phone: +79005554433" in profile
    assert "E-mail: not set" in profile

    await ask_me(telegram, "/me phone -", "Your phone is removed")
    profile = await ask_me(telegram, "/me", "Your profile")
    assert "Phone: not set" in profile


async def test_me_reads_russian_and_warns_of_the_stop_list(start_bot, telegram, bot_env):
    await start_bot(LOCALE="ru")
    await make_operator(telegram)
    with sqlite3.connect(Path(bot_env["DATA_DIR"]) / "pulse-bridge.db") as db:
        db.execute(
            "INSERT INTO stoplist (address, added_by, added_at) VALUES (?, ?, ?)",
            [OWN_PHONE, OPERATOR, "2026-11-30T09:00:00.000+00:00"],
        )

    after = telegram.last(OPERATOR)["message_id"]
    telegram.send_text(OPERATOR, "/me телефон +7 900 555-44-33", language_code="ru")
    kept = await telegram.wait_message(OPERATOR, contains="Сохранён", after=after)
    assert "в стоп-листе" in kept["text"]
    after = kept["message_id"]
    telegram.send_text(OPERATOR, "/me", language_code="ru")
    profile = await telegram.wait_message(OPERATOR, contains="Ваш профиль", after=after)
    assert "Роль: оператор" in profile["text"]
    assert "Телефон: +79005554433" in profile["text"]


async def test_a_test_needs_no_approval_and_the_stop_list_still_applies(
    start_bot, telegram, platform, bot_env
):
    await start_bot(PULSE_SENDERS="Shop", APPROVAL_MIN_RECIPIENTS="1")
    await make_operator(telegram)
    await ask_me(telegram, "/me phone +7 900 555-44-33", "Kept: +79005554433")
    composer = await sms_preview(telegram)
    await composer.press("Test to me", expect="Test №1 sent to +79005554433")
    await telegram.wait_for(lambda: len(platform.messages) == 1)

    with sqlite3.connect(Path(bot_env["DATA_DIR"]) / "pulse-bridge.db") as db:
        db.execute(
            "INSERT INTO stoplist (address, added_by, added_at) VALUES (?, ?, ?)",
            [OWN_PHONE, OPERATOR, "2026-11-30T09:00:00.000+00:00"],
        )
    await composer.press("Edit", expect="What do you want to change")
    await composer.press("Text", expect="Send the text")
    await composer.say("Hi, {name}!", expect="Preview")
    card = await composer.press("Test to me", expect="Test №2 sent to +79005554433")
    assert "on the stop-list: test messages to it are not sent" in card["text"]
    await telegram.wait_message(OPERATOR, contains="Not sent: the address is on the stop-list")
    assert len(platform.messages) == 1


async def test_an_hlr_check_sends_no_message_so_it_has_no_test_to_me(start_bot, telegram, platform):
    await start_bot(PULSE_SENDERS="Shop", PULSE_TYPES="sms,hlr")
    await make_operator(telegram)
    await ask_me(telegram, "/me phone +7 900 555-44-33", "Kept: +79005554433")
    composer = Composer(telegram)
    await composer.start("/send hlr 79001000001 79001000002", expect="No text is sent")

    assert "Test to me" not in composer.buttons()
    assert "Save as template" in composer.buttons()
    # A press that still reaches the bot (an old client, forged data) is explained, not sent.
    data = composer.carried(ComposeAction(action=ComposeMove.TEST_ME).pack())
    answer = await telegram.wait_answer(telegram.press(OPERATOR, composer.card, data))
    assert "An HLR request only asks the network about a number" in answer["text"]
    assert platform.requests == []
    profile = await ask_me(telegram, "/me", "Your profile")
    assert "an HLR number check sends none, so it has no test" in profile

    await composer.press("Send", expect="campaign №1")
    await telegram.wait_for(lambda: len(platform.messages) == 2)
    assert OWN_PHONE not in [m.sent_to for m in platform.messages.values()]


async def test_a_double_tap_on_test_to_me_sends_one_test(start_bot, telegram, platform):
    bot = await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    await ask_me(telegram, "/me phone +7 (900) 555-44-33", "Kept: +79005554433")
    composer = await sms_preview(telegram)

    button = telegram.find_button(composer.card, "Test to me")
    first = telegram.press(OPERATOR, composer.card, button)
    second = telegram.press(OPERATOR, composer.card, button)
    answers = [(await telegram.wait_answer(press)).get("text") or "" for press in (first, second)]

    tests = bot.app.store.db.execute("SELECT COUNT(*) FROM campaigns").fetchone()[0]
    assert tests == 1, "the second tap came while the first was still drawing its card"
    assert any("already went to you as test №1" in answer for answer in answers)
