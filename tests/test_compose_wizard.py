"""/new: one card edited in place from the type to the preview, and Send that never sends twice."""

from __future__ import annotations

from tests.compose_user import Composer, make_operator
from tests.conftest import OPERATOR

NAMES = ["Anna", "Boris", "Vera", "Gleb"]


def mixed_csv(rows: int) -> tuple[bytes, set[str]]:
    """A CSV of `rows` data rows: phones written three ways, 5 junk rows and 5 repeated numbers."""
    lines = ["phone;name;city"]
    expected: set[str] = set()
    for index in range(rows - 10):
        digits = f"900{index:07d}"
        written = [
            f"+7 ({digits[:3]}) {digits[3:6]}-{digits[6:8]}-{digits[8:]}",
            f"8 {digits[:3]} {digits[3:6]} {digits[6:8]} {digits[8:]}",
            f"7{digits}",
        ][index % 3]
        lines.append(f"{written};{NAMES[index % 4]}{index};Moscow")
        expected.add(f"7{digits}")
    lines += [f"not-a-phone-{index};X;Y" for index in range(5)]
    lines += [f"7900{index:07d};Again;Z" for index in range(5)]
    return ("\n".join(lines) + "\n").encode(), expected


async def test_the_wizard_goes_from_type_to_one_campaign_even_if_send_is_pressed_twice(
    start_bot, telegram, platform
):
    await start_bot(PULSE_SENDERS="Shop,Info")
    await make_operator(telegram)
    composer = Composer(telegram)

    card = await composer.start("/new", expect="Choose the message type")
    assert "SMS" in composer.buttons()
    assert "Cascade" in composer.buttons()
    await composer.press("SMS", expect="Choose the sender")
    assert composer.card["message_id"] == card["message_id"]  # edited in place
    assert {"Shop", "Info"} <= set(composer.buttons())
    await composer.press("Shop", expect="phone numbers")

    content, expected = mixed_csv(1000)
    await composer.upload("clients.csv", content, expect="Send the text")
    text = composer.text
    assert "Valid recipients: 990" in text
    assert "Invalid: 5" in text
    assert "not-a-phone-0" in text
    assert "not a phone number" in text
    assert "Duplicates dropped: 5" in text
    assert "{name}" in text
    assert "{city}" in text

    await composer.say("Hello, {name} from {city}!", expect="Preview")
    preview = composer.text
    assert "Type: SMS" in preview
    assert "Sender: Shop" in preview
    assert "Recipients: 990 (5 invalid, 5 duplicates left out): 79000000000, 79000000001" in preview
    assert "Hello, Anna0 from Moscow!" in preview  # the first recipient's own text
    assert (
        "The first recipient's text: 25 characters, SMS segments: 1 (Latin letters: 160 "
        "characters per SMS); total for all recipients: 990" in preview
    )
    assert "SANDBOX" not in preview
    assert composer.card["message_id"] == card["message_id"]

    # A double tap: both presses arrive before the first is handled.
    data = telegram.find_button(composer.card, "Send")
    first = telegram.press(OPERATOR, composer.card, data)
    second = telegram.press(OPERATOR, composer.card, data)
    await telegram.wait_answer(first)
    await telegram.wait_answer(second)
    late = telegram.answers[second].get("text", "")
    assert "Already sent as campaign №1" in late or "no longer active" in late
    await telegram.wait_for(lambda: "Sent to the platform: campaign №1" in composer.text)
    assert not composer.card.get("reply_markup")
    await telegram.wait_for(lambda: sum(platform.received.values()) >= len(expected), timeout=30)
    assert set(platform.received) == expected
    assert set(platform.received.values()) == {1}
    texts = {message.sent_to: message.sent_text for message in platform.messages.values()}
    assert texts["79000000001"] == "Hello, Boris1 from Moscow!"
    assert "campaign №2" not in "".join(m.get("text", "") for m in telegram.chat(OPERATOR))
    assert not telegram.errors
