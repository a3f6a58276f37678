#!/usr/bin/env python3
"""Count the commands the coach's own voice would give itself over whole sessions.

    python scripts/false_triggers.py                 # monday, wednesday and friday, with piper
    python scripts/false_triggers.py --engine pyttsx3 monday

Nobody speaks: the microphone hears only the coach through speakers, as
its echo (the rendered session, ``--delay-ms`` late and ``--echo-db``
quieter, over a little room noise). Each session is fed to the same
keyphrase spotter ``play --listen`` uses, twice: with the microphone shut
while a prompt sounds (from ``BEFORE_S`` before it to ``AFTER_S`` after,
as the player does), and left open, to show what the shutting is for.
Target: no command at all with the microphone shut. The run is offline,
so a 14-minute session takes well under that; the live path, in real time
through a private PulseAudio, is ``tests/test_listen.py``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import soxr

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voicecoach.model import VoiceSettings  # noqa: E402
from voicecoach.player.listen import AFTER_S, BEFORE_S, BLOCK_MS, COMMANDS, RATE, Spotter  # noqa: E402
from voicecoach.player.play import speaks  # noqa: E402
from voicecoach.session import prepare  # noqa: E402
from voicecoach.sound.render import render_all  # noqa: E402


def count(
    name: str, engine: str, delay_ms: int, echo_db: float
) -> tuple[str, float, list[str], list[str], float]:
    session = prepare(name, VoiceSettings(engine=engine))
    timeline = session.timeline
    stream = render_all(timeline, session.speech)
    rate = timeline.sample_rate
    room = soxr.resample(stream.astype(np.float32), rate, RATE) * 10 ** (echo_db / 20)
    room = np.concatenate([np.zeros(RATE * delay_ms // 1000, dtype=np.float32), room])
    noise = np.random.default_rng(15).normal(0, 30, len(room)).astype(np.float32)
    mic = np.clip(room + noise, -32768, 32767).astype(np.int16)
    block = RATE * BLOCK_MS // 1000
    heard: dict[bool, list[str]] = {True: [], False: []}
    shut_s = 0.0
    for gated in (True, False):
        spotter = Spotter(list(COMMANDS))
        for at in range(0, len(mic) - block + 1, block):
            piece = mic[at : at + block]
            # The player's own question, asked of the session position the block was heard at.
            now = (at + block) * rate // RATE
            if gated and speaks(
                timeline.events,
                now - int((AFTER_S + BLOCK_MS / 1000) * rate),
                now + int(BEFORE_S * rate),
            ):
                piece = np.zeros_like(piece)
                shut_s += BLOCK_MS / 1000
            phrase = spotter.feed(piece.tobytes())
            if phrase is not None:
                heard[gated].append(f"{phrase} at {at / RATE:.1f} s")
        spotter.close()
    return timeline.title, timeline.duration / rate, heard[True], heard[False], shut_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workouts", nargs="*", default=["monday", "wednesday", "friday"])
    parser.add_argument("--engine", default="piper")
    parser.add_argument("--delay-ms", type=int, default=60, help="the echo's delay")
    parser.add_argument("--echo-db", type=float, default=-6.0, help="the echo's level")
    args = parser.parse_args()
    total_s, total = 0.0, 0
    for name in args.workouts:
        began = time.monotonic()
        title, length_s, shut, open_, shut_s = count(name, args.engine, args.delay_ms, args.echo_db)
        total_s += length_s
        total += len(shut)
        print(f"{title} ({length_s / 60:.1f} min, {args.engine}):")
        print(f"  microphone shut while the coach speaks: {len(shut)} commands heard {shut}")
        print(f"    (shut {shut_s / length_s:.0%} of the session)")
        print(f"  microphone left open:                   {len(open_)} commands heard {open_}")
        print(f"  ({time.monotonic() - began:.0f} s)")
    verdict = "met" if total == 0 else "NOT met"
    print(
        f"false triggers over {total_s / 60:.1f} min with the microphone shut: {total} ({verdict})"
    )


if __name__ == "__main__":
    main()
