"""A seeded mutator of workout and exercise files, for the fuzz test and ``scripts/fuzz.py``.

Seeds are the built-in files and the format's own examples; each mutation
is one of the things a hostile or careless user does: a value swapped for
something strange (an explicit tag, infinity, a 5,000-digit number, a control
character, a lone surrogate), a key misspelt, a line dropped or repeated,
indentation broken, bytes cut off or corrupted, deep nesting.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

BUILTIN = Path(__file__).resolve().parents[1] / "voicecoach" / "builtin"

SPEC_EXERCISE = """\
id: eccentric-hamstring-curl
name: Eccentric hamstring curl
muscles: [hamstrings, glutes]
equipment: [swiss ball]
sides: each
first_side: right
reps: 6-10
tempo: 4-0-1-0
phases:
  lower: Straighten
  bottom: Hold
  lift: Curl
  top: Hold
setup:
  - Lie on your back, arms out wide, heels on the ball.
  - Lift your hips and raise your {other} leg.
cues:
  - Hips stay high.
caution: Eccentric work makes you sore. Not the day before a long run.
"""

SPEC_WORKOUT = """\
title: Monday - hamstrings for runners
about: Three moves, about twenty minutes.
exercises:
  - id: wall-sit
    name: Wall sit
    hold: 30s
  - id: step-up
    name: Step up
    rep:
      - {say: Heel down, hold: 5s}
      - {say: Leg up to your waist, hold: 3s}
defaults:
  rest: 45s
  count: tempo
voice:
  rate: 170
blocks:
  - exercise: staggered-stance-rdl
    sets: 3
    reps: 8
    tempo: 3-1-1-0
    rest: 60s
    side_rest: 10s
  - exercise: wall-sit
    sets: 2
    hold: 40s
  - exercise: step-up
  - say: Grab your Swiss ball.
  - rest: 20s
  - circuit:
      rounds: 2
      rest: 30s
      blocks:
        - exercise: down-dog-knee-extension
          reps: 10
        - exercise: supine-march
          reps: 6
"""

STRANGE_VALUES = [
    ".inf",
    "-.inf",
    ".nan",
    "1e309",
    "-1",
    "0",
    "0.0001",
    "1e-9",
    "99999999999",
    "9" * 5000,
    '"' + "9" * 5000 + '"',
    "'1" + "0" * 4400 + "'",
    "",
    "~",
    "null",
    "[]",
    "{}",
    "[1, 2]",
    "{a: b}",
    "yes",
    "no",
    "maybe",
    "true",
    "!!int abc",
    "!!int ''",
    "!!float x",
    "!foo bar",
    "!!python/name:os.system",
    "!!timestamp nope",
    "!!bool maybe",
    "!!binary aGVsbG8=",
    "!!str 3",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!<tag:x> y",
    '"\\ud800"',
    '"\\udfff x"',
    '"a\\0b"',
    '"\\x1b]0;owned\\x07"',
    '"\\x1b[31mred"',
    '"\\ufffe"',
    "x" * 3000,
    "&a 1",
    "*a",
    "? complex",
    "- a",
    "|\n  block\n  text",
    ">\n  folded",
    "'unterminated",
    '"unterminated',
    "[unclosed",
    "{unclosed",
    "@at",
    "`tick",
    "%percent",
    "3-1-1-0",
    "X-X-X-X",
    "60-60-60-60",
    "1h",
    "40h",
    "0s",
    "45q",
    "1m30s",
    "2.5",
    "6-12",
    "12-6",
    "0-0",
    "200",
    "201",
    "50",
    "51",
    "\u00a0",
    "\u2028",
    "{side}",
    "{sid}",
    "{",
    "}",
    "ünïcödé",
    "日本語",
    "😀",
]

STRANGE_KEYS = [
    "tmepo",
    "rpes",
    "blcoks",
    "title",
    "blocks",
    "exercise",
    "hold",
    "reps",
    "rep",
    "sets",
    "rest",
    "side_rest",
    "count",
    "voice",
    "library",
    "exercises",
    "defaults",
    "circuit",
    "say",
    "tempo",
    "phases",
    "k" * 1000,
    "? x",
    "[a]",
    "{b: c}",
    "1",
    "null",
    "<<",
    "!!str k",
]

RAW_BYTES = [
    b"\x00",
    b"\x07",
    b"\x1b",
    b"\xff",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"\x80",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\r",
    b"\t",
    b"\x0c",
    b"\xef\xbf\xbe",
    b"\x85",
]

_VALUE = re.compile(r"^(\s*(?:-\s+)?[A-Za-z_]+:\s*)(.+)$")
_KEY = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_]+)(:.*)$")


def seeds() -> list[tuple[str, str]]:
    """(name, text) of every seed file: the built-ins and the format's examples."""
    found = [
        (path.name, path.read_text(encoding="utf-8"))
        for folder in ("workouts", "exercises")
        for path in sorted((BUILTIN / folder).glob("*.yaml"))
    ]
    return [*found, ("spec-exercise.yaml", SPEC_EXERCISE), ("spec-workout.yaml", SPEC_WORKOUT)]


def mutate(text: str, rng: random.Random) -> bytes:
    """One to three mutations of ``text``, as the bytes of a file."""
    lines = text.splitlines()
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        lines = _one(lines, rng)
        if isinstance(lines, bytes):
            return lines
    data = "\n".join(lines) + ("\n" if rng.random() < 0.9 else "")
    raw = data.encode("utf-8", "surrogatepass")
    if rng.random() < 0.08:
        cut = rng.randrange(len(raw) + 1)
        raw = raw[:cut] + rng.choice(RAW_BYTES) + raw[cut:]
    if rng.random() < 0.03:
        raw = raw[: rng.randrange(len(raw) + 1)]
    return raw


def _one(lines: list[str], rng: random.Random) -> list[str]:
    if not lines:
        return ["title: T", "blocks:", "  - exercise: hip-hinge"]
    i = rng.randrange(len(lines))
    kind = rng.random()
    line = lines[i]
    if kind < 0.35:
        m = _VALUE.match(line)
        if m:
            lines[i] = m[1] + rng.choice(STRANGE_VALUES)
        else:
            lines.insert(i, "  " * rng.randrange(4) + f"sets: {rng.choice(STRANGE_VALUES)}")
    elif kind < 0.5:
        m = _KEY.match(line)
        if m:
            key = m[2]
            if rng.random() < 0.5 and len(key) > 2:
                j = rng.randrange(len(key) - 1)
                key = key[:j] + key[j + 1] + key[j] + key[j + 2 :]
            else:
                key = rng.choice(STRANGE_KEYS)
            lines[i] = m[1] + key + m[3]
    elif kind < 0.58:
        del lines[i]
    elif kind < 0.64:
        lines.insert(i, line)
    elif kind < 0.70:
        lines[i] = " " * rng.randrange(1, 7) + line
    elif kind < 0.74:
        lines[i] = line.lstrip()
    elif kind < 0.79:
        depth = rng.choice((5, 50, 400, 2000))
        lines[i] = (
            (_KEY.match(line)[1] if _KEY.match(line) else "") + "rest: " + "[" * depth + "]" * depth
        )
    elif kind < 0.84:
        j = rng.randrange(len(line) + 1)
        ch = chr(rng.choice((0, 7, 8, 0x1B, 0x7F, 0x85, 0xFFFE, 0xFEFF, 0x2028, 0xD800, 0x10FFFF)))
        lines[i] = line[:j] + ch + line[j:]
    elif kind < 0.88:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind < 0.92:
        lines.insert(
            i, "  - exercise: " + rng.choice(("hip-hinge", "nope", "supine-march", "wall-sit"))
        )
    elif kind < 0.95:
        lines[i] = line.replace(" ", "\t", 1)
    elif kind < 0.97:
        lines.insert(i, rng.choice(("---", "...", "%YAML 1.1", "%TAG ! tag:x,2000:", "# c")))
    else:
        lines = lines[: rng.randrange(len(lines))]
    return lines


def corpus(count: int, seed: int = 10) -> Iterator[tuple[str, bytes]]:
    """``count`` mutated files, the same for the same seed."""
    rng = random.Random(seed)
    base = seeds()
    for n in range(count):
        name, text = base[n % len(base)]
        yield f"{n:05d}-{name}", mutate(text, rng)


# Errors about a whole file, which have no line to point at.
_WHOLE_FILE = (
    "the file is empty",
    "this is an exercise file, not a workout",
    "the file is ",
    "no such file",
    "not valid YAML",
    "holds no exercises",
    "the file has",
)
_POSITION = re.compile(r"^error: [^\n]*?\.ya?ml:\d+:\d+: ", re.M)


def verdict(path: str, code: int, stderr: str, exception: BaseException | None) -> str | None:
    """What is wrong with one run of a command on a fuzzed file, or None if nothing is."""
    if exception is not None and not isinstance(exception, SystemExit):
        return f"{type(exception).__name__}: {str(exception)[:200]}"
    if code not in (0, 2):
        return f"exit {code}: {stderr[-300:]}"
    if code == 2:
        if "Traceback" in stderr:
            return "a traceback on stderr"
        for line in stderr.splitlines():
            if not line.startswith("error: "):
                continue
            if _POSITION.match(line):
                continue
            if not any(phrase in line for phrase in _WHOLE_FILE):
                return f"no file:line:col: {line[:200]}"
        if len(stderr) > 20_000:
            return f"{len(stderr)} characters of messages"
    return None
