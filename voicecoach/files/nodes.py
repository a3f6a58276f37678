"""Checked values out of YAML nodes: a mapping's keys, text, numbers, durations, choices.

Each reader takes the ``SourceFile`` a node came from, so that whatever is
wrong becomes an ``InputError`` at the node's line and column, with the line,
a caret and what would be right. The loader (workouts and exercises), the
config file and the plan all read their files through these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from voicecoach.errors import Collect
from voicecoach.files.yamlsource import SourceFile, bad_character, did_you_mean, kind_of, shorten
from voicecoach.units import format_duration, parse_duration

T = TypeVar("T")

MAX_TEXT = 400
"""The longest a spoken text may be, in characters, unless a field says otherwise."""


@dataclass
class Fields:
    """A mapping node's entries by key, each with its key node (for pointing at)."""

    source: SourceFile
    node: MappingNode
    entries: dict[str, tuple[Node, Node]]

    def get(self, key: str) -> Node | None:
        entry = self.entries.get(key)
        return entry[1] if entry else None

    def key_node(self, key: str) -> Node:
        return self.entries[key][0]

    def __contains__(self, key: str) -> bool:
        return key in self.entries


def fields(source: SourceFile, node: Node, allowed: dict[str, Any], what: str) -> Fields:
    """Read a mapping, refusing duplicate keys and keys ``what`` does not take."""
    if not isinstance(node, MappingNode):
        raise source.error(node, f"{what} must be a mapping of keys, not {kind_of(node)}")
    entries: dict[str, tuple[Node, Node]] = {}
    found = Collect()  # every unknown or repeated key of the mapping, not only the first
    for key_node, value_node in node.value:
        with found.each():
            if not isinstance(key_node, ScalarNode):
                raise source.error(key_node, f"keys in {what} must be plain words")
            key = str(key_node.value)
            if key in entries:
                first = entries[key][0].start_mark.line + 1
                raise source.error(
                    key_node,
                    f"`{key}` is given twice in {what}",
                    f"it was first given on line {first}",
                )
            if key not in allowed:
                hint = did_you_mean(key, allowed)
                raise source.error(
                    key_node,
                    f"unknown key `{shorten(key)}` in {what}",
                    f"{hint}{capital(what)} takes: {', '.join(allowed)}.",
                )
            entries[key] = (key_node, value_node)
    found.raise_any()
    return Fields(source, node, entries)


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "str")}
MAX_DIGITS = 30


def scalar(source: SourceFile, node: Node, what: str) -> Any:
    """A single value as YAML reads it: text, a number, true/false or nothing.

    Explicit tags never get here (the reader refuses them); a plain value
    that YAML would read as a date or a merge key stays the text it is.
    """
    if not isinstance(node, ScalarNode):
        raise source.error(node, f"{what} must be a single value, not {kind_of(node)}")
    if node.tag not in _PLAIN_TAGS:
        return str(node.value)
    if node.tag.endswith(":int"):
        digits = len(node.value.lstrip("+-0").replace("_", ""))
        if digits > MAX_DIGITS:
            raise source.error(node, f"{what} is a number of {digits:,} digits; that is too big")
    try:
        return source.construct(node)
    except (ValueError, TypeError, LookupError, AttributeError):
        return str(node.value)


def text(source: SourceFile, node: Node, what: str, limit: int = MAX_TEXT) -> str:
    value = scalar(source, node, what)
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        raise source.error(node, f"{what} must be text, not {kind_of(node)}")
    result = " ".join(str(value).split())
    if not result:
        raise source.error(node, f"{what} is empty", "write the words to say")
    if len(result) > limit:
        raise source.error(node, f"{what} is {len(result):,} characters; at most {limit}")
    found = bad_character(result)
    if found:
        raise source.error(
            node,
            f"{what} holds {found[1]} at character {found[0] + 1}",
            "remove it: a voice cannot say it and a terminal would act on it",
        )
    return result


def text_list(source: SourceFile, node: Node, what: str) -> tuple[str, ...]:
    if isinstance(node, ScalarNode) and node.tag.endswith(":str"):
        return (text(source, node, what),)
    if not isinstance(node, SequenceNode):
        raise source.error(node, f"{what} must be a list of text, not {kind_of(node)}")
    return tuple(text(source, item, f"each item of {what}") for item in node.value)


def integer(source: SourceFile, node: Node, what: str, low: int, high: int) -> int:
    value = scalar(source, node, what)
    if isinstance(value, bool) or not isinstance(value, int):
        raise source.error(
            node, f"{what} must be a whole number, not {kind_of(node)}", f"like {low + 2}"
        )
    if not low <= value <= high:
        raise source.error(node, f"{what} is {value}; it must be from {low} to {high}")
    return value


def duration(source: SourceFile, node: Node, what: str, low: int, high: int) -> int:
    """A duration in ms from ``low`` to ``high`` ms."""
    value = scalar(source, node, what)
    if value is None or isinstance(value, (bool, list, dict)):
        raise source.error(node, f"{what} must be a duration like 45s, 1m30s or 90")
    try:
        ms = parse_duration(value)
    except ValueError as error:
        raise source.error(node, f"{what}: {error}") from None
    if not low <= ms <= high:
        raise source.error(
            node,
            f"{what} is {format_duration(ms)}; it must be from "
            f"{format_duration(low)} to {format_duration(high)}",
        )
    return ms


def choice(source: SourceFile, node: Node, what: str, options: tuple[T, ...]) -> T:
    value = scalar(source, node, what)
    for option in options:
        if value == option:
            return option
    hint = did_you_mean(str(value), [str(o) for o in options])
    raise source.error(
        node,
        f"{what} is `{shorten(str(value))}`",
        f"{hint}it must be one of: {', '.join(str(o) for o in options)}",
    )


def converted(source: SourceFile, node: Node, what: str, parse: Callable[[Any], T]) -> T:
    value = scalar(source, node, what)
    if value is None or isinstance(value, bool):
        raise source.error(node, f"{what} is empty")
    try:
        return parse(value)
    except ValueError as error:
        raise source.error(node, f"{what}: {error}") from None
