"""Admins hear once a day that a stranger asked for access, and let them in with one press;
members' names are taken from every update they send."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import ADMIN, OPERATOR, STRANGER
from tests.test_strangers import Clock


def requests_to_admin(telegram) -> list[dict]:
    return [m for m in telegram.chat(ADMIN) if "не в команде" in m.get("text", "")]


async def test_a_stranger_asking_is_told_to_admins_once_a_day_and_let_in(start_bot, telegram):
    clock = Clock()
    await start_bot(clock=clock, LOCALE="ru")

    telegram.send_text(
        STRANGER,
        "Здравствуйте, я Ольга из отдела продаж",
        language_code="ru",
        first_name="Ольга",
        username="olga_sales",
    )
    request = await telegram.wait_message(ADMIN, "не в команде")
    assert request["text"] == (
        f"Ольга @olga_sales ({STRANGER}) не в команде и написал(а) боту: "
        "«Здравствуйте, я Ольга из отдела продаж». Дать доступ?"
    )
    assert [label for label, _ in telegram.buttons(request)] == [
        "Дать доступ оператора",
        "Дать доступ наблюдателя",
    ]
    for text in ("/start", "ау?", "/help"):
        telegram.send_text(STRANGER, text, language_code="ru")
    telegram.send_text(ADMIN, "/whoami", language_code="ru")
    await telegram.wait_message(ADMIN, "Ваш id", after=request["message_id"])
    assert len(requests_to_admin(telegram)) == 1  # once a day, however often they write

    press = telegram.press(
        ADMIN, request, telegram.find_button(request, "оператора"), language_code="ru", strict=True
    )
    await telegram.wait_answer(press)
    closed = await telegram.wait_message(ADMIN, "доступ дал(а)")
    assert closed["message_id"] == request["message_id"]
    assert "✅ Теперь оператор" in closed["text"]
    assert not closed.get("reply_markup")
    await telegram.wait_message(STRANGER, "ваша роль — оператор")
    again = telegram.press(
        ADMIN, request, telegram.find_button(request, "наблюдателя"), language_code="ru"
    )
    assert (await telegram.wait_answer(again))["text"] == f"Пользователь {STRANGER} уже оператор."

    clock.now += timedelta(days=2)
    telegram.send_text(STRANGER, "/help", language_code="ru")
    await telegram.wait_message(STRANGER, "/new")


async def test_a_members_name_follows_what_telegram_says(start_bot, telegram):
    await start_bot(LOCALE="ru")
    telegram.send_text(ADMIN, f"/allow {OPERATOR} оператор", language_code="ru")
    await telegram.wait_message(ADMIN, "теперь оператор")

    telegram.send_text(OPERATOR, "/help", language_code="ru", first_name="Пётр")
    await telegram.wait_message(OPERATOR, "/new")
    telegram.send_text(ADMIN, "/members", language_code="ru")

    listing = await telegram.wait_message(ADMIN, "Пётр")
    assert f"Пётр ({OPERATOR}) - оператор" in listing["text"]
