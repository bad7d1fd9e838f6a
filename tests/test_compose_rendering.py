"""What each recipient's message holds: HTML text rendered safely, UCS-2 without emoji."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.compose.list_checks import check_list_values
from bot.compose.placeholders import render_html, used_columns
from bot.compose.problem_texts import problem_text
from bot.compose.rules import Problem, Reason, add_fallback, check_charset
from bot.i18n import make_i18n
from bot.platform.charsets import CharsetError, encode_text, outside_bmp
from bot.platform.reasons import Reason as Reason_
from bot.platform.reasons import ReasonCode, decode
from storage.campaigns import Draft
from storage.messages import SubmitState
from tests.conftest import ADMIN
from tests.fakes.platform import FakePlatform
from tests.sending_harness import make_harness, settle

MINIFIED_CSS = "<style>@media(max-width:600px){.a{color:red}}p{margin:0}</style>"


def test_html_keeps_double_braces_and_escapes_every_inserted_value() -> None:
    html_text = MINIFIED_CSS + '<p title="{name}">Hi {name}! {{name}} {unknown}</p>'
    fields = {"name": '<b>"Tom" & Co</b>'}

    assert render_html(html_text, fields) == (
        MINIFIED_CSS + '<p title="&lt;b&gt;&quot;Tom&quot; &amp; Co&lt;/b&gt;">'
        "Hi &lt;b&gt;&quot;Tom&quot; &amp; Co&lt;/b&gt;! {{name}} {unknown}</p>"
    )


def test_html_without_placeholders_is_sent_byte_for_byte() -> None:
    html_text = "<style>a{b}}</style>{{ }} }} {{"
    assert render_html(html_text, {"name": "x"}) == html_text
    assert render_html("<i>{{a}}</i>", {"a": "x"}) == "<i>{{a}}</i>"


def test_only_columns_of_the_list_are_placeholders_in_html() -> None:
    html_text = "<style>.x{color}</style>{Name} {code} {other}"
    assert used_columns(html_text, ["name", "code"]) == ["Name", "code"]
    assert used_columns(html_text, []) == []


def test_ucs2_refuses_characters_outside_the_bmp_naming_each_once() -> None:
    assert outside_bmp("Hi 😀 ёж 😀 𝄞") == ["😀", "𝄞"]
    for charset in ("UCS-2BE", "UCS2LE", "ucs-2le"):
        problem = check_charset(Draft(type="sms", sender="S", text="Hi 😀 𝄞"), charset)
        assert problem == Problem(
            Reason.OUTSIDE_UCS2, {"charset": charset, "characters": ["😀", "𝄞"]}
        )
    assert check_charset(Draft(type="sms", sender="S", text="Привет"), "UCS2BE") is None
    assert check_charset(Draft(type="sms", sender="S", text="Hi 😀"), "UTF-16BE") is None
    with pytest.raises(CharsetError, match="😀"):
        encode_text("a😀", "UCS2BE")


def test_the_refusal_names_the_characters_and_says_what_to_do(tmp_path: Path) -> None:
    i18n = make_i18n("en", tmp_path / "locales")
    with i18n.context(), i18n.use_locale("en"):
        text = problem_text(
            Problem(Reason.OUTSIDE_UCS2, {"charset": "UCS2BE", "characters": ["😀"]})
        )
    assert text.startswith("The text has «😀». UCS2BE cannot carry characters outside")
    assert "remove them, or choose a UTF-16 charset" in text


async def test_a_placeholder_value_the_charset_cannot_carry_is_refused_before_sending(
    tmp_path: Path, platform: FakePlatform
) -> None:
    harness = await make_harness(tmp_path, None, platform)
    try:
        draft = Draft(type="sms", sender="Shop", text="Hi {name}", charset="UCS2BE")
        values = {"79001110001": "Аня", "79001110002": "Кот 🐱"}
        list_id = harness.new_list(values, lambda phone: {"name": values[phone]})

        problem = check_list_values(draft, harness.store, list_id)
        assert problem == Problem(
            Reason.OUTSIDE_UCS2,
            {"charset": "UCS2BE", "characters": ["🐱"], "position": 2, "address": "79001110002"},
        )
        # A value is checked at submission too, whatever the wizard let through.
        campaign_id = harness.sender.create(draft, list_id, author_id=ADMIN, author_chat_id=ADMIN)
        harness.sender.launch(campaign_id)
        await settle(harness, campaign_id)

        assert [r.params["sent_to"] for r in platform.requests] == ["79001110001"]
        assert platform.requests[0].param_bytes["sent_text"] == "Hi Аня".encode("utf-16-be")
        rows = {row.sent_to: row for row in harness.rows(campaign_id)}
        assert rows["79001110002"].state is SubmitState.REJECTED
        reason = decode(rows["79001110002"].error)
        assert reason == Reason_.of(
            ReasonCode.CHARSET, charset="UCS2BE", character="🐱", position=7
        )
    finally:
        await harness.close()


async def test_each_recipient_gets_its_own_escaped_html_text(
    tmp_path: Path, platform: FakePlatform
) -> None:
    harness = await make_harness(tmp_path, None, platform)
    try:
        html_text = MINIFIED_CSS + "<p>Hi {name}</p>{{keep}}"
        draft = Draft(type="email", sender="Shop", text="Hi {name}", html_text=html_text)
        names = {"a@example.com": "Ann & <Bo>", "b@example.com": "Zoë"}
        campaign_id = harness.start(
            draft, names, row_fields=lambda address: {"name": names[address]}
        )
        await settle(harness, campaign_id)

        sent = {r.params["sent_to"]: r.params for r in platform.requests}
        assert sent["a@example.com"]["html_text"] == (
            MINIFIED_CSS + "<p>Hi Ann &amp; &lt;Bo&gt;</p>{{keep}}"
        )
        assert sent["a@example.com"]["sent_text"] == "Hi Ann & <Bo>"
        assert sent["b@example.com"]["html_text"] == MINIFIED_CSS + "<p>Hi Zoë</p>{{keep}}"
    finally:
        await harness.close()


async def test_html_placeholders_take_fallbacks_like_the_text(
    tmp_path: Path, platform: FakePlatform
) -> None:
    harness = await make_harness(tmp_path, None, platform)
    try:
        values = {"a@example.com": {"name": "Ann"}, "b@example.com": {}}
        list_id = harness.store.recipient_lists.save(ADMIN, list(values.items()), ["name"])
        draft = Draft(type="email", sender="Shop", text="Hi", html_text="<p>{name}</p>")

        problem = check_list_values(draft, harness.store, list_id)
        assert problem is not None
        assert problem.reason is Reason.PLACEHOLDER_MISSING
        with_default = add_fallback(draft, "name", "friend")
        assert with_default.html_text == "<p>{name|friend}</p>"
        assert check_list_values(with_default, harness.store, list_id) is None

        campaign_id = harness.sender.create(
            with_default, list_id, author_id=ADMIN, author_chat_id=ADMIN
        )
        harness.sender.launch(campaign_id)
        await settle(harness, campaign_id)
        sent = {r.params["sent_to"]: r.params["html_text"] for r in platform.requests}
        assert sent == {"a@example.com": "<p>Ann</p>", "b@example.com": "<p>friend</p>"}
    finally:
        await harness.close()
