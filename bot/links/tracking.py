"""Tracked links: each http(s) address in a text becomes a short link of its own per recipient.

A short link is `PUBLIC_URL/l/<code>`; the code is random (`secrets`), so nobody can guess
another recipient's link, and only codes we issued redirect: the endpoint is no open redirect.
"""

from __future__ import annotations

import html
import re
import secrets
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from yarl import URL

from bot.platform.results import OutgoingMessage
from storage.links import Links, NewLink

LINK_PATH = "/l"
CODE_LENGTH = 11  # 62**11 ≈ 5e19 codes: guessing one that exists is hopeless
_ALPHABET = string.ascii_letters + string.digits
CODE_PATTERN = re.compile(rf"^[{re.escape(_ALPHABET)}]{{{CODE_LENGTH}}}$")

# An address runs until whitespace, a quote or an angle bracket (the end of an HTML attribute).
_URL = re.compile(r"""https?://[^\s<>"'`]+""", re.IGNORECASE)
# Sentence punctuation right after an address belongs to the sentence, not to the address.
_TRAILING = ".,;:!?"

# Link-preview robots fetch a link when it is posted in a chat; that is nobody clicking.
_ROBOTS = re.compile(
    r"TelegramBot|WhatsApp|Viber|Slackbot|Slack-ImgProxy|facebookexternalhit|Facebot|"
    r"Twitterbot|Discordbot|LinkedInBot|SkypeUriPreview|vkShare|Pinterest|redditbot|"
    r"Embedly|Iframely|Google-PageRenderer|bingbot|Googlebot|YandexBot|YandexMobileBot|"
    r"Applebot|Snapchat|OdnoklassnikiBot|Mail\.RU_Bot|MicrosoftPreview|Tumblr",
    re.IGNORECASE,
)


def new_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))


def short_url(public_url: str, code: str) -> str:
    return f"{public_url.rstrip('/')}{LINK_PATH}/{code}"


def _trim(address: str) -> str:
    while address and address[-1] in _TRAILING:
        address = address[:-1]
    # A closing bracket is the address's own only when it opened one.
    while address.endswith(")") and address.count(")") > address.count("("):
        address = address[:-1]
    return address


def _spans(text: str) -> Iterable[tuple[int, int, str]]:
    for match in _URL.finditer(text):
        address = _trim(match.group())
        if len(address) > len("https://"):
            yield match.start(), match.start() + len(address), address


def find_links(text: str, *, is_html: bool = False) -> list[str]:
    """The distinct http(s) addresses of a text, in order; HTML entities undone in HTML."""
    found: dict[str, None] = {}
    for _, _, address in _spans(text):
        found[html.unescape(address) if is_html else address] = None
    return list(found)


def replace_links(text: str, short: dict[str, str], *, is_html: bool = False) -> str:
    """The text with every address that has a short link replaced by it."""
    parts: list[str] = []
    last = 0
    for start, end, address in _spans(text):
        original = html.unescape(address) if is_html else address
        if original in short:
            parts.append(text[last:start])
            parts.append(short[original])
            last = end
    parts.append(text[last:])
    return "".join(parts)


def measured_text(text: str, public_url: str) -> str:
    """The text as a recipient will get it: every address as long as its short link."""
    stand_in = short_url(public_url, "x" * CODE_LENGTH)
    return replace_links(text, dict.fromkeys(find_links(text), stand_in))


def as_sent(public_url: str, tracking: bool) -> Callable[[str], str]:
    """How a text's length is measured: with tracking, as its recipients get it. The function
    can be handed to another process (bot/compose/list_process.py)."""
    if not tracking or not public_url:
        return _unchanged
    return _Shortened(public_url)


@dataclass(frozen=True)
class _Shortened:
    public_url: str

    def __call__(self, text: str) -> str:
        return measured_text(text, self.public_url)


def _unchanged(text: str) -> str:
    return text


def is_preview_robot(user_agent: str) -> bool:
    return bool(user_agent) and _ROBOTS.search(user_agent) is not None


@dataclass(frozen=True)
class Utm:
    source: str = ""
    medium: str = ""
    campaign: str = ""

    def __bool__(self) -> bool:
        return bool(self.source or self.medium or self.campaign)


def with_utm(address: str, utm: Utm) -> str:
    """The address with the configured UTM parameters; its own parameters stay as they are."""
    if not utm:
        return address
    try:
        url = URL(address, encoded=True)
    except ValueError:
        return address
    added = {
        name: value
        for name, value in (
            ("utm_source", utm.source),
            ("utm_medium", utm.medium),
            ("utm_campaign", utm.campaign),
        )
        if value
    }
    # The address's own utm_* values win: someone chose them for this very link.
    added = {name: value for name, value in added.items() if name not in url.query}
    if not added:
        return address
    return str(url.extend_query(added))


class LinkShortener:
    """Gives each recipient's addresses their short links, stored before the messages leave."""

    def __init__(self, links: Links, public_url: str) -> None:
        self._links = links
        self._public_url = public_url

    def shorten(
        self, campaign_id: int, messages: list[tuple[int, OutgoingMessage]]
    ) -> list[OutgoingMessage]:
        """The messages (keyed by their row id) with short links, all codes stored at once."""
        found: dict[int, list[str]] = {}
        wanted: list[NewLink] = []
        for row_id, message in messages:
            addresses = find_links(message.sent_text)
            if message.html_text:
                addresses += find_links(message.html_text, is_html=True)
            addresses = list(dict.fromkeys(addresses))
            if addresses:
                found[row_id] = addresses
                wanted += [NewLink(new_code(), row_id, address) for address in addresses]
        if not wanted:
            return [message for _, message in messages]
        codes = self._links.issue(campaign_id, wanted)
        shortened: list[OutgoingMessage] = []
        for row_id, message in messages:
            if row_id not in found:
                shortened.append(message)
                continue
            short = {
                address: short_url(self._public_url, codes[(row_id, address)])
                for address in found[row_id]
            }
            shortened.append(
                replace(
                    message,
                    sent_text=replace_links(message.sent_text, short),
                    html_text=replace_links(message.html_text, short, is_html=True)
                    if message.html_text
                    else message.html_text,
                )
            )
        return shortened
