"""Small value syntaxes of the file format: durations, tempos, rep ranges, and spoken numbers.

Parsers return ``None``-free values or raise ``ValueError`` whose text says
what would be right; the loader adds the file position.
"""

from __future__ import annotations

import math
import re

from voicecoach.model import RepRange, Tempo

_DURATION = re.compile(
    r"^(?:(?P<h>\d+(?:\.\d+)?)h)?(?:(?P<m>\d+(?:\.\d+)?)m)?(?:(?P<s>\d+(?:\.\d+)?)s)?$"
)


def parse_duration(text: str | int | float) -> int:
    """``45s``, ``1m30s``, ``2m``, ``1h``, ``45`` or ``2.5`` -> milliseconds."""
    if isinstance(text, bool):
        raise ValueError("a duration is a number of seconds or text like 45s, 1m30s, 2m")
    if isinstance(text, (int, float)):
        if isinstance(text, float) and not math.isfinite(text):
            raise ValueError(f"`{text}` is not a duration; write it like 45s, 1m30s, 2m or 90")
        if text < 0:
            raise ValueError("a duration cannot be negative")
        if text > _MAX_SECONDS:
            raise ValueError(f"`{_short(text)}` seconds is longer than any workout")
        return round(text * 1000)
    value = text.strip().lower().replace(" ", "")
    if len(value) > 40:
        raise ValueError(f"`{_short(text)}` is not a duration; write it like 45s, 1m30s, 2m or 90")
    match = _DURATION.match(value)
    if not value or not match or not any(match.groups()):
        try:
            return parse_duration(float(value))
        except ValueError:
            pass
        raise ValueError(f"`{text}` is not a duration; write it like 45s, 1m30s, 2m or 90")
    hours = float(match["h"] or 0)
    minutes = float(match["m"] or 0)
    seconds = float(match["s"] or 0)
    return parse_duration(hours * 3600 + minutes * 60 + seconds)


_MAX_SECONDS = 10**9


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def format_duration(ms: int) -> str:
    """Milliseconds -> the shortest file-format spelling: ``45s``, ``1m30s``, ``2m``, ``40h``."""
    if ms % 1000:
        return f"{ms / 1000:g}s"
    hours, rest = divmod(ms // 1000, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{v}{unit}" for v, unit in ((hours, "h"), (minutes, "m"), (seconds, "s")) if v]
    return "".join(parts) or "0s"


def parse_tempo(text: str | int) -> Tempo:
    """``4-0-1-0`` (lower, bottom pause, lift, top pause, in seconds; lift may be ``X``)."""
    parts = str(text).strip().split("-")
    if len(parts) != 4 or len(str(text)) > 40:
        raise ValueError(
            f"`{_short(text)}` is not a tempo; write four numbers of seconds, "
            "lower-bottom-lift-top, like 3-1-1-0"
        )
    values: list[int] = []
    explosive = False
    for index, part in enumerate(parts):
        part = part.strip()
        if part.upper() == "X":
            if index != 2:
                raise ValueError(
                    f"`{text}`: only the lift (third number) can be X (explosive), like 3-1-X-0"
                )
            explosive = True
            values.append(1000)
            continue
        try:
            seconds = float(part)
        except ValueError:
            raise ValueError(
                f"`{text}`: `{part}` is not a number of seconds; write a tempo like 3-1-1-0"
            ) from None
        if not 0 <= seconds <= 60:
            raise ValueError(f"`{text}`: each tempo phase must be 0 to 60 seconds")
        values.append(round(seconds * 1000))
    if sum(values) < 1000:
        raise ValueError(f"`{text}`: a rep must last at least one second in all")
    return Tempo(values[0], values[1], values[2], values[3], explosive)


def parse_rep_range(text: str | int) -> RepRange:
    """``8`` or ``6-12`` -> a range of whole reps."""
    value = str(text).strip()
    match = re.fullmatch(r"(\d{1,9})\s*(?:-\s*(\d{1,9}))?", value)
    if not match:
        raise ValueError(
            f"`{_short(text)}` is not a rep range; write a number like 8 or a range like 6-12"
        )
    low = int(match[1])
    high = int(match[2]) if match[2] else low
    if high < low:
        raise ValueError(
            f"`{text}` goes from {low} down to {high}; a range goes up: write {high}-{low}"
        )
    if low < 1:
        raise ValueError(f"`{text}`: a range goes from at least 1 up, like 6-12")
    return RepRange(low, high)


_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    """0..9999 as English words: ``42`` -> ``forty-two``."""
    if n < 0:
        raise ValueError("no negative numbers are spoken")
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {number_words(rest)}" if rest else "")
    thousands, rest = divmod(n, 1000)
    return f"{number_words(thousands)} thousand" + (f" {number_words(rest)}" if rest else "")


def duration_words(ms: int) -> str:
    """A spoken duration: ``ninety seconds``, ``two minutes``, ``three minutes thirty``."""
    seconds = round(ms / 1000)
    if seconds < 120:
        return "one second" if seconds == 1 else f"{number_words(seconds)} seconds"
    minutes, rest = divmod(seconds, 60)
    head = f"{number_words(minutes)} minutes"
    return f"{head} {number_words(rest)}" if rest else head


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def lowercase_first(text: str) -> str:
    """A sentence made to follow a colon: ``Eccentric work ...`` -> ``eccentric work ...``;
    a word in capitals (``RDL``) is left as it is."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text
