"""MP3 through LAME (lameenc), with the Info tag that makes it gapless and seekable.

libsndfile's MP3 writer runs at about 240x real time on a session; LAME
called directly, with a speech-suited VBR setting, is several times
faster. lameenc gives bare MPEG frames, though: without an Info (Xing/LAME)
tag in front, a player neither knows the length nor removes the encoder's
delay, and every prompt would sound 1105 samples late. So the file starts
with a frame holding that tag (frame count, byte count, a seek table and
LAME's delay and padding), written last over a placeholder.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from pathlib import Path

from voicecoach.voices.base import Pcm

QUALITY = 7
"""LAME's algorithm quality (0 best, 9 fastest): 7 is fast and plenty for one voice."""
VBR_QUALITY = 7
"""VBR quality (0 best, 9 smallest): about 25 kbit/s over a session of speech and silence."""
ENCODER_DELAY = 576
"""The samples LAME puts before the first input sample (its ENCDELAY); the decoder adds 529."""
TAG_BITRATE = 64
"""kbit/s of the tag frame: big enough to hold the tag at every sample rate."""

_BITRATES = {
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES = {1: (44100, 48000, 32000), 2: (22050, 24000, 16000), 25: (11025, 12000, 8000)}


def write_mp3(path: Path, sample_rate: int, chunks: Iterable[Pcm]) -> None:
    """Encode mono 16-bit ``chunks`` at ``sample_rate`` into ``path``: VBR MP3, Info tag first."""
    import lameenc

    encoder = lameenc.Encoder()
    encoder.set_in_sample_rate(sample_rate)
    # LAME would resample to a lower rate at a low VBR quality; prompts are placed by sample.
    encoder.set_out_sample_rate(sample_rate)
    encoder.set_channels(1)
    encoder.set_quality(QUALITY)
    encoder.set_vbr(4)
    encoder.set_vbr_quality(VBR_QUALITY)
    version = _version_for(sample_rate)
    tag_size = _frame_size(version, TAG_BITRATE * 1000, sample_rate, 0)
    samples = 0
    with open(path, "wb") as out:
        out.write(bytes(tag_size))
        for chunk in chunks:
            samples += len(chunk)
            out.write(encoder.encode(chunk.tobytes()))
        out.write(encoder.flush())
    with open(path, "r+b") as out:
        out.seek(tag_size)
        audio = out.read()
        offsets = _frame_offsets(audio)
        per_frame = 1152 if version == 1 else 576
        padding = len(offsets) * per_frame - samples - ENCODER_DELAY
        out.seek(0)
        out.write(_info_frame(version, sample_rate, tag_size, audio, offsets, max(0, padding)))


def _version_for(rate: int) -> int:
    for version, rates in _RATES.items():
        if rate in rates:
            return version
    raise ValueError(f"MP3 has no {rate} Hz")


def _frame_size(version: int, bitrate: int, rate: int, padding: int) -> int:
    if version == 1:
        return 144 * bitrate // rate + padding
    return 72 * bitrate // rate + padding


def _frame_offsets(audio: bytes) -> list[int]:
    """Where each MPEG frame starts in ``audio``, read from the frame headers."""
    offsets = []
    at = 0
    while at + 4 <= len(audio):
        if audio[at] != 0xFF or audio[at + 1] & 0xE0 != 0xE0:
            break
        bits = (audio[at + 1] >> 3) & 3
        version = {3: 1, 2: 2, 0: 25}.get(bits)
        if version is None:
            break
        index, rate_index = audio[at + 2] >> 4, (audio[at + 2] >> 2) & 3
        if index in (0, 15) or rate_index == 3:
            break
        bitrate = _BITRATES[1 if version == 1 else 2][index] * 1000
        rate = _RATES[version][rate_index]
        offsets.append(at)
        at += _frame_size(version, bitrate, rate, (audio[at + 2] >> 1) & 1)
    return offsets


def _info_frame(
    version: int, rate: int, size: int, audio: bytes, offsets: list[int], padding: int
) -> bytes:
    """A silent frame carrying the Xing and LAME tags for the ``audio`` frames after it."""
    frame = bytearray(size)
    bits = {1: 3, 2: 2, 25: 0}[version]
    index = _BITRATES[1 if version == 1 else 2].index(TAG_BITRATE)
    frame[0:4] = bytes(
        [0xFF, 0xE0 | bits << 3 | 0b011, index << 4 | _RATES[version].index(rate) << 2, 0xC4]
    )
    at = 4 + (17 if version == 1 else 9)
    total = size + len(audio)
    toc = bytes(
        min(255, (size + offsets[len(offsets) * i // 100]) * 256 // total) if offsets else 0
        for i in range(100)
    )
    xing = b"Xing" + struct.pack(">III", 0x0F, len(offsets), total) + toc
    xing += struct.pack(">I", 100 - VBR_QUALITY * 10)
    frame[at : at + len(xing)] = xing
    at += len(xing)
    lame = bytearray(36)
    lame[0:9] = b"LAME3.100"
    lame[9] = 0x04  # tag revision 0, VBR (mtrh)
    lame[10] = 80  # lowpass, in 100 Hz
    lame[21:24] = bytes(
        [ENCODER_DELAY >> 4, (ENCODER_DELAY & 0xF) << 4 | padding >> 8 & 0xF, padding & 0xFF]
    )
    lame[28:32] = struct.pack(">I", total)
    # The music CRC (lame[32:34]) is left 0: players do not check it, and it would cost
    # a pass over the whole file in Python.
    frame[at : at + 34] = lame[:34]
    frame[at + 34 : at + 36] = struct.pack(">H", _crc16(bytes(frame[: at + 34])))
    return bytes(frame)


def _crc16(data: bytes) -> int:
    """CRC-16 (poly 0x8005, reflected), as the LAME tag stores it."""
    table = _CRC_TABLE
    crc = 0
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc


def _make_table() -> list[int]:
    table = []
    for n in range(256):
        crc = n
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC_TABLE = _make_table()
