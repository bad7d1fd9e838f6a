"""/scheduled as a person uses it: the list lives beside a message being composed and keeps
working after a restart; a list or a Reschedule card replaced by a newer one no longer acts."""

from __future__ import annotations

from storage.schedules import ScheduleState
from tests.compose_user import Composer, make_operator, new_message
from tests.conftest import ADMIN, OPERATOR
from tests.test_schedule_revoked_owner import OTHER, schedule_tomorrow

TEAM_CHAT = -100900


def shown(telegram, message: dict) -> dict:
    """The message as it is now."""
    return telegram.message(OPERATOR, message["message_id"])


async def open_list(telegram) -> dict:
    """A new /scheduled list (not an earlier one edited meanwhile)."""
    newest = telegram.last(OPERATOR)["message_id"]
    telegram.send_text(OPERATOR, "/scheduled")
    return await new_message(telegram, OPERATOR, "Waiting to be sent", after=newest)


async def test_the_list_lives_beside_a_composition_works_after_a_restart_and_is_replaced(
    start_bot, telegram
) -> None:
    first = await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    await schedule_tomorrow(telegram, "Waiting its turn")
    composer = Composer(telegram)
    card = await composer.start("/new", expect="New message")

    listing = await open_list(telegram)
    assert "Waiting its turn" in listing["text"]
    # The message being composed goes on on its own card.
    telegram.press(OPERATOR, card, telegram.find_button(card, "SMS"), strict=True)
    await telegram.wait_for(lambda: "Type: SMS" in shown(telegram, card)["text"])

    await first.stop()
    await start_bot(PULSE_SENDERS="Shop")
    send_now = telegram.find_button(listing, "Send now №1")
    telegram.press(OPERATOR, listing, send_now, strict=True)
    await telegram.wait_for(lambda: "Send №1 now?" in shown(telegram, listing)["text"])
    question = shown(telegram, listing)
    telegram.press(OPERATOR, question, telegram.find_button(question, "Back"), strict=True)
    await telegram.wait_for(lambda: "Waiting its turn" in shown(telegram, listing)["text"])
    assert [label for label, _ in telegram.buttons(shown(telegram, listing))] == [
        "Cancel №1",
        "Send now №1",
        "Reschedule №1",
    ]

    newer = await open_list(telegram)  # one list a person: the last one loses its buttons
    await telegram.wait_for(lambda: not shown(telegram, listing).get("reply_markup"))
    stale = telegram.press(OPERATOR, listing, send_now)
    assert (await telegram.wait_answer(stale))["text"] == "This card is no longer active."
    pressed = telegram.press(OPERATOR, newer, telegram.find_button(newer, "Cancel №1"), strict=True)
    assert "Cancelled №1" in (await telegram.wait_answer(pressed))["text"]
    assert not telegram.errors


async def test_a_reschedule_card_replaced_by_another_no_longer_acts(start_bot, telegram) -> None:
    await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    await schedule_tomorrow(telegram, "First")
    await schedule_tomorrow(telegram, "Second", recipients=OTHER)
    listing = await open_list(telegram)

    first = telegram.press(
        OPERATOR, listing, telegram.find_button(listing, "Reschedule №1"), strict=True
    )
    older = await telegram.wait_message(
        OPERATOR, contains="Reschedule №1", after=listing["message_id"]
    )
    await telegram.wait_answer(first)
    second = telegram.press(
        OPERATOR, listing, telegram.find_button(listing, "Reschedule №2"), strict=True
    )
    newer = await telegram.wait_message(
        OPERATOR, contains="Reschedule №2", after=older["message_id"]
    )
    # A press is answered once its handler is done: the older card's dialog is closed by then.
    await telegram.wait_answer(second)
    assert not shown(telegram, older).get("reply_markup")  # only the newest card acts

    stale = telegram.press(OPERATOR, older, telegram.find_button(older, "Tomorrow 10:00"))
    assert (await telegram.wait_answer(stale))["text"] == "This card is no longer active."
    card = Composer(telegram)
    card.card_id = newer["message_id"]
    await card.say("2030-06-03 12:30", expect="New time: Mon 3 Jun 2030, 12:30")
    await card.press("Cancel", expect="Nothing changed.")
    assert not card.card.get("reply_markup")
    assert "Mon 3 Jun 2030" not in shown(telegram, listing)["text"]  # both kept their time


async def test_yes_send_now_acts_only_while_its_question_is_open_and_cancel_closes_it(
    start_bot, telegram
) -> None:
    bot = await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    await schedule_tomorrow(telegram, "Waiting its turn")
    listing = await open_list(telegram)
    send_now = telegram.find_button(listing, "Send now №1")

    telegram.press(OPERATOR, listing, send_now, strict=True)
    await telegram.wait_for(lambda: "Send №1 now?" in shown(telegram, listing)["text"])
    question = shown(telegram, listing)
    yes = telegram.find_button(question, "Yes, send now")
    telegram.press(OPERATOR, question, telegram.find_button(question, "Back"), strict=True)
    await telegram.wait_for(lambda: "Waiting its turn" in shown(telegram, listing)["text"])
    # A Yes that arrives after Back (a second tap, a client showing the question still) sends nothing.
    late = telegram.press(OPERATOR, listing, yes)
    assert (await telegram.wait_answer(late))["text"] == "This button is no longer valid."

    telegram.press(OPERATOR, listing, send_now, strict=True)
    await telegram.wait_for(lambda: "Send №1 now?" in shown(telegram, listing)["text"])
    telegram.send_text(OPERATOR, "/cancel")
    await telegram.wait_message(OPERATOR, contains="Cancelled. Nothing was sent.")
    await telegram.wait_for(lambda: "Waiting its turn" in shown(telegram, listing)["text"])
    after_cancel = telegram.press(OPERATOR, listing, yes)
    assert (await telegram.wait_answer(after_cancel))["text"] == "This button is no longer valid."

    [waiting] = bot.app.store.schedules.with_state(ScheduleState.PENDING)
    assert waiting.runs == 0
    assert telegram.find_button(shown(telegram, listing), "Send now №1")
    assert not telegram.errors


async def test_cancel_on_a_reschedule_card_says_nothing_changed_not_that_nothing_was_sent(
    start_bot, telegram
) -> None:
    await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    await schedule_tomorrow(telegram, "Stays as it was")
    listing = await open_list(telegram)
    telegram.press(OPERATOR, listing, telegram.find_button(listing, "Reschedule №1"), strict=True)
    card = await telegram.wait_message(
        OPERATOR, contains="Reschedule №1", after=listing["message_id"]
    )
    telegram.send_text(OPERATOR, "/cancel")
    # "Cancelled" on this card would read as if №1 itself were cancelled.
    await telegram.wait_for(lambda: shown(telegram, card)["text"] == "Nothing changed.")
    assert not shown(telegram, card).get("reply_markup")
    assert telegram.find_button(shown(telegram, listing), "Cancel №1")


async def test_in_a_group_a_list_answers_only_the_member_it_was_sent_to(
    start_bot, telegram
) -> None:
    await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    await schedule_tomorrow(telegram, "Waiting its turn")
    telegram.send_text(OPERATOR, "/scheduled", chat_id=TEAM_CHAT, chat_type="supergroup")
    listing = await telegram.wait_message(TEAM_CHAT, contains="Waiting to be sent")
    send_now = telegram.find_button(listing, "Send now №1")

    pressed = telegram.press(ADMIN, listing, send_now)
    assert (await telegram.wait_answer(pressed))["text"] == (
        "This card is another member's: send the command yourself to get your own."
    )
    assert "Send №1 now?" not in telegram.message(TEAM_CHAT, listing["message_id"])["text"]

    telegram.press(OPERATOR, listing, send_now, strict=True)
    await telegram.wait_for(
        lambda: "Send №1 now?" in telegram.message(TEAM_CHAT, listing["message_id"])["text"]
    )
