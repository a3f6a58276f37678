"""The small syntaxes of the file format, and spoken numbers."""

from __future__ import annotations

import pytest

from voicecoach.model import RepRange, Tempo
from voicecoach.units import (
    duration_words,
    format_duration,
    number_words,
    parse_duration,
    parse_rep_range,
    parse_tempo,
)


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("45s", 45000),
        ("1m30s", 90000),
        ("2m", 120000),
        (45, 45000),
        (2.5, 2500),
        ("2.5", 2500),
        ("1h", 3600000),
        (" 10s ", 10000),
        ("0", 0),
    ],
)
def test_durations(text: str | int | float, ms: int) -> None:
    assert parse_duration(text) == ms


@pytest.mark.parametrize("text", ["45q", "", "s", "1m30", "-5", "ten", "1s2m"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize("ms", [0, 500, 1000, 45000, 90000, 120000, 3600000, 3690000])
def test_format_duration_round_trips(ms: int) -> None:
    assert parse_duration(format_duration(ms)) == ms


def test_tempo() -> None:
    assert parse_tempo("4-0-1-0") == Tempo(4000, 0, 1000, 0)
    assert parse_tempo("3-1-X-0") == Tempo(3000, 1000, 1000, 0, explosive=True)
    assert str(parse_tempo("3-1-x-0")) == "3-1-X-0"
    assert parse_tempo("1.5-0-1.5-0") == Tempo(1500, 0, 1500, 0)


@pytest.mark.parametrize(
    "text", ["3-1-1", "3-1-1-0-0", "a-1-1-0", "X-1-1-0", "0-0-0-0", "61-0-1-0"]
)
def test_bad_tempos(text: str) -> None:
    with pytest.raises(ValueError):
        parse_tempo(text)


def test_rep_ranges() -> None:
    assert parse_rep_range("6-12") == RepRange(6, 12)
    assert parse_rep_range(8) == RepRange(8, 8)
    for bad in ("12-6", "0", "six", "6-"):
        with pytest.raises(ValueError):
            parse_rep_range(bad)


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "zero"),
        (7, "seven"),
        (13, "thirteen"),
        (20, "twenty"),
        (42, "forty-two"),
        (100, "one hundred"),
        (115, "one hundred fifteen"),
        (2000, "two thousand"),
    ],
)
def test_number_words(n: int, words: str) -> None:
    assert number_words(n) == words


@pytest.mark.parametrize(
    ("ms", "words"),
    [
        (1000, "one second"),
        (45000, "forty-five seconds"),
        (90000, "ninety seconds"),
        (120000, "two minutes"),
        (210000, "three minutes thirty"),
    ],
)
def test_duration_words(ms: int, words: str) -> None:
    assert duration_words(ms) == words
