"""Make a phrase fit for sample-exact placing: trimmed to its sound, at one loudness, limited.

Engines pad their output with silence and with sound too quiet to hear
(piper leaves a 5-25 ms lead-in at -50 to -60 dBFS and up to 180 ms of
tail), and each says its phrases at a different level. A count must land
on its beat to the sample, so the first sample of a stored phrase is where
its sound starts; and every phrase is brought to the loudness a phone's
podcast player expects (``TARGET_LUFS``, ITU-R BS.1770 K-weighted and
gated, as a meter measures it), with its true peak (between the samples,
found by oversampling) held under ``CEILING_DBTP`` by a look-ahead limiter
whose gain moves smoothly, so the loud syllables are turned down without
clipping or distortion.

Because phrases never overlap, a session made of levelled phrases has
their loudness and peak: the renderer only places them, and limits again
only where it adds something under a phrase (the countdown tick).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import numpy.typing as npt

from voicecoach.voices.base import Pcm

Floats = npt.NDArray[np.float64]

TARGET_LUFS = -19.3
"""Each phrase's loudness as a meter hears it in a session (``heard_loudness``). Phrases sit
closer together than the silence that measure puts around them, so a session comes out a
little louder: -19 LUFS integrated (monday: -19.0), the mono equivalent of the -16 LUFS
stereo podcast norm."""
CEILING_DBTP = -2.0
"""The limiter's ceiling for the true peak: -1 dBTP with room for an mp3 encoder's overshoot
(monday's mp3 peaked 0.5 dB over its wav, and music under the voice adds a little)."""
ONSET_DBFS = -45.0
"""A phrase starts at the first ``EDGE_MS`` frame this loud (after levelling): the lead-in
below it is inaudible under any room noise, and a beat word must sound on its sample."""
END_DBFS = -45.0
"""...and ends after the last frame this loud, with ``FADE_MS`` of what follows faded out."""
EDGE_MS = 2.5
FADE_MS = 5.0
OVERSAMPLE = 4
LOOKAHEAD_MS = 1.5
"""The limiter's gain starts to fall this long before a peak..."""
HOLD_MS = 20.0
"""...holds for this long (so it does not flutter on every cycle of a vowel)..."""
RELEASE_MS = 40.0
"""...and comes back up over this long."""
BLOCK_S, STEP_S = 0.4, 0.1
ABSOLUTE_GATE, RELATIVE_GATE = -70.0, -10.0
FULL_SCALE = 32768.0
K_TAIL = 16384
"""Samples of silence after the audio in which the K-weighting's response dies away."""


def level_phrase(pcm: Pcm, sample_rate: int) -> Pcm:
    """``pcm`` cut to its audible sound, at ``TARGET_LUFS``, true peak under ``CEILING_DBTP``.

    Silence (or sound too quiet to hear anywhere) becomes one zero sample.
    """
    audio = np.asarray(pcm, dtype=np.float64).reshape(-1) / FULL_SCALE
    if audio.size == 0 or not np.any(audio):
        return np.zeros(1, dtype=np.int16)
    audio = audio / float(np.max(np.abs(audio)))
    level = heard_loudness(audio, sample_rate)
    if not math.isfinite(level):
        return np.zeros(1, dtype=np.int16)
    # Trimmed at about the loudness it will have, so the edge levels mean the same for
    # every engine; then levelled again without the silence that was cut.
    audio = trim(audio * _gain(TARGET_LUFS - level), sample_rate)
    if audio.size == 0:
        return np.zeros(1, dtype=np.int16)
    # The limiter turns the loudest syllables down, and with them the phrase: make that up
    # and limit again, so a peaky phrase ends as loud as a flat one.
    audio = audio * _gain(TARGET_LUFS - heard_loudness(audio, sample_rate))
    for _ in range(3):
        limited = limit(audio, sample_rate)
        if limited is audio:
            break  # nothing was over the ceiling: the phrase is at the loudness just set
        audio = limited
        short = TARGET_LUFS - heard_loudness(audio, sample_rate)
        if short < 0.1:
            break
        audio = audio * _gain(short)
    audio = limit(audio, sample_rate)
    out: Pcm = np.clip(np.rint(audio * FULL_SCALE), -32768, 32767).astype(np.int16)
    return out


def trim(audio: Floats, sample_rate: int) -> Floats:
    """``audio`` (floats, full scale 1) from its onset to its end, as ``ONSET_DBFS`` says."""
    frame = max(1, round(sample_rate * EDGE_MS / 1000))
    whole = audio.size // frame
    if whole == 0:
        return audio if np.max(np.abs(audio)) >= _gain(ONSET_DBFS) else audio[:0]
    rms = np.sqrt(np.mean(audio[: whole * frame].reshape(whole, frame) ** 2, axis=1))
    loud = np.flatnonzero(rms >= _gain(ONSET_DBFS))
    ending = np.flatnonzero(rms >= _gain(END_DBFS))
    if loud.size == 0 or ending.size == 0:
        return audio[:0]
    first = int(loud[0]) * frame
    # The sound starts on the frame's first sample that is itself at the onset level.
    strong = np.flatnonzero(np.abs(audio[first : first + frame]) >= _gain(ONSET_DBFS))
    start = first + (int(strong[0]) if strong.size else 0)
    end = (int(ending[-1]) + 1) * frame
    fade = min(audio.size - end, round(sample_rate * FADE_MS / 1000))
    out = audio[start : end + fade].copy()
    if fade > 0:
        out[out.size - fade :] *= np.linspace(1.0, 0.0, fade + 1)[1:]
    return out


def limit(audio: Floats, sample_rate: int, ceiling_dbtp: float = CEILING_DBTP) -> Floats:
    """``audio`` with its true peak brought under ``ceiling_dbtp`` by a smooth look-ahead gain.

    The peak is found between the samples too, by ``OVERSAMPLE`` times
    oversampling; the gain needed at each sample is held, averaged over the
    look-ahead (so it never rises above what any peak needs) and released
    slowly, so it changes gently enough not to be heard as distortion.
    """
    ceiling = _gain(ceiling_dbtp)
    peaks = true_peaks(audio, sample_rate)
    if audio.size == 0 or float(np.max(peaks)) <= ceiling:
        return audio
    need = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    ahead = max(1, round(sample_rate * LOOKAHEAD_MS / 1000))
    hold = max(1, round(sample_rate * HOLD_MS / 1000))
    release = max(1, round(sample_rate * RELEASE_MS / 1000))
    # Each sample's gain is the least needed anywhere from `ahead` before it to `hold`
    # after it; a box average of `ahead` samples then smooths the attack without ever
    # letting the gain exceed what a peak in its window needs.
    padded = np.concatenate([np.ones(hold), need, np.ones(ahead)])
    held = _running_min(padded, hold + ahead + 1)[: need.size]
    gain = _box(held, ahead)
    gain = np.minimum(gain, _release(gain, release))
    # The box average is ≤ every value in its window; `held` covers each peak for the
    # whole window, so the product stays under the ceiling; a last guard for rounding.
    out = audio * gain
    over = float(np.max(true_peaks(out, sample_rate)))
    if over > ceiling:
        out *= ceiling / over
    return out


def true_peaks(audio: Floats, sample_rate: int) -> Floats:
    """Each sample's true peak: the largest magnitude of the oversampled signal around it."""
    if audio.size < 2:
        return np.abs(audio)
    import soxr

    up = soxr.resample(audio, sample_rate, sample_rate * OVERSAMPLE, quality="HQ")
    np.abs(up, out=up)  # in place: four times the phrase, twice over, for a long one
    n = min(up.size // OVERSAMPLE, audio.size)
    frames = up[: n * OVERSAMPLE].reshape(n, OVERSAMPLE)
    # Column by column: numpy's max along a short last axis is several times slower.
    around = frames[:, 0].copy()
    for k in range(1, OVERSAMPLE):
        np.maximum(around, frames[:, k], out=around)
    peaks = np.abs(audio)
    # The oversampled points after sample i lie between it and i + 1: both answer for them.
    peaks[:n] = np.maximum(peaks[:n], around)
    m = min(n, audio.size - 1)
    peaks[1 : m + 1] = np.maximum(peaks[1 : m + 1], around[:m])
    return peaks


def heard_loudness(audio: Floats, sample_rate: int) -> float:
    """The loudness of a phrase the way a meter measures it inside a session.

    The meter's 400 ms blocks take in the silence around a short count, so
    a 250 ms "two" measures quieter in the session than on its own: it is
    measured with silence either side, as it will be heard.
    """
    quiet = round(BLOCK_S * sample_rate)
    return loudness(audio, sample_rate, quiet)


def loudness(audio: Floats, sample_rate: int, quiet: int = 0) -> float:
    """Integrated loudness in LUFS (ITU-R BS.1770-4) of mono ``audio``, full scale 1, with
    ``quiet`` samples of silence either side.

    A phrase shorter than a meter's 400 ms block is measured as one block.
    """
    weighted = k_weighted(audio, sample_rate, quiet)
    block = min(weighted.size, round(BLOCK_S * sample_rate))
    if block == 0:
        return -math.inf
    step = max(1, round(STEP_S * sample_rate))
    starts = np.arange(0, weighted.size - block + 1, step)
    power = np.cumsum(np.concatenate([[0.0], np.square(weighted, out=weighted)]))
    z = (power[starts + block] - power[starts]) / block
    with np.errstate(divide="ignore"):
        levels = -0.691 + 10 * np.log10(z)
    z = z[levels > ABSOLUTE_GATE]
    if z.size == 0:
        return -math.inf
    relative = -0.691 + 10 * math.log10(float(np.mean(z))) + RELATIVE_GATE
    with np.errstate(divide="ignore"):
        z = z[-0.691 + 10 * np.log10(z) > relative]
    return -0.691 + 10 * math.log10(float(np.mean(z)))


def k_weighted(audio: Floats, sample_rate: int, quiet: int = 0) -> Floats:
    """``audio`` with ``quiet`` samples of silence either side, through BS.1770's
    K-weighting (a 4 dB high shelf and a 38 Hz high-pass).

    The two biquads are applied at once in the frequency domain, with enough
    padding for their responses to die away, so only numpy is needed. The
    silence before is silence after them too, and the silence after is
    where their response to the audio rings on: only the audio is
    transformed (half the size, for a short phrase, of it with its silence).
    """
    size = 1 << int(math.ceil(math.log2(audio.size + max(quiet, K_TAIL))))
    spectrum = np.fft.rfft(audio, size)
    spectrum *= _k_response(sample_rate, size)
    out: Floats = np.zeros(quiet + audio.size + quiet)
    out[quiet:] = np.fft.irfft(spectrum, size)[: audio.size + quiet]
    return out


@functools.lru_cache(maxsize=3)
def _k_response(sample_rate: int, size: int) -> npt.NDArray[np.complex128]:
    """The K-weighting's frequency response on an FFT of ``size``: a phrase is measured
    five to ten times while it is levelled, and phrases share a handful of sizes."""
    w = np.linspace(0, math.pi, size // 2 + 1)
    z1, z2 = np.exp(-1j * w), np.exp(-2j * w)
    response = np.ones_like(z1)
    for b, a in _k_filters(sample_rate):
        response *= (b[0] + b[1] * z1 + b[2] * z2) / (a[0] + a[1] * z1 + a[2] * z2)
    response.flags.writeable = False
    return response


def _k_filters(rate: int) -> list[tuple[tuple[float, float, float], tuple[float, float, float]]]:
    """The shelf and high-pass of BS.1770 at ``rate``, as (b, a) coefficients."""
    shelf_gain, shelf_q, shelf_f = 4.0, 1 / math.sqrt(2), 1500.0
    a_ = 10 ** (shelf_gain / 40)
    w0 = 2 * math.pi * shelf_f / rate
    alpha = math.sin(w0) / (2 * shelf_q)
    cos = math.cos(w0)
    shelf = (
        (
            a_ * ((a_ + 1) + (a_ - 1) * cos + 2 * math.sqrt(a_) * alpha),
            -2 * a_ * ((a_ - 1) + (a_ + 1) * cos),
            a_ * ((a_ + 1) + (a_ - 1) * cos - 2 * math.sqrt(a_) * alpha),
        ),
        (
            (a_ + 1) - (a_ - 1) * cos + 2 * math.sqrt(a_) * alpha,
            2 * ((a_ - 1) - (a_ + 1) * cos),
            (a_ + 1) - (a_ - 1) * cos - 2 * math.sqrt(a_) * alpha,
        ),
    )
    pass_q, pass_f = 0.5, 38.0
    w0 = 2 * math.pi * pass_f / rate
    alpha = math.sin(w0) / (2 * pass_q)
    cos = math.cos(w0)
    highpass = (
        ((1 + cos) / 2, -(1 + cos), (1 + cos) / 2),
        (1 + alpha, -2 * cos, 1 - alpha),
    )
    return [shelf, highpass]


def _gain(db: float) -> float:
    return float(10 ** (db / 20))


def _running_min(values: Floats, width: int) -> Floats:
    """``out[i] = min(values[i : i + width])`` (shorter at the end), in O(n log width)."""
    padded = np.concatenate([values, np.full(width, np.inf)])
    span = 1
    table = padded
    while span * 2 <= width:
        table = np.minimum(table[:-span], table[span:])
        span *= 2
    # `table[i]` is the least of `span` values from i; two overlapping spans cover `width`.
    out: Floats = np.minimum(table[: values.size], table[width - span : width - span + values.size])
    return out


def _box(values: Floats, width: int) -> Floats:
    """``out[i]`` = the mean of ``values[i - width + 1 : i + 1]`` (the first value repeated)."""
    padded = np.concatenate([np.full(width - 1, values[0]), values])
    total = np.cumsum(np.concatenate([[0.0], padded]))
    out: Floats = (total[width:] - total[:-width]) / width
    return out


def _release(gain: Floats, samples: int) -> Floats:
    """The gain let back up no faster than a linear ramp over ``samples`` per unit."""
    # A running minimum of (gain[j] + (i - j) / samples) over earlier j: the gain may
    # fall at once but rises at most 1/samples per sample.
    ramp = np.arange(gain.size) / samples
    out: Floats = np.minimum.accumulate(gain - ramp) + ramp
    return out
