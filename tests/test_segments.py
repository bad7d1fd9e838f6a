"""SMS segment counting: GSM-7 and UCS-2 limits, extension characters, emoji."""

import pytest

from bot.compose.segments import GSM_BASIC, GSM_EXTENSION, SegmentInfo, is_sms_type, sms_segments


def test_gsm_tables_have_the_standard_sizes() -> None:
    # 128 codes minus ESC in the basic table; ten characters reachable through ESC.
    assert len(GSM_BASIC) == 127
    assert len(GSM_EXTENSION) == 10
    assert not GSM_BASIC & GSM_EXTENSION


def test_empty_text_has_no_segments() -> None:
    assert sms_segments("") == SegmentInfo("GSM-7", 0, 0, 160)


@pytest.mark.parametrize(
    ("length", "segments", "per_segment"),
    [(1, 1, 160), (160, 1, 160), (161, 2, 153), (306, 2, 153), (307, 3, 153), (459, 3, 153)],
)
def test_gsm_boundaries(length: int, segments: int, per_segment: int) -> None:
    assert sms_segments("a" * length) == SegmentInfo("GSM-7", length, segments, per_segment)


@pytest.mark.parametrize(
    ("length", "segments", "per_segment"),
    [(70, 1, 70), (71, 2, 67), (134, 2, 67), (135, 3, 67)],
)
def test_ucs2_boundaries(length: int, segments: int, per_segment: int) -> None:
    assert sms_segments("ж" * length) == SegmentInfo("UCS-2", length, segments, per_segment)


def test_one_cyrillic_letter_switches_the_whole_text_to_ucs2() -> None:
    info = sms_segments("a" * 100 + "я")
    assert (info.encoding, info.units, info.segments) == ("UCS-2", 101, 2)


@pytest.mark.parametrize("char", sorted(GSM_EXTENSION))
def test_extension_characters_count_twice(char: str) -> None:
    assert sms_segments(char) == SegmentInfo("GSM-7", 2, 1, 160)
    assert sms_segments("a" * 158 + char).segments == 1
    assert sms_segments("a" * 159 + char).segments == 2


def test_extension_character_is_not_split_across_parts() -> None:
    # 152 + 2 does not fit in a 153-unit part, so the euro sign opens the second part.
    info = sms_segments("a" * 152 + "€" + "a" * 152)
    assert (info.units, info.segments) == (306, 3)


def test_gsm_specials_are_single_units() -> None:
    text = "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà\n\r"
    assert sms_segments(text) == SegmentInfo("GSM-7", len(text), 1, 160)


def test_emoji_take_two_ucs2_units() -> None:
    assert sms_segments("😀" * 35) == SegmentInfo("UCS-2", 70, 1, 70)
    assert sms_segments("😀" * 36) == SegmentInfo("UCS-2", 72, 2, 67)


def test_surrogate_pair_is_not_split_across_parts() -> None:
    info = sms_segments("ж" * 66 + "😀" + "ж" * 66)
    assert (info.units, info.segments) == (134, 3)


def test_only_sms_is_an_sms_type() -> None:
    assert is_sms_type("sms")
    assert is_sms_type(" SMS ")
    assert not any(is_sms_type(kind) for kind in ("mms", "bulk", "viber", "email", ""))
