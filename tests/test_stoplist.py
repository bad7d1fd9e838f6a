"""/stoplist: addresses added (typed or from a file) never receive messages; changes are audited."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import bot.compose.lists
import bot.stoplist.changes
from bot.compose.list_process import BIG_UPLOAD_BYTES
from storage.store import Store
from tests.compose_user import Composer, make_operator
from tests.conftest import ADMIN, OPERATOR


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


async def press(telegram, message: dict, label: str, user: int = OPERATOR) -> dict:
    query = telegram.press(user, message, telegram.find_button(message, label), strict=True)
    await telegram.wait_answer(query)
    return await telegram.wait_for(
        lambda: next(m for m in telegram.chat(user) if m["message_id"] == message["message_id"])
    )


def removal_audit(bot_env) -> list[tuple[int, str]]:
    with sqlite3.connect(Path(bot_env["DATA_DIR"]) / "pulse-bridge.db") as db:
        return db.execute(
            "SELECT user_id, details FROM audit WHERE action = 'stoplist_remove'"
        ).fetchall()


async def test_an_operator_demoted_after_asking_to_remove_removes_nothing(
    start_bot, telegram, bot_env
):
    await start_bot()
    telegram.send_text(ADMIN, f"/allow {OPERATOR} admin")
    await telegram.wait_message(ADMIN, contains=f"{OPERATOR} is now")
    store_path = Path(bot_env["DATA_DIR"]) / "pulse-bridge.db"
    with sqlite3.connect(store_path) as db:
        db.execute(
            "INSERT INTO stoplist (address, added_by, added_at) VALUES ('79001234567', ?, ?)",
            [ADMIN, "2026-11-30T09:00:00.000+00:00"],
        )
    telegram.send_text(OPERATOR, "/stoplist")
    card = await telegram.wait_message(OPERATOR, contains="Stop-list: 1 address")
    await press(telegram, card, "Remove")
    telegram.send_text(ADMIN, f"/allow {OPERATOR} operator")
    await telegram.wait_message(ADMIN, contains=f"{OPERATOR} is now operator")
    telegram.send_text(OPERATOR, "79001234567")
    await telegram.wait_message(OPERATOR, contains="Only an admin can remove")
    with sqlite3.connect(store_path) as db:
        assert db.execute("SELECT count(*) FROM stoplist").fetchone() == (1,)
    assert removal_audit(bot_env) == []


async def test_the_stop_list_is_kept_audited_and_applied_to_new_lists(start_bot, telegram, bot_env):
    await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    telegram.send_text(OPERATOR, "/stoplist")
    shown = await telegram.wait_message(OPERATOR, contains="Stop-list: 0 addresses")

    await press(telegram, shown, "Add")
    prompt = await telegram.wait_message(
        OPERATOR, contains="Send the phone numbers or e-mail addresses"
    )
    telegram.send_text(OPERATOR, "+7 900 123-45-67, Foo@Example.COM, <junk>")
    added = await telegram.wait_message(OPERATOR, contains="Added to the stop-list: 2")
    # The answered question keeps no button that would bring back the list as it was.
    await telegram.wait_for(
        lambda: (
            not next(
                m for m in telegram.chat(OPERATOR) if m["message_id"] == prompt["message_id"]
            ).get("reply_markup")
        )
    )
    assert "Invalid: 1" in added["text"]
    assert "«<junk>» - neither a phone number nor an e-mail address" in added["text"]
    assert f"79001234567 · added by User ({OPERATOR}), " in added["text"]
    assert f"\nFoo@example.com · added by User ({OPERATOR}), " in added["text"]

    await press(telegram, added, "Upload a file")
    telegram.send_document(OPERATOR, "more.csv", b"phone\n79001234567\n89001234568\n")
    uploaded = await telegram.wait_message(
        OPERATOR, contains="Added to the stop-list: 1 (already there: 1)"
    )
    assert "Stop-list: 3 addresses" in uploaded["text"]

    # Who added each address is on the card; lifting an opt-out is for an admin only.
    assert "Remove" not in [label for label, _ in telegram.buttons(uploaded)]
    add = telegram.find_button(uploaded, "Add")
    crafted = telegram.press(OPERATOR, uploaded, add.removesuffix("add") + "remove")
    assert "needs the admin role" in (await telegram.wait_answer(crafted))["text"]
    telegram.send_text(OPERATOR, "/whoami")  # handled after the refused press: its answers are in
    await telegram.wait_message(OPERATOR, contains="Your user id")
    assert not telegram.errors  # the refusal was the press's one answer

    telegram.send_text(ADMIN, "/stoplist")
    card = await telegram.wait_message(ADMIN, contains="Stop-list: 3 addresses")
    await press(telegram, card, "Remove", user=ADMIN)
    telegram.send_text(ADMIN, "8 900 123 45 68, 79005550000")
    removed = await telegram.wait_message(ADMIN, contains="Removed from the stop-list: 1")
    assert "Stop-list: 2 addresses" in removed["text"]
    assert [action for action, _ in audit(bot_env)] == [
        "stoplist_add",
        "stoplist_add",
        "stoplist_remove",
    ]
    [(who, details)] = removal_audit(bot_env)
    assert who == ADMIN
    assert json.loads(details) == {"count": 1, "addresses": ["79001234568"]}

    composer = Composer(telegram)
    await composer.start("/send email FOO@example.com, b@example.com\nHi", expect="Preview")
    assert "On the stop-list: 1" in composer.text
    assert "Recipients: 1 (1 on the stop-list left out): b@example.com" in composer.text


async def test_the_question_stays_open_through_commands_and_unusable_answers(bot, telegram):
    await make_operator(telegram)
    telegram.send_text(OPERATOR, "/stoplist")
    card = await telegram.wait_message(OPERATOR, contains="Stop-list: 0 addresses")
    prompt = await press(telegram, card, "Add")
    assert "Send the phone numbers" in prompt["text"]
    telegram.send_text(OPERATOR, "/whoami")  # a command reaches its own handler
    await telegram.wait_message(OPERATOR, contains="Your user id")
    telegram.send_text(OPERATOR, "hello")
    refused = await telegram.wait_message(OPERATOR, contains="Invalid: 1")
    assert "Stop-list" not in refused["text"]
    assert telegram.buttons(telegram.message(OPERATOR, prompt["message_id"]))  # still asking
    telegram.send_text(OPERATOR, "79001234567")
    added = await telegram.wait_message(OPERATOR, contains="Added to the stop-list: 1")
    assert "Stop-list: 1 address never receives messages." in added["text"]
    # The list itself asks nothing: text typed now is not taken as addresses.
    telegram.send_text(OPERATOR, "79001234568")
    telegram.send_text(OPERATOR, "/whoami")
    await telegram.wait_message(OPERATOR, contains="Your user id", after=added["message_id"])
    assert "Added to the stop-list" not in telegram.last(OPERATOR)["text"]
    assert bot.app.store.stoplist.count() == 1


async def test_a_big_file_changes_the_stop_list_in_the_list_process(
    start_bot, telegram, bot_env, monkeypatch
):
    await start_bot()
    rows = 50_000
    lines = ["phone", *(f"7900{n:07d}" for n in range(rows)), "not a phone"]
    content = ("\n".join(lines) + "\n").encode()
    assert len(content) >= BIG_UPLOAD_BYTES

    def not_here(*args, **kwargs):
        raise AssertionError("a big file must not change the stop-list in the program's process")

    # The list process imports its own copy of the reading and the change; only the program's
    # copies refuse.
    monkeypatch.setattr(bot.compose.lists, "parse_file", not_here)
    monkeypatch.setattr(bot.stoplist.changes, "_change", not_here)
    telegram.send_text(ADMIN, "/stoplist")
    card = await telegram.wait_message(ADMIN, contains="Stop-list: 0 addresses")
    await press(telegram, card, "Upload a file", user=ADMIN)
    telegram.send_document(ADMIN, "opt-outs.csv", content)
    added = await telegram.wait_message(
        ADMIN, contains=f"Added to the stop-list: {rows:,} (already there: 0)"
    )
    assert f"Stop-list: {rows:,} addresses" in added["text"]
    assert "Invalid: 1" in added["text"]
    assert f"line {rows + 2}: «not a phone» - neither a phone number" in added["text"]

    await press(telegram, added, "Remove", user=ADMIN)
    removing = ["phone", *(f"7900{n:07d}" for n in range(0, rows * 2, 2))]
    telegram.send_document(ADMIN, "lifted.csv", ("\n".join(removing) + "\n").encode())
    removed = await telegram.wait_message(
        ADMIN, contains=f"Removed from the stop-list: {rows // 2:,} (not on it: {rows // 2:,})"
    )
    assert f"Stop-list: {rows // 2:,} addresses" in removed["text"]
    with sqlite3.connect(Path(bot_env["DATA_DIR"]) / "pulse-bridge.db") as db:
        assert db.execute("SELECT count(*) FROM stoplist").fetchone() == (rows // 2,)
    assert [action for action, _ in audit(bot_env)] == ["stoplist_add", "stoplist_remove"]
    [(who, details)] = removal_audit(bot_env)
    assert who == ADMIN
    assert json.loads(details)["count"] == rows // 2
