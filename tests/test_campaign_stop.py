"""A running campaign's card has a Stop button: rows not yet submitted are cancelled (never
sent, counted as cancelled on the card and in the report), and the stop is audited."""

from __future__ import annotations

import asyncio
import sqlite3

from bot.platform.reasons import Reason, ReasonCode
from storage.campaigns import CampaignState, Draft
from storage.store import Store
from tests.compose_user import Composer, make_operator
from tests.conftest import ADMIN, GROUP, OPERATOR, VIEWER
from tests.report_reader import read_report
from tests.test_callbacks_seed import database_path

ADDRESSES = [f"7900{n:07d}" for n in range(1, 31)]


async def start_held_campaign(start_bot, telegram, platform) -> dict:
    """A 30-recipient campaign whose first requests the platform holds unanswered."""
    await start_bot(PULSE_SENDERS="Shop", LOCALE="ru", PULSE_CONCURRENCY="2")
    await make_operator(telegram)
    platform.hold()
    composer = Composer(telegram, language_code="ru")
    await composer.start(f"/send sms {', '.join(ADDRESSES)}\nСкидка 10%", expect="Предпросмотр")
    await composer.press("Отправить", expect="рассылка №")
    async with asyncio.timeout(10):
        await platform.wait_requests(2)
    return await telegram.wait_message(GROUP, "Получателей: 30")


def group_card(telegram) -> dict:
    return next(m for m in telegram.chat(GROUP) if "Получателей: 30" in m.get("text", ""))


async def test_stopping_cancels_every_recipient_not_yet_sent(
    start_bot, bot_env, telegram, platform
):
    card = await start_held_campaign(start_bot, telegram, platform)
    assert [label for label, _data in telegram.buttons(card)] == ["⏹ Остановить рассылку"]

    stop = telegram.find_button(card, "Остановить рассылку")
    telegram.press(OPERATOR, card, stop, language_code="ru", strict=True)
    question = await telegram.wait_message(GROUP, "Остановить рассылку №")
    assert "не получат" in question["text"]
    yes = telegram.find_button(question, "Да, остановить")
    press = telegram.press(OPERATOR, question, yes, language_code="ru", strict=True)
    await telegram.wait_answer(press)
    closed = await telegram.wait_message(GROUP, "остановил(а)")
    assert closed["message_id"] == question["message_id"]
    assert not closed.get("reply_markup")
    platform.release()

    await telegram.wait_for(lambda: "Отменено остановкой" in group_card(telegram)["text"])
    in_flight = len(platform.requests)
    assert 2 <= in_flight < 30
    cancelled = 30 - len(platform.messages)
    assert f"сообщение не получат {cancelled} получател" in closed["text"]
    assert await platform.fire_many([(pid, "1") for pid in platform.messages]) == [200] * (
        30 - cancelled
    )
    final = await telegram.wait_for(
        lambda: "Итог." in group_card(telegram)["text"] and group_card(telegram)
    )
    assert f"⏹ Отменено остановкой, не отправлено: {cancelled}" in final["text"]
    assert "Остановить" not in str(final.get("reply_markup"))
    assert len(platform.requests) == in_flight  # nothing went out after the stop
    report = await telegram.wait_for(
        lambda: next((m for m in telegram.chat(GROUP) if "document" in m), None)
    )
    rows = read_report(report["document"]["content"]).rows
    assert len(rows) == cancelled
    assert {row["Статус"] for row in rows} == {"отменено, не отправлено"}
    with sqlite3.connect(database_path(bot_env)) as conn:
        audited = conn.execute("SELECT user_id, action, details FROM audit WHERE action = 'stop'")
        ((user_id, _action, details),) = audited.fetchall()
    assert user_id == OPERATOR
    assert f'"cancelled": {cancelled}' in details


async def test_only_the_author_or_an_admin_may_stop_and_no_is_harmless(
    start_bot, telegram, platform
):
    card = await start_held_campaign(start_bot, telegram, platform)
    stop = telegram.find_button(card, "Остановить рассылку")
    await make_operator(telegram, OPERATOR + 1)
    telegram.send_text(ADMIN, f"/allow {VIEWER} viewer")
    await telegram.wait_message(ADMIN, f"{VIEWER} is now")

    viewer_press = telegram.press(VIEWER, card, stop, language_code="ru")
    other = telegram.press(OPERATOR + 1, card, stop, language_code="ru")
    assert "оператор" in (await telegram.wait_answer(viewer_press))["text"]
    refused = await telegram.wait_answer(other)
    assert refused["text"] == "Остановить рассылку может только её автор или админ."
    telegram.press(OPERATOR, card, stop, language_code="ru", strict=True)
    question = await telegram.wait_message(GROUP, "Остановить рассылку №")
    telegram.press(
        OPERATOR, question, telegram.find_button(question, "Продолжить"), language_code="ru"
    )
    await telegram.wait_message(GROUP, "Отправка продолжается.")
    platform.release()

    await telegram.wait_for(lambda: len(platform.messages) == 30, timeout=20)


async def test_a_paused_campaign_stopped_closes_without_a_resume(start_bot, bot_env, telegram):
    store = Store.open(database_path(bot_env))
    try:
        campaign_id = store.campaigns.create(
            Draft(type="sms", sender="Shop", text="Скидка"),
            author_id=ADMIN,
            author_chat_id=ADMIN,
            state=CampaignState.SUBMITTING,
            sandbox=False,
            callbacks=True,
            recipient_count=5,
        )
        store.messages.add_recipients(campaign_id, [(a, {}) for a in ADDRESSES[:5]])
        reason = Reason.of(ReasonCode.HTTP_STATUS, status=500)
        store.campaigns.set_pause(campaign_id, reason.encode())
    finally:
        store.close()
    await start_bot(LOCALE="ru")
    card = await telegram.wait_message(GROUP, "Получателей: 5")
    assert "⏸" in card["text"]  # paused: no pass is running to notice the stop

    telegram.press(ADMIN, card, telegram.find_button(card, "Остановить"), language_code="ru")
    question = await telegram.wait_message(GROUP, "Остановить рассылку №")
    telegram.press(ADMIN, question, telegram.find_button(question, "Да"), language_code="ru")

    final = await telegram.wait_message(GROUP, "Отменено остановкой, не отправлено: 5", timeout=20)
    assert "⏸" not in final["text"]  # no longer paused: nothing is left to resume
    assert "Итог." in final["text"]
