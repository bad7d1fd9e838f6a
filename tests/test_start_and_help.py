"""A member meets the bot: /help and /whoami answer, and the health endpoint is green.

The greeting of /start is read from the real program in tests/test_health_flood.py."""

from __future__ import annotations

import aiohttp

from tests.conftest import ADMIN, GROUP, OPERATOR


async def test_help_lists_admin_commands_for_an_admin(bot, telegram):
    telegram.send_text(ADMIN, "/help")
    reply = await telegram.wait_message(ADMIN, contains="Your commands")
    for command in ("/new", "/allow", "/revoke", "/members", "/status", "/cancel"):
        assert command in reply["text"]


async def test_help_hides_admin_commands_from_an_operator(bot, telegram):
    telegram.send_text(ADMIN, f"/allow {OPERATOR} operator")
    await telegram.wait_message(ADMIN, contains="is now")
    telegram.send_text(OPERATOR, "/help")
    reply = await telegram.wait_message(OPERATOR, contains="Your commands")
    assert "/new" in reply["text"]
    assert "/allow" not in reply["text"]


async def test_russian_is_spoken_to_a_russian_telegram_user(bot, telegram):
    telegram.send_text(ADMIN, "/help", language_code="ru")
    reply = await telegram.wait_message(ADMIN, contains="Ваши команды")
    assert "составить сообщение" in reply["text"]


async def test_default_language_is_used_for_an_unsupported_one(start_bot, telegram):
    await start_bot(LOCALE="ru")
    telegram.send_text(ADMIN, "/help", language_code="de")
    await telegram.wait_message(ADMIN, contains="Ваши команды")


async def test_whoami_in_a_group_shows_the_chat_id(bot, telegram):
    telegram.send_text(ADMIN, "/whoami", chat_id=GROUP, chat_type="supergroup")
    reply = await telegram.wait_message(GROUP, contains="This chat")
    assert str(GROUP) in reply["text"]
    assert str(ADMIN) in reply["text"]


async def test_command_menus_are_set_in_both_languages(bot, telegram):
    calls = await telegram.wait_for(
        lambda: (
            [c for c in telegram.requests if c.method == "setMyCommands"]
            if len([c for c in telegram.requests if c.method == "setMyCommands"]) >= 2
            else None
        )
    )
    descriptions = " ".join(str(call.params.get("commands")) for call in calls)
    assert "compose a message step by step" in descriptions
    assert "составить сообщение по шагам" in descriptions


async def test_health_is_green_when_everything_answers(bot):
    async with aiohttp.ClientSession() as session, session.get(f"{bot.url}/healthz") as response:
        body = await response.json()
    assert response.status == 200
    assert body == {"database": "ok", "scheduler": "ok", "telegram": "ok", "status": "ok"}


async def test_health_is_503_when_telegram_is_unreachable(start_bot, telegram):
    program = await start_bot(TELEGRAM_API_URL="http://127.0.0.1:9")
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{program.url}/healthz") as response,
    ):
        body = await response.json()
    assert response.status == 503
    assert body["telegram"] == "down"
    assert body["database"] == "ok"


async def test_metrics_are_prometheus_text(bot):
    async with aiohttp.ClientSession() as session, session.get(f"{bot.url}/metrics") as response:
        text = await response.text()
    assert response.status == 200
    assert "# TYPE pulse_statuses_total counter" in text
    assert "pulse_callback_latency_seconds_bucket" in text


async def test_a_message_no_conversation_waits_for_is_answered_in_private_not_in_the_group(
    bot, telegram
):
    telegram.send_text(ADMIN, "Привет, отправь всем скидку", chat_id=GROUP, chat_type="supergroup")
    telegram.send_text(ADMIN, "Привет, отправь всем скидку", language_code="ru")
    reply = await telegram.wait_message(ADMIN, contains="ничего от вас не жду")
    assert reply["text"] == (
        "Сейчас я ничего от вас не жду. Отправьте /help, чтобы увидеть список доступных вам команд."
    )
    # The group's message came first and was read, but no one was answered there.
    telegram.send_text(ADMIN, "/help", chat_id=GROUP, chat_type="supergroup")
    await telegram.wait_message(GROUP, contains="Your commands")
    assert not [m for m in telegram.chat(GROUP) if "waiting for anything" in m.get("text", "")]
