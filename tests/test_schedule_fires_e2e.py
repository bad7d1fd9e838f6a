"""The real program fires a scheduled send by itself, once, and asks about one missed for long.

The program's clock cannot be set from outside, so after scheduling through the bot each test
stops it, moves the stored time (the database is the source of truth) and starts it again.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.compose_user import Composer, make_operator
from tests.conftest import OPERATOR


async def schedule_tomorrow(telegram, text: str) -> None:
    """Compose a one-recipient SMS and schedule it by the bot for tomorrow 10:00."""
    composer = Composer(telegram)
    await composer.start(f"/send sms 79001234567 {text}", expect="Preview")
    await composer.press("Schedule", expect="When should it go out")
    await composer.press("Tomorrow 10:00", expect="Confirm?")
    await composer.press("Confirm", expect="Scheduled campaign №1")


def move_schedule(bot_env: dict[str, str], run_at: datetime) -> None:
    with sqlite3.connect(Path(bot_env["DATA_DIR"]) / "pulse-bridge.db") as db:
        db.execute("UPDATE schedules SET run_at = ? WHERE id = 1", [run_at.isoformat()])


def stored_schedule(bot_env: dict[str, str]) -> tuple[str, int]:
    with sqlite3.connect(Path(bot_env["DATA_DIR"]) / "pulse-bridge.db") as db:
        return db.execute("SELECT state, runs FROM schedules WHERE id = 1").fetchone()


async def test_a_bot_schedule_fires_once_by_itself(start_bot, bot_env, telegram, platform):
    first = await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    await schedule_tomorrow(telegram, "Fires by itself")
    await first.stop()

    # A few seconds after the program is ready again (starting takes a few seconds itself).
    run_at = datetime.now(UTC) + timedelta(seconds=6)
    move_schedule(bot_env, run_at)
    await start_bot(PULSE_SENDERS="Shop")

    async with asyncio.timeout(20):
        await platform.wait_requests(1)
    assert datetime.now(UTC) >= run_at  # not before its time
    [message] = platform.messages.values()
    assert message.sent_text == "Fires by itself"
    await telegram.wait_for(lambda: stored_schedule(bot_env) == ("done", 1))
    assert sum(platform.received.values()) == 1
    assert platform.received["79001234567"] == 1


async def test_a_send_missed_for_long_asks_its_owner_after_a_restart(
    start_bot, bot_env, telegram, platform
):
    first = await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    await schedule_tomorrow(telegram, "Missed while down")
    await first.stop()

    move_schedule(bot_env, datetime.now(UTC) - timedelta(minutes=30))
    await start_bot(PULSE_SENDERS="Shop")

    question = await telegram.wait_message(OPERATOR, contains="was missed")
    assert "30 min late" in question["text"]
    assert "Missed while down" in question["text"]
    assert platform.requests == []
    send_now = telegram.find_button(question, "Send now")
    first_press = telegram.press(OPERATOR, question, send_now)
    second_press = telegram.press(OPERATOR, question, send_now)
    await telegram.wait_answer(first_press)
    late = await telegram.wait_answer(second_press)
    assert "already" in late["text"]

    async with asyncio.timeout(20):
        await platform.wait_requests(1)
    await telegram.wait_for(lambda: stored_schedule(bot_env) == ("done", 1))
    assert sum(platform.received.values()) == 1
    answered = await telegram.wait_message(OPERATOR, contains="Sending №1 now")
    assert not answered.get("reply_markup")
