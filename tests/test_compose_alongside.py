"""The composing card and the other messages of the chat: a press on another message while a
draft is open reaches that message's own handler, and the draft goes on where it was."""

from __future__ import annotations

from bot.statuses.cards import CampaignAction, CampaignStep
from tests.compose_user import make_operator
from tests.conftest import OPERATOR
from tests.test_test_to_me import ask_me, sms_preview


async def test_a_status_card_press_while_composing_reaches_the_status_card(
    start_bot, telegram, platform
):
    await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    await ask_me(telegram, "/me phone +7 (900) 555-44-33", "Kept: +79005554433")
    composer = await sms_preview(telegram)
    await composer.press("Test to me", expect="Test №1 sent")
    status = await telegram.wait_message(OPERATOR, contains="Message №1")
    preview = composer.text

    report = CampaignAction(action=CampaignStep.FULL, campaign_id=1).pack()
    answer = await telegram.wait_answer(telegram.press(OPERATOR, status, report))

    assert answer["text"] in {
        "The report is ready once the campaign is final.",
        "Preparing the full report…",
    }
    assert composer.text == preview
    await composer.press("Send", expect="Sent to the platform: campaign №2")
