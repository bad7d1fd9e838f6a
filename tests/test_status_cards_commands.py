"""/status shows one message's or campaign's history; /campaigns lists the latest with figures."""

from __future__ import annotations

import sqlite3

import aiohttp

from tests.conftest import ADMIN, VIEWER
from tests.test_callbacks_seed import SECRET, database_path, seed_campaign, status_url


async def fire(urls: list[str]) -> None:
    async with aiohttp.ClientSession() as session:
        for url in urls:
            async with session.get(url) as response:
                assert response.status == 200


async def test_status_shows_every_status_of_a_message_escaped(start_bot, bot_env, telegram):
    seeded = seed_campaign(bot_env, ["79000000001", "79000000002"])
    bot = await start_bot(CALLBACK_SECRET=SECRET)
    message_id = seeded.message_ids[0]
    await fire(
        [status_url(bot.url, message_id, "<i>odd</i>"), status_url(bot.url, message_id, "1")]
    )
    telegram.send_text(ADMIN, f"/allow {VIEWER} viewer")
    await telegram.wait_message(ADMIN, "is now")

    telegram.send_text(VIEWER, f"/status p{message_id}")

    reply = await telegram.wait_message(VIEWER, "History")
    lines = reply["text"].splitlines()
    assert f"Message p{message_id}" in lines[0]
    assert "To: 79000000001" in reply["text"]
    assert "Now: ✅ delivered\n" in reply["text"]
    history = [line for line in lines if line.startswith("• ")]
    assert len(history) == 2
    assert history[0].endswith("<i>odd</i> · pending")
    assert history[1].endswith(" · delivered to the phone")


async def test_a_failure_after_delivery_is_history_and_the_message_stays_delivered(
    start_bot, bot_env, telegram
):
    seeded = seed_campaign(bot_env, ["79000000001", "79000000002"])
    bot = await start_bot(CALLBACK_SECRET=SECRET)
    cascade = seeded.message_ids[0]
    # The fallback channel delivered; then the first channel's retried failure arrives.
    await fire([status_url(bot.url, cascade, "1"), status_url(bot.url, cascade, "16")])

    telegram.send_text(ADMIN, f"/status p{cascade}")
    reply = await telegram.wait_message(ADMIN, "History")
    assert "Now: ✅ delivered\n" in reply["text"]
    history = [line for line in reply["text"].splitlines() if line.startswith("• ")]
    assert history[0].endswith(" · delivered to the phone")
    assert history[1].endswith(
        " · rejected by the operator · after delivery: the message stays delivered"
    )

    telegram.send_text(ADMIN, f"/status #{seeded.campaign_id}")
    figures = await telegram.wait_message(ADMIN, "Latest statuses", after=reply["message_id"])
    assert "Delivered: 1" in figures["text"]
    assert "Failed: 0" in figures["text"]


async def test_status_with_a_campaign_number_shows_its_figures_and_latest_statuses(
    start_bot, bot_env, telegram
):
    seeded = seed_campaign(bot_env, ["79000000001", "79000000002", "79000000003"])
    bot = await start_bot(CALLBACK_SECRET=SECRET)
    await fire([status_url(bot.url, seeded.message_ids[1], "2")])

    telegram.send_text(ADMIN, f"/status #{seeded.campaign_id}")

    reply = await telegram.wait_message(ADMIN, "Latest statuses")
    assert f"Campaign №{seeded.campaign_id}" in reply["text"]
    assert "Failed: 1" in reply["text"]
    assert "Pending: 2" in reply["text"]
    assert "79000000002 · not delivered to the phone" in reply["text"]


async def test_a_russian_reader_finds_a_campaign_by_the_number_its_cards_show(
    start_bot, bot_env, telegram
):
    seed_campaign(bot_env, ["79000000001"])
    seeded = seed_campaign(bot_env, ["79000000002", "79000000003"])
    bot = await start_bot(CALLBACK_SECRET=SECRET, LOCALE="ru")
    await fire([status_url(bot.url, seeded.message_ids[0], "1")])
    await fire([status_url(bot.url, seeded.message_ids[1], "16")])
    said = 0
    for typed in (f"/status {seeded.campaign_id}", f"/status №{seeded.campaign_id}",
                  f"/status № {seeded.campaign_id}", f"/status #{seeded.campaign_id}"):  # fmt: skip
        telegram.send_text(ADMIN, typed, language_code="ru")
        reply = await telegram.wait_message(ADMIN, "Последние статусы", after=said)
        said = reply["message_id"]
        assert f"Рассылка №{seeded.campaign_id}" in reply["text"], typed
        assert "#" not in reply["text"]
        # Kannel codes in words, never bare: "· 16 · не доставлено" was unreadable.
        assert "79000000002 · доставлено на телефон" in reply["text"]
        assert "79000000003 · отклонено оператором" in reply["text"]
        assert " · 16 · " not in reply["text"]
    telegram.send_text(ADMIN, "/campaigns", language_code="ru")
    listing = await telegram.wait_message(ADMIN, "рассылки", after=said)
    assert f"№{seeded.campaign_id} · SMS · 2 получателя" in listing["text"]
    assert f"/status №{seeded.campaign_id}" in listing["text"]
    assert "#" not in listing["text"]


async def test_status_with_an_unknown_or_missing_id_says_what_to_send(bot, telegram):
    telegram.send_text(ADMIN, "/status <nope>")
    unknown = await telegram.wait_message(ADMIN, "Nothing found")
    telegram.send_text(ADMIN, "/status")
    usage = await telegram.wait_message(ADMIN, "Send /status number", after=unknown["message_id"])

    assert "<nope>" in unknown["text"]
    assert "/status 12" in usage["text"]


async def test_campaigns_lists_the_latest_with_their_figures(start_bot, bot_env, telegram):
    first = seed_campaign(bot_env, ["79000000001"])
    second = seed_campaign(bot_env, [f"7900000{n:04d}" for n in range(1200)])
    bot = await start_bot(CALLBACK_SECRET=SECRET)
    await fire([status_url(bot.url, second.message_ids[0], "1")])

    telegram.send_text(ADMIN, "/campaigns")

    reply = await telegram.wait_message(ADMIN, "Latest campaigns")
    text = reply["text"]
    assert text.index(f"№{second.campaign_id}") < text.index(f"№{first.campaign_id} ")
    assert "1,200 recipients" in text
    assert "✅ 1 · ❌ 0 · ⏳ 1,199 · 🚫 0" in text


async def test_status_finds_a_message_by_the_id_its_late_answer_gave(start_bot, bot_env, telegram):
    seeded = seed_campaign(bot_env, ["79000000001"])
    # The status came first with the row's id; the answer named another one, kept beside it.
    with sqlite3.connect(database_path(bot_env)) as db:
        db.execute("UPDATE messages SET answer_id = 'a-99' WHERE id = ?", [seeded.message_ids[0]])
    await start_bot(CALLBACK_SECRET=SECRET)

    telegram.send_text(ADMIN, "/status a-99")

    reply = await telegram.wait_message(ADMIN, "another id")
    assert f"Message {seeded.platform_id(0)}" in reply["text"]
    assert "The platform's answer gave another id: a-99" in reply["text"]
