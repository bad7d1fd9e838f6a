"""Recipient files in every common shape give the same list: encodings, separators, Excel."""

from __future__ import annotations

import asyncio
import io

import openpyxl

from tests.compose_user import Composer

PEOPLE = [("+7 900 111-22-33", "Анна"), ("8 (900) 111-22-34", "Борис"), ("79001112235", "Вера")]
EXPECTED = "Recipients: 3: 79001112233, 79001112234, 79001112235"


def table(separator: str) -> str:
    return "\n".join([f"Телефон{separator}Имя"] + [f"{p}{separator}{n}" for p, n in PEOPLE]) + "\n"


def workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Телефон", "Имя"])
    for phone, name in PEOPLE:
        sheet.append([phone, name])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


FILES = {
    "utf8.csv": table(",").encode("utf-8"),
    "bom.csv": table(",").encode("utf-8-sig"),
    "cp1251.csv": table(";").encode("cp1251"),
    "semicolon.csv": table(";").encode("utf-8"),
    "tabs.txt": table("\t").encode("utf-8"),
    "people.xlsx": workbook(),
}


async def upload_as(telegram, user_id: int, filename: str, content: bytes) -> str:
    """One person composes an SMS to the people of one file; returns the card after the upload."""
    composer = Composer(telegram, user_id)
    await composer.start()
    await composer.press("SMS", expect="sender")
    await composer.press("Shop", expect="phone numbers")
    await composer.upload(filename, content, expect="Send the text")
    return composer.text


async def test_every_file_shape_gives_the_same_three_recipients_and_name_column(
    start_bot, telegram
):
    users = list(range(5001, 5001 + len(FILES)))
    await start_bot(PULSE_SENDERS="Shop", ADMIN_IDS=",".join(map(str, users)))
    # Different people work in parallel: each chat has its own pace.
    cards = await asyncio.gather(
        *(
            upload_as(telegram, user_id, filename, content)
            for user_id, (filename, content) in zip(users, FILES.items(), strict=True)
        )
    )
    for filename, card in zip(FILES, cards, strict=True):
        assert EXPECTED in card, filename
        assert "Valid recipients: 3\nInvalid: 0" in card, filename
        assert "Placeholders you can use: {Имя}" in card, filename
