"""Leaving a message half-made: /cancel leaves a clean card, a second /new says the first one
was closed instead of dropping it silently."""

from __future__ import annotations

from tests.compose_user import Composer, make_operator
from tests.conftest import OPERATOR


async def test_cancel_turns_the_card_into_a_clean_note(start_bot, telegram):
    await start_bot(PULSE_SENDERS="Shop", LOCALE="ru")
    await make_operator(telegram)
    composer = Composer(telegram, language_code="ru")
    await composer.start("/send sms 79001234567 Привет!", expect="Предпросмотр")

    telegram.send_text(OPERATOR, "/cancel", language_code="ru")

    await telegram.wait_for(lambda: composer.text == "Отменено. Ничего не отправлено.")
    assert not composer.card.get("reply_markup")
    assert telegram.last(OPERATOR)["message_id"] == composer.card_id  # no second message


async def test_a_second_new_closes_the_first_draft_and_says_so(start_bot, telegram):
    await start_bot(PULSE_SENDERS="Shop", LOCALE="ru")
    await make_operator(telegram)
    first = Composer(telegram, language_code="ru")
    await first.start("/send sms 79001234567 Привет!", expect="Предпросмотр")

    second = Composer(telegram, language_code="ru")
    card = await second.start("/new", expect="Новое сообщение")

    assert "Сообщение, которое вы составляли, закрыто без отправки; это новое." in card["text"]
    assert first.text == "✖️ Закрыто: начато новое сообщение. Ничего не отправлено."
    assert not first.card.get("reply_markup")
    before = telegram.last(OPERATOR)["message_id"]
    telegram.send_text(OPERATOR, "/new", language_code="ru")
    card = await telegram.wait_for(
        lambda: (last := telegram.last(OPERATOR))["message_id"] > before and last
    )
    assert card["text"].startswith("Новое сообщение")  # an empty draft has nothing to lose
    assert not telegram.errors  # no edit Telegram refuses: a closed card is left alone
