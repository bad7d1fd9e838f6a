"""A member who loses access sends nothing more (F12): their schedules are paused, not fired;
every admin gets one card to take each over or cancel it; their private chat gets no more
status cards or reports, while the notify group keeps them.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.schedule.service import Fired
from storage.campaigns import Draft
from storage.members import Role
from storage.schedules import ScheduleState
from tests.compose_user import Composer, make_operator
from tests.conftest import ADMIN, GROUP, OPERATOR
from tests.scheduled_sending import NINE, SECOND_ADMIN
from tests.sending_harness import make_harness, settle
from tests.test_schedule_world import FakeClock

TOMORROW_TEN = NINE.replace(hour=10) + timedelta(days=1)
PHONE, OTHER = "79001234567", "79001234568"


async def schedule_tomorrow(telegram, text: str, recipients: str = PHONE) -> None:
    composer = Composer(telegram)
    await composer.start(f"/send sms {recipients}\n{text}", expect="Preview")
    await composer.press("Schedule", expect="When should it go out")
    await composer.press("Tomorrow 10:00", expect="Confirm?")
    await composer.press("Confirm", expect="Scheduled campaign №")


def paused_card(telegram, admin: int) -> dict | None:
    return next(
        (m for m in telegram.chat(admin) if "may no longer send" in (m.get("text") or "")), None
    )


async def test_a_revoked_operators_schedules_wait_for_an_admin_and_a_take_over_fires_once(
    start_bot, telegram, platform
) -> None:
    clock = FakeClock(NINE)
    program = await start_bot(
        clock=clock, PULSE_SENDERS="Shop", ADMIN_IDS=f"{ADMIN},{SECOND_ADMIN}"
    )
    await make_operator(telegram)
    await schedule_tomorrow(telegram, "Once, tomorrow")
    await schedule_tomorrow(telegram, "Also tomorrow", recipients=OTHER)

    telegram.send_text(ADMIN, f"/revoke {OPERATOR}")
    answer = await telegram.wait_message(ADMIN, contains="no longer has access")
    assert "scheduled sends are paused: 2" in answer["text"]
    cards = {
        admin: await telegram.wait_for(lambda a=admin: paused_card(telegram, a))
        for admin in (ADMIN, SECOND_ADMIN)
    }
    for card in cards.values():
        assert "Once, tomorrow" in card["text"]
        assert "Also tomorrow" in card["text"]
        assert [text for text, _ in telegram.buttons(card)] == [
            "Take over №1",
            "Cancel №1",
            "Take over №2",
            "Cancel №2",
        ]
    assert paused_card(telegram, OPERATOR) is None

    scheduling = program.app.scheduling
    clock.now = TOMORROW_TEN
    assert await scheduling.fire_due() == {}  # paused: nothing fires at its time
    assert platform.requests == []

    take_over = telegram.find_button(cards[ADMIN], "Take over №1")
    answered = await telegram.wait_answer(telegram.press(ADMIN, cards[ADMIN], take_over))
    assert "№1 is yours now" in answered["text"]
    late = telegram.find_button(cards[SECOND_ADMIN], "Take over №1")
    refused = await telegram.wait_answer(telegram.press(SECOND_ADMIN, cards[SECOND_ADMIN], late))
    assert refused["show_alert"]
    cancel = telegram.find_button(cards[SECOND_ADMIN], "Cancel №2")
    await telegram.wait_answer(telegram.press(SECOND_ADMIN, cards[SECOND_ADMIN], cancel))
    card = await telegram.wait_for(
        lambda: (m := paused_card(telegram, ADMIN)) and "№1 is yours now" in m["text"] and m
    )
    assert [text for text, _ in telegram.buttons(card)] == ["Take over №2", "Cancel №2"]

    assert await scheduling.fire_due() == {1: Fired.SENT}
    async with asyncio.timeout(10):
        await platform.wait_requests(1)
    await telegram.wait_message(ADMIN, contains="Message №")  # its card: the new owner's
    assert await scheduling.fire_due() == {}
    assert dict(platform.received) == {PHONE: 1}
    store = program.app.store
    assert store.schedules.get(1).owner_id == ADMIN
    assert store.schedules.get(2).state is ScheduleState.CANCELLED
    [audited] = store.audit.recent(action="schedule_take_over")
    assert (audited["user_id"], audited["details"]["previous_owner"]) == (ADMIN, OPERATOR)
    assert not any("Message №" in (m.get("text") or "") for m in telegram.chat(OPERATOR))


async def test_a_schedule_due_after_its_owner_became_a_viewer_is_paused_at_its_time(
    start_bot, telegram, platform
) -> None:
    clock = FakeClock(NINE)
    program = await start_bot(clock=clock, PULSE_SENDERS="Shop")
    await make_operator(telegram)
    await schedule_tomorrow(telegram, "Daily news")
    # A change of role the revocation step did not see (made directly in the database).
    program.app.store.db.execute("UPDATE members SET role = 'viewer' WHERE user_id = ?", [OPERATOR])

    clock.now = TOMORROW_TEN
    assert await program.app.scheduling.fire_due() == {1: Fired.PAUSED}
    assert platform.requests == []
    card = await telegram.wait_for(lambda: paused_card(telegram, ADMIN))
    assert "Daily news" in card["text"]
    assert await program.app.scheduling.fire_due() == {}


async def test_a_revoked_authors_chat_gets_no_more_cards_while_the_group_does(
    start_bot, telegram, platform
) -> None:
    program = await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start(f"/send sms {PHONE}, {OTHER}\nNews", expect="Preview")
    await composer.press("Send", expect="Sent to the platform")
    await telegram.wait_for(lambda: len(platform.messages) == 2)
    card = await telegram.wait_message(OPERATOR, contains="Campaign №1")
    await telegram.wait_message(GROUP, contains="Campaign №1")

    telegram.send_text(ADMIN, f"/revoke {OPERATOR}")
    await telegram.wait_message(ADMIN, contains="no longer has access")
    shown = telegram.chat(OPERATOR)
    first, second = platform.messages
    await platform.fire_callback(first, "delivered")
    await platform.fire_callback(second, "failed")

    report = await telegram.wait_for(
        lambda: next((m for m in telegram.chat(GROUP) if m.get("document")), None)
    )
    assert "№1" in report["caption"]
    group_card = await telegram.wait_message(GROUP, contains="Final")
    assert "Failed: 1" in group_card["text"]
    await program.app.notifier.drawn()
    assert telegram.chat(OPERATOR) == shown  # the same messages, unchanged since the revocation
    assert card["message_id"] in [m["message_id"] for m in shown]


async def test_a_pause_of_a_revoked_authors_campaign_is_told_to_the_admins(
    tmp_path, telegram, platform
) -> None:
    platform.default = ("http", 503)  # the platform is down: the campaign pauses
    harness = await make_harness(tmp_path, telegram, platform)
    try:
        harness.store.members.set_role(OPERATOR, Role.OPERATOR, added_by=ADMIN)
        list_id = harness.new_list([PHONE, OTHER])
        campaign_id = harness.sender.create(
            Draft(type="sms", sender="Shop", text="Hi"),
            list_id,
            author_id=OPERATOR,
            author_chat_id=OPERATOR,
        )
        harness.store.members.remove(OPERATOR)
        harness.sender.launch(campaign_id)
        await settle(harness, campaign_id)

        notice = await telegram.wait_message(ADMIN, contains="paused")
        assert telegram.find_button(notice, "Resume")
        assert telegram.chat(OPERATOR) == []
    finally:
        await harness.close()


async def test_an_operator_made_viewer_has_their_sends_paused_and_scheduled_offers_take_over(
    start_bot, telegram, platform
) -> None:
    await start_bot(clock=FakeClock(NINE), PULSE_SENDERS="Shop")
    await make_operator(telegram)
    await schedule_tomorrow(telegram, "Weekly digest")

    told = telegram.last(ADMIN)["message_id"]
    telegram.send_text(ADMIN, f"/allow {OPERATOR} viewer")
    answer = await telegram.wait_message(ADMIN, contains="is now viewer", after=told)
    assert "scheduled sends are paused: 1" in answer["text"]
    newest = telegram.last(ADMIN)["message_id"]
    telegram.send_text(ADMIN, "/scheduled")
    listing = await telegram.wait_message(ADMIN, contains="Waiting to be sent", after=newest)
    assert "paused: its owner may no longer send" in listing["text"]
    take_over = telegram.find_button(listing, "Take over №1")
    answered = await telegram.wait_answer(telegram.press(ADMIN, listing, take_over, strict=True))
    assert "№1 is yours now" in answered["text"]
    redrawn = await telegram.wait_for(
        lambda: (m := telegram.chat(ADMIN)[-1]) and "paused" not in m["text"] and m
    )
    assert [text for text, _ in telegram.buttons(redrawn)][:2] == ["Cancel №1", "Send now №1"]
