"""Write generated files whole or not at all, and never over someone's edits.

Every file is written under a temporary name in its folder and renamed into
place, so a reader (or a crash) never sees half a file. An imported exercise
file starts with a header naming its source and a hash of the text below it:
on a re-import, a file whose text still matches its hash is the importer's
own and may be replaced; one that does not was edited, and is left alone
unless the user says ``--force``.
"""

from __future__ import annotations

import errno
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from voicecoach.digest import sha256_hex
from voicecoach.errors import InputError, VoicecoachError
from voicecoach.files.yamlsource import ID_LINE

Status = Literal["new", "updated", "unchanged", "skipped"]

_HASH_LINE = re.compile(r"^# voicecoach-hash: sha256:([0-9a-f]{16})\b.*$", re.M)


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What happened (or, in a dry run, would happen) to one file."""

    path: Path
    status: Status
    reason: str = ""


def content_hash(body: str) -> str:
    return sha256_hex(body)[:16]


def with_header(body: str, origin: str) -> str:
    """``body`` under a header naming ``origin`` and the hash that shows it unedited."""
    return (
        f"# {origin}\n"
        f"# voicecoach-hash: sha256:{content_hash(body)} (of the text below; edit freely: "
        "a re-import leaves an edited file alone)\n"
        f"{body}"
    )


def recorded_hash(text: str) -> tuple[str, str] | None:
    """The hash a generated file's header records and the text below it, or None."""
    match = _HASH_LINE.search(text)
    if match is None or text[: match.start()].count("\n") > 3:
        return None
    return match[1], text[match.end() + 1 :]


def untouched(text: str) -> bool:
    """Whether a file is exactly as ``with_header`` wrote it: any change anywhere, even a
    comment above the header, is an edit."""
    recorded = recorded_hash(text)
    if recorded is None or content_hash(recorded[1]) != recorded[0]:
        return False
    first = text.split("\n", 1)[0]
    return first.startswith("# ") and text == with_header(recorded[1], first[2:])


def plan(path: Path, text: str, force: bool) -> FileOutcome:
    """Whether ``text`` may go to ``path``: new, an update of an untouched file, or not."""
    if path.is_dir():
        return FileOutcome(path, "skipped", "a folder of that name is there")
    if path.exists() and not path.is_file():  # a named pipe would wait forever to be read
        return FileOutcome(path, "skipped", "something that is not a file is there (a named pipe?)")
    try:
        old = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return FileOutcome(path, "new")
    except (OSError, UnicodeDecodeError) as error:
        if force:
            return FileOutcome(path, "updated")
        why = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        return FileOutcome(path, "skipped", f"cannot read the file there ({why})")
    if old == text:
        return FileOutcome(path, "unchanged")
    recorded = recorded_hash(old)
    if force or untouched(old):
        return FileOutcome(path, "updated")
    if recorded:
        return FileOutcome(path, "skipped", "edited since it was imported; --force replaces it")
    return FileOutcome(path, "skipped", "not written by voicecoach import; --force replaces it")


def umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class Staged:
    """A file written under a hidden temporary name beside ``final``, renamed when complete.

    The one way voicecoach writes a file: a reader, a crash or Ctrl-C never
    sees half of one. The file gets the permissions any new file would (0666
    less the umask). With ``replace`` the rename overwrites what is there;
    without it a name taken meanwhile is never overwritten.
    """

    def __init__(self, final: Path, replace: bool = False) -> None:
        self.final = final
        self.replace = replace
        self.tmp = final
        self._open = False
        self._fd: int | None = None

    def open(self) -> Staged:
        """Make the temporary file; ``InputError`` says why the folder cannot take it."""
        folder = self.final.parent
        if not folder.is_dir():
            raise InputError(f"cannot write {self.final}: the folder {folder} does not exist")
        try:
            return self.make()
        except OSError as error:
            raise write_error(self.final, error) from None

    def make(self) -> Staged:
        """Make the temporary file; ``OSError`` as it comes.

        The temporary file stays locked while it is written, so ``clean_stale``
        can tell the parts a killed writer left from one still being written.
        """
        remove_stale(self.final)
        for _ in range(100):
            # The name is noted before the file is made, so that a signal (SIGTERM is a
            # KeyboardInterrupt here) arriving as it is made never leaves the part behind.
            self.tmp = self.final.with_name(f".{self.final.name}.{os.urandom(4).hex()}.part")
            self._open = True
            try:
                # 0666 less the umask, as for any new file (mkstemp would make it private).
                fd = os.open(self.tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
                break
            except FileExistsError:
                self._open = False
                continue
            except OSError:
                self._open = False  # nothing was made
                raise
            except BaseException:
                self.discard()
                raise
        else:
            raise FileExistsError(errno.EEXIST, "no free temporary name", str(self.tmp))
        if fcntl is None:
            os.close(fd)
            return self
        self._fd = fd
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BaseException:
            self.discard()
            raise
        return self

    def _unlock(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def commit(self) -> None:
        """Put the finished file in place; ``InputError`` if the name was taken meanwhile."""
        if not self.put():
            raise InputError(f"{self.final} already exists; use --force to replace it")

    def put(self) -> bool:
        """Put the finished file in place; False if the name was taken (without replace)."""
        if not self._open:
            return True
        # Still locked while it is put in place: another writer of the same name cleaning
        # up stale parts (``remove_stale``) must not take it for one a killed writer left.
        try:
            if self.replace:
                os.replace(self.tmp, self.final)
                self._open = False
                return True
            try:
                # A link fails if the name was taken meanwhile, where a rename would overwrite.
                os.link(self.tmp, self.final)
            except FileExistsError:
                return False
            except OSError:
                if self.final.exists():
                    return False
                # No hard links here (some network and FAT file systems): rename instead.
                os.replace(self.tmp, self.final)
                self._open = False
                return True
            self.discard()
            return True
        finally:
            self._unlock()

    def discard(self) -> None:
        self._unlock()
        if self._open:
            self.tmp.unlink(missing_ok=True)
            self._open = False

    def __enter__(self) -> Staged:
        return self.open()

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        try:
            if error is None:
                self.commit()
        finally:
            self.discard()


try:
    import fcntl
except ImportError:  # Windows: no advisory locks; stale parts are told by their age
    fcntl = None  # type: ignore[assignment]

STALE_S = 24 * 60 * 60
"""Without file locks, a temporary part this old is taken to be left over."""


def remove_stale(final: Path) -> list[Path]:
    """Remove the temporary parts of ``final`` that a killed writer left behind.

    A part still locked is being written by another voicecoach and is kept.
    Returns what was removed.
    """
    removed: list[Path] = []
    try:
        candidates = list(final.parent.glob(f".{glob_escape(final.name)}.*.part"))
    except OSError:
        return removed
    for part in candidates:
        try:
            if fcntl is None:
                if time.time() - part.stat().st_mtime < STALE_S:
                    continue
            else:
                fd = os.open(part, os.O_RDONLY | os.O_NONBLOCK)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # someone is writing it
                finally:
                    os.close(fd)
            part.unlink()
            removed.append(part)
        except OSError:
            continue
    return removed


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def write_error(path: Path, error: OSError) -> VoicecoachError:
    """What a user reads when ``path`` cannot be written: why, and what to do."""
    folder = path.parent
    code = error.errno
    if code == errno.ENOSPC or code == errno.EDQUOT:
        return VoicecoachError(
            f"cannot write {path}: the disk is full ({free_space(folder)} free); "
            "free some space or write elsewhere with -o"
        )
    if code == errno.ENAMETOOLONG:
        return InputError(
            f"cannot write {path.name[:40]}…: the name is {len(path.name)} characters, "
            "too long for this file system; give a shorter one with -o"
        )
    if code == errno.EROFS:
        return VoicecoachError(
            f"cannot write to {folder}: it is read-only; write elsewhere with -o"
        )
    if code in (errno.EACCES, errno.EPERM):
        return InputError(f"cannot write to {folder}: permission denied")
    return VoicecoachError(f"cannot write {path}: {error.strerror or error}")


def free_space(folder: Path) -> str:
    try:
        stat = os.statvfs(folder)
    except (OSError, AttributeError):
        return "no room"
    free = stat.f_bavail * stat.f_frsize
    return f"{free / 1_000_000:.1f} MB" if free >= 100_000 else f"{free // 1000} kB"


def disk_full(folder: Path, need: int = 1_000_000) -> bool:
    """Whether ``folder``'s disk has less than ``need`` bytes left (for libraries that say
    only "System error" when a write fails)."""
    try:
        stat = os.statvfs(folder)
    except (OSError, AttributeError):
        return False
    return stat.f_bavail * stat.f_frsize < need


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    staged = Staged(path, replace=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        staged.make()
    except OSError as error:
        raise VoicecoachError(f"{path}: cannot write there ({error.strerror})") from None
    try:
        staged.tmp.write_text(text, encoding="utf-8", newline="\n")
        staged.commit()
    except OSError as error:
        raise VoicecoachError(f"{path}: cannot write it ({error.strerror})") from None
    finally:  # also Ctrl-C between the write and the rename: no temporary file left
        staged.discard()


def write_planned(
    files: Iterable[tuple[FileOutcome, str]], dry_run: bool = False
) -> list[tuple[Path, str]]:
    """Write every planned file that is new or an update; nothing at all in a dry run.

    A file that cannot be written does not stop the others: each failure is
    returned as the file and the reason, for the caller to report.
    """
    failed: list[tuple[Path, str]] = []
    if dry_run:
        return failed
    for outcome, text in files:
        if outcome.status in ("new", "updated"):
            try:
                write_atomic(outcome.path, text)
            except VoicecoachError as error:
                failed.append((outcome.path, str(error).removeprefix(f"{outcome.path}: ")))
    return failed


def ids_in_folder(folder: Path) -> dict[str, list[Path]]:
    """Exercise ids defined in a folder's YAML files, found cheaply from their ``id:`` lines."""
    found: dict[str, list[Path]] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            continue
        try:
            body = path.read_text(encoding="utf-8-sig", errors="replace")
        except OSError:
            continue
        for exercise_id in ID_LINE.findall(body):
            found.setdefault(exercise_id, []).append(path)
    return found


def write_new(path: Path, text: str, force: bool) -> None:
    """Write a file that must not replace an existing one unless ``force``."""
    if path.is_dir():
        raise InputError(f"{path} is a folder")
    if path.exists() and not force:
        raise InputError(f"{path} already exists; --force replaces it")
    write_atomic(path, text)
