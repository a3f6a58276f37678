"""Equipment words: what counts as nothing, and which words name the same thing.

One home for the table, so that ``list --equipment``, the importer (which
writes the one name into the files it makes, and into what it makes
speakable) and anything that says the equipment aloud agree: ``bands``,
``band`` and ``resistance band`` are one thing, and so are ``body only`` and
``none``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

NONE_WORD = "none"
"""``--equipment none``: exercises that need nothing to be fetched."""

NOTHING = frozenset({"none", "body only", "bodyweight", "body weight", "no equipment", "mat"})
"""Equipment entries that mean nothing needs fetching (a mat is what the player assumes)."""

UNNAMED = frozenset({"other"})
"""Equipment recorded without a name (the Free Exercise DB's "other"): never spoken as such."""

GYM_ONLY = frozenset({"barbell", "cable", "machine", "e-z curl bar"})
"""Equipment found in a gym and not at home: an exercise that needs it is not for a mat."""

SYNONYMS: dict[str, tuple[str, ...]] = {
    "resistance band": ("band", "exercise band", "elastic band"),
    "exercise ball": ("stability ball", "swiss ball", "physioball", "physio ball", "fitness ball"),
    "foam roller": ("foam roll",),
    "medicine ball": ("med ball", "medine ball"),
    "kettlebell": ("kettle bell",),
    "dumbbell": ("dumb bell",),
    "e-z curl bar": ("ez curl bar", "ez bar", "e-z bar", "ez-bar"),
}
"""The one name for each piece of equipment, and the other words written for it.

Plurals need no entry: ``bands`` is ``band`` once singular.
"""


def singular(word: str) -> str:
    """A lowercase word's singular, near enough for matching: ``calves`` -> ``calf``."""
    if word.endswith("ves") and len(word) > 4:
        return word[:-3] + "f"
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def key(text: str) -> str:
    """Text as lowercase singular words with single spaces: ``Resistance-Bands`` ->
    ``resistance band``; how names are compared."""
    return " ".join(singular(w) for w in re.findall(r"[a-z0-9]+", text.lower()))


_CANONICAL = {key(other): name for name, others in SYNONYMS.items() for other in (name, *others)}


def canonical(text: str) -> str:
    """The one name for a piece of equipment (``bands`` -> ``resistance band``); a word not
    in the table comes back lowercase and trimmed, and one meaning nothing as ``none``."""
    plain = " ".join(text.lower().split())
    if key(plain) in {key(n) for n in NOTHING}:
        return NONE_WORD
    return _CANONICAL.get(key(plain), plain)


def is_nothing(text: str) -> bool:
    """Whether an equipment entry means nothing needs fetching (``body only``, ``none``...)."""
    return canonical(text) == NONE_WORD


def named(items: Iterable[str]) -> list[str]:
    """The equipment worth saying: the one name for each, nothing-words and unnamed left out,
    each once."""
    found: dict[str, None] = {}
    for item in items:
        name = canonical(item)
        if name != NONE_WORD and name not in UNNAMED:
            found.setdefault(name)
    return list(found)


def _spoken_pattern() -> re.Pattern[str]:
    # Only words that are not already a word of the one name ("the bands" stays as it is),
    # and the one names themselves, so that the longest spelling at a place wins.
    spellings = {
        other
        for name, others in SYNONYMS.items()
        for other in (name, *others)
        if " " in other.strip() or key(other) not in key(name).split()
    }
    spelled = [
        re.escape(w).replace(r"\ ", r"[\s-]?").replace(r"\-", r"[\s-]?")
        for w in sorted(spellings, key=len, reverse=True)
    ]
    return re.compile(
        rf"(?:\b(?P<article>an?) )?\b(?P<word>{'|'.join(spelled)})(?P<plural>s)?\b", re.I
    )


_SPOKEN = _spoken_pattern()


def unify_words(text: str) -> str:
    """Text with the other words for a piece of equipment replaced by its one name:
    ``Lie on a stability ball`` -> ``Lie on an exercise ball``."""

    def one_name(match: re.Match[str]) -> str:
        name = _CANONICAL[key(match["word"])]
        if match["word"].lower() == name:
            return match.group()
        said = name + ("s" if match["plural"] else "")
        if article := match["article"]:
            an = "an" if name[0] in "aeiou" else "a"
            said = f"{an.capitalize() if article[0].isupper() else an} {said}"
        return said

    return _SPOKEN.sub(one_name, text)
