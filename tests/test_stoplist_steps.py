"""/stoplist's dialog step by step (tests/dialog_client.py): refusals, questions kept open, counts."""

from __future__ import annotations

from aiogram_dialog.test_tools.keyboard import InlineButtonTextLocator

from handlers import stoplist
from storage.members import Role
from tests.dialog_client import dialog_client


async def test_an_operator_adds_and_may_not_remove_even_with_a_forged_press(tmp_path):
    member = dialog_client(tmp_path, [stoplist.build_router()])
    member.store.stoplist.add(["79001234567"], added_by=1)
    await member.send("/stoplist")
    assert member.text.startswith("<b>Stop-list</b>: 1 address never receives messages.")
    assert member.buttons() == ["Add", "Upload a file"]
    answer = await member.press_in_card("remove")
    assert answer == "This needs the admin role; yours is operator."
    assert member.buttons() == ["Add", "Upload a file"]  # nothing was asked

    await member.press("Add")
    assert member.text.startswith("Send the phone numbers or e-mail addresses to add")
    await member.send("79001234567, 79001234568")
    assert member.text.startswith("Added to the stop-list: 1 (already there: 1).\n\n")
    assert "<b>Stop-list</b>: 2 addresses never receive messages." in member.text
    assert member.store.stoplist.addresses() == {"79001234567", "79001234568"}


async def test_an_unusable_answer_is_told_and_the_question_stays_open(tmp_path):
    member = dialog_client(tmp_path, [stoplist.build_router()], role=Role.ADMIN)
    member.store.stoplist.add(["79001234567"], added_by=1)
    await member.send("/stoplist")
    await member.press("Remove")
    asked = member.card
    await member.send("not an address")
    assert member.bot.sent()[-1].startswith("No valid recipients found.")
    assert member.card == asked  # no card drawn anew: the question is still the one open
    await member.send("/help")  # a command is not an answer: it reaches no dialog here
    assert member.card == asked
    await member.press("Cancel")
    assert member.text.startswith("<b>Stop-list</b>: 1 address")
    assert member.store.stoplist.count() == 1


async def test_the_russian_list_agrees_with_its_count(tmp_path):
    member = dialog_client(tmp_path, [stoplist.build_router()], locale="ru")
    member.store.stoplist.add(["79001234567", "79001234568"], added_by=1)
    await member.send("/stoplist")
    assert member.text.startswith("<b>Стоп-лист</b>: 2 адреса, которым")
    assert member.buttons() == ["Добавить", "Загрузить файл"]


async def test_a_tap_on_the_answered_question_is_answered_and_sends_no_second_list(tmp_path):
    member = dialog_client(tmp_path, [stoplist.build_router()])
    await member.send("/stoplist")
    await member.press("Add")
    asked = member.card
    await member.send("79001234567")
    drawn = len(member.cards.sent_messages)
    # Its Cancel, tapped as the list arrives, finds the list showing: nothing to cancel.
    tapped = await member.client.click(asked, InlineButtonTextLocator("Cancel"))
    assert member.bot.answers[tapped].text == "Nothing changed: the card already shows this."
    assert len(member.cards.sent_messages) == drawn
    assert member.store.stoplist.addresses() == {"79001234567"}
