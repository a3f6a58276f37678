"""Make a phrase fit for sample-exact placing: trimmed to its sound, at one loudness.

Engines pad their output with silence, and each says its phrases at a
different level. A count must land on its beat to the sample, so the first
sample of a stored phrase is its first audible one; and every phrase is
brought to the same speech loudness, with its peak kept low enough that a
countdown tick laid under it never clips.
"""

from __future__ import annotations

import numpy as np

from voicecoach.voices.base import Pcm

TARGET_RMS = 3300
"""Loudness of the voiced part of a phrase: about -20 dBFS, usual for spoken word."""
PEAK_LIMIT = 26000
"""About -2 dBFS: room for the countdown tick (at most 6000) on top without clipping."""
EDGE_FRACTION = 0.004
"""Samples quieter than this share of the phrase's peak (-48 dB) at its ends are silence."""
EDGE_FLOOR = 48
"""...and never anything quieter than this (-57 dBFS), whatever the peak."""
FRAME_MS = 10
VOICED_FRACTION = 0.1
"""Frames louder than this share of the loudest frame count as voiced for the loudness."""


def tidy(pcm: Pcm, sample_rate: int) -> Pcm:
    """``pcm`` with its silent ends cut off and its loudness brought to ``TARGET_RMS``.

    The result's first and last samples are at least ``EDGE_FLOOR`` loud
    (unless the phrase is silence, which becomes one zero sample), and no
    sample is louder than ``PEAK_LIMIT``.
    """
    audio = np.asarray(pcm, dtype=np.float64).reshape(-1)
    if audio.size == 0 or not np.any(audio):
        return np.zeros(1, dtype=np.int16)
    peak = float(np.max(np.abs(audio)))
    audio = _trimmed(audio, EDGE_FRACTION * peak)
    rms = _voiced_rms(audio, sample_rate)
    gain = min(TARGET_RMS / rms, PEAK_LIMIT / peak) if rms > 0 else PEAK_LIMIT / peak
    scaled = _trimmed(np.rint(audio * gain), EDGE_FLOOR)
    if scaled.size == 0:
        return np.zeros(1, dtype=np.int16)
    out: Pcm = scaled.astype(np.int16)
    return out


def _trimmed(audio: np.ndarray, level: float) -> np.ndarray:
    """``audio`` from its first to its last sample at least ``level`` loud."""
    loud = np.flatnonzero(np.abs(audio) >= level)
    return audio[loud[0] : loud[-1] + 1] if loud.size else audio[:0]


def _voiced_rms(audio: np.ndarray, sample_rate: int) -> float:
    """RMS over the frames that carry the voice, so pauses inside a phrase do not count."""
    frame = max(1, sample_rate * FRAME_MS // 1000)
    whole = audio.size // frame * frame
    if whole == 0:
        return float(np.sqrt(np.mean(audio**2)))
    frames = np.sqrt(np.mean(audio[:whole].reshape(-1, frame) ** 2, axis=1))
    voiced = frames[frames >= VOICED_FRACTION * frames.max()]
    return float(np.sqrt(np.mean(voiced**2)))
