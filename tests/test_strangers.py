"""Someone without a role gets one polite refusal with their id, and nothing else happens."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.clock import utc_now
from storage.store import Store
from tests.conftest import ADMIN, GROUP, STRANGER


def audit_actions(bot_env) -> list[tuple[int, str]]:
    with sqlite3.connect(Path(bot_env["DATA_DIR"]) / "pulse-bridge.db") as db:
        return db.execute("SELECT user_id, action FROM audit ORDER BY id").fetchall()


async def test_a_stranger_is_refused_with_their_user_id(bot, telegram, bot_env):
    telegram.send_text(STRANGER, "/start")
    reply = await telegram.wait_message(STRANGER, contains="only for the team")
    assert str(STRANGER) in reply["text"]
    assert not reply.get("reply_markup")
    assert (STRANGER, "refused") in audit_actions(bot_env)


class Clock:
    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> datetime:
        return self.now


async def test_a_stranger_in_private_is_refused_once_an_hour_and_audited_once(
    start_bot, telegram, bot_env
):
    clock = Clock()
    await start_bot(clock=clock)
    telegram.send_text(STRANGER, "/new")
    await telegram.wait_message(STRANGER, contains="only for the team")
    for attempt in range(20):
        telegram.send_text(STRANGER, "/start" if attempt % 2 else f"hello {attempt}")
    telegram.send_text(ADMIN, "/whoami")  # a later update proves the earlier ones were handled
    await telegram.wait_message(ADMIN, contains="Your user id")
    assert len(telegram.chat(STRANGER)) == 1
    assert audit_actions(bot_env).count((STRANGER, "refused")) == 1

    clock.now += timedelta(minutes=61)
    telegram.send_text(STRANGER, "/start")
    await telegram.wait_for(lambda: len(telegram.chat(STRANGER)) == 2)
    assert "only for the team" in telegram.chat(STRANGER)[-1]["text"]
    assert audit_actions(bot_env).count((STRANGER, "refused")) == 2


async def test_thirty_stranger_commands_in_the_group_get_no_group_message(bot, telegram, bot_env):
    for attempt in range(30):
        command = ("/start", "/help", "/new", "/status 1", "/stoplist")[attempt % 5]
        telegram.send_text(STRANGER, command, chat_id=GROUP, chat_type="group")
    telegram.send_text(ADMIN, "/whoami")
    await telegram.wait_message(ADMIN, contains="Your user id")
    assert telegram.chat(GROUP) == []
    assert not [
        call for call in telegram.calls("sendMessage") if call.params.get("chat_id") == GROUP
    ]
    assert audit_actions(bot_env).count((STRANGER, "refused")) == 1


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


def test_the_audit_keeps_one_stranger_entry_per_user_an_hour(tmp_path):
    store = Store.open(tmp_path / "audit.db")
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    window = timedelta(hours=1)

    def attempt(user_id: int, minutes: float) -> bool:
        moment = start + timedelta(minutes=minutes)
        return store.audit.record_unless_recent(
            user_id, "refused", within=window, now=moment, what="/start"
        )

    try:
        assert [attempt(STRANGER, m) for m in (0, 1, 30, 59.9)] == [True, False, False, False]
        assert attempt(STRANGER + 1, 2) is True  # another stranger has their own hour
        assert attempt(STRANGER, 60.1) is True
        assert attempt(STRANGER, 61) is False
        assert len(store.audit.recent(action="refused")) == 3
    finally:
        store.close()
