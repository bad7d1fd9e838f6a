"""What Telegram accepts as message content: HTML parse mode, text lengths, inline keyboards.

The HTML scanner follows the server's own parser (tdlib `parse_html`), so error descriptions and
byte offsets read like the real ones. One deliberate difference: a bare `&` that does not start
`&lt;`, `&gt;`, `&amp;`, `&quot;` or a numeric reference is refused, because the Bot API
documentation requires escaping it even though the server tolerates it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
_SPACES = " \t\r\n\v\f"
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024


class ContentError(ValueError):
    """Content Telegram refuses with HTTP 400; str() is the full description."""


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; str() is the detail after "can't parse entities: "."""


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Return the plain text and its entities, or raise EntityParseError like Telegram."""
    parser = _Parser(text)
    return parser.run()


class _Parser:
    """A single left-to-right pass over the text, mirroring the server's state machine."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.plain: list[str] = []
        self.utf16_offset = 0
        self.open_tags: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def byte_offset(self, pos: int) -> int:
        return len(self.text[:pos].encode())

    def char(self, pos: int) -> str:
        return self.text[pos] if pos < len(self.text) else ""

    def emit(self, piece: str) -> None:
        self.plain.append(piece)
        self.utf16_offset += utf16_len(piece)

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        while self.pos < len(self.text):
            current = self.text[self.pos]
            if current == "&":
                self.emit(self.read_entity())
            elif current == "<":
                if self.char(self.pos + 1) == "/":
                    self.read_end_tag()
                else:
                    self.read_start_tag()
            else:
                self.emit(current)
                self.pos += 1
        if self.open_tags:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self.open_tags[-1].name}"'
            )
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self.plain), self.entities

    def read_entity(self) -> str:
        match = _ENTITY_RE.match(self.text, self.pos)
        decoded: str | None = None
        if match and match.group(3):
            decoded = NAMED_ENTITIES.get(match.group(3))
        elif match:
            code_point = int(match.group(1)) if match.group(1) else int(match.group(2), 16)
            decoded = chr(code_point) if 0 < code_point <= 0x10FFFF else None
        if match is None or decoded is None:
            raise EntityParseError(
                f"Unsupported entity at byte offset {self.byte_offset(self.pos)}; "
                'a bare "&" must be written as "&amp;"'
            )
        self.pos = match.end()
        return decoded

    def skip_spaces(self) -> None:
        while self.char(self.pos) and self.char(self.pos) in _SPACES:
            self.pos += 1

    def read_start_tag(self) -> None:
        begin = self.pos
        at = self.byte_offset(begin)
        self.pos += 1
        while self.char(self.pos) and self.char(self.pos) not in _SPACES + ">":
            self.pos += 1
        if not self.char(self.pos):
            raise EntityParseError(f"Unclosed start tag at byte offset {at}")
        name = self.text[begin + 1 : self.pos].lower()
        if name not in ENTITY_TYPES:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {at}')
        argument = ""
        while self.char(self.pos) != ">":
            argument = self.read_attribute(name, at) or argument
        self.pos += 1
        if name == "span" and argument != "spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {at}')
        self.open_tags.append(_OpenTag(name, argument, self.utf16_offset))

    def read_attribute(self, tag: str, at: int) -> str | None:
        """Read one attribute; return the tag's argument if this attribute carries it."""
        self.skip_spaces()
        if not self.char(self.pos):
            raise EntityParseError(f"Unclosed start tag at byte offset {at}")
        if self.char(self.pos) == ">":
            return None
        name_begin = self.pos
        while self.char(self.pos) and self.char(self.pos) not in _SPACES + "=>":
            self.pos += 1
        attribute = self.text[name_begin : self.pos]
        if not attribute:
            raise EntityParseError(f'Empty attribute name in the tag "{tag}" at byte offset {at}')
        self.skip_spaces()
        if self.char(self.pos) != "=":
            if tag == "blockquote" and attribute == "expandable":
                return "expandable"
            raise EntityParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {at}'
            )
        self.pos += 1
        self.skip_spaces()
        quote = self.char(self.pos)
        if not quote:
            raise EntityParseError(f"Unclosed start tag at byte offset {at}")
        if quote in "'\"":
            end = self.text.find(quote, self.pos + 1)
            if end < 0:
                raise EntityParseError(f"Unclosed start tag at byte offset {at}")
            value = html.unescape(self.text[self.pos + 1 : end])
            self.pos = end + 1
        else:
            value_begin = self.pos
            while self.char(self.pos).isalnum() or self.char(self.pos) in (".", "-"):
                self.pos += 1
            value = self.text[value_begin : self.pos].lower()
            if self.char(self.pos) not in tuple(_SPACES + ">"):
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {self.byte_offset(value_begin)}"
                )
        return _argument_of(tag, attribute, value)

    def read_end_tag(self) -> None:
        begin = self.pos
        at = self.byte_offset(begin)
        if not self.open_tags:
            raise EntityParseError(f"Unexpected end tag at byte offset {at}")
        self.pos += 2
        while self.char(self.pos) and self.char(self.pos) not in _SPACES + ">":
            self.pos += 1
        end_name = self.text[begin + 2 : self.pos].lower()
        self.skip_spaces()
        if self.char(self.pos) != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {at}")
        self.pos += 1
        opened = self.open_tags.pop()
        if end_name and end_name != opened.name:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {at}, expected "</{opened.name}>", '
                f'found "</{end_name}>"'
            )
        self.close_entity(opened)

    def close_entity(self, opened: _OpenTag) -> None:
        length = self.utf16_offset - opened.utf16_offset
        if length == 0:
            return
        entity: dict[str, Any] = {
            "type": ENTITY_TYPES[opened.name],
            "offset": opened.utf16_offset,
            "length": length,
        }
        if opened.name == "a":
            if not opened.argument:
                return
            entity["url"] = opened.argument
        elif opened.name == "blockquote" and opened.argument == "expandable":
            entity["type"] = "expandable_blockquote"
        elif opened.name == "tg-emoji":
            entity["custom_emoji_id"] = opened.argument
        elif opened.name == "code" and opened.argument:
            entity["language"] = opened.argument
        previous = self.entities[-1] if self.entities else None
        if (
            opened.name == "pre"
            and previous is not None
            and previous["type"] == "code"
            and "language" in previous
            and (previous["offset"], previous["length"]) == (entity["offset"], length)
        ):
            # <pre><code class="language-x"> becomes one pre entity with a language.
            self.entities.pop()
            entity["language"] = previous["language"]
        self.entities.append(entity)


def _argument_of(tag: str, attribute: str, value: str) -> str | None:
    """The part of an attribute Telegram keeps for the entity (URL, language, emoji id)."""
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value.removeprefix("language-")
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value.removeprefix("tg-")
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    return None


def formatted(params: dict[str, Any], field_name: str, limit: int) -> tuple[str, list[dict]]:
    """Text or caption after entity parsing, checked the way Telegram checks it."""
    raw = str(params.get(field_name) or "")
    parse_mode = str(params.get("parse_mode") or "").lower()
    if parse_mode == "html":
        try:
            text, entities = parse_html(raw)
        except EntityParseError as error:
            raise ContentError(f"Bad Request: can't parse entities: {error}") from None
    elif parse_mode:
        raise ContentError(f"Bad Request: parse_mode {parse_mode!r} is not checked by the fake")
    else:
        entities_field = "entities" if field_name == "text" else "caption_entities"
        text, entities = raw, list(params.get(entities_field) or [])
    if field_name == "text" and not text.strip():
        raise ContentError("Bad Request: message text is empty")
    if len(text) > limit:
        kind = "message" if field_name == "text" else "message caption"
        raise ContentError(f"Bad Request: {kind} is too long")
    return text, entities


def inline_markup(params: dict[str, Any]) -> dict[str, Any] | None:
    """The inline keyboard a message will show (other keyboards are not part of a message)."""
    markup = params.get("reply_markup")
    if not isinstance(markup, dict) or not flat_buttons(markup):
        return None
    for button in flat_buttons(markup):
        if len(str(button.get("callback_data", "")).encode()) > 64:
            raise ContentError("Bad Request: BUTTON_DATA_INVALID")
        if set(button) <= {"text"}:
            raise ContentError(
                "Bad Request: can't parse inline keyboard button:"
                " Text buttons are unallowed in the inline keyboard"
            )
    return markup


def flat_buttons(message_or_markup: dict[str, Any]) -> list[dict[str, Any]]:
    """Every inline button of a message (or of a reply_markup), row by row."""
    markup = message_or_markup.get("reply_markup", message_or_markup) or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]
