"""Raw statuses are classed as Kannel codes, known native words, configured words, or pending."""

from __future__ import annotations

import pytest

from bot.platform.status_classes import DELIVERED, FAILED, PENDING, StatusClassifier


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", DELIVERED),
        ("2", FAILED),
        ("4", PENDING),
        ("8", PENDING),
        ("16", FAILED),
        ("32", PENDING),
        ("34", FAILED),  # expired = 32 | 2
        ("66", FAILED),  # unknown = 64 | 2
        ("9", DELIVERED),  # 8 | 1: the delivered bit wins
        ("0", PENDING),
        ("-1", PENDING),
        (" 1 ", DELIVERED),
    ],
)
def test_kannel_codes_are_read_bitwise(raw, expected):
    assert StatusClassifier().classify(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("delivered", DELIVERED),
        ("DELIVRD", DELIVERED),
        ("read", DELIVERED),
        ("sent", PENDING),
        ("queued", PENDING),
        ("Accepted", PENDING),
        ("enroute", PENDING),
        ("failed", FAILED),
        ("UNDELIV", FAILED),
        ("not delivered", FAILED),
        ("rejected", FAILED),
        ("expired", FAILED),
        ("error", FAILED),
        ("deleted", FAILED),
        ("unknown", FAILED),
    ],
)
def test_native_words_are_known(raw, expected):
    assert StatusClassifier().classify(raw) == expected


def test_an_unknown_word_is_pending():
    assert StatusClassifier().classify("mystery-state") == PENDING


def test_configured_words_extend_and_override_the_table():
    classifier = StatusClassifier(
        {"viewed_twice": "delivered", "sent": "delivered", "104": "failed"}
    )
    assert classifier.classify("Viewed_Twice") == DELIVERED
    assert classifier.classify("sent") == DELIVERED
    assert classifier.classify("104") == FAILED


def test_numbers_are_not_read_as_kannel_codes_when_kannel_is_off():
    assert StatusClassifier(kannel=False).classify("1") == PENDING
