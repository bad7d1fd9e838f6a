"""Conversation state lives in SQLite, so it outlives the process."""

from __future__ import annotations

from aiogram.fsm.storage.base import StorageKey

from bot.telegram.fsm_storage import SQLiteStorage
from storage.store import Store

KEY = StorageKey(bot_id=1, chat_id=10, user_id=10)


async def test_state_and_data_survive_reopening_the_database(tmp_path):
    store = Store.open(tmp_path / "x.db")
    fsm = SQLiteStorage(store.fsm)
    await fsm.set_state(KEY, "Compose:text")
    await fsm.update_data(KEY, {"draft": {"type": "sms", "text": "Привет"}, "list_id": 3})
    store.close()

    reopened = SQLiteStorage(Store.open(tmp_path / "x.db").fsm)
    assert await reopened.get_state(KEY) == "Compose:text"
    assert await reopened.get_data(KEY) == {
        "draft": {"type": "sms", "text": "Привет"},
        "list_id": 3,
    }


async def test_keys_of_different_users_do_not_mix(tmp_path):
    fsm = SQLiteStorage(Store.open(tmp_path / "x.db").fsm)
    other = StorageKey(bot_id=1, chat_id=10, user_id=11)
    await fsm.set_state(KEY, "A")
    assert await fsm.get_state(other) is None
    await fsm.set_state(KEY, None)
    assert await fsm.get_state(KEY) is None


async def test_an_ended_conversation_leaves_no_row(tmp_path):
    store = Store.open(tmp_path / "x.db")
    fsm = SQLiteStorage(store.fsm)
    context = StorageKey(bot_id=1, chat_id=10, user_id=10, destiny="aiogd:context:abc")
    await fsm.set_data(context, {"state": "Templates:listing", "dialog_data": {}})
    await fsm.set_state(KEY, "Compose:text")
    await fsm.set_data(KEY, {"draft": {"type": "sms"}})
    await fsm.set_data(context, {})  # a dialog's context removed when it closes
    await fsm.set_data(KEY, {})  # the state stays until it is cleared too
    assert await fsm.get_state(KEY) == "Compose:text"
    assert store.db.execute("SELECT count(*) FROM fsm").fetchone() == (1,)
    await fsm.set_state(KEY, None)
    await fsm.set_data(KEY, {})
    assert store.db.execute("SELECT count(*) FROM fsm").fetchone() == (0,)
    assert await fsm.get_data(context) == {}


async def test_conversations_left_from_before_dialogs_are_forgotten_once(tmp_path):
    store = Store.open(tmp_path / "x.db")
    fsm = SQLiteStorage(store.fsm)
    await fsm.set_state(KEY, "Compose:text")
    await fsm.update_data(KEY, {"card_message_id": 7, "draft": {"type": "sms"}})
    # As a database written before the move: the forgetting has not run on it yet.
    store.db.execute(
        "DELETE FROM _sqlite_migrations WHERE migration_set = 'fsm' "
        "AND name = 'm002_conversations_before_dialogs'"
    )
    store.close()

    upgraded = Store.open(tmp_path / "x.db")
    fsm = SQLiteStorage(upgraded.fsm)
    assert await fsm.get_state(KEY) is None
    assert await fsm.get_data(KEY) == {}
    # Once: conversations begun after the move survive the next start.
    await fsm.set_state(KEY, "Compose:text")
    upgraded.close()
    assert await SQLiteStorage(Store.open(tmp_path / "x.db").fsm).get_state(KEY) == "Compose:text"
