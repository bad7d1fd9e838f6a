"""What was left out of an upload: counted on the preview, and a file of those rows with why."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

from tests.compose_user import Composer, make_operator
from tests.conftest import ADMIN, OPERATOR
from tests.report_reader import BOM

TABLE = "\n".join(
    [
        "phone;name",
        "79001111111;Anna",  # line 2
        "not a phone;Boris",  # 3: invalid
        "79002222222;Vera",  # 4
        "+7 900 111-11-11;Anna again",  # 5: a duplicate of line 2
        "79003333333;Gleb",  # 6: on the stop-list
        "=HYPERLINK(1);Dan",  # 7: invalid, and a formula for a spreadsheet
        "79002222222;Vera again",  # 8: a duplicate of line 4
        "79004444444;Egor",  # 9
    ]
).encode()


async def test_the_preview_counts_and_files_exactly_the_rows_left_out(start_bot, telegram, bot_env):
    await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    with sqlite3.connect(Path(bot_env["DATA_DIR"]) / "pulse-bridge.db") as db:
        db.execute(
            "INSERT INTO stoplist (address, added_by, added_at) VALUES ('79003333333', ?, ?)",
            [ADMIN, "2026-11-30T09:00:00.000+00:00"],
        )
    composer = Composer(telegram)
    await composer.start("/new", expect="")
    await composer.press("SMS")
    await composer.press("Shop")
    await composer.upload("clients.csv", TABLE)
    card = await composer.say("Hello {name}", expect="Preview")

    assert (
        "Recipients: 3 (2 invalid, 2 duplicates, 1 on the stop-list left out): 79001111111"
        in card["text"]
    )
    # The card stays as it is: the file comes as a message of its own.
    data = telegram.find_button(composer.card, "Rows left out (CSV)")
    telegram.press(OPERATOR, composer.card, data, strict=True)
    sent = await telegram.wait_for(
        lambda: next((m for m in telegram.chat(OPERATOR) if "document" in m), None)
    )

    assert sent["caption"] == "5 rows left out of the list"
    content = sent["document"]["content"]
    assert content.startswith(BOM)
    rows = list(csv.reader(io.StringIO(content[len(BOM) :].decode()), delimiter=";"))
    assert rows == [
        ["Line", "As written", "Why it was left out"],
        ["3", "not a phone", "not a phone number"],
        ["5", "'+7 900 111-11-11", "a duplicate of an earlier row"],
        ["6", "79003333333", "on the stop-list"],
        ["7", "'=HYPERLINK(1)", "not a phone number"],
        ["8", "79002222222", "a duplicate of an earlier row"],
    ]
    assert "Preview" in composer.text


async def test_a_clean_list_has_no_note_and_no_file_button(start_bot, telegram):
    await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start("/new", expect="")
    await composer.press("SMS")
    await composer.press("Shop")
    await composer.say("79001111111, 79002222222")
    card = await composer.say("Hello", expect="Preview")

    assert "left out" not in card["text"]
    assert not any("left out" in label for label in composer.buttons())


async def test_recipients_left_out_for_lacking_a_value_join_the_file(start_bot, telegram):
    await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start("/new", expect="")
    await composer.press("SMS")
    await composer.press("Shop")
    table = "phone;name\n79001111111;Anna\nnope;Boris\n79002222222;\n79003333333;Gleb\n"
    await composer.upload("clients.csv", table.encode())
    await composer.say("Hello {name}", expect="no value")

    card = await composer.press("Leave out 1 recipient", expect="Preview")

    assert "Recipients: 2 (1 invalid, 1 without a value left out)" in card["text"]
    data = telegram.find_button(composer.card, "Rows left out (CSV)")
    telegram.press(OPERATOR, composer.card, data, strict=True)
    sent = await telegram.wait_for(
        lambda: next((m for m in telegram.chat(OPERATOR) if "document" in m), None)
    )
    content = sent["document"]["content"]
    rows = list(csv.reader(io.StringIO(content[len(BOM) :].decode()), delimiter=";"))
    assert rows[1:] == [
        ["3", "nope", "not a phone number"],
        ["", "79002222222", "no value for a placeholder of the text"],
    ]
