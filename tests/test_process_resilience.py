"""The real program under crashes and restarts: SIGKILL and SIGTERM mid-campaign, a schedule due
while the bot was down. Each story is told through the fake Telegram and the fake platform.

The process that is killed or stopped by a signal is `python -m bot`; the restart that follows
runs the same program in-process on the same data directory."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from tests.compose_user import Composer
from tests.conftest import ADMIN

SENDER = "Shop"


def phones_csv(count: int) -> tuple[bytes, set[str]]:
    phones = [f"7901{index:07d}" for index in range(count)]
    return ("phone\n" + "\n".join(phones) + "\n").encode(), set(phones)


def database(bot_env: dict[str, str]) -> sqlite3.Connection:
    return sqlite3.connect(Path(bot_env["DATA_DIR"]) / "pulse-bridge.db")


def row_states(bot_env: dict[str, str]) -> dict[str, int]:
    with database(bot_env) as db:
        return dict(db.execute("SELECT state, COUNT(*) FROM messages GROUP BY state").fetchall())


async def compose_and_send(telegram, csv: bytes, count: int) -> Composer:
    """The admin uploads a recipient file in /new and confirms the large send."""
    composer = Composer(telegram, ADMIN)
    await composer.start("/new", expect="Choose the message type")
    await composer.press("SMS", expect="Choose the sender")
    await composer.press(SENDER, expect="phone numbers")
    await composer.upload("base.csv", csv, expect="Send the text")
    await composer.say("Big sale today", expect="Preview")
    await composer.press("Send", expect=f"Send to {count:,} recipients?")
    await composer.press("Yes, send", expect="Sent to the platform")
    return composer


async def test_sigkill_mid_campaign_sends_nobody_twice_and_keeps_every_answered_status(
    start_bot_process, start_bot, telegram, platform, bot_env
):
    platform.latency = 0.01
    # A fixed pace (no adaptive growth) keeps the campaign running long enough for the kill.
    process = await start_bot_process(
        PULSE_SENDERS=SENDER, PULSE_CONCURRENCY="8", PULSE_MAX_CONCURRENCY="8"
    )
    csv, phones = phones_csv(5000)
    await compose_and_send(telegram, csv, 5000)

    async with asyncio.timeout(60):
        await platform.wait_requests(1500)
    # The platform reports on the first messages; each 200 means "stored" to it.
    reported = list(platform.messages)[:400]
    answers = await platform.fire_many([(platform_id, "1") for platform_id in reported])
    assert set(answers) == {200}
    await process.kill()
    interrupted = row_states(bot_env).get("submitting", 0)
    assert 0 < len(platform.requests) < 5000, "the kill must land mid-campaign"
    assert interrupted > 0, "requests were in flight at the kill"

    await start_bot(PULSE_SENDERS=SENDER)
    question = await telegram.wait_message(ADMIN, contains="was interrupted")
    assert f"Messages concerned: {interrupted}." in question["text"]
    # The rows that never left are sent by themselves; the interrupted ones wait for the author.
    await telegram.wait_for(
        lambda: row_states(bot_env).get("accepted", 0) + interrupted >= 5000, timeout=120
    )
    with database(bot_env) as db:
        unknown = {
            row[0] for row in db.execute("SELECT sent_to FROM messages WHERE state = 'unknown'")
        }
    assert len(unknown) == interrupted
    assert set(platform.received.values()) == {1}, "nobody reached the platform twice"
    assert phones - unknown <= set(platform.received) <= phones
    assert row_states(bot_env) == {"accepted": 5000 - interrupted, "unknown": interrupted}
    with database(bot_env) as db:
        stored = db.execute(
            f"SELECT COUNT(*) FROM messages WHERE status_raw = '1' AND platform_id IN "
            f"({','.join('?' * len(reported))})",
            reported,
        ).fetchone()[0]
    assert stored == len(reported)


async def test_sigkill_after_delivered_callbacks_for_unanswered_rows_never_sends_them_again(
    start_bot_process, start_bot, telegram, platform, bot_env
):
    phones = [f"7902000000{index}" for index in range(6)]
    # Four requests in flight: three messages are stored and reported delivered before their
    # answers, one is stored without a word; the last two recipients wait their turn.
    platform.script(*[("callback_first", "1")] * 3, "hang")
    process = await start_bot_process(PULSE_SENDERS=SENDER, PULSE_CONCURRENCY="4")
    composer = Composer(telegram, ADMIN)
    await composer.start(f"/send sms {', '.join(phones)}\nBig sale today", expect="Preview")
    await composer.press("Send", expect="Sent to the platform")
    async with asyncio.timeout(30):
        await platform.wait_early_callbacks(3)
        await platform.wait_requests(4)
    assert [answer for _, answer in platform.early_callbacks] == [200, 200, 200]
    reported = {platform.messages[pid].sent_to: pid for pid, _ in platform.early_callbacks}
    await process.kill()
    assert row_states(bot_env) == {"submitting": 4, "new": 2}

    await start_bot(PULSE_SENDERS=SENDER, PULSE_CONCURRENCY="4")
    question = await telegram.wait_message(ADMIN, contains="was interrupted")
    assert "Messages concerned: 1." in question["text"]
    telegram.press(ADMIN, question, telegram.find_button(question, "Send these 1 again"))

    await telegram.wait_for(lambda: row_states(bot_env) == {"accepted": 6}, timeout=30)
    requests = Counter(request.params["sent_to"] for request in platform.requests)
    for address in reported:
        assert requests[address] == 1, "a message with a status is never sent again"
    [silent] = set(phones) - set(reported) - {phones[4], phones[5]}
    assert requests[silent] == 2, "the author chose to send the unknown one again"
    assert requests[phones[4]] == requests[phones[5]] == 1
    with database(bot_env) as db:
        kept = dict(db.execute("SELECT sent_to, platform_id FROM messages").fetchall())
    assert {address: kept[address] for address in reported} == reported

    address, platform_id = next(iter(reported.items()))
    last = telegram.last(ADMIN)["message_id"]
    telegram.send_text(ADMIN, f"/status {platform_id}")
    history = await telegram.wait_message(ADMIN, contains="History", after=last)
    assert f"Message {platform_id}" in history["text"]
    assert f"To: {address}" in history["text"]
    assert "Now: ✅ delivered\n" in history["text"]


async def test_sigterm_mid_campaign_exits_cleanly_and_the_rest_goes_after_restart(
    start_bot_process, start_bot, telegram, platform, bot_env
):
    platform.latency = 0.02
    process = await start_bot_process(PULSE_SENDERS=SENDER)
    csv, phones = phones_csv(2000)
    await compose_and_send(telegram, csv, 2000)
    async with asyncio.timeout(60):
        await platform.wait_requests(300)

    assert await process.stop() == 0
    states = row_states(bot_env)
    assert states.get("submitting", 0) == 0, "nothing is left half-written"
    assert states.get("unknown", 0) == 0
    assert states.get("accepted", 0) == len(platform.requests)
    assert states.get("new", 0) == 2000 - len(platform.requests)
    assert "stopped" in process.logs()

    await start_bot(PULSE_SENDERS=SENDER)
    await telegram.wait_for(lambda: sum(platform.received.values()) >= 2000, timeout=120)
    assert set(platform.received) == phones
    assert set(platform.received.values()) == {1}
    assert row_states(bot_env) == {"accepted": 2000}


async def test_a_schedule_due_while_the_bot_was_down_is_sent_once_after_restart(
    start_bot_process, start_bot, telegram, platform, bot_env
):
    process = await start_bot_process(PULSE_SENDERS=SENDER)
    composer = Composer(telegram, ADMIN)
    await composer.start("/send sms 79001112233 Reminder: your visit tomorrow", expect="Preview")
    await composer.press("Schedule", expect="When should it go out")
    await composer.say("tomorrow 10:00", expect="Confirm?")
    await composer.press("Confirm", expect="Scheduled campaign №1")
    assert _pending_schedules(bot_env) == 1
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{process.url}/metrics") as response,
    ):
        assert "pulse_scheduled_waiting 1.0" in await response.text()
    await process.kill()

    # While the bot was down its time came and went (five minutes ago: inside the grace period).
    due = (datetime.now(UTC) - timedelta(minutes=5)).isoformat(timespec="milliseconds")
    with database(bot_env) as db:
        db.execute("UPDATE schedules SET run_at = ? WHERE state = 'pending'", [due])
    assert not platform.requests

    program = await start_bot(PULSE_SENDERS=SENDER)
    await telegram.wait_for(lambda: platform.received["79001112233"] == 1, timeout=30)
    await program.stop()
    await start_bot(PULSE_SENDERS=SENDER)  # a further restart sends nothing more
    telegram.send_text(ADMIN, "/scheduled")
    await telegram.wait_message(ADMIN, contains="Nothing is waiting")
    assert platform.received["79001112233"] == 1
    assert len(platform.requests) == 1


def _pending_schedules(bot_env: dict[str, str]) -> int:
    with database(bot_env) as db:
        return db.execute("SELECT COUNT(*) FROM schedules WHERE state = 'pending'").fetchone()[0]
