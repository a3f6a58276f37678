"""Read YAML as nodes that remember where they were written, and point at them in errors.

Files are composed (``yaml.compose`` with the safe loader), never loaded into
plain values first, so every value keeps its line and column. Aliases are
refused where they are written: a billion-laughs document is never expanded.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from voicecoach.errors import InputError
from voicecoach.model import Where

MAX_BYTES = 2_000_000


class _Loader(yaml.SafeLoader):
    """The safe loader, stopping at the first alias instead of sharing its node."""

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(AliasEvent):
            raise _AliasFound(self.peek_event().start_mark)
        return super().compose_node(parent, index)


class _AliasFound(Exception):
    def __init__(self, mark: yaml.Mark) -> None:
        self.mark = mark


@dataclass(frozen=True)
class Source:
    """One YAML file's text, for pointing at its lines."""

    path: str
    lines: tuple[str, ...]

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
        text = f"{self.path}:{line + 1}:{col + 1}: {what}"
        if 0 <= line < len(self.lines):
            source_line = self.lines[line].rstrip("\n")
            number = str(line + 1)
            pad = " " * len(number)
            shown = source_line.expandtabs(1)
            width = max(1, min(width, len(shown) - col)) if col < len(shown) else 1
            text += f"\n  {number} | {shown}\n  {pad} | {' ' * col}{'^' * width}"
        if hint:
            text += f"\n  {hint}"
        return InputError(text)


def read_text(path: Path, name: str, folder_hint: str, limit: int, limit_hint: str) -> str:
    """A user's text file, whole; each way it can fail is an ``InputError`` naming it."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a folder{folder_hint}") from None
    except OSError as error:
        raise InputError(f"{name}: cannot read it ({error.strerror})") from None
    if len(raw) > limit:
        raise InputError(f"{name}: the file is {len(raw):,} bytes; {limit_hint}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{name}: not UTF-8 text (byte {error.start}); save it as UTF-8") from None


def read_yaml(path: Path, shown: str | None = None) -> tuple[Source, Node | None]:
    """Compose one file into a node tree; YAML mistakes become ``InputError`` with position."""
    name = shown or str(path)
    text = read_text(path, name, ", not a YAML file", MAX_BYTES, "workouts are at most 2 MB")
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> tuple[Source, Node | None]:
    source = Source(name, tuple(text.splitlines()))
    loader = _Loader(text)
    try:
        return source, loader.get_single_node()
    except _AliasFound as found:
        raise source.error_at(
            found.mark.line,
            found.mark.column,
            "aliases (*name) are not allowed",
            "write the value out, or put shared settings under `defaults:`",
        ) from None
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
    """The closest choice to a misspelt word, if one is close."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
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
