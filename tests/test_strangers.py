"""Someone without a role gets one polite refusal with their id, and nothing else happens."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.conftest import ADMIN, STRANGER


def audit_actions(bot_env) -> list[tuple[int, str]]:
    with sqlite3.connect(Path(bot_env["DATA_DIR"]) / "pulse-bridge.db") as db:
        return db.execute("SELECT user_id, action FROM audit ORDER BY id").fetchall()


async def test_a_stranger_is_refused_with_their_user_id(bot, telegram, bot_env):
    telegram.send_text(STRANGER, "/start")
    reply = await telegram.wait_message(STRANGER, contains="only for the team")
    assert str(STRANGER) in reply["text"]
    assert not reply.get("reply_markup")
    assert (STRANGER, "refused") in audit_actions(bot_env)


async def test_a_stranger_gets_exactly_one_reply_per_message(bot, telegram):
    telegram.send_text(STRANGER, "/new")
    await telegram.wait_message(STRANGER, contains="only for the team")
    telegram.send_text(STRANGER, "hello")
    await telegram.wait_for(lambda: len(telegram.chat(STRANGER)) >= 2)
    telegram.send_text(ADMIN, "/whoami")  # a later update proves the earlier ones were handled
    await telegram.wait_message(ADMIN, contains="Your user id")
    assert len(telegram.chat(STRANGER)) == 2


async def test_a_strangers_button_press_does_nothing(bot, telegram, bot_env):
    telegram.send_text(ADMIN, "/help")
    admin_message = await telegram.wait_message(ADMIN, contains="Your commands")
    query_id = telegram.press(STRANGER, admin_message, "members:anything")
    answer = await telegram.wait_answer(query_id)
    assert answer.get("show_alert") in (True, "true")
    assert "Not allowed" in answer["text"]
    assert telegram.chat(STRANGER) == []
    assert (STRANGER, "refused") in audit_actions(bot_env)


async def test_group_chatter_from_a_stranger_is_ignored(bot, telegram):
    group = -4242
    telegram.send_text(STRANGER, "just talking", chat_id=group, chat_type="group")
    telegram.send_text(ADMIN, "/whoami")
    await telegram.wait_message(ADMIN, contains="Your user id")
    assert telegram.chat(group) == []
