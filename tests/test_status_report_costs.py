"""Money in the final report and the digest: each accepted message's estimated cost (SMS priced
per part of that recipient's own text), the period's estimated spend; no price, no figure."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from storage.clock import utc_now
from tests.conftest import ADMIN, GROUP
from tests.report_reader import read_report
from tests.test_callbacks_seed import SECRET, seed_campaign, status_url
from tests.test_status_cards_commands import fire

TEXT = "Hi {name}, your order 12345 is ready for pickup at our store."
NAMES = {
    "79000000001": "Ann",  # GSM-7, 58 characters: 1 part
    "79000000002": "Ольга Петровна Иванова",  # UCS-2, 77 characters: 2 parts
    "79000000003": "A" * 120,  # GSM-7, 175 characters: 2 parts
    "79000000004": "Bob",  # refused by the platform: costs nothing
}
COST = "Estimated cost, ₽"
TOTAL = "Estimated cost of the accepted messages, ₽"


def seeded_with_names(bot_env):
    return seed_campaign(
        bot_env,
        list(NAMES),
        text=TEXT,
        fields={address: {"name": name} for address, name in NAMES.items()},
        rejected={"79000000004": "invalid number"},
    )


async def finish(program, seeded) -> None:
    first, second, third, _ = seeded.message_ids
    await fire(
        [
            status_url(program.url, first, "1"),
            status_url(program.url, second, "2"),
            status_url(program.url, third, "1"),
        ]
    )


def document(telegram, name_part: str):
    return next(
        (
            m
            for m in telegram.chat(GROUP)
            if name_part in m.get("document", {}).get("file_name", "")
        ),
        None,
    )


async def test_the_report_prices_each_accepted_message_by_its_own_parts(
    start_bot, bot_env, telegram
):
    seeded = seeded_with_names(bot_env)
    program = await start_bot(CALLBACK_SECRET=SECRET, PULSE_PRICES="sms:2.50")
    await finish(program, seeded)

    undelivered = await telegram.wait_for(lambda: document(telegram, "undelivered"), timeout=30)
    report = read_report(undelivered["document"]["content"])
    assert report.head[TOTAL] == "12.50"  # every accepted message, not only those listed
    assert report.header[-1] == COST
    assert {row["Address"]: row[COST] for row in report.rows} == {
        "79000000002": "5.00",
        "79000000004": "",  # never taken by the platform
    }

    card = await telegram.wait_message(GROUP, "Final")
    assert (
        "💰 For accepted messages ≈ 12.50\xa0₽: 3 recipients, 5 SMS parts at 2.50\xa0₽"
        in (card["text"])
    )
    query = telegram.press(ADMIN, card, telegram.find_button(card, "Full report"), strict=True)
    await telegram.wait_answer(query)
    full = await telegram.wait_for(lambda: document(telegram, "all-recipients"))
    full_report = read_report(full["document"]["content"])
    assert full_report.head[TOTAL] == "12.50"
    costs = {row["Address"]: row[COST] for row in full_report.rows}
    assert costs == {
        "79000000001": "2.50",
        "79000000002": "5.00",
        "79000000003": "5.00",
        "79000000004": "",
    }
    # The file adds up to the card's estimate, to the cent.
    assert sum(Decimal(cost) for cost in costs.values() if cost) == Decimal("12.50")


async def test_the_russian_report_writes_amounts_as_a_russian_spreadsheet_reads_them(
    start_bot, bot_env, telegram
):
    seeded = seeded_with_names(bot_env)
    program = await start_bot(
        CALLBACK_SECRET=SECRET, PULSE_PRICES="sms:0.35", CURRENCY="руб.", LOCALE="ru"
    )
    await finish(program, seeded)

    undelivered = await telegram.wait_for(lambda: document(telegram, "-1-"), timeout=30)
    report = read_report(undelivered["document"]["content"])
    assert report.head["Ориентировочная стоимость сообщений, принятых платформой, руб."] == "1,75"
    assert report.header[-1] == "Ориентировочная стоимость, руб."
    assert [row["Ориентировочная стоимость, руб."] for row in report.rows] == ["0,70", ""]


async def test_without_prices_the_report_has_no_cost_column(start_bot, bot_env, telegram):
    seeded = seeded_with_names(bot_env)
    program = await start_bot(CALLBACK_SECRET=SECRET)
    await finish(program, seeded)

    undelivered = await telegram.wait_for(lambda: document(telegram, "undelivered"), timeout=30)
    report = read_report(undelivered["document"]["content"])
    assert not [title for title in report.header if "cost" in title.lower()]
    assert not [title for title in report.head if "cost" in title.lower()]


async def test_the_digest_shows_the_periods_estimated_spend(start_bot, bot_env, telegram):
    seeded = seeded_with_names(bot_env)
    seed_campaign(bot_env, ["79000000011", "79000000012"], text="Sale today")  # 1 part each
    now = [utc_now() + timedelta(minutes=1)]
    program = await start_bot(
        clock=lambda: now[0],
        CALLBACK_SECRET=SECRET,
        DIGEST_CRON="0 10 * * 1",
        PULSE_PRICES="sms:2.50",
    )
    await finish(program, seeded)

    assert await program.app.digest.send()

    digest = await telegram.wait_message(GROUP, "Digest")
    # 12.50 for the first campaign's three accepted messages, 5.00 for the second's two.
    assert "💰 Estimated spend: ≈ 17.50\xa0₽ for 5 accepted messages" in digest["caption"]
    assert "No price set" not in digest["caption"]


async def test_a_digest_names_the_types_it_has_no_price_for(start_bot, bot_env, telegram):
    seed_campaign(bot_env, ["79000000011", "79000000012"], text="Sale today")
    now = [utc_now() + timedelta(minutes=1)]
    program = await start_bot(
        clock=lambda: now[0], DIGEST_CRON="0 10 * * 1", PULSE_PRICES="viber:0.90"
    )

    assert await program.app.digest.send()

    digest = await telegram.wait_message(GROUP, "Digest")
    assert "Estimated spend" not in digest["caption"]
    assert "No price set, not counted: SMS (2)" in digest["caption"]


async def test_without_prices_the_digest_shows_no_money(start_bot, bot_env, telegram):
    seed_campaign(bot_env, ["79000000011"], text="Sale today")
    now = [utc_now() + timedelta(minutes=1)]
    program = await start_bot(clock=lambda: now[0], DIGEST_CRON="0 10 * * 1")

    assert await program.app.digest.send()

    digest = await telegram.wait_message(GROUP, "Digest")
    shown = digest.get("caption") or digest["text"]
    assert "Campaigns: 1 · recipients: 1" in shown
    assert "💰" not in shown
    assert "No price set" not in shown
