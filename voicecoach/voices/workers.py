"""Synthesize a session's new phrases on several cores as it is compiled.

The compiler asks for phrase lengths one at a time, in order, so on a cold
cache one core synthesizes while the other waits. Most of what a session
says is known before it is compiled for real: a pass with estimated
lengths lists it. This process and worker processes, each
with its own engine, make those phrases into the shared phrase cache; the
real compile then reads them from there (and synthesizes itself the few
the estimate did not foresee).

espeak-ng speaks one phrase at a time per process, so pyttsx3 gains a
process per core. A worker takes half a second to start, against 30 ms a
phrase, so this process does not wait for it: it works from the front
while the worker works from the back. A second piper model would cost
another 85 MB, but one model may run on several threads at once
(``parallel``): piper gets threads in this process instead, making the
list from the back while the compile itself makes what it needs from the
front, the phrases the estimate did not foresee among them
(``scripts/bench.py`` measures both).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from voicecoach.voices.cache import PhraseCache

ENGINES = ("pyttsx3", "piper")
"""The engines a worker process can open by name (a test's fake engine cannot), and that
gain from a process or a thread per core."""


def default_workers(engine: str) -> int:
    """How many processes (or threads) synthesize for ``engine`` on this machine: one per
    core for the real engines."""
    if engine not in ENGINES:
        return 1
    return max(1, min(4, os.cpu_count() or 1))


def synthesize_ahead(speech: PhraseCache, texts: Iterable[str], workers: int) -> int:
    """Synthesize the phrases of ``texts`` not cached yet, in this process and ``workers - 1``
    other processes, each with an engine of its own (a ``parallel`` engine gets threads
    instead, from ``ahead_of_compile``).

    Returns how many were missing. With one worker, or one phrase to make,
    nothing happens here: the compiler synthesizes as it goes.

    The list is cut into ``workers`` runs. Each other process starts up (half
    a second, an engine of its own) and makes its run from the end backwards;
    this process, whose engine is already open, starts at once from the
    front and goes on into the next run, until it meets phrases the other
    made. Nobody waits for anybody, and whatever a process did not make
    (it failed, or was slow to start) this one makes.
    """
    missing = _missing(speech, texts)
    if workers < 2 or len(missing) < 2 or speech.engine.name not in ENGINES:
        return 0
    engine = speech.engine
    spec = (engine.name, engine.voice, engine.rate, speech.identity)
    root = speech.folder.parent
    count = min(workers, len(missing))
    bounds = [len(missing) * i // count for i in range(count + 1)]
    runs = [missing[bounds[i] : bounds[i + 1]] for i in range(1, count)]
    context = multiprocessing.get_context("spawn")
    pool: ProcessPoolExecutor | None = None
    try:
        pool = ProcessPoolExecutor(len(runs), mp_context=context)
        for run in runs:
            pool.submit(_synthesize, spec, root, run[::-1])
    except (OSError, RuntimeError):
        pass  # no other process: this one makes them all
    try:
        for text in missing:
            if not speech.path(text).exists():
                speech.length(text)
    finally:
        if pool is not None:
            # The others stop at the first phrase they find made; at most one each is left.
            pool.shutdown(wait=True, cancel_futures=True)
    return len(missing)


@contextlib.contextmanager
def ahead_of_compile(
    speech: PhraseCache, texts: Iterable[str], workers: int, sure: Iterable[str] = ()
) -> Iterator[None]:
    """Have the phrases of ``texts`` made on ``workers`` cores for the body, which compiles the
    session and makes what it needs as it goes.

    ``texts`` are the phrases the compile may ask about, ``sure`` those it
    is sure to keep: when none of those is missing, nothing is made ahead
    (a warm cache never loads the voice for a phrase that may not be needed).

    A ``parallel`` engine gets ``workers - 1`` threads making the list from
    its end backwards while the body runs, and stopping where they meet
    what the compile made from the front (or when it ends): the phrases the
    estimate did not foresee are made by the compile while the others go
    on. Other engines: ``synthesize_ahead``, then the body.
    """
    texts = list(texts)
    if not _missing(speech, sure or texts):
        yield
        return
    if not speech.engine.parallel:
        synthesize_ahead(speech, texts, workers)
        yield
        return
    missing = _missing(speech, texts)
    if workers < 2 or len(missing) < 2:
        yield
        return
    with _from_the_back(speech, missing, workers - 1):
        yield


@contextlib.contextmanager
def _from_the_back(speech: PhraseCache, texts: list[str], count: int) -> Iterator[None]:
    """``count`` threads making ``texts`` from the end while the body runs; each stops at the
    first phrase it finds made, when the list is done, or when the body ends (after the
    phrase it is making). A phrase they fail on is left to whoever needs it."""
    todo = list(texts)
    lock = threading.Lock()
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            with lock:
                if not todo:
                    return
                text = todo.pop()
            if speech.path(text).exists():
                return  # met the front: the rest is made or being made
            try:
                speech.length(text)
            except Exception:
                continue  # the voice's error is said by the compile, if it needs the phrase

    threads = [
        threading.Thread(target=work, name="voicecoach-synth", daemon=True) for _ in range(count)
    ]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def _missing(speech: PhraseCache, texts: Iterable[str]) -> list[str]:
    """The phrases of ``texts`` with no entry in the cache, each once, in order. Only looked
    for, not read: the compile reads them next (and makes again one it finds damaged)."""
    return [t for t in dict.fromkeys(texts) if not speech.path(t).is_file()]


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
        if cache.path(text).exists():
            return  # the parent got this far: the rest is made
        cache.length(text)
