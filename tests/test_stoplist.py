"""/stoplist: addresses added (typed or from a file) never receive messages; changes are audited."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage.store import Store
from tests.compose_user import Composer, make_operator
from tests.conftest import OPERATOR


def test_adding_and_removing_counts_only_real_changes(tmp_path):
    store = Store.open(tmp_path / "x.db")
    assert store.stoplist.add(["79001234567", "a@example.com"], added_by=1) == 2
    assert store.stoplist.add(["79001234567", "79001234568"], added_by=1) == 1
    assert store.stoplist.count() == 3
    assert store.stoplist.first(2) == ["79001234567", "a@example.com"]
    assert store.stoplist.remove(["79001234567", "79000000000"], removed_by=1) == 1
    assert store.stoplist.addresses() == {"a@example.com", "79001234568"}
    actions = [(entry["action"], entry["details"]["count"]) for entry in store.audit.recent()]
    assert actions == [("stoplist_remove", 1), ("stoplist_add", 1), ("stoplist_add", 2)]


def audit(bot_env) -> list[tuple[str, str]]:
    with sqlite3.connect(Path(bot_env["DATA_DIR"]) / "pulse-bridge.db") as db:
        return db.execute(
            "SELECT action, details FROM audit WHERE action LIKE 'stoplist%'"
        ).fetchall()


async def press(telegram, message: dict, label: str) -> dict:
    query = telegram.press(OPERATOR, message, telegram.find_button(message, label), strict=True)
    await telegram.wait_answer(query)
    return await telegram.wait_for(
        lambda: next(m for m in telegram.chat(OPERATOR) if m["message_id"] == message["message_id"])
    )


async def test_the_stop_list_is_kept_audited_and_applied_to_new_lists(start_bot, telegram, bot_env):
    await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    telegram.send_text(OPERATOR, "/stoplist")
    shown = await telegram.wait_message(OPERATOR, contains="Stop-list: 0 addresses")

    await press(telegram, shown, "Add")
    await telegram.wait_message(OPERATOR, contains="Send the phone numbers or e-mail addresses")
    telegram.send_text(OPERATOR, "+7 900 123-45-67, Foo@Example.COM, <junk>")
    added = await telegram.wait_message(OPERATOR, contains="Added to the stop-list: 2")
    assert "Invalid: 1" in added["text"]
    assert "«<junk>» - neither a phone number nor an e-mail address" in added["text"]
    assert "79001234567\nFoo@example.com" in added["text"]

    await press(telegram, added, "Upload a file")
    telegram.send_document(OPERATOR, "more.csv", b"phone\n79001234567\n89001234568\n")
    uploaded = await telegram.wait_message(
        OPERATOR, contains="Added to the stop-list: 1 (already there: 1)"
    )
    assert "Stop-list: 3 addresses" in uploaded["text"]

    await press(telegram, uploaded, "Remove")
    telegram.send_text(OPERATOR, "8 900 123 45 68")
    removed = await telegram.wait_message(OPERATOR, contains="Removed from the stop-list: 1")
    assert "Stop-list: 2 addresses" in removed["text"]
    assert [action for action, _ in audit(bot_env)] == [
        "stoplist_add",
        "stoplist_add",
        "stoplist_remove",
    ]

    composer = Composer(telegram)
    await composer.start("/send email FOO@example.com, b@example.com\nHi", expect="Preview")
    assert "On the stop-list: 1" in composer.text
    assert "Recipients: 1: b@example.com" in composer.text
