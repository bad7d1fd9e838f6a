"""Odd command arguments and forged button data get a short answer naming what is expected,
never a failed handler."""

from __future__ import annotations

import re

import pytest

from tests.compose_user import Composer
from tests.conftest import ADMIN

HUGE = "99999999999999999999"


def no_failures(program) -> None:
    logs = program.logs()
    assert "Traceback" not in logs
    assert "failed" not in logs.lower()


def assert_logged_under_its_reference(program, told: str) -> None:
    """The person is told a reference, and the log keeps the failure under it."""
    ref = re.search(r"\(ref (\w+)\)", told)
    assert ref, told
    logged = [line for line in program.logs().splitlines() if f"(ref {ref.group(1)})" in line]
    assert len(logged) == 1
    assert "failed" in logged[0]
    assert "a fault inside a handler" in program.logs()


@pytest.fixture
async def program(start_bot, telegram):
    started = await start_bot(PULSE_SENDERS="Shop")
    await telegram.wait_for(lambda: telegram.calls("getUpdates"))
    return started


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/status ²", "Nothing found for ²"),
        (f"/status {HUGE}", f"Nothing found for {HUGE}"),
        (f"/status №{HUGE}", f"Nothing found for №{HUGE}"),
        ("/status -5", "Nothing found for -5"),
        ("/allow ²", "numeric Telegram user id"),
        (f"/allow {HUGE} operator", "numeric Telegram user id"),
        ("/allow -99999999999999999", "numeric Telegram user id"),
        ("/revoke ¹²³", "numeric Telegram user id"),
        (f"/revoke {HUGE}", "numeric Telegram user id"),
    ],
)
async def test_odd_command_arguments_get_a_short_answer(program, telegram, command, expected):
    telegram.send_text(ADMIN, command)
    reply = await telegram.wait_message(ADMIN)
    # Rendered text: entities stripped, so compare against the visible words.
    visible = expected.replace("<code>", "").replace("</code>", "")
    assert visible in reply["text"], reply["text"]
    no_failures(program)


FORGED = [
    "compose_pick:type:-1",
    "compose_pick:sender:-100",
    f"compose_pick:type:{HUGE}",
    "compose_pick:edit:abc",
    "compose_pick:charset:-3",
    "rcv:resend:-1",
    "resume:-5",
    f"resume:{HUGE}",
    f"sched:cancel:{HUGE}:0:list",
    "sched:now:-1:0:list",
    "campaign:full:-1",
    f"campaign:full:{HUGE}",
    "tpl:use:-3",
    "tpl:zzz:1",
    "stoplist:zzz",
    "zzzzzz\x1dtpl:1:use",  # a dialog's button of no dialog that ever was
    "\x1d",
    f"grant:{HUGE}:operator",
    "grant:5:boss",
    "no-such-button",
    "",
]


async def test_forged_button_data_is_answered_as_an_outdated_button(program, telegram):
    composer = Composer(telegram, ADMIN)
    await composer.start("/send sms 79001234567 Hello", expect="Preview")
    for data in FORGED:
        answer = await telegram.wait_answer(telegram.press(ADMIN, composer.card, data))
        assert answer.get("text"), data
        assert "Something went wrong" not in answer["text"], data
    no_failures(program)


async def test_forged_schedule_choices_leave_the_plan_as_it_was(program, telegram):
    composer = Composer(telegram, ADMIN)
    await composer.start("/send sms 79001234567 Hello", expect="Preview")
    await composer.press("Schedule", expect="When should it go out")
    await composer.say("tomorrow 10:00", expect="Confirm?")
    before = composer.text
    # Forged inside the card's own button data, as a client could send it.
    confirm = telegram.find_button(composer.card, "Confirm")
    card_data = confirm[: confirm.index("sched_step:")]
    for data in (
        "sched_step:day:abc",
        "sched_step:day:-1",
        "sched_step:day:9",
        "sched_step:mode:evil",
        "sched_step:repeat:hourly",
    ):
        answer = await telegram.wait_answer(telegram.press(ADMIN, composer.card, card_data + data))
        assert answer["text"] == "This button is no longer valid.", data
    forged = telegram.press(ADMIN, composer.card, card_data + "sched_step:x:1")
    assert (await telegram.wait_answer(forged))["text"] == "This card is no longer active."
    assert composer.text == before
    await composer.press("Confirm", expect="Scheduled campaign №1")
    no_failures(program)


async def test_a_failing_handler_still_answers_the_person(program, telegram, monkeypatch):
    import handlers.common

    def broken(*args, **kwargs):
        raise RuntimeError("a fault inside a handler")

    # /help builds its list with this helper; made to fail, it stands for any handler's bug.
    monkeypatch.setattr(handlers.common, "commands_for", broken)
    telegram.send_text(ADMIN, "/help")
    reply = await telegram.wait_message(ADMIN, contains="Something went wrong")
    assert "/cancel" in reply["text"]
    assert_logged_under_its_reference(program, reply["text"])


async def test_a_failing_press_is_answered_with_what_went_wrong(program, telegram, monkeypatch):
    import handlers.stoplist

    telegram.send_text(ADMIN, "/stoplist")
    card = await telegram.wait_message(ADMIN, contains="Stop-list")

    def broken(*args, **kwargs):
        raise RuntimeError("a fault inside a handler")

    # The Add button asks with this card; made to fail, it stands for any press handler's bug.
    monkeypatch.setattr(handlers.stoplist, "ask_addresses", broken)
    press = telegram.press(ADMIN, card, telegram.find_button(card, "Add"), strict=True)
    answer = await telegram.wait_answer(press)
    assert answer["text"].startswith("Something went wrong")
    assert answer["show_alert"] is True
    assert_logged_under_its_reference(program, answer["text"])
    assert not telegram.errors  # answered once: no second answer to the same press
