"""Timeline + speech -> audio files for a phone: mp3, ogg, opus, flac or wav, with chapters.

MP3 goes through LAME directly (``sound/mp3.py``, several times faster than
through libsndfile); everything else through soundfile (libsndfile), so no
ffmpeg is needed. The stream from the renderer is encoded chunk by chunk, so memory stays
flat for any session length. Opus only takes 48 kHz (among a few low
rates), so its stream is resampled on the way with soxr's streaming
resampler.

An mp3 gets ID3v2.3 tags and a chapter (CHAP, under a CTOC table of
contents) per exercise, which podcast apps and headset skip buttons use;
ogg, opus and flac get the same as Vorbis comments (``CHAPTER001=...``).
``export_split`` writes one numbered file per chapter plus an ``.m3u8``
playlist, for players without chapter support.

Every file is written under a temporary name in its own folder and renamed
when it is complete, so an interrupted export never leaves a half file
under the final name.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach.errors import InputError, VoicecoachError
from voicecoach.files.writer import Staged, disk_full, write_error
from voicecoach.model import Chapter, Timeline
from voicecoach.sound.render import RenderOptions, render_chunks
from voicecoach.voices.base import Pcm, Speech

CHUNK = 1 << 16
"""Samples per write; libsndfile's Vorbis encoder crashes on single writes of millions."""
ARTIST = "voicecoach"

Progress = Callable[[int, int], None]
"""Called with (samples done, samples in all) as the export goes."""


@dataclass(frozen=True, slots=True)
class Format:
    """How one output format is written through libsndfile."""

    name: str
    container: str
    subtype: str
    rate: int | None = None
    """A fixed output sample rate (opus), or None for the voice's own rate."""
    settings: dict[str, Any] = field(default_factory=dict)
    description: str = ""


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        # Mono VBR, about 25 kbit/s over a session (mostly quiet): clear speech, small
        # files, and an Info tag that gives players the exact length and fast seeking.
        # Written by sound/mp3.py with lameenc; the soundfile settings are not used.
        Format(
            "mp3",
            "MP3",
            "MPEG_LAYER_III",
            settings={"bitrate_mode": "VARIABLE", "compression_level": 0.7},
            description="MP3, mono VBR (about 25 kbit/s), with ID3 chapters (plays everywhere)",
        ),
        Format(
            "ogg",
            "OGG",
            "VORBIS",
            settings={"compression_level": 0.6},
            description="Ogg Vorbis, with chapter comments",
        ),
        Format(
            "opus",
            "OGG",
            "OPUS",
            rate=48000,
            settings={"compression_level": 0.9},
            description="Ogg Opus at 48 kHz, about 24 kbit/s: the smallest, the slowest to make",
        ),
        Format("flac", "FLAC", "PCM_16", description="FLAC, lossless"),
        Format("wav", "WAV", "PCM_16", description="WAV, 16-bit, uncompressed"),
    )
}
DEFAULT_FORMAT = "mp3"


@dataclass(frozen=True, slots=True)
class Tags:
    """What a file says about itself: title, album, artist, and a track number when split."""

    title: str
    album: str
    artist: str = ARTIST
    track: tuple[int, int] | None = None


def get_format(name: str) -> Format:
    """The format called ``name``; ``InputError`` lists the choices otherwise."""
    found = FORMATS.get(name.strip().lower().lstrip("."))
    if found is None:
        raise InputError(f"unknown format {name!r}: choose one of {', '.join(FORMATS)}")
    return found


@dataclass(frozen=True, slots=True)
class Target:
    """Where an export goes: a file, or with ``split`` a folder for the parts."""

    path: Path
    fmt: str
    split: bool = False


def plan_target(
    name: str,
    output: str | None = None,
    fmt: str | None = None,
    split: bool = False,
    cwd: Path | None = None,
) -> Target:
    """``_plan_target``, with a name the file system refuses (too long) said in words."""
    try:
        return _plan_target(name, output, fmt, split, cwd)
    except OSError as error:
        raise write_error((cwd or Path.cwd()) / (output or name), error) from None


def _plan_target(
    name: str,
    output: str | None = None,
    fmt: str | None = None,
    split: bool = False,
    cwd: Path | None = None,
) -> Target:
    """Work out the file (or folder) and format from ``-o``, ``--format`` and ``--split``.

    No ``-o``: ``<name>.<ext>`` in ``cwd`` (``<name>/`` with ``split``). An
    ``-o`` that is a folder (it exists, or ends in a slash) gets
    ``<name>.<ext>`` inside it; otherwise it is the file, and its extension
    picks the format when ``--format`` is not given. With ``split``, ``-o``
    is the folder the parts go in.
    """
    here = cwd or Path.cwd()
    stem = safe_name(name) or "workout"
    chosen = get_format(fmt).name if fmt else None
    if split:
        folder = here / stem if output is None else here / Path(output).expanduser()
        if folder.exists() and not folder.is_dir():
            raise InputError(f"-o {output}: with --split, -o names a folder, and this is a file")
        return Target(folder, chosen or DEFAULT_FORMAT, True)
    if output is None:
        form = chosen or DEFAULT_FORMAT
        return Target(here / f"{stem}.{form}", form)
    path = here / Path(output).expanduser()
    if output.endswith(("/", os.sep)) or path.is_dir():
        form = chosen or DEFAULT_FORMAT
        return Target(path / f"{stem}.{form}", form)
    suffix = path.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        if chosen and chosen != suffix:
            raise InputError(
                f"-o {output} ends in .{suffix} but --format is {chosen}: "
                f"make them agree, or leave one out"
            )
        return Target(path, suffix)
    form = chosen or DEFAULT_FORMAT
    return Target(path.with_name(f"{path.name}.{form}"), form)


def check_target(target: Target, force: bool, names: Iterable[str] = ()) -> None:
    """Refuse up front what would fail at the end: a file in the way, or an unwritable folder.

    ``names`` are the files a split export will write into its folder.
    """
    try:
        _check_target(target, force, names)
    except OSError as error:
        raise write_error(target.path, error) from None


def _check_target(target: Target, force: bool, names: Iterable[str]) -> None:
    folder = target.path if target.split else target.path.parent
    if not target.split and target.path.is_dir():
        raise InputError(f"{target.path} is a folder; give a file name or end -o with a slash")
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"cannot write to {folder}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"cannot write to {folder}: permission denied")
    if force:
        return
    wanted = [folder / n for n in names] if target.split else [target.path]
    for path in wanted:
        if path.exists():
            raise InputError(f"{path} already exists; use --force to replace it")


def export_timeline(
    timeline: Timeline,
    speech: Speech,
    path: Path,
    fmt: str = DEFAULT_FORMAT,
    *,
    options: RenderOptions | None = None,
    force: bool = False,
    progress: Progress | None = None,
    tags: Tags | None = None,
) -> Path:
    """Render ``timeline`` with ``speech`` into one file at ``path``, with a chapter per chapter.

    Without ``force`` an existing file is an ``InputError`` (checked again at
    the moment of renaming, so a file made meanwhile is not overwritten).
    """
    form = get_format(fmt)
    path = Path(path)
    if path.exists() and not force:
        raise InputError(f"{path} already exists; use --force to replace it")
    tags = tags or Tags(title=timeline.title, album=timeline.title)
    _make_folder(path.parent)
    chunks = _rendered(timeline, speech, options, progress)
    _load_codecs()
    with _writing(path), Staged(path, force) as staged:
        _encode(staged.tmp, form, timeline.sample_rate, chunks, tags)
        _tag(staged.tmp, form, tags, timeline.chapters, timeline.sample_rate)
    return path


def _load_codecs() -> None:
    """Import the encoders and taggers before anything is written.

    A signal turned into ``KeyboardInterrupt`` in the middle of a C
    extension's import crashes the interpreter (soxr did, on SIGTERM), so
    those imports happen here, where an interrupt leaves nothing behind.
    """
    import lameenc
    import mutagen.flac
    import mutagen.id3
    import mutagen.oggopus
    import mutagen.oggvorbis
    import soundfile
    import soxr

    del lameenc, mutagen, soundfile, soxr


@contextlib.contextmanager
def _writing(path: Path) -> Iterator[None]:
    """A write that fails (a full disk, a name too long, a read-only disk) is a message.

    libsndfile says only "System error" when the disk fills, so the disk is
    looked at to say what happened.
    """
    folder = path if path.is_dir() else path.parent
    try:
        yield
    except OSError as error:
        if error.errno is None and disk_full(folder):
            error = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        raise write_error(path, error) from None
    except Exception as error:
        if type(error).__name__ not in ("LibsndfileError", "SoundFileRuntimeError", "MutagenError"):
            raise
        if disk_full(folder):
            raise write_error(path, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))) from None
        raise VoicecoachError(f"cannot write {path}: {error}") from None


@dataclass(frozen=True, slots=True)
class SplitResult:
    files: tuple[Path, ...]
    playlist: Path


def split_names(timeline: Timeline, fmt: str, stem: str) -> tuple[list[str], str]:
    """The file names ``export_split`` writes: numbered parts, then the playlist."""
    form = get_format(fmt)
    parts = _parts(timeline)
    width = max(2, len(str(len(parts))))
    names = [
        f"{i:0{width}d} {safe_name(part.title) or 'Part'}.{form.name}"
        for i, part in enumerate(parts, 1)
    ]
    return names, f"{safe_name(stem) or 'workout'}.m3u8"


def export_split(
    timeline: Timeline,
    speech: Speech,
    folder: Path,
    fmt: str = DEFAULT_FORMAT,
    *,
    stem: str = "workout",
    options: RenderOptions | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> SplitResult:
    """One numbered file per chapter in ``folder`` plus ``<stem>.m3u8`` listing them in order.

    The files are renamed into place only when all of them are complete.
    """
    form = get_format(fmt)
    folder = Path(folder)
    parts = _parts(timeline)
    names, playlist_name = split_names(timeline, fmt, stem)
    targets = [folder / n for n in names]
    playlist = folder / playlist_name
    if not force:
        for target in [*targets, playlist]:
            if target.exists():
                raise InputError(f"{target} already exists; use --force to replace it")
    _make_folder(folder)
    rate = timeline.sample_rate
    stream = _Pushback(_rendered(timeline, speech, options, progress))
    staged = [Staged(t, force) for t in targets]
    _load_codecs()
    try:
        with _writing(folder):
            for i, (part, stage) in enumerate(zip(parts, staged, strict=True)):
                stage.open()
                tags = Tags(title=part.title, album=timeline.title, track=(i + 1, len(parts)))
                _encode(stage.tmp, form, rate, _take(stream, part.end - part.start), tags)
                _tag(stage.tmp, form, tags, (), rate)
            lines = ["#EXTM3U", f"#PLAYLIST:{_one_line(timeline.title)}"]
            for part, name in zip(parts, names, strict=True):
                seconds = round((part.end - part.start) / rate)
                lines += [f"#EXTINF:{seconds},{_one_line(part.title)}", name]
            with Staged(playlist, force) as list_stage:
                list_stage.tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
                for stage in staged:
                    stage.commit()
    finally:
        for stage in staged:
            stage.discard()
    return SplitResult(tuple(targets), playlist)


def safe_name(text: str) -> str:
    """``text`` as a file name on any system: no separators, reserved or control characters."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", text)
    return " ".join(cleaned.split()).strip(" .")[:100]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _parts(timeline: Timeline) -> list[Chapter]:
    """The chapters as contiguous pieces covering the whole session, for splitting."""
    chapters = [c for c in sorted(timeline.chapters, key=lambda c: c.start)]
    chapters = [c for c in chapters if 0 <= c.start < timeline.duration]
    if not chapters:
        return [Chapter(timeline.title, 0, timeline.duration)]
    starts = [0] + [c.start for c in chapters[1:]]
    ends = starts[1:] + [timeline.duration]
    parts = [
        replace(c, start=s, end=e) for c, s, e in zip(chapters, starts, ends, strict=True) if e > s
    ]
    return parts


def _rendered(
    timeline: Timeline,
    speech: Speech,
    options: RenderOptions | None,
    progress: Progress | None,
) -> Iterator[Pcm]:
    opts = replace(options or RenderOptions(), chunk=CHUNK)
    done = 0
    if progress is not None:
        progress(0, timeline.duration)
    for chunk in render_chunks(timeline, speech, 0, opts):
        yield chunk
        done += len(chunk)
        if progress is not None:
            progress(done, timeline.duration)


def _take(stream: _Pushback, count: int) -> Iterator[Pcm]:
    """The next ``count`` samples of ``stream``; what is left of a cut chunk goes back."""
    while count > 0:
        chunk = next(stream, None)
        if chunk is None:
            return
        if len(chunk) > count:
            stream.push(chunk[count:])
            chunk = chunk[:count]
        count -= len(chunk)
        yield chunk


class _Pushback(Iterator[Pcm]):
    """An iterator that can be handed back one chunk, for cutting a stream into parts."""

    def __init__(self, source: Iterable[Pcm]) -> None:
        self._source = iter(source)
        self._back: list[Pcm] = []

    def push(self, chunk: Pcm) -> None:
        self._back.append(chunk)

    def __next__(self) -> Pcm:
        if self._back:
            return self._back.pop()
        return next(self._source)


def _encode(path: Path, form: Format, rate: int, chunks: Iterable[Pcm], tags: Tags) -> None:
    if form.name == "mp3":
        from voicecoach.sound.mp3 import write_mp3

        write_mp3(path, rate, chunks)
        return
    import soundfile as sf

    out_rate = form.rate or rate
    resampler = None
    if out_rate != rate:
        import soxr

        resampler = soxr.ResampleStream(rate, out_rate, 1, dtype="float32", quality="HQ")
    with sf.SoundFile(
        str(path),
        "w",
        samplerate=out_rate,
        channels=1,
        subtype=form.subtype,
        format=form.container,
        **form.settings,
    ) as out:
        if form.name == "wav":
            out.title, out.album, out.artist = tags.title, tags.album, tags.artist
        for chunk in chunks:
            if resampler is None:
                out.write(chunk)
            else:
                out.write(resampler.resample_chunk(chunk.astype(np.float32) / 32768))
        if resampler is not None:
            out.write(resampler.resample_chunk(np.zeros(0, dtype=np.float32), last=True))


def _tag(path: Path, form: Format, tags: Tags, chapters: Iterable[Chapter], rate: int) -> None:
    chapters = list(chapters)
    if form.name == "mp3":
        _id3(path, tags, chapters, rate)
    elif form.name in ("ogg", "opus", "flac"):
        _vorbis_comments(path, form, tags, chapters, rate)


def _id3(path: Path, tags: Tags, chapters: list[Chapter], rate: int) -> None:
    from mutagen.id3 import CHAP, CTOC, ID3, TALB, TIT2, TPE1, TRCK, CTOCFlags
    from mutagen.id3._tags import save_frame

    class InOrder(ID3):
        """Frames written in the order they were added. mutagen sorts them by size, which
        stores the CHAP frames out of time order, and some players list them as stored."""

        def _write(self, config: Any) -> bytearray:
            return bytearray().join(save_frame(f, config=config) for f in self.values())

    id3 = InOrder()
    id3.add(TIT2(encoding=3, text=[tags.title]))
    id3.add(TALB(encoding=3, text=[tags.album]))
    id3.add(TPE1(encoding=3, text=[tags.artist]))
    if tags.track:
        id3.add(TRCK(encoding=3, text=[f"{tags.track[0]}/{tags.track[1]}"]))
    if chapters:
        ids = [f"chp{i}" for i in range(len(chapters))]
        id3.add(
            CTOC(
                element_id="toc",
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[TIT2(encoding=3, text=[tags.title])],
            )
        )
        for element_id, chapter in zip(ids, chapters, strict=True):
            id3.add(
                CHAP(
                    element_id=element_id,
                    start_time=chapter.start * 1000 // rate,
                    end_time=chapter.end * 1000 // rate,
                    start_offset=0xFFFFFFFF,
                    end_offset=0xFFFFFFFF,
                    sub_frames=[TIT2(encoding=3, text=[chapter.title])],
                )
            )
    id3.save(str(path), v2_version=3)


def _vorbis_comments(
    path: Path, form: Format, tags: Tags, chapters: list[Chapter], rate: int
) -> None:
    from mutagen.flac import FLAC
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis

    kind: Any = {"ogg": OggVorbis, "opus": OggOpus, "flac": FLAC}[form.name]
    audio = kind(str(path))
    if audio.tags is None:
        audio.add_tags()
    comments = audio.tags
    comments["TITLE"] = tags.title
    comments["ALBUM"] = tags.album
    comments["ARTIST"] = tags.artist
    if tags.track:
        comments["TRACKNUMBER"] = str(tags.track[0])
        comments["TRACKTOTAL"] = str(tags.track[1])
    for i, chapter in enumerate(chapters, 1):
        comments[f"CHAPTER{i:03d}"] = _chapter_time(chapter.start, rate)
        comments[f"CHAPTER{i:03d}NAME"] = chapter.title
    audio.save()


def _chapter_time(samples: int, rate: int) -> str:
    ms = samples * 1000 // rate
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    seconds, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{ms:03d}"


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputError(f"cannot write to {folder}: a file of that name is in the way") from None
    except OSError as error:
        raise InputError(f"cannot make the folder {folder}: {error.strerror}") from None
    if not folder.is_dir():
        raise InputError(f"cannot write to {folder}: it is not a folder")
