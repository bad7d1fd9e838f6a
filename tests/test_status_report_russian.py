"""A Russian team gets its report as a file Excel opens right, and the full one on request."""

from __future__ import annotations

from tests.conftest import ADMIN, GROUP
from tests.report_reader import read_report
from tests.test_callbacks_seed import SECRET, seed_campaign, status_url
from tests.test_status_cards import fire

ADDRESSES = ["79001234567", "79001234568", "79001234569"]
FIELDS = {
    "79001234567": {"Имя": "Анна", "Город": "Тула"},
    "79001234568": {"Имя": "-1+cmd|' /C calc'!A0"},
    "79001234569": {"Имя": "Вера", "Город": "Омск"},
}


def documents(telegram, chat: int) -> list[dict]:
    return [message for message in telegram.chat(chat) if "document" in message]


async def test_the_final_report_and_the_full_one_open_in_russian_excel(
    start_bot, bot_env, telegram
):
    seeded = seed_campaign(
        bot_env,
        ADDRESSES,
        text="Здравствуйте, {Имя}!",
        fields=FIELDS,
        rejected={"79001234569": "Номер в чёрном списке"},
    )
    bot = await start_bot(CALLBACK_SECRET=SECRET, LOCALE="ru")
    await telegram.wait_message(GROUP, "Получателей: 3")

    statuses = [(seeded.message_ids[0], "1"), (seeded.message_ids[1], "2")]
    assert await fire([status_url(bot.url, m, s) for m, s in statuses]) == [200, 200]

    card = await telegram.wait_message(GROUP, "Итог.", timeout=20)
    assert "▓▓▓▓▓▓▓▓▓▓ 100% с итоговым статусом" in card["text"]
    report_message = await telegram.wait_for(lambda: documents(telegram, GROUP))
    document = report_message[0]["document"]
    assert document["file_name"] == f"рассылка-{seeded.campaign_id}-не-получили.csv"
    assert "не получили сообщение — 2" in report_message[0]["caption"]
    report = read_report(document["content"])
    assert report.head["Рассылка"] == f"№{seeded.campaign_id}"
    assert report.head["Текст"] == "Здравствуйте, {Имя}!"
    assert report.head["Получатели в файле"] == "те, кто не получил сообщение"
    assert report.header == [
        "Адрес",
        "Имя",
        "Город",
        "Статус",
        "Статус платформы",
        "Причина",
        "Время последнего статуса",
    ]
    assert [(r["Адрес"], r["Имя"], r["Город"], r["Статус"]) for r in report.rows] == [
        ("79001234568", "'-1+cmd|' /C calc'!A0", "", "не доставлено"),
        ("79001234569", "Вера", "Омск", "отклонено платформой"),
    ]
    assert report.rows[0]["Статус платформы"] == "2"
    assert report.rows[0]["Время последнего статуса"]
    assert report.rows[1]["Причина"] == "Номер в чёрном списке"

    button = telegram.find_button(card, "Полный отчёт")
    press = telegram.press(ADMIN, card, button, language_code="ru", strict=True)
    answer = await telegram.wait_answer(press)
    assert answer.get("text") == "Готовлю полный отчёт…"
    full_message = await telegram.wait_for(lambda: documents(telegram, GROUP)[1:])
    full = full_message[0]["document"]
    assert full["file_name"] == f"рассылка-{seeded.campaign_id}-полный-отчёт.csv"
    assert "получателей: 3" in full_message[0]["caption"]
    full_report = read_report(full["content"])
    assert full_report.head["Получатели в файле"] == "все получатели"
    assert [r["Статус"] for r in full_report.rows] == [
        "доставлено",
        "не доставлено",
        "отклонено платформой",
    ]
    assert full_report.rows[0]["Город"] == "Тула"
