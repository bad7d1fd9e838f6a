"""A second pair of eyes: a campaign above the approval thresholds waits for another member."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from tests.compose_user import Composer, make_operator
from tests.conftest import ADMIN, GROUP, OPERATOR
from tests.fakes.telegram import FakeTelegram

SECOND_ADMIN = 5005
TWO = "/send sms 79001234567 79001234568\nSpring sale: everything −20%"


async def send_for_approval(telegram: FakeTelegram, user_id: int = OPERATOR) -> Composer:
    composer = Composer(telegram, user_id=user_id)
    await composer.start(TWO, expect="Preview")
    assert "needs approval by" in composer.text
    await composer.press("Send", expect="waiting for approval")
    return composer


async def press(
    telegram: FakeTelegram, user_id: int, card: dict[str, Any], label: str, strict: bool = True
) -> dict:
    """Press a button of a card (as shown in `card`) and return the answer to the press;
    `strict=False` presses it on a card that has lost it since, as a slow client may."""
    query = telegram.press(user_id, card, telegram.find_button(card, label), strict=strict)
    return await telegram.wait_answer(query)


def audit(bot_env: dict[str, str], action: str) -> list[dict]:
    db = sqlite_utils.Database(Path(bot_env["DATA_DIR"]) / "pulse-bridge.db")
    try:
        return list(db["audit"].rows_where("action = ?", [action]))
    finally:
        db.close()


async def test_nothing_reaches_the_platform_until_a_second_member_approves(
    start_bot, bot_env, telegram, platform
):
    await start_bot(PULSE_SENDERS="Shop", PULSE_PRICES="sms:2.50", APPROVAL_MIN_RECIPIENTS="2")
    await make_operator(telegram)
    composer = await send_for_approval(telegram)

    assert "Campaign №1 is waiting for approval by an admin" in composer.text
    assert "No other admin" not in composer.text
    card = await telegram.wait_message(ADMIN, contains="Approval needed")
    in_group = await telegram.wait_message(GROUP, contains="Approval needed")
    for shown in (card["text"], in_group["text"]):
        assert "campaign №1" in shown
        assert "Recipients: 2" in shown
        assert "SMS parts: 2" in shown  # one UCS-2 part each
        assert "Estimate: ≈ 5.00\xa0₽" in shown
        assert "Spring sale: everything −20%" in shown
    assert platform.requests == []

    answer = await press(telegram, ADMIN, card, "Approve")

    assert "Approved by" in answer["text"]
    async with asyncio.timeout(20):
        await platform.wait_requests(2)
    assert set(platform.received) == {"79001234567", "79001234568"}
    told = await telegram.wait_message(OPERATOR, contains="was approved by")
    assert "It is going out now" in told["text"]
    await telegram.wait_for(lambda: "was approved by" in composer.text)
    assert [row["user_id"] for row in audit(bot_env, "approval_approve")] == [ADMIN]
    assert len(audit(bot_env, "approval_request")) == 1

    # Every approvers' card now shows the decision, without buttons.
    def settled(chat: int, message: dict[str, Any]) -> dict[str, Any] | None:
        [now] = [m for m in telegram.chat(chat) if m["message_id"] == message["message_id"]]
        return now if "Approved by" in now.get("text", "") else None

    for chat, shown in ((ADMIN, card), (GROUP, in_group)):
        now = await telegram.wait_for(lambda c=chat, m=shown: settled(c, m))
        assert telegram.buttons(now) == []
        assert "Spring sale" in now["text"]
    # A second press from a client that still shows the buttons changes nothing.
    again = await press(telegram, ADMIN, in_group, "Approve", strict=False)
    assert "outdated" in again["text"]
    assert len(audit(bot_env, "approval_approve")) == 1
    assert sum(platform.received.values()) == 2


async def test_below_the_thresholds_a_campaign_goes_out_at_once(start_bot, telegram, platform):
    await start_bot(PULSE_SENDERS="Shop", PULSE_PRICES="sms:2.50", APPROVAL_MIN_COST="100")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start(TWO, expect="Preview")
    assert "needs approval" not in composer.text
    await composer.press("Send", expect="Sent to the platform")
    async with asyncio.timeout(20):
        await platform.wait_requests(2)


async def test_the_estimate_above_the_cost_threshold_asks_for_approval(
    start_bot, telegram, platform
):
    await start_bot(PULSE_SENDERS="Shop", PULSE_PRICES="sms:2.50", APPROVAL_MIN_COST="5")
    await make_operator(telegram)
    await send_for_approval(telegram)
    await telegram.wait_message(ADMIN, contains="Approval needed")
    assert platform.requests == []


async def test_the_authors_own_approve_is_refused_even_for_an_admin(
    start_bot, bot_env, telegram, platform
):
    await start_bot(PULSE_SENDERS="Shop", APPROVAL_MIN_RECIPIENTS="1")
    composer = await send_for_approval(telegram, user_id=ADMIN)
    assert "No other admin can approve it now" in composer.text
    in_group = await telegram.wait_message(GROUP, contains="Approval needed")
    assert not [m for m in telegram.chat(ADMIN) if "Approval needed" in m.get("text", "")]

    answer = await press(telegram, ADMIN, in_group, "Approve")

    assert answer["show_alert"]
    assert "cannot approve or reject your own campaign" in answer["text"]
    assert platform.requests == []
    assert [row["user_id"] for row in audit(bot_env, "approval_refused")] == [ADMIN]
    assert audit(bot_env, "approval_approve") == []

    telegram.send_text(ADMIN, f"/allow {SECOND_ADMIN} admin")
    await telegram.wait_message(ADMIN, contains=f"{SECOND_ADMIN} is now")
    await press(telegram, SECOND_ADMIN, in_group, "Approve")
    async with asyncio.timeout(20):
        await platform.wait_requests(2)


async def test_operators_approve_when_approvers_is_operator_but_never_their_own(
    start_bot, telegram, platform
):
    await start_bot(PULSE_SENDERS="Shop", APPROVAL_MIN_RECIPIENTS="1", APPROVERS="operator")
    await make_operator(telegram)
    await make_operator(telegram, user_id=SECOND_ADMIN)  # a second operator
    await send_for_approval(telegram)
    card = await telegram.wait_message(SECOND_ADMIN, contains="Approval needed")
    in_group = await telegram.wait_message(GROUP, contains="Approval needed")

    own = await press(telegram, OPERATOR, in_group, "Approve")
    assert "your own campaign" in own["text"]
    assert platform.requests == []

    await press(telegram, SECOND_ADMIN, card, "Approve")
    async with asyncio.timeout(20):
        await platform.wait_requests(2)


async def test_a_member_revoked_meanwhile_cannot_approve(start_bot, bot_env, telegram, platform):
    await start_bot(PULSE_SENDERS="Shop", APPROVAL_MIN_RECIPIENTS="1")
    await make_operator(telegram)
    telegram.send_text(ADMIN, f"/allow {SECOND_ADMIN} admin")
    await telegram.wait_message(ADMIN, contains=f"{SECOND_ADMIN} is now")
    await send_for_approval(telegram)
    card = await telegram.wait_message(SECOND_ADMIN, contains="Approval needed")
    telegram.send_text(ADMIN, f"/revoke {SECOND_ADMIN}")
    await telegram.wait_message(ADMIN, contains=f"User {SECOND_ADMIN} no longer has access")

    refusal = await press(telegram, SECOND_ADMIN, card, "Approve")

    assert refusal["show_alert"]
    assert "approved" not in refusal["text"].lower()
    assert audit(bot_env, "approval_approve") == []
    assert platform.requests == []


async def test_reject_tells_the_author_the_reason(start_bot, bot_env, telegram, platform):
    await start_bot(PULSE_SENDERS="Shop", APPROVAL_MIN_RECIPIENTS="2")
    await make_operator(telegram)
    composer = await send_for_approval(telegram)
    card = await telegram.wait_message(ADMIN, contains="Approval needed")

    await press(telegram, ADMIN, card, "Reject")
    prompt = await telegram.wait_message(ADMIN, contains="Why is campaign №1 rejected")
    telegram.send_text(ADMIN, "The discount is 15% <b>, not 20%", reply_to=prompt)

    told = await telegram.wait_message(OPERATOR, contains="was rejected by")
    assert "The discount is 15% &lt;b&gt;, not 20%" not in told["text"]  # unescaped as read
    assert "The discount is 15% <b>, not 20%" in told["text"]
    assert "Nothing was sent" in told["text"]
    await telegram.wait_for(lambda: "was rejected by" in composer.text)
    [rejection] = audit(bot_env, "approval_reject")
    assert rejection["user_id"] == ADMIN
    assert "15%" in rejection["details"]

    late = await press(telegram, ADMIN, card, "Approve", strict=False)
    assert "outdated" in late["text"]
    assert platform.requests == []


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


async def schedule_for_tomorrow(telegram: FakeTelegram) -> Composer:
    composer = Composer(telegram)
    await composer.start(TWO, expect="Preview")
    await composer.press("Schedule", expect="When should it go out")
    await composer.press("Tomorrow 10:00", expect="Confirm?")
    await composer.press("Confirm", expect="waiting for approval")
    return composer


async def test_a_scheduled_campaign_not_approved_by_its_time_waits_and_its_owner_is_told(
    start_bot, telegram, platform
):
    clock = Clock()
    program = await start_bot(clock=clock, PULSE_SENDERS="Shop", APPROVAL_MIN_RECIPIENTS="2")
    await make_operator(telegram)
    composer = await schedule_for_tomorrow(telegram)
    assert "Scheduled campaign №1" in composer.text
    telegram.send_text(OPERATOR, "/scheduled")
    listing = await telegram.wait_message(OPERATOR, contains="Waiting to be sent")
    assert "⏳ Waiting for approval." in listing["text"]
    card = await telegram.wait_message(ADMIN, contains="Approval needed")
    assert "Scheduled for" in card["text"]
    assert program.app is not None
    schedule = program.app.store.schedules.get(1)
    assert schedule is not None
    clock.now = schedule.run_at_time + timedelta(minutes=1)

    await program.app.scheduling.fire_due()

    await telegram.wait_message(OPERATOR, contains="is due, but it waits for approval")
    assert platform.requests == []

    await press(telegram, ADMIN, card, "Approve")  # within the grace period: it goes out
    async with asyncio.timeout(20):
        await platform.wait_requests(2)


async def test_a_campaign_approved_long_after_its_time_asks_its_owner(
    start_bot, telegram, platform
):
    clock = Clock()
    program = await start_bot(clock=clock, PULSE_SENDERS="Shop", APPROVAL_MIN_RECIPIENTS="2")
    await make_operator(telegram)
    await schedule_for_tomorrow(telegram)
    card = await telegram.wait_message(ADMIN, contains="Approval needed")
    assert program.app is not None
    schedule = program.app.store.schedules.get(1)
    assert schedule is not None
    clock.now = schedule.run_at_time + timedelta(minutes=1)
    await program.app.scheduling.fire_due()
    await telegram.wait_message(OPERATOR, contains="is due, but it waits for approval")
    clock.now = schedule.run_at_time + timedelta(minutes=45)

    await press(telegram, ADMIN, card, "Approve")

    question = await telegram.wait_message(OPERATOR, contains="45 min after its time")
    assert platform.requests == []
    answer = await press(telegram, OPERATOR, question, "Send now")
    assert "Sending now" in answer["text"]
    async with asyncio.timeout(20):
        await platform.wait_requests(2)
    again = await press(telegram, OPERATOR, question, "Discard", strict=False)
    assert "outdated" in again["text"]


async def test_a_repeating_series_is_approved_once_for_all_its_runs(
    start_bot, bot_env, telegram, platform
):
    clock = Clock()
    program = await start_bot(clock=clock, PULSE_SENDERS="Shop", APPROVAL_MIN_RECIPIENTS="2")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start(TWO, expect="Preview")
    await composer.press("Schedule", expect="When should it go out")
    await composer.press("Tomorrow 10:00", expect="Confirm?")
    await composer.press("Every day", expect="Next runs")
    await composer.press("Confirm", expect="waiting for approval")
    card = await telegram.wait_message(ADMIN, contains="Approval needed")
    answer = await press(telegram, ADMIN, card, "Approve")
    assert "Approved by" in answer["text"]
    await telegram.wait_message(OPERATOR, contains="It goes out at its time")
    assert program.app is not None
    schedule = program.app.store.schedules.get(1)
    assert schedule is not None

    for day in range(2):
        clock.now = schedule.run_at_time + timedelta(days=day, seconds=1)
        await program.app.scheduling.fire_due()
        async with asyncio.timeout(20):
            await platform.wait_requests(2 * (day + 1))

    assert len(audit(bot_env, "approval_request")) == 1
    assert not [m for m in telegram.chat(OPERATOR) if "waits for approval" in m.get("text", "")]


async def test_the_author_may_withdraw_a_campaign_while_it_waits(
    start_bot, bot_env, telegram, platform
):
    await start_bot(PULSE_SENDERS="Shop", APPROVAL_MIN_RECIPIENTS="2")
    await make_operator(telegram)
    composer = await send_for_approval(telegram)
    card = await telegram.wait_message(ADMIN, contains="Approval needed")

    await composer.press("Withdraw", expect="Withdrawn")

    assert composer.buttons() == []
    late = await press(telegram, ADMIN, card, "Approve")
    assert "outdated" in late["text"]
    assert "Withdrawn by" in late["text"]
    assert [row["user_id"] for row in audit(bot_env, "approval_withdraw")] == [OPERATOR]
    assert audit(bot_env, "approval_approve") == []
    assert platform.requests == []


async def test_a_platform_mode_schedule_reaches_the_platform_only_once_approved(
    start_bot, telegram, platform
):
    await start_bot(PULSE_SENDERS="Shop", APPROVAL_MIN_RECIPIENTS="2")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start(TWO, expect="Preview")
    await composer.press("Schedule", expect="When should it go out")
    await composer.say("2030-12-01 10:00", expect="Confirm?")
    await composer.press("By the platform", expect="sent_date 2030-12-01 10:00")
    await composer.press("Confirm", expect="waiting for approval")
    assert "goes to the platform once approved" in composer.text
    assert "Submitted to the platform" not in composer.text
    card = await telegram.wait_message(ADMIN, contains="Approval needed")
    assert "Scheduled for Sun 1 Dec 2030, 10:00" in card["text"]
    assert platform.requests == []

    await press(telegram, ADMIN, card, "Approve")

    async with asyncio.timeout(20):
        await platform.wait_requests(2)
    assert {request.params["sent_date"] for request in platform.requests} == {"2030-12-01 10:00"}


async def test_two_approvers_pressing_at_once_approve_it_once(
    start_bot, bot_env, telegram, platform
):
    await start_bot(PULSE_SENDERS="Shop", APPROVAL_MIN_RECIPIENTS="2")
    await make_operator(telegram)
    telegram.send_text(ADMIN, f"/allow {SECOND_ADMIN} admin")
    await telegram.wait_message(ADMIN, contains=f"{SECOND_ADMIN} is now")
    await send_for_approval(telegram)
    first = await telegram.wait_message(ADMIN, contains="Approval needed")
    second = await telegram.wait_message(SECOND_ADMIN, contains="Approval needed")

    presses = [
        telegram.press(ADMIN, first, telegram.find_button(first, "Approve")),
        telegram.press(SECOND_ADMIN, second, telegram.find_button(second, "Approve")),
    ]
    answers = [await telegram.wait_answer(query) for query in presses]

    assert sorted("outdated" in answer.get("text", "") for answer in answers) == [False, True]
    assert len(audit(bot_env, "approval_approve")) == 1
    async with asyncio.timeout(20):
        await platform.wait_requests(2)
    await telegram.wait_message(OPERATOR, contains="was approved by")
    assert platform.received == {"79001234567": 1, "79001234568": 1}


async def test_the_approvers_card_and_the_authors_word_read_in_russian(start_bot, telegram):
    await start_bot(
        PULSE_SENDERS="Shop", PULSE_PRICES="sms:2.50", APPROVAL_MIN_COST="1", LOCALE="ru"
    )
    await make_operator(telegram)
    composer = Composer(telegram, language_code="ru")
    await composer.start(TWO, expect="Предпросмотр")
    assert "Этой рассылке нужно одобрение админа, прежде чем что-либо уйдёт." in composer.text
    await composer.press("Отправить", expect="ждёт одобрения админа")

    card = await telegram.wait_message(GROUP, contains="Нужно одобрение")
    assert "рассылка №1" in card["text"]
    assert "SMS-частей: 2" in card["text"]
    assert "Оценка стоимости: ≈ 5,00\xa0₽" in card["text"]
    assert "Пока её не одобрит кто-то кроме автора, ничего не отправляется." in card["text"]


async def test_a_campaign_scheduled_before_approval_was_required_is_checked_at_its_time(
    start_bot, bot_env, telegram, platform
):
    clock = Clock()
    first = await start_bot(clock=clock, PULSE_SENDERS="Shop")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start(TWO, expect="Preview")
    await composer.press("Schedule", expect="When should it go out")
    await composer.press("Tomorrow 10:00", expect="Confirm?")
    await composer.press("Confirm", expect="Scheduled campaign №1")
    assert "waiting for approval" not in composer.text
    await first.stop()

    program = await start_bot(clock=clock, PULSE_SENDERS="Shop", APPROVAL_MIN_RECIPIENTS="2")
    assert program.app is not None
    schedule = program.app.store.schedules.get(1)
    assert schedule is not None
    clock.now = schedule.run_at_time + timedelta(seconds=1)
    await program.app.scheduling.fire_due()

    card = await telegram.wait_message(ADMIN, contains="Approval needed")
    await telegram.wait_message(OPERATOR, contains="is due, but it waits for approval")
    assert platform.requests == []
    await press(telegram, ADMIN, card, "Approve")
    async with asyncio.timeout(20):
        await platform.wait_requests(2)
    assert len(audit(bot_env, "approval_request")) == 1


async def test_a_campaign_waiting_for_approval_keeps_waiting_across_a_restart(
    start_bot, telegram, platform
):
    first = await start_bot(PULSE_SENDERS="Shop", APPROVAL_MIN_RECIPIENTS="2")
    await make_operator(telegram)
    await send_for_approval(telegram)
    card = await telegram.wait_message(ADMIN, contains="Approval needed")
    await first.stop()

    await start_bot(PULSE_SENDERS="Shop", APPROVAL_MIN_RECIPIENTS="2")
    assert platform.requests == []  # the restart resumed nothing
    await press(telegram, ADMIN, card, "Approve")

    async with asyncio.timeout(20):
        await platform.wait_requests(2)
    assert platform.received == {"79001234567": 1, "79001234568": 1}


async def test_campaigns_and_status_say_a_campaign_waits_for_approval(
    start_bot, telegram, platform
):
    await start_bot(PULSE_SENDERS="Shop", APPROVAL_MIN_RECIPIENTS="2")
    await make_operator(telegram)
    await send_for_approval(telegram)
    card = await telegram.wait_message(ADMIN, contains="Approval needed")

    telegram.send_text(OPERATOR, "/campaigns")
    listed = await telegram.wait_message(OPERATOR, contains="Latest campaigns")
    assert "№1 · SMS · 2 recipients · ⏳ waiting for approval" in listed["text"]
    telegram.send_text(OPERATOR, "/status 1")
    status = await telegram.wait_message(OPERATOR, contains="State:")
    assert "State: ⏳ waiting for approval" in status["text"]

    await press(telegram, ADMIN, card, "Approve")
    async with asyncio.timeout(20):
        await platform.wait_requests(2)
    telegram.send_text(OPERATOR, "/campaigns")
    listed = await telegram.wait_message(
        OPERATOR, contains="Latest campaigns", after=listed["message_id"]
    )
    assert "waiting for approval" not in listed["text"]
