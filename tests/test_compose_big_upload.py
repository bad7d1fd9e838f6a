"""A big upload is read and stored in the list process, beside the event loop, with the same
outcome as a small one read in a thread: the same report on the card, the same stored list;
so are the parts of each recipient's own text counted for the preview, and so is a big list
stored again without the recipients lacking a value the text needs, and a big campaign's
parts counted for its approval."""

from __future__ import annotations

import bot.compose.costs
import bot.compose.list_checks
import bot.compose.lists
from bot.compose.list_process import BIG_UPLOAD_BYTES
from bot.compose.recipients import LACKING_VALUE
from tests.compose_user import Composer, make_operator
from tests.conftest import ADMIN, OPERATOR

ROWS = 30_000
STOPPED = "79000000007"
LONG_EVERY = 1000


def big_csv() -> bytes:
    lines = ["phone;name"]
    lines += [f"7900{n:07d};Покупатель {n}" for n in range(ROWS)]
    for n in range(LONG_EVERY - 1, ROWS, LONG_EVERY):  # names that make a text of two parts
        lines[1 + n] += " с очень длинным именем" * 3
    lines[3] = "not a phone;Нет номера"  # row 3 of the list, line 4 of the file
    lines.append(f"7900{5:07d};Повтор")  # a duplicate of row 6
    content = ("\n".join(lines) + "\n").encode()
    assert len(content) >= BIG_UPLOAD_BYTES
    return content


async def test_a_big_upload_is_read_in_the_list_process_and_reported_as_a_small_one(
    start_bot, telegram, monkeypatch
):
    program = await start_bot(PULSE_SENDERS="Shop")
    program.app.store.stoplist.add([STOPPED], ADMIN)

    def not_here(*args, **kwargs):
        raise AssertionError("a big file must not be read in the program's own process")

    # The list process imports its own copy of the reader; only the program's copy refuses.
    monkeypatch.setattr(bot.compose.lists, "parse_file", not_here)
    # Nor is the stop-list read for it there: the list process reads it itself.
    monkeypatch.setattr(program.app.store.stoplist, "addresses", not_here)
    composer = Composer(telegram, ADMIN)
    await composer.start()
    await composer.press("SMS", expect="sender")
    await composer.press("Shop", expect="phone numbers")
    await composer.upload("customers.csv", big_csv(), expect="Send the text")
    card = composer.text
    for line in (
        f"Valid recipients: {ROWS - 2:,}",  # one row is not a phone, one is stop-listed
        "Invalid: 1",
        "Duplicates dropped: 1",
        "On the stop-list: 1",
        "line 4: «not a phone» - not a phone number",
        "Placeholders you can use: {name}",
    ):
        assert line in card

    store = program.app.store
    [list_id] = [row[0] for row in store.db.execute("SELECT id FROM recipient_lists")]
    assert store.recipient_lists.size(list_id) == ROWS - 2
    assert store.recipient_lists.columns(list_id) == ["name"]
    assert store.recipient_lists.item(list_id, 1) == ("79000000000", {"name": "Покупатель 0"})
    monkeypatch.setattr(bot.compose.costs, "measure", not_here)
    await composer.say("Здравствуйте, {name}!", expect="Preview")
    # Each recipient's own text is one part, but for the 30 with a long name: two.
    assert f"total for all recipients: ≈{ROWS - 2 + ROWS // LONG_EVERY:,}" in composer.text


async def test_a_big_list_is_left_without_the_recipients_lacking_a_value_in_the_list_process(
    start_bot, telegram, monkeypatch
):
    program = await start_bot(PULSE_SENDERS="Shop")
    rows = ["phone;name"] + [
        f"7900{n:07d};{'' if n % LONG_EVERY == 0 else f'Покупатель {n}'}"
        for n in range(1, ROWS + 1)
    ]
    lacking = ROWS // LONG_EVERY

    def not_here(*args, **kwargs):
        raise AssertionError("a big list must not be split in the program's own process")

    monkeypatch.setattr(bot.compose.list_checks, "split_lacking", not_here)
    composer = Composer(telegram, ADMIN)
    await composer.start()
    await composer.press("SMS", expect="sender")
    await composer.press("Shop", expect="phone numbers")
    await composer.upload("customers.csv", "\n".join(rows).encode(), expect="Send the text")
    card = await composer.say("Здравствуйте, {name}!", expect="no value")
    assert f"{lacking} recipients have no value for {{name}}" in card["text"]

    card = await composer.press(f"Leave out {lacking} recipients", expect="Preview")
    assert f"Left out {lacking} recipients without a value." in card["text"]
    assert f"Recipients: {ROWS - lacking:,}" in card["text"]
    store = program.app.store
    [first, kept] = [row[0] for row in store.db.execute("SELECT id FROM recipient_lists")]
    lists = store.recipient_lists
    assert lists.left_out_counts(first) == {}
    assert lists.size(kept) == ROWS - lacking
    assert lists.item(kept, LONG_EVERY) == ("79000001001", {"name": "Покупатель 1001"})
    assert lists.left_out_counts(kept) == {LACKING_VALUE: lacking}
    coverage = lists.coverage(kept)
    assert coverage is not None
    assert coverage["size"] == ROWS - lacking
    assert coverage["columns"]["name"]["lacking"] == []


async def test_a_big_campaigns_parts_are_counted_for_its_approval_in_the_list_process(
    start_bot, telegram, monkeypatch
):
    await start_bot(PULSE_SENDERS="Shop", PULSE_PRICES="sms:2.50", APPROVAL_MIN_COST="100")
    await make_operator(telegram)

    def not_here(*args, **kwargs):
        raise AssertionError("a big campaign's parts must not be counted in the program's process")

    monkeypatch.setattr(bot.compose.costs, "measure", not_here)
    composer = Composer(telegram, OPERATOR)
    await composer.start()
    await composer.press("SMS", expect="sender")
    await composer.press("Shop", expect="phone numbers")
    await composer.upload("customers.csv", big_csv(), expect="Send the text")
    await composer.say("Здравствуйте, {name}!", expect="needs approval by")
    await composer.press("Send", expect="recipients?")
    await composer.press("Yes, send", expect="waiting for approval")

    card = await telegram.wait_message(ADMIN, contains="Approval needed")
    recipients = ROWS - 1  # one row is not a phone, one a duplicate
    parts = recipients + ROWS // LONG_EVERY  # the long names: two parts each
    assert f"Recipients: {recipients:,}" in card["text"]
    assert f"SMS parts: {parts:,}" in card["text"]
    assert f"Estimate: ≈ {parts * 2.5:,.2f}\xa0₽" in card["text"]
