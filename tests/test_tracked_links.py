"""Tracked links: the platform gets a short link per recipient, which leads to the original
address with the UTM parameters; preview robots are not counted and the card shows the clicks."""

from __future__ import annotations

import re

import aiohttp
from yarl import URL

from bot.links.tracking import Utm, find_links, measured_text, replace_links, with_utm
from storage.campaigns import Draft
from storage.messages import SubmitState
from tests.compose_user import Composer, make_operator
from tests.conftest import ADMIN, GROUP, OPERATOR
from tests.report_reader import read_report
from tests.sending_harness import make_harness, settle

ORIGINAL = "https://shop.example/sale?item=5&utm_medium=own"
TWO = "79001234567, 79001234568"
SHORT = re.compile(r"http://127\.0\.0\.1:\d+/l/([A-Za-z0-9]{11})")
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"
PREVIEW_ROBOTS = [
    "TelegramBot (like TwitterBot)",
    "WhatsApp/2.23.20.0 A",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "Viber/20.6",
    "vkShare; +http://vk.com/dev/Share",
]


async def _get(session: aiohttp.ClientSession, url: str, agent: str) -> aiohttp.ClientResponse:
    async with session.get(url, headers={"User-Agent": agent}, allow_redirects=False) as answer:
        await answer.read()
        return answer


async def test_a_tracked_link_redirects_counts_people_not_robots_and_shows_on_the_card(
    start_bot, telegram, platform
):
    program = await start_bot(
        PULSE_SENDERS="Shop", UTM_SOURCE="pulse", UTM_MEDIUM="sms", UTM_CAMPAIGN="spring sale"
    )
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start(f"/send sms {TWO}\nSale: {ORIGINAL}. Come!", expect="Preview")
    await composer.press("Send", expect="Sent to the platform")
    await telegram.wait_for(lambda: len(platform.messages) == 2)

    codes = {}
    for message in platform.messages.values():
        assert ORIGINAL not in message.sent_text
        found = SHORT.search(message.sent_text)
        assert found is not None, message.sent_text
        assert message.sent_text == f"Sale: {found.group()}. Come!"
        codes[message.sent_to] = found.group()
    assert len(set(codes.values())) == 2  # one link per recipient

    by_address = {message.sent_to: pid for pid, message in platform.messages.items()}
    assert set(await platform.fire_many([(pid, "1") for pid in by_address.values()])) == {200}
    await telegram.wait_message(GROUP, "Final.", timeout=20)

    async with aiohttp.ClientSession() as session:
        for agent in PREVIEW_ROBOTS:
            answer = await _get(session, codes["79001234567"], agent)
            assert answer.status == 302  # a robot still gets the address, uncounted
        answer = await _get(session, codes["79001234567"], BROWSER)
        assert answer.status == 302
        target = URL(answer.headers["Location"])
        assert (target.scheme, target.host, target.path) == ("https", "shop.example", "/sale")
        # The address's own utm_medium stays; the others are added.
        assert dict(target.query) == {
            "item": "5",
            "utm_medium": "own",
            "utm_source": "pulse",
            "utm_campaign": "spring sale",
        }
        assert (await _get(session, codes["79001234567"], BROWSER)).status == 302

        unknown = await _get(session, f"{program.url}/l/AAAAAAAAAAA", BROWSER)
        assert unknown.status == 404
        assert "Location" not in unknown.headers
        assert (await _get(session, f"{program.url}/l/..%2F..%2Fetc", BROWSER)).status == 404
        async with session.get(f"{program.url}/metrics") as answer:
            figures = await answer.text()
        assert f'pulse_link_requests_total{{kind="robot"}} {len(PREVIEW_ROBOTS)}.0' in figures
        assert 'pulse_link_requests_total{kind="click"} 2.0' in figures
        assert 'pulse_link_requests_total{kind="unknown"} 2.0' in figures

    # Two clicks by one of the two delivered recipients.
    card = await telegram.wait_message(GROUP, "Clicks: 2", timeout=20)
    assert "🔗 Clicks: 2 · clicked: 50% of delivered" in card["text"]

    query = telegram.press(OPERATOR, card, telegram.find_button(card, "Full report"), strict=True)
    await telegram.wait_answer(query)
    full = await telegram.wait_for(
        lambda: next(
            (
                m
                for m in telegram.chat(GROUP)
                if "all-recipients" in m.get("document", {}).get("file_name", "")
            ),
            None,
        )
    )
    rows = read_report(full["document"]["content"]).rows
    clicked = {row["Address"]: row["Clicked"] for row in rows}
    assert clicked["79001234568"] == ""
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", clicked["79001234567"])


def test_links_are_found_and_replaced_in_text_and_html():
    text = "Go to https://a.example/x?y=1, or (https://b.example/p). Done: https://a.example/x?y=1!"
    assert find_links(text) == ["https://a.example/x?y=1", "https://b.example/p"]
    short = {"https://a.example/x?y=1": "S1", "https://b.example/p": "S2"}
    assert replace_links(text, short) == "Go to S1, or (S2). Done: S1!"
    page = '<a href="https://a.example/x?y=1&amp;z=2">https://a.example/x?y=1&amp;z=2</a>'
    assert find_links(page, is_html=True) == ["https://a.example/x?y=1&z=2"]
    assert (
        replace_links(page, {"https://a.example/x?y=1&z=2": "S"}, is_html=True)
        == '<a href="S">S</a>'
    )


def test_utm_parameters_join_the_address_query_properly():
    utm = Utm(source="pulse", medium="sms", campaign="май")
    assert with_utm("https://a.example/", utm) == (
        "https://a.example/?utm_source=pulse&utm_medium=sms&utm_campaign=%D0%BC%D0%B0%D0%B9"
    )
    assert with_utm("https://a.example/p?q=%D1%8F#top", Utm(source="x")) == (
        "https://a.example/p?q=%D1%8F&utm_source=x#top"
    )
    assert with_utm("https://a.example/p?q=1", Utm()) == "https://a.example/p?q=1"


def test_the_part_estimate_measures_the_short_link():
    text = "Sale https://shop.example/a/very/long/path/that/goes/on?and=on&and=on"
    measured = measured_text(text, "https://bot.example")
    assert measured == "Sale https://bot.example/l/" + "x" * 11


LONG = "https://shop.example/catalogue/" + "spring-sale/" * 14 + "?ref=sms"


async def test_the_preview_counts_sms_parts_with_the_short_link(start_bot, telegram, platform):
    program = await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    composer = Composer(telegram)
    text = f"Sale: {LONG}"
    assert len(text) > 160  # two parts as written
    await composer.start(f"/send sms 79001234567 {text}", expect="Preview")
    short_length = len(f"{program.url}/l/") + 11
    assert f"Characters: {len('Sale: ') + short_length}, SMS segments: 1 " in composer.text
    assert f"short link of the recipient's own ({short_length} characters)" in composer.text
    await composer.press("Send", expect="Sent to the platform")
    await telegram.wait_for(lambda: len(platform.messages) == 1)
    (message,) = platform.messages.values()
    assert SHORT.fullmatch(message.sent_text.removeprefix("Sale: "))


async def test_with_tracking_off_addresses_go_out_as_written(start_bot, telegram, platform):
    await start_bot(PULSE_SENDERS="Shop", TRACK_LINKS="0")
    await make_operator(telegram)
    composer = Composer(telegram)
    text = f"Sale: {LONG}"
    await composer.start(f"/send sms 79001234567 {text}", expect="Preview")
    assert f"Characters: {len(text)}, SMS segments: 2 " in composer.text
    assert "short link" not in composer.text
    await composer.press("Send", expect="Sent to the platform")
    await telegram.wait_for(lambda: len(platform.messages) == 1)
    (message,) = platform.messages.values()
    assert message.sent_text == text


async def test_an_email_gets_short_links_in_its_html_and_a_retried_row_keeps_its_codes(
    tmp_path, telegram, platform
):
    harness = await make_harness(tmp_path, telegram, platform, public_url="https://bot.example")
    page = (
        '<p>Hello {name}</p><a href="https://shop.example/s?a=1&amp;b=2">'
        "https://shop.example/s?a=1&amp;b=2</a>"
    )
    draft = Draft(
        type="email",
        sender="shop@example.com",
        text="Sale https://shop.example/s?a=1&b=2 and {name}",
        html_text=page,
    )
    try:
        # Refused through every retry: the row waits as new, and goes in a later pass.
        platform.script(*[("busy", 503, "0")] * 3)
        campaign_id = harness.start(
            draft, ["a@example.com"], row_fields=lambda address: {"name": "Anna"}
        )
        await settle(harness, campaign_id)
        assert harness.states(campaign_id) == {SubmitState.NEW: 1}
        assert harness.sender.resume(campaign_id, actor_id=ADMIN)
        await settle(harness, campaign_id)
        assert harness.states(campaign_id) == {SubmitState.ACCEPTED: 1}
        sent = [request.params for request in platform.requests if request.params.get("html_text")]
        assert len(sent) == 4
        for params in sent:
            code = params["sent_text"].split("/l/")[1].split()[0]
            assert params["sent_text"] == f"Sale https://bot.example/l/{code} and Anna"
            assert params["html_text"] == (
                f'<p>Hello Anna</p><a href="https://bot.example/l/{code}">'
                f"https://bot.example/l/{code}</a>"
            )
        assert len({params["sent_text"] for params in sent}) == 1  # the same code every time
        assert harness.store.links.target(code) == ("https://shop.example/s?a=1&b=2", campaign_id)
    finally:
        await harness.close()


async def test_a_one_recipient_card_shows_its_clicks(start_bot, telegram, platform):
    await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start("/send sms 79001234567 Sale: https://shop.example/a", expect="Preview")
    await composer.press("Send", expect="Sent to the platform")
    await telegram.wait_for(lambda: len(platform.messages) == 1)
    ((pid, message),) = platform.messages.items()
    assert set(await platform.fire_many([(pid, "1")])) == {200}
    await telegram.wait_message(GROUP, "🔗 Clicks: 0", timeout=20)
    async with aiohttp.ClientSession() as session:
        link = SHORT.search(message.sent_text).group()
        assert (await _get(session, link, BROWSER)).status == 302
    await telegram.wait_message(GROUP, "🔗 Clicks: 1", timeout=20)


HUGE = "https://shop.example/catalogue/" + "spring-sale/" * 140 + "?ref=sms"


async def test_the_sms_length_limit_measures_the_short_link(start_bot, telegram, platform):
    await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    composer = Composer(telegram)
    text = f"Sale: {HUGE}"
    assert len(text) > 10 * 153  # more than ten parts as written, one with its short link
    await composer.start(f"/send sms 79001234567 {text}", expect="Preview")
    assert "SMS segments: 1 " in composer.text
    await composer.press("Send", expect="Sent to the platform")
    await telegram.wait_for(lambda: len(platform.messages) == 1)
    (message,) = platform.messages.values()
    assert SHORT.fullmatch(message.sent_text.removeprefix("Sale: "))


async def test_without_tracking_the_sms_length_limit_measures_the_address_as_written(
    start_bot, telegram, platform
):
    await start_bot(PULSE_SENDERS="Shop", TRACK_LINKS="0")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start(f"/send sms 79001234567 Sale: {HUGE}", expect="SMS segments; at most 10")
    assert "Preview" not in composer.text
    assert not platform.requests
