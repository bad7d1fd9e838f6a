"""Uploaded lists within limits: rows, columns, cell length, a workbook's unpacked size and the
time parsing may take; each refusal names the limit, and the wizard goes on."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

import bot.compose.recipient_files
from tests.compose_user import Composer
from tests.conftest import ADMIN


def workbook(padding_bytes: int = 0) -> bytes:
    """A real three-row workbook, optionally with one extra member that unpacks to this size."""
    book = openpyxl.Workbook()
    book.active.append(["Phone", "Name"])
    book.active.append(["79001234567", "Anna"])
    buffer = io.BytesIO()
    book.save(buffer)
    if not padding_bytes:
        return buffer.getvalue()
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * padding_bytes)
    return buffer.getvalue()


@pytest.fixture
async def composer(start_bot, telegram) -> Composer:
    await start_bot(PULSE_SENDERS="Shop")
    composer = Composer(telegram, ADMIN)
    await composer.start()
    await composer.press("SMS", expect="sender")
    await composer.press("Shop", expect="phone numbers")
    return composer


async def test_each_limit_is_named_and_the_list_can_be_sent_again(composer):
    rows = b"phone\n" + b"79001234567\n" * 1_000_001
    await composer.upload(
        "many.csv", rows, expect="more than 1,000,000 rows; send at most 1,000,000"
    )
    wide = b",".join(b"c%d" % n for n in range(51)) + b"\n" + b"79001234567" + b",x" * 50 + b"\n"
    await composer.upload("wide.csv", wide, expect="Line 1 has 51 columns")
    assert "at most 50" in composer.text
    long_cell = b"phone;note\n79001234567;" + b"y" * 1001 + b"\n"
    await composer.upload("long.csv", long_cell, expect="Line 2 holds a value of 1,001 characters")
    assert "at most 1,000" in composer.text
    await composer.upload("long.txt", b"7" * 1001, expect="a cell may have at most 1,000")
    # A workbook of a few kilobytes declaring megabytes inside is refused before it is opened.
    bomb = workbook(padding_bytes=8 * 1024 * 1024)
    assert len(bomb) < 100_000
    await composer.upload("bomb.xlsx", bomb, expect="The workbook unpacks to 8 MB")
    assert "more than 50 times its size or 200 MB" in composer.text
    await composer.upload("people.xlsx", workbook(), expect="Send the text")


async def test_parsing_past_its_time_is_refused(composer, monkeypatch):
    monkeypatch.setattr(bot.compose.recipient_files, "MAX_PARSE_SECONDS", 0.0)
    rows = b"phone;name\n" + b"".join(b"7900%07d;N\n" % n for n in range(10_000))
    await composer.upload("slow.csv", rows, expect="Reading the file took more than 0 seconds")
    monkeypatch.setattr(bot.compose.recipient_files, "MAX_PARSE_SECONDS", 60.0)
    await composer.upload("fine.csv", rows, expect="Send the text")


def test_the_unpacked_size_is_judged_from_the_zip_directory_alone():
    small = workbook()
    bot.compose.recipient_files.check_unpacked_size(small)  # an ordinary workbook passes
    with pytest.raises(bot.compose.recipient_files.RecipientFileError) as caught:
        bot.compose.recipient_files.check_unpacked_size(workbook(padding_bytes=210 * 1024 * 1024))
    assert caught.value.code is bot.compose.recipient_files.FileProblem.XLSX_UNPACKS_TOO_LARGE
