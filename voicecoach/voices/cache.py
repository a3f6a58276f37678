"""The phrase cache: each distinct phrase synthesized once, kept on disk, shared safely.

An entry is addressed by a hash of everything that changes its audio (the
cache format, the engine's ``identity()`` and the text), and stored as a
small header (magic, sample rate, length, CRC-32) followed by the tidied
16-bit samples. A truncated or damaged entry fails its length or checksum
test and is made again.

Entries are written to a temporary file and linked into place, and an
entry that already exists is never replaced by a fresh synthesis: some
engines (espeak-ng among them) do not give the very same samples twice,
and two exports running at once must agree on every phrase's length. The
first one written wins and everyone reads it.
"""

from __future__ import annotations

import errno
import os
import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import numpy as np

from voicecoach import paths
from voicecoach.digest import sha256_hex
from voicecoach.errors import InputError, VoicecoachError
from voicecoach.files.writer import Staged
from voicecoach.voices.base import Engine, Pcm
from voicecoach.voices.level import level_phrase

FORMAT = "voicecoach-phrase-5"
"""Part of every key: bump it when ``level_phrase`` or the entry layout changes."""
MAGIC = b"VCPH"
HEADER = struct.Struct("<4sIII")
"""magic, sample rate, number of samples, CRC-32 of the samples."""
MEMORY_BUDGET = 4 * 1024 * 1024
"""Bytes of phrase audio kept in memory, the most recently used: the counts and cues a
session says again and again. The rest is read again from disk (a read and a checksum,
tens of microseconds), so that memory does not grow with the number of phrases."""


class PhraseCache:
    """The ``Speech`` the compiler and renderer use: phrase lengths and audio from one engine.

    ``length(text)`` is exactly ``len(audio(text))`` for as long as this
    object lives. ``synth_calls`` counts the phrases this object had to
    synthesize (the rest came from disk or memory).

    Safe to share between threads (``play`` compiles, renders and answers
    keys on three): a phrase is made by one thread while any other that
    wants it waits, a phrase already made is read from memory or disk
    without waiting, and the engine makes one phrase at a time unless it
    says it can make several at once (``parallel``).
    """

    def __init__(
        self,
        engine: Engine,
        root: Path | None = None,
        on_synth: Callable[[str], None] | None = None,
        memory_budget: int = MEMORY_BUDGET,
    ) -> None:
        self.engine = engine
        self.identity = engine.identity()
        voice_key = sha256_hex(f"{FORMAT}\n{self.identity}")[:20]
        self.root = root or paths.cache_dir() / "phrases"
        self.folder = self.root / voice_key
        self.on_synth = on_synth
        self.synth_calls = 0
        self.disk_reads = 0
        self._budget = memory_budget
        self._held = 0
        self._lengths: dict[str, int] = {}
        self._audio: OrderedDict[str, Pcm] = OrderedDict()
        self._memory = threading.Lock()
        """Guards ``_lengths``, ``_audio``, ``_held`` and ``_making``."""
        self._making: dict[str, threading.Lock] = {}
        """One lock per phrase: one thread makes it, the others wait and read it."""
        self._engine = None if engine.parallel else threading.Lock()
        """One synthesis at a time, for an engine not made to be called from two threads."""

    @property
    def sample_rate(self) -> int:
        return self.engine.sample_rate

    def length(self, text: str) -> int:
        """How many samples ``text`` lasts with this voice (synthesizing it if it is new)."""
        known = self._lengths.get(text)
        if known is None:
            known = len(self._fetch(text))
        return known

    def audio(self, text: str) -> Pcm:
        """The phrase's samples: trimmed, levelled, ``length(text)`` long."""
        with self._memory:
            held = self._audio.get(text)
            if held is not None:
                self._audio.move_to_end(text)
                return held
        return self._fetch(text)

    def path(self, text: str) -> Path:
        """Where the entry for ``text`` lives."""
        key = sha256_hex(f"{FORMAT}\n{self.identity}\n{text}")
        return self.folder / f"{key}.pcm"

    def _fetch(self, text: str) -> Pcm:
        path = self.path(text)
        pcm = read_entry(path, self.sample_rate)
        if pcm is not None:
            with self._memory:
                self.disk_reads += 1
        else:
            with self._memory:
                making = self._making.setdefault(text, threading.Lock())
            with making:
                with self._memory:  # another thread may have just made it
                    pcm = self._audio.get(text)
                if pcm is None:
                    pcm = read_entry(path, self.sample_rate)
                if pcm is None:
                    if self._engine is None:
                        pcm = self._synthesize(text, path)
                    else:
                        with self._engine:
                            pcm = self._synthesize(text, path)
        with self._memory:
            known = self._lengths.setdefault(text, len(pcm))
            if len(pcm) != known:
                # Another process replaced a damaged entry after we read its length:
                # the length already handed out wins, so the timeline still holds.
                pcm = _fit(pcm, known)
            self._hold(text, pcm)
        return pcm

    def _synthesize(self, text: str, path: Path) -> Pcm:
        try:
            damaged = path.exists()
        except OSError as error:
            raise cache_error(self.root, self.folder, error) from None
        if self.on_synth is not None:
            self.on_synth(text)
        made = level_phrase(self.engine.synthesize(text), self.sample_rate)
        with self._memory:
            self.synth_calls += 1
        return write_entry(path, made, self.sample_rate, replace=damaged)

    def _hold(self, text: str, pcm: Pcm) -> None:
        self._audio[text] = pcm
        self._held += pcm.nbytes
        while self._held > self._budget and len(self._audio) > 1:
            _, old = self._audio.popitem(last=False)
            self._held -= old.nbytes


def cache_error(root: Path, folder: Path, error: OSError) -> VoicecoachError:
    """What a user reads when the phrase cache cannot be looked into: which folder, and
    what to do (the cache is safe to delete)."""
    if error.errno not in (errno.EACCES, errno.EPERM):
        return VoicecoachError(f"cannot read the phrase cache in {folder}: {error.strerror}")
    blocked = next((f for f in (root.parent, root, folder) if _unusable(f)), folder)
    try:
        theirs = blocked.stat().st_uid != os.getuid()
    except (OSError, AttributeError):
        theirs = False
    fix = f"sudo chown -R $USER {blocked}" if theirs else f"chmod -R u+rwX {blocked}"
    return InputError(
        f"cannot read the phrase cache in {blocked}: permission denied; make it yours "
        f"again (`{fix}`) or delete it: the cache is safe to delete"
    )


def _unusable(folder: Path) -> bool:
    """Whether ``folder`` exists but this user cannot list and enter it."""
    try:
        return folder.is_dir() and not os.access(folder, os.R_OK | os.X_OK)
    except OSError:
        return False


def read_entry(path: Path, sample_rate: int) -> Pcm | None:
    """The samples stored at ``path``, or None if it is missing, damaged or for another rate."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if len(raw) < HEADER.size:
        return None
    magic, rate, count, crc = HEADER.unpack_from(raw)
    body = raw[HEADER.size :]
    if magic != MAGIC or rate != sample_rate or len(body) != 2 * count or count == 0:
        return None
    if zlib.crc32(body) != crc:
        return None
    pcm: Pcm = np.frombuffer(body, dtype="<i2").astype(np.int16)
    return pcm


def write_entry(path: Path, pcm: Pcm, sample_rate: int, replace: bool = False) -> Pcm:
    """Store ``pcm`` at ``path`` atomically and return what is stored there now.

    If a good entry appeared meanwhile (another process made the same
    phrase), that one is kept and returned, unless ``replace`` says the
    existing file is damaged.
    """
    body = np.ascontiguousarray(pcm, dtype="<i2").tobytes()
    data = HEADER.pack(MAGIC, sample_rate, len(pcm), zlib.crc32(body)) + body
    staged = Staged(path, replace=replace)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        staged.make()
        staged.tmp.write_bytes(data)
        if staged.put():
            return pcm
        existing = read_entry(path, sample_rate)
        if existing is not None:
            return existing
        staged.replace = True
        staged.put()
        return pcm
    except OSError:
        # A read-only or full cache folder costs speed, not correctness.
        return pcm
    finally:
        staged.discard()


def _fit(pcm: Pcm, length: int) -> Pcm:
    if len(pcm) >= length:
        return pcm[:length]
    out: Pcm = np.concatenate([pcm, np.zeros(length - len(pcm), dtype=np.int16)])
    return out
