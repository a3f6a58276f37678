"""Synthesize a session's new phrases on several cores before it is compiled.

The compiler asks for phrase lengths one at a time, in order, so on a cold
cache one core synthesizes while the other waits. Most of what a session
says is known before it is compiled for real: a pass with estimated
lengths lists it. Those phrases are handed out to worker processes, each
with its own engine, which write them into the shared phrase cache; the
real compile then reads them from there (and synthesizes itself the few
the estimate did not foresee).

espeak-ng speaks one phrase at a time per process, so pyttsx3 gains a
worker per core. piper's runtime already spreads each phrase over the
cores, and a second model would cost another 150 MB, so it keeps one
(``scripts/bench.py`` measures both).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from voicecoach.errors import VoicecoachError
from voicecoach.voices.cache import PhraseCache, read_entry

ENGINES = ("pyttsx3", "piper")
"""The engines a worker process can open by name (a test's fake engine cannot)."""

PARALLEL_ENGINES = ("pyttsx3",)
"""Engines that speak one phrase on one core, and so gain from a process per core (piper
already uses every core for each phrase)."""


def default_workers(engine: str) -> int:
    """How many processes synthesize for ``engine`` on this machine."""
    if engine not in PARALLEL_ENGINES:
        return 1
    return max(1, min(4, os.cpu_count() or 1))


def synthesize_ahead(speech: PhraseCache, texts: Iterable[str], workers: int) -> int:
    """Synthesize the phrases of ``texts`` not cached yet in ``workers`` processes.

    Returns how many were handed out. With one worker, or one phrase to
    make, nothing happens here: the compiler synthesizes as it goes.
    """
    missing = [
        t for t in dict.fromkeys(texts) if read_entry(speech.path(t), speech.sample_rate) is None
    ]
    if workers < 2 or len(missing) < 2 or speech.engine.name not in ENGINES:
        return 0
    engine = speech.engine
    spec = (engine.name, engine.voice, engine.rate, speech.identity)
    root = speech.folder.parent
    shares = [missing[i::workers] for i in range(min(workers, len(missing)))]
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(len(shares), mp_context=context) as pool:
            for done in [pool.submit(_synthesize, spec, root, share) for share in shares]:
                done.result()
    except (OSError, RuntimeError, VoicecoachError, BrokenProcessPool):
        # Workers only save time: whatever they did not make, the compiler makes itself
        # (and reports properly, if the engine fails there too).
        return 0
    return len(missing)


def _synthesize(spec: tuple[str, str, int | None, str], root: Path, texts: list[str]) -> None:
    import sys

    from voicecoach.voices import open_engine

    # This process's stdout is the command's (``show --json`` prints there); engines'
    # chatter (pyttsx3's "Audio saved to ...", from its own thread) must not reach it.
    sys.stdout = open(os.devnull, "w")

    name, voice, rate, identity = spec
    cache = PhraseCache(open_engine(name, voice, rate), root=root)
    if cache.identity != identity:
        # Not the same voice as the parent's (a different engine version in this process):
        # what it made would never be read, so make nothing.
        return
    for text in texts:
        cache.length(text)
