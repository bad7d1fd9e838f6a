"""/members of a large team fits in one Telegram message and says how many it left out."""

from __future__ import annotations

from pathlib import Path

from storage.members import Role
from storage.store import Store
from tests.conftest import ADMIN

TEAM = 300


async def test_a_large_team_is_listed_within_one_message(start_bot, bot_env, telegram):
    store = Store.open(Path(bot_env["DATA_DIR"]) / "pulse-bridge.db")
    try:
        for user_id in range(5000, 5000 + TEAM):
            store.members.set_role(user_id, Role.VIEWER, added_by=ADMIN, name="Ann <&> " * 20)
    finally:
        store.close()
    await start_bot()

    telegram.send_text(ADMIN, "/members")
    reply = await telegram.wait_message(ADMIN, contains="Members")

    assert len(reply["text"]) <= 4096
    assert "\nAnn <&> Ann" in reply["text"]  # names shown as written, cut short
    assert "… (5000) - viewer\n" in reply["text"]
    hidden = TEAM + 1 - (len(reply["text"].splitlines()) - 2)
    assert reply["text"].endswith(f"…and {hidden} more.")
    assert not telegram.errors
