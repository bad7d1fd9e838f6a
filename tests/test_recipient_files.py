"""Uploaded recipient files: encodings, separators, headers, workbooks and refused files."""

import io
import time

import openpyxl
import pytest

from bot.compose.addresses import AddressKind, InvalidReason
from bot.compose.recipient_files import FileProblem, RecipientFileError
from bot.compose.recipient_tables import parse_recipients_file
from bot.compose.recipients import RecipientList


def rows_of(result: RecipientList) -> list[tuple[str, dict[str, str]]]:
    return [(recipient.address, dict(recipient.fields)) for recipient in result.valid]


def refusal(filename: str, content: bytes, **options: int) -> FileProblem:
    with pytest.raises(RecipientFileError) as caught:
        parse_recipients_file(filename, content, AddressKind.PHONE, **options)
    return caught.value.code


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


CYRILLIC_CSV = "Телефон;Имя;Город\n8 900 123 45 67;Анна;Москва\n+7 (900) 123-45-68;Пётр;Казань\n"


@pytest.mark.parametrize(
    "content",
    [
        CYRILLIC_CSV.encode("utf-8"),
        CYRILLIC_CSV.encode("utf-8-sig"),
        CYRILLIC_CSV.encode("cp1251"),
        CYRILLIC_CSV.encode("utf-16"),
    ],
    ids=["utf-8", "utf-8-bom", "cp1251", "utf-16"],
)
def test_encodings_are_detected_and_cyrillic_placeholders_kept(content: bytes) -> None:
    result = parse_recipients_file("list.csv", content, AddressKind.PHONE)
    assert result.columns == ["Имя", "Город"]
    assert rows_of(result) == [
        ("79001234567", {"Имя": "Анна", "Город": "Москва"}),
        ("79001234568", {"Имя": "Пётр", "Город": "Казань"}),
    ]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_separators_are_detected(delimiter: str) -> None:
    lines = ["phone", "name", "amount"], ["89001234567", "Anna", "1.5"], ["9001234568", "Bob", "2"]
    content = "\n".join(delimiter.join(cells) for cells in lines).encode()
    result = parse_recipients_file("list.csv", content, AddressKind.PHONE)
    assert result.columns == ["name", "amount"]
    assert rows_of(result) == [
        ("79001234567", {"name": "Anna", "amount": "1.5"}),
        ("79001234568", {"name": "Bob", "amount": "2"}),
    ]


def test_quoted_cells_with_separators_inside_stay_whole() -> None:
    content = b'name,phone\n"Petrov, Ivan","+7 (900) 123-45-67"\n'
    result = parse_recipients_file("list.csv", content, AddressKind.PHONE)
    assert rows_of(result) == [("79001234567", {"name": "Petrov, Ivan"})]


def test_header_picks_the_column_matching_the_message_type() -> None:
    content = "Имя;Телефон;E-mail\nАнна;89001234567;Anna@Example.com\n".encode()
    as_email = parse_recipients_file("list.csv", content, AddressKind.EMAIL)
    assert rows_of(as_email) == [("Anna@example.com", {"Имя": "Анна", "Телефон": "89001234567"})]
    as_phone = parse_recipients_file("list.csv", content, AddressKind.PHONE)
    assert as_phone.columns == ["Имя", "E-mail"]
    assert as_phone.valid[0].address == "79001234567"


def test_header_names_are_cleaned_but_keep_underscores() -> None:
    content = b"sent_to, first_name ,Last  Name,(notes)\n89001234567,Anna,Lee,vip\n"
    result = parse_recipients_file("list.csv", content, AddressKind.PHONE)
    assert result.columns == ["first_name", "Last Name", "notes"]


def test_trailing_separators_add_no_placeholders() -> None:
    content = b"phone;name;\n89001234567;Anna;\n89001234568;Bob;;\n"
    result = parse_recipients_file("list.csv", content, AddressKind.PHONE)
    assert result.columns == ["name"]


def test_without_header_other_columns_are_numbered() -> None:
    content = b"89001234567,Anna,10\n89001234568,Bob,20\n"
    result = parse_recipients_file("list.csv", content, AddressKind.PHONE)
    assert result.columns == ["col2", "col3"]
    assert rows_of(result)[0] == ("79001234567", {"col2": "Anna", "col3": "10"})


def test_unrecognised_header_is_still_used_for_names() -> None:
    content = "Клиент;Сумма, руб.;Контакт\nАнна;100;89001234567\nПётр;200;89001234568\n"
    result = parse_recipients_file("list.csv", content.encode(), AddressKind.PHONE)
    assert result.columns == ["Клиент", "Сумма руб"]
    assert rows_of(result)[1] == ("79001234568", {"Клиент": "Пётр", "Сумма руб": "200"})
    assert result.invalid == []


def test_junk_rows_are_reported_with_their_line_numbers() -> None:
    content = b"phone,name\n89001234567,Anna\n\nnot a phone,Bob\n,Carl\n89001234568,Dan\n"
    result = parse_recipients_file("list.csv", content, AddressKind.PHONE)
    assert [recipient.address for recipient in result.valid] == ["79001234567", "79001234568"]
    assert [(entry.line, entry.raw, entry.reason) for entry in result.invalid] == [
        (4, "not a phone", InvalidReason.NOT_A_PHONE),
        (5, ",Carl", InvalidReason.EMPTY_TOKEN),
    ]


def test_duplicates_keep_the_first_rows_fields_and_stop_list_applies() -> None:
    content = b"phone,name\n89001234567,Anna\n+79001234567,Bob\n89001234568,Carl\n"
    result = parse_recipients_file("list.csv", content, AddressKind.PHONE, stoplist=["79001234568"])
    assert rows_of(result) == [("79001234567", {"name": "Anna"})]
    assert (result.duplicates, result.stopped) == (1, 1)


def test_txt_file_is_read_like_pasted_text() -> None:
    content = "8 900 123 45 67, 8 900 123 45 68\nмусор\n+375 29 123-45-67\n".encode("cp1251")
    result = parse_recipients_file("numbers.TXT", content, AddressKind.PHONE)
    assert [recipient.address for recipient in result.valid] == [
        "79001234567",
        "79001234568",
        "375291234567",
    ]
    assert [(entry.line, entry.raw) for entry in result.invalid] == [(2, "мусор")]


def test_txt_file_with_a_header_row_is_read_as_a_table() -> None:
    content = "email;имя\nanna@example.com;Анна\n".encode()
    result = parse_recipients_file("export.txt", content, AddressKind.EMAIL)
    assert rows_of(result) == [("anna@example.com", {"имя": "Анна"})]


def test_xlsx_numbers_lose_the_excel_decimal_point() -> None:
    content = xlsx_bytes(
        [
            ["Phone", "Name", "Balance"],
            [79001234567, "Анна", 10.5],
            [None, None, None],
            [89001234568.0, "Пётр", 3],
            ["junk", "Carl", 1],
        ]
    )
    result = parse_recipients_file("book.xlsx", content, AddressKind.PHONE)
    assert result.columns == ["Name", "Balance"]
    assert rows_of(result) == [
        ("79001234567", {"Name": "Анна", "Balance": "10.5"}),
        ("79001234568", {"Name": "Пётр", "Balance": "3"}),
    ]
    assert [(entry.line, entry.raw) for entry in result.invalid] == [(5, "junk")]


def test_unreadable_xlsx_is_refused() -> None:
    assert refusal("book.xlsx", b"PK\x03\x04 not really a zip") is FileProblem.XLSX_UNREADABLE
    assert refusal("book.xlsx", b"phone\n89001234567\n") is FileProblem.XLSX_UNREADABLE


def test_empty_files_are_refused() -> None:
    assert refusal("list.csv", b"") is FileProblem.EMPTY
    assert refusal("list.csv", "\ufeff \r\n\n".encode()) is FileProblem.EMPTY
    assert refusal("list.csv", b"phone;name\n\n") is FileProblem.EMPTY
    assert refusal("list.txt", b"   ") is FileProblem.EMPTY
    assert refusal("book.xlsx", xlsx_bytes([])) is FileProblem.EMPTY


def test_binary_files_are_refused() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    assert refusal("photo.csv", png) is FileProblem.BINARY
    no_nul = bytes(range(1, 32)) * 100 + b"89001234567\n"
    assert refusal("list.txt", no_nul) is FileProblem.BINARY
    # 0x98 is the one byte CP1251 leaves undefined, and it is not valid UTF-8 either.
    assert refusal("list.csv", b"89001234567\n\x98\x98\n") is FileProblem.BINARY


def test_unsupported_extensions_are_refused() -> None:
    assert refusal("old.xls", b"89001234567") is FileProblem.UNSUPPORTED
    assert refusal("noextension", b"89001234567") is FileProblem.UNSUPPORTED


def test_a_50_mb_file_is_refused_before_any_parsing() -> None:
    content = b"89001234567,Anna\n" * (50 * 1024 * 1024 // 17)
    started = time.perf_counter()
    assert refusal("big.csv", content) is FileProblem.TOO_LARGE
    assert time.perf_counter() - started < 0.1


def test_size_limit_is_configurable() -> None:
    assert refusal("list.csv", b"89001234567\n" * 10, max_bytes=100) is FileProblem.TOO_LARGE


def test_oversized_csv_field_is_a_clear_error() -> None:
    content = b'phone,name\n89001234567,"' + b"x" * 200_000 + b'"\n'
    assert refusal("list.csv", content) is FileProblem.CELL_TOO_LONG


def test_refusal_carries_code_and_detail() -> None:
    with pytest.raises(RecipientFileError) as caught:
        parse_recipients_file("big.csv", b"x" * 11, AddressKind.PHONE, max_bytes=10)
    assert caught.value.code == "too_large"
    assert "11" in caught.value.detail
