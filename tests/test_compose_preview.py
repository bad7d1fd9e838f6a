"""The preview card: exactly what will be sent, escaped, within Telegram's limit, with its buttons."""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest
from aiogram.utils.i18n import I18n

from bot.compose.conversation import ListSummary, RecipientsReport
from bot.compose.preview_card import render_preview
from bot.compose.rules import Step
from bot.compose.step_cards import render_step
from bot.config import Settings
from bot.i18n import make_i18n
from storage.campaigns import Draft

SUMMARY = ListSummary(
    size=12_345,
    first_addresses=("79001234567", "79001234568", "79001234569", "79001234570", "79001234571"),
    sample_fields=({"name": "<Anna>"},),
)


def settings(**values) -> Settings:
    return Settings(_env_file=None, bot_token="1:A", **values)


@pytest.fixture(scope="module")
def i18n(tmp_path_factory) -> I18n:
    return make_i18n("en", tmp_path_factory.mktemp("locales"))


@pytest.fixture
def language(i18n) -> Iterator[None]:
    with i18n.context(), i18n.use_locale("en"):
        yield


def draft(**fields) -> Draft:
    return Draft(**({"type": "sms", "sender": "Shop", "text": "Hi {name} <b>&</b>"} | fields))


def test_the_preview_shows_what_will_be_sent_with_user_text_escaped(language):
    text, markup = render_preview(
        draft(), SUMMARY, settings(pulse_token="t", public_url="https://x.example")
    )
    assert "Recipients: <b>12,345</b>: 79001234567, 79001234568" in text
    assert "Hi {name} &lt;b&gt;&amp;&lt;/b&gt;" in text
    assert "Hi &lt;Anna&gt; &lt;b&gt;&amp;&lt;/b&gt;" in text  # the first recipient's own text
    assert "SANDBOX" not in text
    assert "PUBLIC_URL" not in text
    labels = [[button.text for button in row] for row in markup.inline_keyboard]
    assert labels == [
        ["Send", "Schedule"],
        ["Edit", "Extras"],
        ["Test to me", "Save as template"],
        ["« Back", "Cancel"],
    ]
    assert markup.inline_keyboard[0][1].callback_data == "compose:schedule"


def test_sandbox_and_missing_public_url_are_said_on_the_preview(language):
    sandbox, _ = render_preview(draft(), SUMMARY, settings())
    assert "SANDBOX" in sandbox
    assert "PUBLIC_URL" not in sandbox  # the sandbox reports statuses by itself
    blind, _ = render_preview(draft(), SUMMARY, settings(pulse_token="t"))
    assert "Statuses will not arrive: PUBLIC_URL is not set." in blind


def test_a_huge_text_and_extras_still_fit_in_one_telegram_message(language):
    long = draft(
        type="email",
        text="&<>" * 3000 + "😀" * 500,
        html_text="<p>" * 5000,
        button="B" * 64,
        action="https://x.example/" + "a" * 2000,
        image="https://x.example/" + "i" * 2000,
        ttl=60,
        charset="UTF-8",
        find_token=True,
        sent_date="2026-12-01 10:00",
    )
    text, _ = render_preview(long, SUMMARY, settings(pulse_token="t"))
    assert len(text.encode("utf-16-le")) // 2 <= 4096
    assert "…" in text
    assert "Lifetime (TTL): 60 min" in text
    assert "Tokens are looked up by phone or e-mail (find_token)" in text
    assert "2026-12-01 10:00" in text


def test_the_buttons_speak_russian_to_russian_speakers(i18n):
    with i18n.context(), i18n.use_locale("ru"):
        text, markup = render_preview(
            draft(), SUMMARY, settings(pulse_token="t", public_url="https://x")
        )
    labels = [button.text for row in markup.inline_keyboard for button in row]
    assert labels == [
        "Отправить",
        "Запланировать",
        "Изменить",
        "Параметры",
        "Тест себе",
        "Сохранить как шаблон",
        "« Назад",
        "Отмена",
    ]
    assert "12\xa0345" in text


def test_a_step_card_with_many_columns_and_long_entries_fits(language):
    summary = ListSummary(
        size=3,
        first_addresses=tuple("a" * 60 + f"{index}@example.com" for index in range(3)),
        columns=tuple("c" * 60 + str(index) for index in range(500)),
        sample_fields=({},),
    )
    report = RecipientsReport(
        valid=3,
        invalid=900,
        duplicates=0,
        stopped=0,
        examples=((1, "<x>" * 40, "not_a_phone"),) * 5,
    )
    text, _ = render_step(Step.TEXT, draft(text="&" * 4000), summary, settings(), report=report)
    assert len(text.encode("utf-16-le")) // 2 <= 4096
    assert "and 895 more" in text


def test_the_preview_of_an_hlr_request_says_no_text_is_sent(language):
    text, _ = render_preview(draft(type="hlr", text=""), SUMMARY, settings(pulse_token="t"))
    assert "No text is sent: an HLR request asks the network about each number" in text
    assert "Characters" not in text


def test_the_preview_of_a_cascade_says_the_scenario_wins(language):
    cascade = draft(type="bulk", sender="4711", button="Buy", action="https://x.example")
    text, _ = render_preview(cascade, SUMMARY, settings(pulse_token="t"))
    assert "Cascade: scenario mailing №4711 decides the channels" in text
    assert "its own button, action or image, those win over the ones set here" in text
    plain, _ = render_preview(draft(type="viber"), SUMMARY, settings(pulse_token="t"))
    assert "Cascade" not in plain


def test_the_preview_of_an_uploaded_photo_names_the_platforms_media_section(language):
    hosted = settings(pulse_token="t", public_url="https://bot.example")
    photo = draft(type="viber", image="https://bot.example/media/" + "a" * 43 + ".jpg")
    text, _ = render_preview(photo, SUMMARY, hosted)
    assert "third-party image and is sent as it is" in text
    assert "upload it to the Media section of the platform's cabinet" in text
    elsewhere, _ = render_preview(
        draft(type="viber", image="https://cdn.example/a.png"), SUMMARY, hosted
    )
    assert "Media section" not in elsewhere


def test_the_preview_shows_the_first_recipients_html_text_escaped(language):
    summary = ListSummary(size=2, columns=("name",), sample_fields=({"name": "Ann & <Bo>"},))
    email = draft(type="email", html_text="<style>a{b:c}}</style><p>{name}</p>{{x}}")
    text, _ = render_preview(email, summary, settings(pulse_token="t"))
    rendered = "<style>a{b:c}}</style><p>Ann &amp; &lt;Bo&gt;</p>{{x}}"
    assert f"The first recipient gets this HTML text: <code>{html.escape(rendered)}</code>" in text


def test_the_preview_names_html_placeholders_the_list_cannot_fill(language):
    summary = ListSummary(size=2, columns=("name",), sample_fields=({"name": "Ann"},))
    email = draft(type="email", html_text="<p>{name}, {code}</p><style>.a{b}</style>")
    text, _ = render_preview(email, summary, settings(pulse_token="t"))
    assert "Sent as written, not filled in: {code}, {b} (the list has no such column)." in text
    plain, _ = render_preview(draft(type="email", html_text="<p>{name}</p>"), summary, settings())
    assert "Sent as written" not in plain
