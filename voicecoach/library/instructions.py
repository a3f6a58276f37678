"""Written exercise instructions -> short sentences a voice can say, and the facts they state.

Instructions written to be read ("Repeat for the recommended amount of
repetitions. Switch arms and repeat the movement.") carry facts a player
needs (which sides, how long to hold, where to pause) mixed with filler that
means nothing when heard. ``read_instructions`` takes the facts out, drops
the filler, sorts what is left into setup, movement, tips, cautions and
notes, and splits long sentences where a listener would pause.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

MAX_WORDS = 18
"""Longer sentences are split where they can be, so each one is a breath's worth."""
MAX_PAUSE_S = 5
MAX_LONG_WORDS = 25
"""Longer still, a sentence is cut at a comma even where the halves are not both clauses."""

Kind = Literal["setup", "move", "tip", "caution", "variant", "about"]
Direction = Literal["down", "up"]
PausePlace = Literal["turn", "start", "top", "bottom", "peak"]


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence to keep: its words and what kind of thing it says."""

    text: str
    kind: Kind


@dataclass(frozen=True, slots=True)
class Pause:
    """A stated pause: at the turn of the movement, back at its start, at the top or the
    bottom, or at the peak contraction (the end of the lift)."""

    place: PausePlace
    seconds: int


@dataclass
class Facts:
    """What the instructions state about sides, amounts and pauses."""

    sides: Literal["none", "each", "alternate"] = "none"
    first_side: Literal["right", "left"] = "right"
    limb: str = "side"
    reps: tuple[int, int] | None = None
    hold_s: tuple[int, int] | None = None
    hold_long: bool = False
    """"Hold as long as you can": a timed hold with no time stated."""
    slow_lower: bool = False
    """"Lowering should take twice as long as raising"."""
    pauses: list[Pause] = field(default_factory=list)
    stated_second: Literal["right", "left"] | None = None
    """The side a "repeat with the left leg" names: the second one."""
    one_limb: str | None = None
    """The limb a sentence holds apart from the other ("attach the band to one ankle")."""


# Plain text.

_TYPOGRAPHY = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2033": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2212": "-",
    "\u2014": ", ",
    "\u2015": ", ",
    "\u2026": "...",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u00b0": " degrees",
    "\u00d7": " x ",
    "\u2022": "",
    "\u00ad": "",
    "\u200b": "",
    "\ufeff": "",
}
_FRACTIONS = {"\u00bd": "a half", "\u00bc": "a quarter", "\u00be": "three quarters"}


def ascii_text(text: str) -> str:
    """Typographic characters as plain ones and accents dropped: ``café`` -> ``cafe``.

    ``¾`` becomes ``three quarters`` and ``1½`` ``1 and a half``. What has no
    plain equivalent (a Chinese character, an emoji) is left in for the
    caller to report.
    """
    for char, words in _FRACTIONS.items():
        text = re.sub(rf"(\d)\s*{char}", rf"\1 and {words}", text)
        text = text.replace(char, f" {words.removeprefix('a ')}")
    text = "".join(_TYPOGRAPHY.get(ch, ch) for ch in text)
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(
        ch
        for ch in decomposed
        if not unicodedata.combining(ch) and (ch.isspace() or unicodedata.category(ch)[0] != "C")
    )
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"\s+([,.;:!?])", r"\1", text).strip()


# Sentences.

_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|approx|vs|etc|lbs|no|st|mr|mrs|dr)\.$", re.I)


def sentences(step: str) -> list[str]:
    """One instruction as sentences; a parenthesised note becomes a sentence of its own."""
    step = re.sub(r"</?\w+>|\b(?:li|ul|ol|br|p)>", " ", step)  # HTML left in a few entries
    step = step.replace("{", "(").replace("}", ")")  # braces are the player's placeholders
    step = re.sub(r"\((note|tip|caution)\s*:\s*([^()]*?)\.?\s*\)", r". \1: \2.", step, flags=re.I)
    step = re.sub(r"([a-z])\.([A-Z])", r"\1. \2", step)
    step = re.sub(r"\s*\([^()]*\)", lambda m: "" if _ABOUT.search(m.group()) else m.group(), step)
    parts = re.split(r"(?<=[.!?])\s+(?=[\"'(]?[A-Z0-9])", " ".join(step.split()))
    merged: list[str] = []
    for part in parts:
        if merged and _ABBREVIATION.search(merged[-1]):
            merged[-1] += " " + part
        else:
            merged.append(part)
    return [s.strip(" .") + "." for s in merged if s.strip(" .,;:")]


def tidy_text(text: str) -> str:
    """A sentence made fit to hear: words for symbols, brackets as commas, one full stop."""
    text = re.sub(r"\(([^()]*)\)", r", \1,", text)
    text = text.replace("(", ", ").replace(")", ", ")
    # Stray braces become brackets; a side placeholder (``name_sides``) stays
    text = re.sub(r"\{(?!(?:side|other|Side|Other)\})", "(", text)
    text = re.sub(r"(?<!\{side)(?<!\{other)(?<!\{Side)(?<!\{Other)\}", ")", text)
    text = re.sub(r"(\d)\s*-\s*degrees?\b", r"\1 degrees", text)
    text = re.sub(r"(\d)\s*-\s*(\d)", r"\1 to \2", text)
    text = re.sub(r"(\d)\s*lbs?\b\.?", r"\1 pounds", text)
    text = re.sub(r"\be\.g\.,?", "for example", text)
    text = re.sub(r"\bi\.e\.,?", "that is", text)
    # "Lay down on the floor": the text means lie, and a coach says so
    text = re.sub(
        r"\b([Ll])a(y|ying) (?=(?:down|on|with|face|facedown|flat|back|prone|at|in)\b)",
        lambda m: f"{m[1]}{'ie' if m[2] == 'y' else 'ying'} ",
        text,
    )
    text = text.replace("&", " and ").replace("he/she", "he or she").replace(" - ", ", ")
    text = re.sub(r"(?<=[a-z])/(?=[a-z])", " or ", text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s*,(\s*,)+", ",", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"[,;:]+\s*([.!?])", r"\1", text)
    text = re.sub(r"^[\s,;:.]+|[\s,;:]+$", "", text)
    text = re.sub(r"^(?:and|also|so|now)\b,?\s*", "", text, flags=re.I)
    # "For this exercise you will need to place a bench ...": a coach says "Place a bench ..."
    text = re.sub(
        r"^for this (?:exercise|drill|movement|stretch),? (?:you will need to )?",
        "",
        text,
        flags=re.I,
    )
    # "After choosing a suitable band, ...": the choice was made before the set
    text = re.sub(
        r"^after (?:choosing|selecting) (?:a|an|the|your) (?:suitable|appropriate|desired) "
        r"[\w ]{1,20}?,\s*",
        "",
        text,
        flags=re.I,
    )
    # A conjunction left dangling where filler was cut off: "Return to the start and."
    text = re.sub(r"(?:[\s,]+(?:and|or|but)(?: then)?)+(?=[.!?]?$)", "", text, flags=re.I)
    if not re.search(r"[A-Za-z]", text):
        return ""
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


# Splitting long sentences where a listener would pause.

_GERUNDS = {
    "allowing": "allow",
    "applying": "apply",
    "attempting": "attempt",
    "avoiding": "avoid",
    "bending": "bend",
    "breathing": "breathe",
    "bringing": "bring",
    "contracting": "contract",
    "controlling": "control",
    "crossing": "cross",
    "dipping": "dip",
    "drawing": "draw",
    "driving": "drive",
    "engaging": "engage",
    "ensuring": "ensure",
    "exhaling": "exhale",
    "extending": "extend",
    "facing": "face",
    "flexing": "flex",
    "grabbing": "grab",
    "grasping": "grasp",
    "gripping": "grip",
    "guiding": "guide",
    "holding": "hold",
    "inhaling": "inhale",
    "jumping": "jump",
    "keeping": "keep",
    "leaning": "lean",
    "letting": "let",
    "lifting": "lift",
    "locking": "lock",
    "looking": "look",
    "lowering": "lower",
    "maintaining": "maintain",
    "making": "make",
    "moving": "move",
    "placing": "place",
    "pointing": "point",
    "positioning": "position",
    "pressing": "press",
    "pulling": "pull",
    "pushing": "push",
    "raising": "raise",
    "reaching": "reach",
    "resting": "rest",
    "retracting": "retract",
    "returning": "return",
    "reversing": "reverse",
    "rotating": "rotate",
    "squeezing": "squeeze",
    "stepping": "step",
    "straightening": "straighten",
    "swinging": "swing",
    "taking": "take",
    "touching": "touch",
    "trying": "try",
    "tucking": "tuck",
    "turning": "turn",
    "twisting": "twist",
    "using": "use",
}
_VERBS = set(_GERUNDS.values()) | {
    "adjust",
    "anchor",
    "assume",
    "attach",
    "be",
    "catch",
    "curl",
    "drop",
    "elevate",
    "hinge",
    "kick",
    "kneel",
    "loop",
    "relax",
    "release",
    "roll",
    "row",
    "secure",
    "shift",
    "shrug",
    "slide",
    "squat",
    "throw",
    "tilt",
    "wrap",
    "begin",
    "bring",
    "come",
    "continue",
    "do",
    "go",
    "lie",
    "pause",
    "perform",
    "put",
    "repeat",
    "set",
    "sit",
    "stand",
    "start",
    "stop",
    "then",
}
_ADVERBS = {"slowly", "gently", "quickly", "explosively", "carefully", "now", "immediately", "then"}
_SUBORDINATE = {
    "after",
    "although",
    "as",
    "at",
    "because",
    "before",
    "being",
    "by",
    "during",
    "for",
    "from",
    "having",
    "if",
    "in",
    "into",
    "on",
    "once",
    "since",
    "so",
    "that",
    "though",
    "to",
    "until",
    "upon",
    "when",
    "where",
    "which",
    "while",
    "with",
    "without",
}
_CUTS = (
    re.compile(r";\s+"),
    re.compile(r",?\s+and then\s+|,\s+then\s+", re.I),
    re.compile(r"\s+as you\s+(?=[a-z]+ )", re.I),
    re.compile(r",\s+(?:while\s+)?(?=[a-z]+ing\b)", re.I),
    re.compile(r",\s+and\s+", re.I),
    re.compile(r",\s+"),
    re.compile(r"\s+and\s+", re.I),
)


def spoken_cues(text: str, limit: int = MAX_WORDS) -> list[str]:
    """A sentence as one or more short ones, cut at the most natural place near its middle.

    Only sentences over ``limit`` words are cut, and only where both halves
    can stand alone, the way a coach would say them: "Keeping your back
    straight, lower the bar ..." becomes "Keep your back straight. Lower the
    bar ..."; a leading "After the pause, ..." is never cut off.
    """
    if len(text.split()) <= limit:
        return [text]
    for pattern in _CUTS:
        cuts = []
        for match in pattern.finditer(text):
            head = _head(text[: match.start()])
            tail = _tail(match.group(), text[match.end() :])
            if head and tail and min(_words(head), _words(tail)) >= 4:
                cuts.append((abs(match.start() - len(text) / 2), head, tail))
        if cuts:
            _, head, tail = min(cuts)
            return spoken_cues(tidy_text(head), limit) + spoken_cues(tidy_text(tail), limit)
    if len(text.split()) > MAX_LONG_WORDS:
        cuts = []
        for match in re.finditer(r",\s+", text):
            head, tail = _comma_head(text[: match.start()]), _comma_tail(text[match.end() :])
            if head and tail and min(_words(head), _words(tail)) >= 5:
                cuts.append((abs(match.start() - len(text) / 2), head, tail))
        if cuts:
            _, head, tail = min(cuts)
            return spoken_cues(tidy_text(head), limit) + spoken_cues(tidy_text(tail), limit)
    return [text]


_MODALS = {"can", "could", "may", "might", "must", "shall", "should", "will", "would"}
_NOT_OPENING = (
    _MODALS
    | _SUBORDINATE
    | {
        "and",
        "but",
        "or",
        "nor",
        "not",
        "than",
        "which",
        "who",
        "whom",
        "whose",
        "instead",
        "etc",
        "such",
        "then",
    }
)


def _comma_head(head: str) -> str | None:
    """For a sentence too long to hear whole: the words before a comma, if they stand alone
    or are a leading clause with its main clause ("While ..., roll over ...")."""
    if re.search(r"\b(?:and|or|but|then|to|the|a|an|of|your)$", head.strip(" ,"), re.I):
        return None
    if re.search(r"\b(?:but|instead of)\b[^,]*$", head, re.I):
        return None  # "..., but instead of having your hands on the floor, | you ...": not yet
    if re.search(r"\b(?:when|if|so that|because|while|until|once|as)\b[^,]*$", head, re.I):
        return None  # "so that when you lie on it, | your chest ...": its main clause follows
    return _head(head)


def _comma_tail(tail: str) -> str | None:
    """The words after a comma as a sentence, unless they continue a clause ("which ...")."""
    words = tail.split()
    if not words or words[0].lower().strip(",") in _NOT_OPENING:
        return None
    first = words[0].lower().strip(",")
    if first in _GERUNDS:
        return " ".join([_GERUNDS[first], *words[1:]])
    if first in _VERBS or first in _ADVERBS or first == "select":
        return tail
    said = {w.lower().strip(",") for w in words[1:6]}
    if said & {"which", "whom", "whose"}:
        return None  # "the depth of which is ...": still part of the sentence before
    if first in {"you", "your", "it", "they", "this", "the"} and said & _FINITE:
        return tail  # "your head will be tilted back": a clause of its own
    return None


_FINITE = {"is", "are", "should", "will", "must", "can", "may", "stays", "remain", "remains"}


def _words(text: str) -> int:
    return len(text.split())


def _stands_alone(head: str) -> bool:
    """Whether a clause opens a sentence of its own: not "While ...", "After ...", "Using ..."."""
    words = _LEAD.sub("", head).split()
    first = words[0].lower().strip(",") if words else ""
    return first not in _SUBORDINATE and not (first.endswith("ing") and first not in _VERBS)


_PHRASE_STARTS = set(
    """a about an and arm arms back chest elbow elbows feet foot hand hands head just knee knees
    leg legs palm palms shoulders slightly the toes torso with your""".split()
)
"""Words that open a phrase inside a leading clause: "Holding the bar, palms down, ..."."""
_LEAD = re.compile(r"^(?:(?:then|now|next|finally|to begin|to start),?\s+)+", re.I)


def _head(head: str) -> str | None:
    """The words before a cut as a sentence of their own, or None if they cannot be one."""
    if re.search(r"\b(?:and|or|but|then|to|the|a|an|of|your)$", head.strip(" ,"), re.I):
        return None
    if _stands_alone(head):
        return head
    later = [part.split()[0].lower() for part in head.split(",")[1:] if part.split()]
    if any(word not in _PHRASE_STARTS for word in later):
        return None  # "Keeping it low, press ...": a clause and its main verb stay together
    words = _LEAD.sub("", head).split()
    if words and words[0].lower() == "while":
        words = words[1:]
    if words and words[0].lower() in _GERUNDS:
        return " ".join([_GERUNDS[words[0].lower()], *words[1:]])
    return None


def _tail(cut: str, tail: str) -> str | None:
    """The words after a cut as a sentence of their own, or None if they cannot be one."""
    if "then" in cut.lower():
        return "Then " + tail
    words = tail.split()
    if not words:
        return None
    first = words[0].lower().strip(",")
    if first in _MODALS:
        return None  # "as you | can with your back": the rest of a clause, not a sentence
    if first == "while" and len(words) > 1:
        words, first = words[1:], words[1].lower().strip(",")
    if first in _GERUNDS:
        return " ".join([_GERUNDS[first], *words[1:]])
    if "as you" in cut.lower():
        return tail
    if first in _VERBS or first in _ADVERBS or (cut.startswith(";") and "," not in tail[:12]):
        return " ".join(words)
    if "," in cut and "and" in cut.lower() and first in {"your", "the", "you", "it", "they"}:
        return " ".join(words)
    return None


# The facts a sentence states.

_SIDE = r"(?:side|leg|arm|hand|foot|feet|knee|elbow|shoulder)s?"
_LIMBS = {"feet": "leg", "foot": "leg", "knee": "leg", "elbow": "arm", "shoulder": "arm"}
_EACH = (
    re.compile(rf"\bswitch(?:ing)? (?P<limb>{_SIDE})\b", re.I),
    re.compile(
        rf"\b(?:switch|move|pivot) to (?:the|your) (?P<which>other|opposite|left|right) "
        rf"(?P<limb>{_SIDE})\b",
        re.I,
    ),
    re.compile(
        rf"\b(?:repeat|perform|do)(?:ing)?\b[^.;]{{0,60}}?\b(?:on|with|for|to|using) "
        rf"(?:the|your) (?P<which>other|opposite|left|right|next) (?P<limb>{_SIDE})\b",
        re.I,
    ),
    re.compile(rf"\bswitch (?P<limb>{_SIDE}) and repeat\b", re.I),
    re.compile(rf"\bbefore switching (?P<limb>{_SIDE})\b", re.I),
    re.compile(r"\bthen (?:\w+ )?to the (?:other|opposite) (?P<limb>side)\b", re.I),
    re.compile(r"\brepeat facing the (?:other|opposite) direction\b", re.I),
)
_ALTERNATE = (
    re.compile(
        rf"\bcontinu(?:e|ing) (?:to )?alternat(?:e|ing)\b"
        rf"(?: (?:your )?(?:left and right )?(?P<limb>{_SIDE})\b)?",
        re.I,
    ),
    re.compile(r"\balternate in this (?:manner|fashion)\b", re.I),
    re.compile(r"\bin an alternating fashion\b", re.I),
    re.compile(
        rf"\balternat(?:e|ing) (?:between )?(?:your )?(?:left and right )?(?P<limb>{_SIDE})\b",
        re.I,
    ),
    re.compile(r"\balternating (?:each side|left and right|back and forth)\b", re.I),
)
_ONE = r"(?P<limb>ankle|leg|foot|knee|arm|hand|wrist)"
_NOT_ONE = (
    r"(?! (?:(?:slightly|about \w+ inches|a little|\w+ inches) )?"
    r"(?:forward|back|behind|in front)\b)"
    r"(?! (?:at a time|and one|or one|\w+ (?:around|on top of) the other)\b)"
    r"(?! (?:around|on top of) the other\b)"
)
"""Not one side's work: "one foot forward and one back" (a stance), "one arm at a time",
"one ankle around the other" (both legs, crossed)."""
_ONE_LIMB = (
    re.compile(rf"\b(?:to|on|onto|in|with|from) one {_ONE}\b{_NOT_ONE}", re.I),
    re.compile(
        rf"\b(?:raise|lift|hold|extend|flex|bend|cross|straighten|hook|plant) one {_ONE}\b"
        rf"{_NOT_ONE}",
        re.I,
    ),
    re.compile(
        r"\b(?:keep|keeping|let|letting|extend|extending|hold|holding|lift|lifting|raise|"
        r"raising|rest|resting|on) (?:the|your) (?:other|free|non-?working) "
        r"(?P<limb>leg|foot|knee)\b",
        re.I,
    ),
)
"""One limb worked or set apart from the other: "attach the other end to one ankle", "raise
one leg off the ground", "keeping your other leg straight"."""
_ONE_LIMB_NAME = re.compile(
    r"\b(?:one|single)[- ](?P<limb>arm|leg|hand)(?:ged|ed|s)?\b|\bunilateral\b", re.I
)


def one_limb(text: str, name: bool = False) -> str | None:
    """The limb (``leg`` or ``arm``) a sentence (or an exercise's ``name``) works one at a
    time, if it says so."""
    for pattern in (_ONE_LIMB_NAME,) if name else _ONE_LIMB:
        if match := pattern.search(text):
            word = (match.groupdict().get("limb") or "side").lower()
            return _ONE_LIMB_WORDS.get(word, word)
    return None


def name_sides(text: str) -> str:
    """A sentence with the limb it holds apart named by side, for a voice that says which:
    "attach the other end to one ankle" -> "attach the other end to your {side} ankle",
    "keeping your other leg straight" -> "keeping your {other} leg straight"."""
    if re.search(r"\b(?:left|right)\b|[{}]", text, re.I):
        return text  # the sentence already says which, or has been given sides
    first, second, other = _ONE_LIMB
    for pattern in (first, second):
        text = pattern.sub(lambda m: re.sub(r"\bone (?=\w)", "your {side} ", m.group()), text, 1)
    rest = re.compile(r"\b(?:the|your) (?:other|free|non-?working) ")
    return other.sub(lambda m: rest.sub("your {other} ", m.group()), text, 1)


_ONE_LIMB_WORDS = {"ankle": "leg", "foot": "leg", "knee": "leg", "hand": "arm", "wrist": "arm"}


_START = re.compile(
    r",?\s*(?:and )?(?:this(?: will be| is| should be)?|(?:that|which) (?:will be|is|should be)) "
    r"(?:your|the) "
    r"(?:starting|start|beginning) position(?: of the (?:exercise|movement))?\b"
    r"|\bnow you are ready to begin(?: the exercise)?\b",
    re.I,
)
_IN_START = re.compile(
    r"^(?!to (?:get|move|set)\b)(?!.*\b(?:return|back|go|come|bring|lower|raise|reset)\b)"
    r".*\b(?:in|into|assume) "
    r"(?:the|your) start(?:ing)? position\b",
    re.I,
)
_AMOUNT = r"(?:amount|number) of (?:repetitions|reps|times|sets)(?: of your training program)?"
_DONE = (
    r"(?: (?:are|have been|is) (?:done|performed|completed|complete))?"
    r"(?: for (?:each|this|the|that) \w+)?"
    r"(?: (?:as )?(?:prescribed )?in your (?:training )?program)?"
)
_FILLER = (
    re.compile(
        rf"\b(?:repeat|perform|continue|do)(?: (?:the|this) (?:movement|motion|exercise|sequence|"
        rf"series))?(?: (?:for|until|with))?(?: you (?:have )?(?:complete|completed|done))?"
        rf"(?: all)?(?: of)? (?:the|your) (?:recommended|prescribed|desired|required) "
        rf"{_AMOUNT}{_DONE}",
        re.I,
    ),
    re.compile(
        rf"\b(?:for|until|once)(?: you (?:have )?(?:complete|completed|done))?(?: all)?(?: of)? "
        rf"(?:the|your) (?:recommended|prescribed|desired|required) {_AMOUNT}{_DONE}",
        re.I,
    ),
    re.compile(r"\b(?:repeat )?(?:for|until)(?: the| your) (?:desired|recommended) rep count\b"),
    re.compile(
        r"\b(?:for|until|once)\b[^.;]{0,40}?\b(?:the|your|all)(?: of)?(?: the)? "
        r"(?:recommended|prescribed|desired|required)(?: (?:amount|number) of)? "
        rf"(?:repetitions|reps|times|sets)\b(?: for each \w+)?{_DONE}",
        re.I,
    ),
    re.compile(r"\b(?:perform|do) the (?:amount|number) of repetitions prescribed[^.;]*", re.I),
    re.compile(r"\brest for the (?:recommended|prescribed|desired) amount of time\b", re.I),
    re.compile(r"\b(?:until|once) (?:the|your) set is (?:complete|done|finished)\b", re.I),
    re.compile(r"\bfor as many repetitions as (?:needed|desired|you can)\b", re.I),
    re.compile(r"\b(?:in|on) this (?:manner|fashion)\b", re.I),
)
_NUMBER = r"(\d+|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty)"
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
}
_RANGE = rf"{_NUMBER}(?:\s*(?:-|to|or)\s*{_NUMBER})?"
_REPS = re.compile(
    rf"\b(?:repeat|perform|do|complete|continue|for|alternating)\b[^.;]{{0,40}}?\b{_RANGE}"
    rf"(?: or more)? (?:repetitions|reps|times)\b",
    re.I,
)
_HOLD = re.compile(
    rf"\b(?:hold|stay|remain|keep|pause|for|after)\b[^.;]{{0,40}}?\b{_RANGE}"
    rf"(?P<unit> seconds?| secs?| minutes?)\b",
    re.I,
)
_HOLD_LONG = re.compile(
    r"\bhold\b[^.;]{0,30}\bas long as (?:possible|you can)\b"
    r"|\bhold for the (?:recommended|prescribed|desired) (?:number of seconds|amount of time)\b",
    re.I,
)
_PAUSES = (
    re.compile(r"\b(?:pause|paused|pausing)\b", re.I),
    re.compile(
        rf"\b(?:hold|keep|squeeze|feel|contract)\b[^.;]{{0,60}}?\bfor (?:a|{_NUMBER}) "
        r"(?:full |brief )?(?:second|seconds|moment|count)\b",
        re.I,
    ),
    re.compile(
        r"\bafter (?:(?:a|the|your|one|1)[- ]){1,2}(?:second|brief|full second)[- ]?(?:of )?"
        r"(?:contraction|squeeze|hold|pause|on the|in the|at the)",
        re.I,
    ),
    re.compile(
        r"\bhold (?:the|that|this) (?:contraction|contracted position|position|squeeze)\b"
        r"(?! throughout)(?! as long)",
        re.I,
    ),
    re.compile(r"\bhold at the (?:top|bottom)\b", re.I),
)
_PAUSE_SECONDS = re.compile(rf"\b{_NUMBER}[- ]seconds?\b(?! pause)", re.I)
_AT_START = re.compile(r"\b(?:at|once you reach|reach) the start(?:ing)? position\b", re.I)
_AT_PEAK = re.compile(r"\bcontract(?:ed|ion)\b|\bpeak\b|\block(?:out| your arms)\b", re.I)
_SLOW_LOWER = re.compile(
    r"\btwice as long to (?:go down|lower)\b|\blowering [^.]{0,20}twice as long as raising\b", re.I
)
_AT_TOP = re.compile(r"\b(?:at|reach) the top\b|\btop (?:contracted )?position\b", re.I)
_AT_BOTTOM = re.compile(r"\b(?:at|reach) the bottom\b|\bbottom position\b", re.I)


def number(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBER_WORDS[text.lower()]


def _range(match: re.Match[str]) -> tuple[int, int]:
    low = number(match[1])
    high = number(match[2]) if match[2] else low
    return min(low, high), max(low, high)


def _limb(word: str | None) -> str | None:
    if not word:
        return None
    word = word.lower()
    single = word if word == "feet" else word.removesuffix("s")
    return _LIMBS.get(single, single)


def _cut(text: str, match: re.Match[str]) -> str:
    return text[: match.start()] + text[match.end() :]


def take_sides(text: str, facts: Facts) -> str:
    """Note what a sentence says about sides; return it without those words."""
    for pattern in _ALTERNATE:
        if match := pattern.search(text):
            facts.sides = "alternate"
            limb = _limb(match.groupdict().get("limb"))
            if limb and limb != "side":
                facts.limb = limb
            text = _cut(text, match)
    for pattern in _EACH:
        if match := pattern.search(text):
            if facts.sides != "alternate":
                facts.sides = "each"
            limb = _limb(match.groupdict().get("limb"))
            if limb and facts.limb == "side":
                facts.limb = limb
            mentioned = re.findall(r"\b(left|right)\b", text, re.I)
            if mentioned and facts.stated_second is None:
                facts.stated_second = "left" if mentioned[-1].lower() == "left" else "right"
            text = _cut(text, match)
    return text


def take_amounts(text: str, facts: Facts) -> str:
    """Note rep counts, hold times and pauses; return the sentence without counts and times."""
    if match := _REPS.search(text):
        facts.reps = _range(match)
        text = _cut(text, match)
    if _SLOW_LOWER.search(text):
        facts.slow_lower = True
    if match := _HOLD_LONG.search(text):
        facts.hold_long = True
        text = _cut(text, match)
    if match := _HOLD.search(text):
        low, high = _range(match)
        scale = 60 if match["unit"].strip().startswith("m") else 1
        if high * scale > MAX_PAUSE_S or not is_pause(text):
            facts.hold_s = (low * scale, high * scale)
            return _cut(text, match)
    if is_pause(text):
        facts.pauses.append(Pause(_pause_place(text), _pause_seconds(text)))
    return text


def is_pause(text: str) -> bool:
    return any(pattern.search(text) for pattern in _PAUSES)


def _pause_seconds(text: str) -> int:
    found = _PAUSE_SECONDS.search(text)
    return max(1, min(MAX_PAUSE_S, number(found[1]))) if found else 1


def _pause_place(text: str) -> PausePlace:
    if _AT_START.search(text):
        return "start"
    if _AT_TOP.search(text):
        return "top"
    if _AT_PEAK.search(text):
        return "peak"
    if _AT_BOTTOM.search(text):
        return "bottom"
    return "turn"


_FILLER_WORDS = set(
    """a after again all and are arm arms as at be before both complete conclusion continue do
    done each
    exercise foot feet hand hands left leg legs one right
    fashion for have hold in is it manner more motion movement movements now of on once
    opposite or other perform position reposition repeat repetitions reps same seconds
    sequence series set should side sides so stretch switch that the then this times to
    will with you your""".split()
)


def says_more(original: str, left: str) -> bool:
    """Whether anything worth saying is left once the facts were taken out of a sentence."""
    if left == original:
        return True
    return any(word not in _FILLER_WORDS for word in re.findall(r"[a-z]+", left.lower()))


# Sorting what is left.

_BREATH_ONLY = re.compile(
    r"^(?:tip: )?(?P<breath>inhale|exhale|breathe in|breathe out)\b"
    r"(?: (?:as|while|when) you (?:perform|execute|do) this| (?:during|on|for) this)"
    r"(?: (?:portion|part|step|phase|movement|motion))?(?: of the (?:movement|motion|exercise))?"
    r"(?: (?:movement|motion|step|portion|part))?\.$",
    re.I,
)
_TIP = re.compile(r"^(?:tip|note|hint)\s*:\s*", re.I)
_CAUTION = re.compile(
    r"^caution\b|\binjur|\bundue stress\b|\bsafety purposes\b|\bfor safety\b|\bspotter\b"
    r"|\bprotect (?:your|the)\b|\bcan cause\b|\bknee problems\b|\bstrains?\b",
    re.I,
)
_VARIANT = re.compile(
    r"^(?:variations?|alternatively|optionally)\b|\byou (?:can|could|may) also\b"
    r"|\bcan also be (?:done|performed|used|executed)\b|^these can be\b"
    r"|\bto (?:increase|decrease) (?:the )?difficulty\b|\bfor (?:an )?(?:added|extra|more) "
    r"(?:challenge|difficulty)\b",
    re.I,
)
_ABOUT = re.compile(
    r"\bcalories\b|\bthis discussion\b|\bsection\b|\bdescribed above\b|\bmentioned above\b"
    r"|\bpicture\b|\bimage\b|\bvideo\b|\bchapter\b|\bsteps? \d",
    re.I,
)


GYM = re.compile(
    r"\b(?:(?:squat |power )?racks?|pegs?|(?:smith )?machines?|cables?|pulleys?|bench(?:es)?|"
    r"partners?|sleds?)\b",
    re.I,
)
"""What a gym has and a mat does not."""
_GYM_ASIDES = (
    # "a sturdy object like a squat rack": the example is a gym's, the object is not
    (
        re.compile(
            r",?\s+(?:like|such as)(?: that of)? (?:a|an|the) (?:\w+ )?(?:rack|bench)\b", re.I
        ),
        "",
    ),
    # "on an exercise mat or a flat bench", "on the ground, or resting on a bench"
    (
        re.compile(
            r"\b(mat|floor|ground),? or (?:(?:resting|lying|placed) )?(?:on )?(?:a|an|the) "
            r"(?:\w+ )?bench\b",
            re.I,
        ),
        r"\1",
    ),
    # "You can use a partner for this exercise or brace your feet ...": the other way needs none
    (
        re.compile(
            r"\b(?:use|have) a partner(?: for this (?:exercise|stretch))?,? or (?=\w)", re.I
        ),
        "",
    ),
    # "facing a wall or a partner", "thrown to a partner or to a wall": a wall will do
    (re.compile(r"\b(a|the) wall,? or (?:utilize |use )?(?:a|your) partner\b", re.I), r"\1 wall"),
    (
        re.compile(
            r"\bto a partner,? or (?=to (?:a|the) wall\b)|\bthrown to a partner,? or (?=bounced)"
        ),
        "",
    ),
    # "use a band, a partner, or push off of a box"
    (re.compile(r"(\w+), a partner, or\b", re.I), r"\1 or"),
    # "either under something that will not move or by having a partner hold them"
    (re.compile(r"\beither ([^,.]*?),? or by having a partner [^,.]*", re.I), r"\1"),
)
_GYM_OPTIONAL = re.compile(
    r"^(?:if|when)\b[^,]*\b(?:racks?|pegs?|bench|partner|using a partner)\b"
    r"|\bbest done with a partner\b|\bwhen you lack a partner\b",
    re.I,
)
"""A gym's way of doing it that the setup does not need: "If your rack doesn't have
pegs, ...", "If you are resting your feet on a bench, ...", "best done with a partner"."""


def without_gym(text: str) -> str:
    """A sentence without an aside that only a gym could follow ("like a squat rack",
    "or on a flat bench")."""
    for pattern, keep in _GYM_ASIDES:
        text = pattern.sub(keep, text)
    return text


def classify(text: str, in_setup: bool, mat: bool = False) -> Sentence:
    """What kind of thing a kept sentence says, with any "Tip:" label taken off.

    For a ``mat`` (an exercise that needs no gym), a gym's optional way of doing it
    is a variant: kept, not spoken.
    """
    label = _TIP.match(text)
    body = text[label.end() :] if label else text
    body = body[:1].upper() + body[1:]
    if _ABOUT.search(body):
        return Sentence(body, "about")
    if mat and _GYM_OPTIONAL.search(body):
        return Sentence(body, "variant")
    if _CAUTION.search(body):
        body = re.sub(r"^caution\s*:\s*", "", body, flags=re.I)
        return Sentence(body[:1].upper() + body[1:], "caution")
    if _VARIANT.search(body):
        return Sentence(body, "variant")
    if label:
        return Sentence(body, "tip")
    return Sentence(body, "setup" if in_setup else "move")


def read_instructions(
    steps: Sequence[str], mat: bool = False, name: str = ""
) -> tuple[list[Sentence], Facts]:
    """Sort the sentences of the instructions and note the facts they state.

    Setup runs to "This will be your starting position." (which is dropped).
    Without such a sentence it runs from the first step to the first sentence
    that starts a movement ("Slowly lower ...", "Begin by ..."). A sentence
    that holds one limb apart ("attach the other end to one ankle") makes the
    exercise one side at a time, and so does a ``name`` that says "one arm" or
    "single leg" (unless it says "alternating"). For a ``mat``, asides only a gym could follow
    are taken out and a gym's optional ways of doing it become variants.
    """
    facts = Facts()
    kept: list[Sentence] = []
    split = [sentences(step) for step in steps]
    places = [(n, i) for n, items in enumerate(split) for i in range(len(items))]
    end = _setup_end(split, places)
    in_setup = True
    for n, i in places:
        text = split[n][i]
        if end is None and (n, i) != (0, 0) and _starts_moving(text):
            in_setup = False
        if match := _START.search(text):
            text = _cut(text, match)
        facts.one_limb = facts.one_limb or one_limb(text)
        _keep(without_gym(text) if mat else text, facts, kept, in_setup, mat)
        if (n, i) == end:
            in_setup = False
    if not re.search(r"\balternat", name, re.I):
        facts.one_limb = one_limb(name, name=True) or facts.one_limb
    if facts.sides == "none" and facts.one_limb:
        facts.sides = "each"
        facts.limb = facts.one_limb if facts.limb == "side" else facts.limb
    if facts.sides == "each":
        kept[:] = [Sentence(name_sides(k.text), k.kind) for k in kept]
    if facts.sides != "none":
        facts.first_side = _first_side(kept, facts.stated_second)
    return kept, facts


_MOVING = re.compile(
    r"^(?:slowly|explosively|quickly|rapidly|powerfully|gently|immediately|"
    r"(?:begin|start|initiate)(?: the (?:movement|motion|exercise|lift))? (?:by|to)|"
    r"(?:begin|start|initiate) (?:the|your) (?:movement|motion|exercise|lift|descent|ascent)|"
    r"raise|lift|lower|push|pull|press|curl|extend|flex|drive|squat|jump|rotate|twist|swing|"
    r"kick|return|repeat|row|move|reverse|explode|hop|bound|sprint|crunch|shrug|continue|perform|"
    r"inhale and|exhale and|breathe (?:in|out) and)\b",
    re.I,
)


def _starts_moving(text: str) -> bool:
    """Whether a sentence's main clause starts the movement rather than the setup."""
    main = _LEAD.sub("", text)
    if not _stands_alone(main) and "," in main:
        main = main.split(",", 1)[1].strip()
    return bool(_MOVING.match(_LEAD.sub("", main)))


def _setup_end(
    split: Sequence[Sequence[str]], places: Sequence[tuple[int, int]]
) -> tuple[int, int] | None:
    """Where the setup ends: the last "This will be your starting position", else the first
    sentence that puts you "in the starting position"; None when nothing says."""
    marked = [(n, i) for n, i in places if _START.search(split[n][i])]
    if marked:
        return marked[-1]
    return next((p for p in places if _IN_START.search(split[p[0]][p[1]])), None)


def _first_side(kept: Sequence[Sentence], second: str | None) -> Literal["right", "left"]:
    """The side worked first: the first one the movement names, else the one before the
    side a "repeat with the left leg" names, else the right."""
    for sentence in kept:
        if sentence.kind == "move" and (
            found := re.search(r"\b(left|right)\b", sentence.text, re.I)
        ):
            return "left" if found[1].lower() == "left" else "right"
    return "right" if second != "right" else "left"


_JUNK = re.compile(
    r"^(?:tips?|alternate|repeat(?: to failure| as necessary)?|this equals one repetition"
    r"|(?:prescribed )?in your program|[a-z])[.!?]$",
    re.I,
)
"""Sentences that say nothing once heard alone: "Repeat.", "Tips:", a stray letter."""


def _keep(text: str, facts: Facts, kept: list[Sentence], in_setup: bool, mat: bool) -> None:
    without_filler = text
    for pattern in _FILLER:
        without_filler = pattern.sub("", without_filler)
    left = take_amounts(take_sides(without_filler, facts), facts)
    if not says_more(text, left):
        return
    sentence = tidy_text(without_filler)
    if not sentence or _JUNK.match(sentence):
        return
    if breath := _BREATH_ONLY.match(sentence):
        if kept and not re.search(r"\b(?:breath\w*|inhal\w*|exhal\w*)\b", kept[-1].text, re.I):
            said = "Breathe in." if breath["breath"].lower() in ("inhale", "breathe in") else ""
            said = said or "Breathe out."
            last = kept[-1]
            kept[-1] = Sentence(f"{last.text} {said}", last.kind)
        return
    kept.append(classify(sentence, in_setup, mat))


# Which way the movement goes.

_NOT_MOVEMENT = re.compile(
    r"^(?:keep|make sure|ensure|maintain|remember|try|focus|avoid|do not|don't|never|the|"
    r"your|you|it|this|there|at the top|at the bottom)\b",
    re.I,
)
_UP = re.compile(
    r"\b(?:raise|raising|raises|lift|lifting|lifts|rise|rising|elevate|shrug|shrugging|"
    r"curl|curling|stand up|up|upward|upwards|vertically|jump|jumping)\b",
    re.I,
)
_DOWN = re.compile(
    r"\b(?:lower|lowering|lowers|descend|descending|descent|squat|squatting|"
    r"sit(?:ting)? (?:back|down)|"
    r"down|downward|downwards|drop|dropping|dip|hinge|hinging)\b",
    re.I,
)
_OTHER_VERBS = {
    "press": "Press",
    "push": "Push",
    "pull": "Pull",
    "row": "Pull",
    "extend": "Extend",
    "flex": "Flex",
    "kick": "Kick",
    "rotate": "Rotate",
    "twist": "Twist",
    "swing": "Swing",
    "squeeze": "Squeeze",
    "move": "Move",
}
_OTHER = re.compile(
    r"\b(" + "|".join(_OTHER_VERBS) + r")(?:es|s|ing)?\b",
    re.I,
)


_POSTURE = re.compile(
    r"\b(?:head|chest|eyes|face|gaze)(?: and (?:head|chest))? (?:up|down|upward|facing \w+)\b",
    re.I,
)
"""Posture held through the set ("head up", "chest up"), not the movement."""


def direction(moves: Sequence[str]) -> Direction | str | None:
    """Which way the first movement goes: ``down``, ``up``, a verb for one that goes
    neither way (``Press``, ``Pull``), or None when the words do not say."""
    for text in moves:
        if _NOT_MOVEMENT.match(text):
            continue
        text = _POSTURE.sub("", text)
        if not _stands_alone(text) and "," in text:
            text = text.split(",", 1)[1]  # "Keeping your chest up, lower ...": the main clause
        elif _LEAD.match(text):
            text = _LEAD.sub("", text)
        hits = [m for m in (_UP.search(text), _DOWN.search(text)) if m]
        if hits:
            first = min(hits, key=lambda m: m.start())
            return "up" if _UP.fullmatch(first.group()) else "down"
        if other := _OTHER.search(text):
            return _OTHER_VERBS[other[1].lower()]
    return None
