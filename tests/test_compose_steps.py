"""The composing dialog step by step (tests/dialog_client.py): presses and messages that leave
the card as it was, forged or out-of-step buttons, and where Back leads."""

from __future__ import annotations

from bot.compose.cards import ComposeAction, ComposeMove, ComposePick, PickKind
from handlers import compose
from tests.dialog_client import dialog_client


def composer(tmp_path):
    return dialog_client(tmp_path, [compose.build_router()], pulse_senders="Shop")


async def to_the_preview(member) -> None:
    await member.send("/new")
    await member.press("SMS")
    await member.press("Shop")
    await member.send("79001234567")
    await member.send("Hello")
    assert "<b>Preview</b>" in member.text


async def test_a_refused_answer_repeated_is_told_why_the_card_stays(tmp_path):
    member = composer(tmp_path)
    await member.send("/new")
    await member.send("carrier pigeon")
    assert "carrier pigeon" in member.text  # the card says which type is unknown
    drawn = len(member.cards.sent_messages)

    await member.send("carrier pigeon")

    assert len(member.cards.sent_messages) == drawn  # the card is not drawn again
    [reply] = member.bot.sent()
    assert reply.startswith("The card stays as it is: ")
    assert "<" not in reply.replace("&lt;", "")


async def test_a_press_that_changes_nothing_gets_an_alert(tmp_path):
    member = composer(tmp_path)
    await member.send("/new")
    forged = f"card:{ComposePick(what=PickKind.TYPE, index=99).pack()}"
    assert await member.press_in_card(forged) == "Nothing changed: the card already shows this."


async def test_forged_and_out_of_step_presses_act_on_nothing(tmp_path):
    member = composer(tmp_path)
    await member.send("/new")
    card = member.text

    assert await member.press_in_card("card:compose:no_such_move") == (
        "This button is no longer valid."
    )
    assert await member.press_in_card("card:elsewhere") == ("This button is no longer valid.")
    # Send belongs to the preview: a late press of it on the type question does nothing, and
    # says so (a second tap is never met with silence).
    send = f"card:{ComposeAction(action=ComposeMove.SEND).pack()}"
    drawn = len(member.cards.sent_messages)
    assert await member.press_in_card(send) == "Nothing changed: the card already shows this."
    assert member.text == card
    assert len(member.cards.sent_messages) == drawn


async def test_back_from_the_questions_around_the_preview_leads_to_the_preview(tmp_path):
    member = composer(tmp_path)
    await to_the_preview(member)

    for button, question in [
        ("Edit", "What do you want to change?"),
        ("Save as template", "Send a name for the template."),
        ("Extras", "Choose what to set:"),
    ]:
        await member.press(button)
        assert question in member.text
        await member.press("« Back")
        assert "<b>Preview</b>" in member.text

    await member.press("Extras")
    await member.press("TTL")
    await member.press("« Back")
    assert "Choose what to set:" in member.text  # an extra's question goes back to the extras
