"""The platform's charset names and how a text is encoded in each, checked before any request."""

from __future__ import annotations

from bot.platform.reasons import Reason, ReasonCode

# The platform's charset names (compared upper-case) and the Python codecs that produce the
# bytes it expects. The UTF-16 codecs with an explicit byte order write no BOM.
PLATFORM_CHARSETS: dict[str, str] = {
    "UTF16BE": "utf-16-be",
    "UTF-16BE": "utf-16-be",
    "UCS-2BE": "utf-16-be",
    "UCS2BE": "utf-16-be",
    "UTF16LE": "utf-16-le",
    "UTF-16LE": "utf-16-le",
    "UCS-2LE": "utf-16-le",
    "UCS2LE": "utf-16-le",
    "CP1251": "cp1251",
    "UTF-8": "utf-8",
}

# UCS-2 is UTF-16 without surrogate pairs: a strict decoder refuses the characters beyond the
# Basic Multilingual Plane (most emoji), which the UTF-16 codecs above would write as pairs.
UCS2_CHARSETS = frozenset({"UCS-2BE", "UCS2BE", "UCS-2LE", "UCS2LE"})
_LAST_BMP = 0xFFFF


class CharsetError(ValueError):
    """A text cannot be encoded in the requested charset, or the charset is unknown."""

    def __init__(
        self,
        message: str,
        *,
        charset: str | None = None,
        character: str | None = None,
        position: int | None = None,
    ) -> None:
        super().__init__(message)
        self.charset = charset
        self.character = character
        self.position = position

    @property
    def reason(self) -> Reason:
        return Reason.of(
            ReasonCode.CHARSET,
            charset=self.charset or "?",
            character=self.character,
            position=self.position,
        )


def codec_for(charset: str | None) -> str:
    """Return the Python codec for a platform charset name (UTF-8 when none is given)."""
    if charset is None or not charset.strip():
        return "utf-8"
    codec = PLATFORM_CHARSETS.get(charset.strip().upper())
    if codec is None:
        raise CharsetError(f"unknown charset {charset!r}")
    return codec


def is_ucs2(charset: str | None) -> bool:
    """Whether a platform charset name is one of the UCS-2 ones."""
    return charset is not None and charset.strip().upper() in UCS2_CHARSETS


def outside_bmp(text: str) -> list[str]:
    """The distinct characters of a text that UCS-2 cannot carry, in order of first use."""
    return list(dict.fromkeys(char for char in text if ord(char) > _LAST_BMP))


def encode_text(text: str, charset: str | None) -> bytes:
    """Encode a message text the way the platform expects for `charset`, or raise CharsetError."""
    codec = codec_for(charset)
    if is_ucs2(charset) and (beyond := outside_bmp(text)):
        raise CharsetError(
            f"text cannot be encoded in {charset}: {''.join(beyond)!r}",
            charset=charset,
            character="".join(beyond),
            position=text.index(beyond[0]),
        )
    try:
        return text.encode(codec)
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start : exc.end]
        raise CharsetError(
            f"text cannot be encoded in {charset}: {bad!r} at position {exc.start}",
            charset=charset,
            character=bad,
            position=exc.start,
        ) from exc
