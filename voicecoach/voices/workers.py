"""Synthesize a session's new phrases on several cores as it is compiled.

The compiler asks for phrase lengths one at a time, in order, so on a cold
cache one core synthesizes while the other waits. Most of what a session
says is known before it is compiled for real: a pass with estimated
lengths lists it. This process and worker processes, each
with its own engine, make those phrases into the shared phrase cache; the
real compile then reads them from there (and synthesizes itself the few
the estimate did not foresee).

espeak-ng speaks one phrase at a time per process, so pyttsx3 gains a
process per core. A worker takes a third of a second to start, against 30 ms
a phrase, so this process does not wait for it: it works from the front
while the worker works from the back. A second piper model would cost
another 85 MB, but one model may run on several threads at once
(``parallel``): piper gets threads in this process instead, making the
list from the back while the compile itself makes what it needs from the
front, the phrases the estimate did not foresee among them
(``scripts/bench.py`` measures both).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from voicecoach.voices.cache import PhraseCache

ENGINES = ("pyttsx3", "piper")
"""The engines a worker process can open by name (a test's fake engine cannot), and that
gain from a process or a thread per core."""
WORKER = (
    "import json, sys\n"
    "order = json.load(sys.stdin)\n"
    "sys.path[:] = order['path']\n"
    "from voicecoach.voices.workers import _work\n"
    "_work(order)\n"
)
"""What a worker process runs: its order comes on its standard input."""
FINISH_SECONDS = 30.0
"""How long a worker may take over its last phrase once this process has made the rest."""


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

    The list is cut into ``workers`` runs. Each other process starts up (a
    third of a second, an engine of its own) and makes its run from the
    end backwards; this process, whose engine is already open, starts at
    once from the front and goes on into the next run, until it meets
    phrases the other made. Nobody waits for anybody, and whatever a
    process did not make (it failed, or was slow to start) this one makes.
    """
    missing = _missing(speech, texts)
    if workers < 2 or len(missing) < 2 or speech.engine.name not in ENGINES:
        return 0
    engine = speech.engine
    count = min(workers, len(missing))
    bounds = [len(missing) * i // count for i in range(count + 1)]
    others = []
    for i in range(1, count):
        order: dict[str, Any] = {
            "engine": engine.name,
            "voice": engine.voice,
            "rate": engine.rate,
            "identity": speech.identity,
            "root": str(speech.folder.parent),
            "texts": missing[bounds[i] : bounds[i + 1]][::-1],
            "path": sys.path,
        }
        with contextlib.suppress(OSError):
            others.append(_start(order))
    try:
        for text in missing:
            if not speech.path(text).exists():
                speech.length(text)
    except BaseException:
        # Stopped (Ctrl-C) or failed here: the others' work is not wanted now.
        for other in others:
            other.kill()
            other.wait()
        raise
    for other in others:
        _finish(other)
    return len(missing)


def _start(order: dict[str, Any]) -> subprocess.Popen[bytes]:
    """A process making ``order["texts"]`` (``_work``): this interpreter, with this process's
    module path, and not multiprocessing's start, which imports the command's own main module
    again before anything else (0.1 s more)."""
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER],
        stdin=subprocess.PIPE,
        # Its output is not the command's (``show --json`` prints there), nor are the
        # engine's prints ("Audio saved to ..."); what it fails on, this process makes.
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdin is not None
    with contextlib.suppress(OSError):
        process.stdin.write(json.dumps(order).encode())
        process.stdin.close()
    return process


def _finish(process: subprocess.Popen[bytes]) -> None:
    """Wait for a worker: it stops at the first phrase it finds made, so at most one phrase
    is left to it. One that does not end by then (a voice that hangs) is stopped."""
    try:
        process.wait(timeout=FINISH_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    except BaseException:
        process.kill()
        raise


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


def _work(order: dict[str, Any]) -> None:
    """A worker's job: make ``order["texts"]`` in order, until one is found made."""
    from voicecoach.voices import open_engine

    engine = open_engine(order["engine"], order["voice"], order["rate"])
    cache = PhraseCache(engine, root=Path(order["root"]))
    if cache.identity != order["identity"]:
        # Not the same voice as the parent's (a different engine version in this process):
        # what it made would never be read, so make nothing.
        return
    for text in order["texts"]:
        if cache.path(text).exists():
            return  # the parent got this far: the rest is made
        cache.length(text)
