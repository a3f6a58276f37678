"""Read YAML as nodes that remember where they were written, and point at them in errors.

Files are composed (``yaml.compose`` with the safe loader), never loaded into
plain values first, so every value keeps its line and column. Aliases are
refused where they are written: a billion-laughs document is never expanded.
"""

from __future__ import annotations

import difflib
import errno
import os
import re
import stat
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from voicecoach.errors import InputError
from voicecoach.model import Spot, Where

MAX_BYTES = 2_000_000
MAX_DEPTH = 20
"""Lists and mappings nest at most this deep; the format needs five."""
MAX_NODES = 50_000
"""Values in one file, at most: reading more would take longer than a few seconds."""
SHOWN = 60
"""At most this many characters of a key or value are echoed in a message."""
_SNIPPET = 100


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing aliases, explicit tags and deep nesting where they are written.

    An alias is never expanded (no billion laughs), a tag never reaches a
    constructor (``!!python/name``, ``!!binary``), and nesting stops long
    before Python's recursion limit.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise _Refused(
                event.start_mark,
                "aliases (*name) are not allowed",
                "write the value out, or put shared settings under `defaults:`",
            )
        tag = getattr(event, "tag", None)
        if isinstance(event, (ScalarEvent, CollectionStartEvent)) and tag not in (None, "!"):
            raise _Refused(
                event.start_mark,
                f"the tag `{shorten(str(tag).replace('tag:yaml.org,2002:', '!!'))}` is not allowed",
                "write the value plainly; put it in quotes to make it text",
            )
        self._depth += 1
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Refused(
                event.start_mark,
                f"the file holds more than {MAX_NODES:,} values",
                "a workout is at most 1,000 blocks; split it into several workouts",
            )
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(
                    event.start_mark,
                    f"lists and mappings are nested more than {MAX_DEPTH} deep",
                    "a workout needs five levels at most; close the brackets sooner",
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Refused(Exception):
    def __init__(self, mark: Any, what: str, hint: str) -> None:
        self.mark, self.what, self.hint = mark, what, hint


def shorten(text: str, limit: int = SHOWN) -> str:
    """``text`` as it is safe to echo: control characters escaped, cut to ``limit``."""
    shown = "".join(c if c.isprintable() else _escape(c) for c in text[: limit + 1])
    return shown[:limit] + "…" if len(text) > limit or len(shown) > limit else shown


def _escape(c: str) -> str:
    code = ord(c)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def bad_character(value: str) -> tuple[int, str] | None:
    """The first character of ``value`` that cannot be spoken or shown, and what it is."""
    for i, c in enumerate(value):
        category = unicodedata.category(c)
        if c in "\t\n\r":
            continue
        if category in ("Cc", "Cs", "Co", "Cn") or c in "\ufeff\u2028\u2029":
            kind = {"Cs": "a lone surrogate", "Cn": "a noncharacter"}.get(
                category, "a control character"
            )
            return i, f"{kind} (U+{ord(c):04X})"
    return None


@dataclass(frozen=True)
class SourceFile:
    """One YAML file's text, for pointing at its lines, and the constructor of its values.

    The constructor belongs to one file: PyYAML's keeps every node it has built.
    """

    path: str
    lines: tuple[str, ...]
    constructor: SafeConstructor = field(default_factory=SafeConstructor, compare=False, repr=False)

    def construct(self, node: Node) -> Any:
        """The plain value of a scalar node, as YAML's safe loader reads it."""
        return self.constructor.construct_object(node)

    def where(self, node: Node) -> Where:
        return Where(self.path, node.start_mark.line + 1, node.start_mark.column + 1)

    def error(self, node: Node | None, what: str, hint: str | None = None) -> InputError:
        """An ``InputError`` saying ``file:line:col: what``, the line, a caret, and the hint."""
        if node is None:
            return InputError(f"{self.path}: {what}" + (f"\n  {hint}" if hint else ""))
        start, end = node.start_mark, node.end_mark
        width = end.column - start.column if end.line == start.line else 0
        return self.error_at(start.line, start.column, what, hint, max(1, width))

    def error_at(
        self, line: int, col: int, what: str, hint: str | None = None, width: int = 1
    ) -> InputError:
        """Like ``error`` but at a 0-based line and column."""
        source_line = self.lines[line] if 0 <= line < len(self.lines) else None
        return _pointing(self.path, line, col, source_line, what, hint, width)

    def spot(self, node: Node) -> Spot:
        """Where ``node`` is, with its line, for ``spot_error`` once this file is gone."""
        start, end = node.start_mark, node.end_mark
        width = end.column - start.column if end.line == start.line else 0
        line = self.lines[start.line] if start.line < len(self.lines) else ""
        return Spot(self.where(node), line, max(1, width))


def spot_error(spot: Spot, what: str, hint: str | None = None) -> InputError:
    """The ``InputError`` that ``SourceFile.error`` would give at ``spot``."""
    where = spot.where
    return _pointing(where.file, where.line - 1, where.col - 1, spot.line, what, hint, spot.width)


def _pointing(
    path: str,
    line: int,
    col: int,
    source_line: str | None,
    what: str,
    hint: str | None,
    width: int,
) -> InputError:
    """``file:line:col: what``, the line with a caret under the mistake, and the hint."""
    text = f"{path}:{line + 1}:{col + 1}: {what}"
    if source_line is not None:
        number = str(line + 1)
        pad = " " * len(number)
        shown = source_line.rstrip("\n").expandtabs(1)
        if len(shown) > _SNIPPET:  # a window around the mistake, not a 2 MB line
            start = max(0, col - _SNIPPET // 2)
            shown = ("…" if start else "") + shown[start : start + _SNIPPET] + "…"
            col = col - start + (1 if start else 0)
        shown = "".join(c if c.isprintable() else " " for c in shown)
        width = max(1, min(width, len(shown) - col)) if col < len(shown) else 1
        text += f"\n  {number} | {shown}\n  {pad} | {' ' * col}{'^' * width}"
    if hint:
        text += f"\n  {hint}"
    return InputError(text)


def read_text(path: Path, name: str, folder_hint: str, limit: int, limit_hint: str) -> str:
    """A user's text file, whole; each way it can fail is an ``InputError`` naming it."""
    problem = not_a_file(path, folder_hint)
    if problem:
        raise InputError(f"{name}: {problem}")
    try:
        with path.open("rb") as stream:
            raw = stream.read(limit + 1)
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a folder{folder_hint}") from None
    except (OSError, ValueError) as error:
        raise InputError(f"{name}: cannot read it ({_reason(error)})") from None
    if len(raw) > limit:
        size = _size(path) or len(raw)
        raise InputError(f"{name}: the file is {size:,} bytes; {limit_hint}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start)
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        col = len(raw[line_start : error.start].decode("utf-8", "replace"))
        byte = raw[error.start]
        raise InputError(
            f"{name}:{line + 1}:{col + 1}: not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8"
        ) from None


def not_a_file(path: Path, folder_hint: str = "") -> str | None:
    """What ``path`` is when it is not a regular file, in words; None when it is one.

    A named pipe is never opened: that would wait forever for a writer.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "a symbolic link to nothing" if path.is_symlink() else "no such file"
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "a symbolic link that loops back on itself"
        return f"cannot read it ({_reason(error)})"
    except ValueError:
        return "the name holds a character no file name can hold"
    if stat.S_ISDIR(mode):
        return f"is a folder{folder_hint}"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a file"
    if not stat.S_ISREG(mode):
        return "is a device or a socket, not a file"
    return None


def _reason(error: Exception) -> str:
    return error.strerror if isinstance(error, OSError) and error.strerror else str(error)


def _size(path: Path) -> int | None:
    try:
        return os.stat(path).st_size
    except OSError:
        return None


def read_yaml(path: Path, shown: str | None = None) -> tuple[SourceFile, Node | None]:
    """Compose one file into a node tree; YAML mistakes become ``InputError`` with position."""
    name = shown or str(path)
    text = read_text(path, name, ", not a YAML file", MAX_BYTES, "workouts are at most 2 MB")
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> tuple[SourceFile, Node | None]:
    source = SourceFile(name, tuple(text.splitlines()))
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as error:
        raise _reader_error(source, text, error) from None
    try:
        return source, loader.get_single_node()
    except _Refused as refused:
        raise source.error_at(
            refused.mark.line, refused.mark.column, refused.what, refused.hint
        ) from None
    except yaml.reader.ReaderError as error:
        raise _reader_error(source, text, error) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if mark is not None and mark.line >= len(source.lines) and error.context_mark:
            mark = error.context_mark  # the end of the file: point at what was left open
        problem = error.problem or error.context or "not valid YAML"
        if mark is None:
            raise InputError(f"{name}: {problem}") from None
        raise source.error_at(
            mark.line, mark.column, f"YAML syntax: {problem}", _yaml_hint(problem)
        ) from None
    except yaml.YAMLError as error:
        raise InputError(f"{name}: not valid YAML ({error})") from None
    finally:
        loader.dispose()


def _reader_error(source: SourceFile, text: str, error: yaml.reader.ReaderError) -> InputError:
    """A character YAML does not allow in a file, at its line and column."""
    position = error.position
    line = text.count("\n", 0, position)
    col = position - (text.rfind("\n", 0, position) + 1)
    character = error.character
    code = ord(character) if isinstance(character, str) else int(character)
    return source.error_at(
        line,
        col,
        f"the file holds the character U+{code:04X}, which YAML does not allow",
        'remove it; to have it said, write it as an escape in double quotes, like "\\t"',
    )


def _yaml_hint(problem: str) -> str | None:
    if "mapping values are not allowed" in problem:
        return "a value containing `: ` needs quotes, or a key is indented wrongly"
    if "found character '\\t'" in problem:
        return "indent with spaces, not tabs"
    if "expected ',' or ']'" in problem or "expected ',' or '}'" in problem:
        return "a `[` or `{` is not closed: close it, or quote the value"
    if "expected <block end>" in problem or "did not find expected" in problem:
        return "check the indentation of this line against the one above"
    return None


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The closest choice to a misspelt word, if one is close.

    Two letters swapped (``rpes``) is the likeliest slip, so a choice with the
    same letters wins over one that merely looks alike (``rest``).
    """
    options = list(choices)
    if len(word) > 100:
        return None
    same_letters = [c for c in options if sorted(c.lower()) == sorted(word.lower())]
    if same_letters:
        return same_letters[0]
    found = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: str, choices: Iterable[str], shown: str = "`{}`") -> str:
    """ "did you mean `x`? " for the closest choice to ``word``, or "" when none is close.

    ``shown`` is how the choice is written (``"`{{{}}}`"`` for a ``{side}`` template).
    """
    close = suggest(word, choices)
    return f"did you mean {shown.format(close)}? " if close else ""


ID_LINE = re.compile(r"(?m)^\s*-?\s*id:\s*['\"]?([a-z0-9-]+)")
"""An exercise's ``id:`` line, found without parsing the file (for listing ids quickly)."""


def kind_of(node: Node) -> str:
    """How a node reads to a person: a mapping, a list, a number, text..."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, ScalarNode):
        tag = node.tag.rsplit(":", 1)[-1]
        return {
            "int": "a whole number",
            "float": "a decimal number",
            "bool": "true/false",
            "null": "nothing",
            "str": "text",
        }.get(tag, "text")
    return "something else"
