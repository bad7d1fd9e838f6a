"""The shared text helpers every card uses: escaped and cut to Telegram's measure."""

from __future__ import annotations

import html

from bot.texts import clip, number, one_line, paragraphs, shorten, units


def test_clip_never_cuts_an_escape_in_half():
    clipped = clip("&" * 100, 23)
    assert clipped == "&amp;" * 4 + "…"
    assert html.unescape(clipped) == "&&&&…"
    assert clip("short", 100) == "short"


def test_clip_measures_as_telegram_does_emoji_count_twice():
    text = "😀" * 10
    assert units(text) == 20
    clipped = clip(text, 9)
    assert units(clipped) <= 9
    assert clipped == "😀" * 4 + "…"


def test_one_line_joins_lines_and_cuts_with_an_ellipsis():
    assert one_line("Hello,\n\n  dear   client", 100) == "Hello, dear client"
    assert one_line("Hello,\ndear client", 10) == "Hello, de…"
    assert len(one_line("x " * 50, 10)) == 10


def test_shorten_leaves_short_texts_alone():
    assert shorten("abc", 3) == "abc"
    assert shorten("abcdef", 4) == "abc…"


def test_paragraphs_skip_empty_parts():
    assert paragraphs("one", "", "two") == "one\n\ntwo"


def test_numbers_in_the_readers_language():
    assert number(12345, "en") == "12,345"
    assert number(12345, "ru") == "12\xa0345"
