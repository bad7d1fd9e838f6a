"""Typed or pasted recipients: normalisation, validation, duplicates, stop-list, placeholders."""

import email_validator
import phonenumbers
import pytest

from bot.compose.addresses import AddressKind, InvalidReason, address_kind, normalise_address
from bot.compose.placeholders import missing_placeholders, placeholders_in, render_text
from bot.compose.recipients import Recipient, RecipientList, parse_recipients_text


def addresses(result: RecipientList) -> list[str]:
    return [recipient.address for recipient in result.valid]


@pytest.mark.parametrize(
    ("message_type", "kind"),
    [
        ("sms", AddressKind.PHONE),
        ("viber", AddressKind.PHONE),
        ("whatsapp", AddressKind.PHONE),
        ("hlr", AddressKind.PHONE),
        ("something-new", AddressKind.PHONE),
        ("email", AddressKind.EMAIL),
        ("EMAIL", AddressKind.EMAIL),
        ("push", AddressKind.PUSH),
        ("bot", AddressKind.PUSH),
        ("bulk", AddressKind.PHONE_OR_EMAIL),
    ],
)
def test_message_type_decides_address_kind(message_type: str, kind: AddressKind) -> None:
    assert address_kind(message_type) is kind


@pytest.mark.parametrize(
    "written",
    [
        "+7 (900) 123-45-67",
        "8 900 123 45 67",
        "89001234567",
        "9001234567",
        "79001234567",
        "+79001234567",
        "8(900)123-45-67",
        "+7-900-123-45-67",
        "(+7) 900 1234567",
        "007 900 123 45 67",
    ],
)
def test_russian_mobile_formats_become_international_digits(written: str) -> None:
    assert normalise_address(written, AddressKind.PHONE) == "79001234567"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("+375 29 123-45-67", "375291234567"),
        ("00375291234567", "375291234567"),
        ("375291234567", "375291234567"),
        ("+1 202 555 0123", "12025550123"),
        ("+44 20 7946 0958", "442079460958"),
        ("8 495 123 45 67", "74951234567"),
        ("8 800 555 35 35", "78005553535"),
        ("+7 701 123 45 67", "77011234567"),
    ],
)
def test_landlines_and_other_countries_are_accepted(written: str, expected: str) -> None:
    assert normalise_address(written, AddressKind.PHONE) == expected


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "hello",
        "12345",
        "+7 900 123 45 6",
        "8 900 123 45 678 9",
        "1-800-FLOWERS",
        "+79001234567 ext 5",
        "7+9001234567",
        "++79001234567",
        "79001234567890123",
        "+999 123 456 789",
    ],
)
def test_invalid_phones_are_rejected(junk: str) -> None:
    assert normalise_address(junk, AddressKind.PHONE) is None


@pytest.mark.parametrize("written_as", ["8{}", "+7{}", "{}"])
def test_russian_shortcut_agrees_with_phonenumbers(written_as: str) -> None:
    # The 930 00x block mixes numbers in use and unused ones, so it exercises the mobile pattern.
    for block in range(9300000, 9300100):
        national = f"{block}123"
        number = phonenumbers.parse("+7" + national)
        expected = "7" + national if phonenumbers.is_valid_number(number) else None
        assert normalise_address(written_as.format(national), AddressKind.PHONE) == expected


def test_pasted_text_splits_on_lines_commas_semicolons_and_spaces() -> None:
    text = "+7 (900) 123-45-01, 8 900 123 45 02; 89001234503\n9001234504 79001234505\t+79001234506"
    result = parse_recipients_text(text, AddressKind.PHONE)
    assert addresses(result) == [f"790012345{n:02}" for n in range(1, 7)]
    assert result.invalid == []


def test_same_phone_in_different_formats_counts_as_duplicate() -> None:
    text = "+7 (900) 123-45-67\n8 900 123 45 67\n89001234567, 9001234567; 79001234567"
    result = parse_recipients_text(text, AddressKind.PHONE)
    assert addresses(result) == ["79001234567"]
    assert result.duplicates == 4


def test_junk_is_reported_with_its_line_and_reason() -> None:
    text = "79001234501\nhello 79001234502\n\n+7 900 123 45 6\n12345"
    result = parse_recipients_text(text, AddressKind.PHONE)
    assert addresses(result) == ["79001234501", "79001234502"]
    assert [(entry.line, entry.raw, entry.reason) for entry in result.invalid] == [
        (2, "hello", InvalidReason.NOT_A_PHONE),
        (4, "+7 900 123 45 6", InvalidReason.NOT_A_PHONE),
        (5, "12345", InvalidReason.NOT_A_PHONE),
    ]


def test_numbers_pasted_from_a_table_are_not_glued_into_foreign_phones() -> None:
    result = parse_recipients_text("79001234567 1500 12.03.2026 100", AddressKind.PHONE)
    assert addresses(result) == ["79001234567"]
    assert [entry.raw for entry in result.invalid] == ["1500 12.03.2026 100"]


def test_two_spaced_phones_on_one_line_are_both_found() -> None:
    result = parse_recipients_text("8 900 123 45 67 8 900 123 45 68", AddressKind.PHONE)
    assert addresses(result) == ["79001234567", "79001234568"]


def test_long_invalid_entries_are_shortened_for_display() -> None:
    result = parse_recipients_text("x" * 500, AddressKind.PHONE)
    assert len(result.invalid[0].raw) == 100
    assert result.invalid[0].raw.endswith("…")


def test_email_domain_is_lowercased_and_local_part_kept() -> None:
    assert normalise_address("Ivan.Petrov@Mail.RU", AddressKind.EMAIL) == "Ivan.Petrov@mail.ru"
    assert normalise_address(" <anna@Example.COM> ", AddressKind.EMAIL) == "anna@example.com"
    assert normalise_address("mailto:anna@example.com", AddressKind.EMAIL) == "anna@example.com"
    assert normalise_address("Оля@Почта.РФ", AddressKind.EMAIL) == "Оля@почта.рф"


@pytest.mark.parametrize(
    "junk",
    ["plainaddress", "a@b", "a..b@example.com", "a@example..com", "a@-example.com", "a@b.test"],
)
def test_invalid_emails_are_rejected(junk: str) -> None:
    assert normalise_address(junk, AddressKind.EMAIL) is None


@pytest.mark.parametrize(
    "address",
    [
        "ivan@mail.ru",
        "Ivan.Petrov+news@Mail.Ru",
        "a_b-c@sub.example.co.uk",
        "x@localhost.localdomain",
        "x@host.local",
        "x@ab--cd.com",
        "x@xn--80a1acny.xn--p1ai",
        "x@example.123",
        "a" * 65 + "@example.com",
        "x@" + "a" * 64 + ".com",
        "x@" + ("a" * 60 + ".") * 5 + "com",
        "-@example.com",
        "x@exa_mple.com",
    ],
)
def test_email_shortcut_agrees_with_email_validator(address: str) -> None:
    try:
        expected = email_validator.validate_email(address, check_deliverability=False).normalized
    except email_validator.EmailNotValidError:
        expected = None
    assert normalise_address(address, AddressKind.EMAIL) == expected


def test_emails_differing_in_case_are_duplicates_and_the_first_spelling_wins() -> None:
    text = "Ivan.Petrov@Mail.ru, ivan.petrov@mail.ru\nIVAN.PETROV@MAIL.RU"
    result = parse_recipients_text(text, AddressKind.EMAIL)
    assert addresses(result) == ["Ivan.Petrov@mail.ru"]
    assert result.duplicates == 2


def test_phone_or_email_is_decided_by_the_at_sign() -> None:
    text = "8 900 123 45 67, anna@example.com\nnobody@, hello"
    result = parse_recipients_text(text, AddressKind.PHONE_OR_EMAIL)
    assert addresses(result) == ["79001234567", "anna@example.com"]
    assert [entry.reason for entry in result.invalid] == [
        InvalidReason.NOT_AN_EMAIL,
        InvalidReason.NOT_A_PHONE_OR_EMAIL,
    ]


def test_phone_list_rejects_emails_as_not_phones() -> None:
    result = parse_recipients_text("anna@example.com", AddressKind.PHONE)
    assert result.invalid[0].reason is InvalidReason.NOT_A_PHONE


def test_push_tokens_are_kept_as_given() -> None:
    tokens = "fcm:APA91bH-x_Y\n  dGVzdA==:abc ,fcm:APA91bH-x_Y,,hex0123;abcdef\n\n89001234567"
    result = parse_recipients_text(tokens, AddressKind.PUSH)
    assert addresses(result) == [
        "fcm:APA91bH-x_Y",
        "dGVzdA==:abc",
        "hex0123;abcdef",
        "89001234567",  # a token that looks like a phone is still a token, as written
    ]
    assert result.duplicates == 1
    assert result.contacts == 1  # ... and is counted, so the author can be told
    mixed = parse_recipients_text("a@example.com, 79001234567, 79001234567, tok", AddressKind.PUSH)
    assert mixed.contacts == 2


def test_push_tokens_are_never_split_on_spaces() -> None:
    result = parse_recipients_text("tok-1 tok-2, tok-3\n+7 900 123 45 67", AddressKind.PUSH)
    assert addresses(result) == ["tok-3"]
    assert [(entry.line, entry.raw, entry.reason) for entry in result.invalid] == [
        (1, "tok-1 tok-2", InvalidReason.NOT_A_TOKEN),
        (2, "+7 900 123 45 67", InvalidReason.NOT_A_TOKEN),
    ]


@pytest.mark.parametrize("message_type", ["push", "bot", "PUSH"])
def test_find_token_lets_push_and_bot_lists_hold_phones_and_emails(message_type: str) -> None:
    assert address_kind(message_type) is AddressKind.PUSH
    kind = address_kind(message_type, find_token=True)
    assert kind is AddressKind.PHONE_OR_EMAIL
    result = parse_recipients_text("+7 (900) 123-45-67, Anna@Example.COM\n8 900 123 45 68", kind)
    assert addresses(result) == ["79001234567", "Anna@example.com", "79001234568"]
    assert address_kind("sms", find_token=True) is AddressKind.PHONE
    assert address_kind("email", find_token=True) is AddressKind.EMAIL


def test_stop_list_addresses_are_excluded_and_counted() -> None:
    text = "8 900 123 45 67\n89001234568\n+7 900 123-45-67\nIvan@Mail.ru"
    stoplist = {"79001234567", "ivan@mail.ru"}
    result = parse_recipients_text(text, AddressKind.PHONE_OR_EMAIL, stoplist=stoplist)
    assert addresses(result) == ["79001234568"]
    assert result.stopped == 2
    assert result.duplicates == 1


def test_empty_text_gives_an_empty_list() -> None:
    result = parse_recipients_text(" \n ,; \n", AddressKind.PHONE)
    assert result == RecipientList()


def test_placeholders_are_listed_once_in_order_and_escapes_ignored() -> None:
    text = "Hello, {name}! {{name}} is literal. Your code: {code}, again {name}. {Имя клиента}"
    assert placeholders_in(text) == ["name", "code", "Имя клиента"]


def test_braces_that_are_not_placeholders_are_ignored() -> None:
    html = "<style>p { color: red }</style>{} { name} {a:b} {0.x"
    assert placeholders_in(html) == []


def test_render_text_substitutes_fields_and_leaves_unknown_names() -> None:
    fields = {"name": "Анна", "Code": "42"}
    assert render_text("Hi {name}, code {code}, {unknown} {{name}}", fields) == (
        "Hi Анна, code 42, {unknown} {name}"
    )


def test_render_text_never_evaluates_attribute_or_index_access() -> None:
    fields = {"name": "Анна"}
    text = "{name.__class__} {name[0]} {0} {name!r}"
    assert render_text(text, fields) == text


def test_render_text_inserts_values_verbatim() -> None:
    assert render_text("{a}", {"a": "{b}"}) == "{b}"


def test_missing_placeholders_points_at_the_first_row_without_a_value() -> None:
    recipients = RecipientList(
        valid=[
            Recipient("79001234501", {"name": "Анна", "code": "1"}),
            Recipient("79001234502", {"code": "2"}),
            Recipient("79001234503", {}),
        ],
        columns=["name", "code"],
    )
    assert missing_placeholders("Hi {name}, {code}", recipients) == (
        2,
        recipients.valid[1],
        ["name"],
    )
    assert missing_placeholders("Hi {Code}", recipients) == (3, recipients.valid[2], ["Code"])
    assert missing_placeholders("No fields here", recipients) is None
    assert missing_placeholders("{name}", RecipientList(valid=recipients.valid[:1])) is None
