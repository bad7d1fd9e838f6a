"""How many SMS segments a text takes: GSM 03.38 7-bit when every character fits, else UCS-2."""

from dataclasses import dataclass
from typing import Literal

# GSM 03.38 default alphabet, in code order, without ESC (0x1B), which only introduces
# the extension table.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ"
    "ÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
# Sent as ESC plus a code, so each takes two septets.
GSM_EXTENSION = frozenset("\f^{}\\[]~|€")

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclass(frozen=True)
class SegmentInfo:
    """The encoding, the length in encoding units, the number of parts and units per part."""

    encoding: Literal["GSM-7", "UCS-2"]
    units: int
    segments: int
    per_segment: int


def is_sms_type(message_type: str) -> bool:
    """Whether a platform message type is billed by SMS segments."""
    return message_type.strip().lower() == "sms"


def sms_segments(text: str) -> SegmentInfo:
    """Count the segments of an SMS text as a phone would send it."""
    if all(char in GSM_BASIC or char in GSM_EXTENSION for char in text):
        sizes = [2 if char in GSM_EXTENSION else 1 for char in text]
        return _pack("GSM-7", sizes, GSM_SINGLE, GSM_PART)
    # UTF-16 code units: characters outside the BMP (most emoji) take a surrogate pair.
    sizes = [2 if ord(char) > 0xFFFF else 1 for char in text]
    return _pack("UCS-2", sizes, UCS2_SINGLE, UCS2_PART)


def _pack(
    encoding: Literal["GSM-7", "UCS-2"], sizes: list[int], single: int, part: int
) -> SegmentInfo:
    """Fill parts in order; a two-unit character is never split across two parts."""
    units = sum(sizes)
    if units == 0:
        return SegmentInfo(encoding, 0, 0, single)
    if units <= single:
        return SegmentInfo(encoding, units, 1, single)
    segments, used = 1, 0
    for size in sizes:
        if used + size > part:
            segments, used = segments + 1, 0
        used += size
    return SegmentInfo(encoding, units, segments, part)
