"""The composing decisions, without Telegram: next step, validation, /send parsing, SMS figures."""

from __future__ import annotations

import pytest

from bot.compose.conversation import ListSummary
from bot.compose.inputs import (
    QuickSend,
    parse_button,
    parse_image_url,
    parse_send_command,
    parse_ttl,
)
from bot.compose.list_checks import next_step, parse_template_name
from bot.compose.rules import (
    Extra,
    Problem,
    Reason,
    Step,
    change_type,
    check_text,
    editable_steps,
    extras_for,
    previous_step,
    sms_figures,
    toggle_find_token,
)
from bot.config import Settings
from storage.campaigns import Draft
from storage.store import Store

TYPES = ["sms", "viber", "email", "bulk"]


def settings_with(types: list[str]) -> Settings:
    return Settings(_env_file=None, bot_token="1:A", pulse_types=",".join(types))  # type: ignore[call-arg]


SETTINGS = settings_with(TYPES)


@pytest.fixture
def store(tmp_path) -> Store:
    return Store.open(tmp_path / "x.db")


def draft(**fields) -> Draft:
    return Draft(**({"type": "sms", "sender": "Shop", "text": "Hi"} | fields))


def test_send_reads_recipients_on_the_first_line_and_the_text_below():
    request = parse_send_command("sms +7 900 123-45-67, 89001234568\nHello\n  there", TYPES)
    assert request == QuickSend("sms", "+7 900 123-45-67, 89001234568", "Hello\n  there")


def test_send_on_one_line_takes_one_recipient_and_the_rest_as_text():
    assert parse_send_command("SMS 79001234567 Hello there", TYPES) == QuickSend(
        "sms", "79001234567", "Hello there"
    )


def test_send_with_an_unknown_type_lists_the_configured_ones():
    assert parse_send_command("fax 79001234567 hi", TYPES) == Problem(
        Reason.UNKNOWN_TYPE, {"type": "fax", "types": TYPES}
    )


@pytest.mark.parametrize("args", [None, "", "sms", "sms 79001234567", "sms\nHello"])
def test_send_without_recipients_or_text_explains_its_usage(args):
    assert parse_send_command(args, TYPES) == Problem(Reason.SEND_USAGE)


def test_the_next_step_is_the_first_one_without_a_valid_answer(store):
    empty = Draft(type="", sender="", text="")
    assert next_step(empty, None, store, SETTINGS) == (Step.TYPE, None)
    assert next_step(draft(sender=""), None, store, SETTINGS) == (Step.SENDER, None)
    assert next_step(draft(type="bulk"), None, store, SETTINGS) == (
        Step.SENDER,
        Problem(Reason.SENDER_NOT_DIGITS),
    )
    assert next_step(draft(), None, store, SETTINGS) == (Step.RECIPIENTS, None)
    list_id = store.recipient_lists.save(
        1, [("79001234567", {"name": "Anna"}), ("79001234568", {})], ["name"]
    )
    assert next_step(draft(text=""), list_id, store, SETTINGS) == (Step.TEXT, None)
    step, problem = next_step(draft(text="Hi {name}"), list_id, store, SETTINGS)
    assert step is Step.TEXT
    assert problem == Problem(
        Reason.PLACEHOLDER_MISSING,
        {"names": ["name"], "count": 1, "examples": [(2, "79001234568")], "total": 2},
    )
    assert next_step(draft(), list_id, store, SETTINGS) == (Step.PREVIEW, None)


def test_back_leads_to_the_previous_step_and_the_first_has_none():
    assert previous_step(Step.PREVIEW) is Step.TEXT
    assert previous_step(Step.SENDER) is Step.TYPE
    assert previous_step(Step.TYPE) is None


def test_a_new_type_keeps_what_still_fits_and_drops_the_rest():
    email = draft(type="email", html_text="<p>x</p>", columns=["name"])
    as_push, keeps = change_type(email, "push")
    assert not keeps  # e-mail addresses are not push tokens
    assert as_push.html_text == "<p>x</p>"
    assert as_push.columns == []
    as_viber, keeps = change_type(draft(), "viber")
    assert keeps
    assert as_viber.sender == "Shop"
    as_bulk, keeps = change_type(draft(html_text="<p>x</p>"), "bulk")
    assert as_bulk.sender == ""  # a cascade needs the mailing's number
    assert as_bulk.html_text == "<p>x</p>"  # a scenario may reach e-mail
    as_sms, keeps = change_type(draft(html_text="<p>x</p>"), "sms")
    assert as_sms.html_text is None


def test_find_token_decides_what_a_push_list_holds():
    tokens = draft(type="push", columns=["name"])
    by_phone, keeps = toggle_find_token(tokens)
    assert by_phone.find_token
    assert not keeps
    assert by_phone.columns == []
    back, keeps = toggle_find_token(by_phone)
    assert not back.find_token
    assert not keeps
    sms, keeps = toggle_find_token(draft(type="sms", columns=["name"]))
    assert sms.find_token
    assert keeps
    assert sms.columns == ["name"]
    _as_bot, keeps = change_type(by_phone, "bot")
    assert keeps  # both look the token up by phone or e-mail


def test_an_sms_of_more_than_ten_segments_is_refused():
    assert check_text(draft(text="a" * 1530), ListSummary(size=1)) is None
    assert check_text(draft(text="a" * 1531), ListSummary(size=1)) == Problem(
        Reason.SMS_TOO_LONG, {"segments": 11, "limit": 10}
    )


def test_a_viber_text_over_its_limit_is_refused():
    problem = check_text(draft(type="viber", text="a" * 1001), ListSummary(size=1))
    assert problem == Problem(
        Reason.TEXT_TOO_LONG, {"length": 1001, "limit": 1000, "type": "viber"}
    )


def test_a_text_the_charset_cannot_carry_is_refused_naming_the_character():
    problem = check_text(draft(text="Привет 😀", charset="CP1251"), ListSummary(size=1))
    assert problem == Problem(Reason.CHARSET_MISMATCH, {"charset": "CP1251", "character": "😀"})
    assert check_text(draft(text="Привет", charset="CP1251"), ListSummary(size=1)) is None


def test_sms_figures_count_every_recipients_own_text():
    plain = sms_figures("Hello", ListSummary(size=1000))
    assert (plain.characters, plain.segments, plain.encoding, plain.total, plain.exact) == (
        5,
        1,
        "GSM-7",
        1000,
        True,
    )
    summary = ListSummary(size=2, sample_fields=({"name": "Ann"}, {"name": "Я" * 80}))
    personal = sms_figures("Hi {name}", summary)
    assert (personal.characters, personal.segments, personal.total) == (6, 1, 3)  # 1 + 2 (UCS-2)


def test_sms_totals_beyond_the_sample_are_estimated():
    summary = ListSummary(size=10_000, sample_fields=tuple({"name": "Ann"} for _ in range(1000)))
    figures = sms_figures("Hi {name}", summary)
    assert (figures.total, figures.exact) == (10_000, False)


def test_a_button_is_a_caption_line_and_an_address_line():
    assert parse_button("Buy\nhttps://shop.example/a?b=1") == ("Buy", "https://shop.example/a?b=1")
    assert parse_button("Start\n/start promo") == ("Start", "/start promo")
    assert parse_button("https://shop.example") == Problem(Reason.BAD_CAPTION, {"limit": 64})
    assert parse_button("Buy\njavascript:alert(1)") == Problem(Reason.BAD_ACTION)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("90", 90), (" 1 ", 1), ("0", None), ("-5", None), ("1.5", None), ("9999999", None)],
)
def test_ttl_is_a_positive_whole_number_of_minutes(typed, expected):
    result = parse_ttl(typed)
    assert result == expected if expected else isinstance(result, Problem)


def test_an_image_address_must_be_http():
    assert parse_image_url(" https://cdn.example/a.png ") == "https://cdn.example/a.png"
    assert parse_image_url("file:///etc/passwd") == Problem(Reason.BAD_IMAGE_URL)


def test_template_names_are_short_and_unique_ignoring_case(store):
    assert parse_template_name("  Weekend   sale ", store) == "Weekend sale"
    store.templates.save("Weekend sale", 1, draft())
    assert parse_template_name("WEEKEND SALE", store) == Problem(
        Reason.TEMPLATE_NAME_TAKEN, {"name": "WEEKEND SALE"}
    )
    assert parse_template_name("x" * 65, store).reason is Reason.BAD_TEMPLATE_NAME


def test_hlr_needs_no_text_and_skips_the_text_step(store):
    list_id = store.recipient_lists.save(1, [("79001234567", {})], [])
    hlr = draft(type="hlr", text="")
    assert next_step(hlr, list_id, store, settings_with(["sms", "hlr"])) == (Step.PREVIEW, None)
    assert previous_step(Step.PREVIEW, "hlr") is Step.RECIPIENTS
    assert previous_step(Step.PREVIEW, "sms") is Step.TEXT
    assert editable_steps("hlr") == (Step.RECIPIENTS, Step.SENDER, Step.TYPE)
    assert extras_for("hlr") == [Extra.TTL]
    as_hlr, keeps = change_type(draft(image="https://x.example/a.png", charset="CP1251"), "hlr")
    assert keeps
    assert (as_hlr.text, as_hlr.image, as_hlr.charset) == ("", None, None)
    assert parse_send_command("hlr 79001234567, 79001234568\n79001234569", ["hlr"]) == QuickSend(
        "hlr", "79001234567, 79001234568\n79001234569", ""
    )
    assert Extra.HTML in extras_for("bulk")
    assert Extra.HTML not in extras_for("viber")
