"""Cut a piper model in two where its frames become sound.

A piper voice (VITS) is one ONNX graph: the text encoder, the durations and
the flow make latent frames (one per 256 samples), and the decoder
(HiFi-GAN, the nodes named ``/dec/...``) turns them into sound. The
decoder's working memory grows with the length of the sound, 20 MB a
second, the rest's barely; and its convolutions see only a few frames
either side. So the model is cut into a *frames* half and a *sound* half,
and the sound is made a window of frames at a time (``piper_engine``).

An ONNX file is protobuf. The cut reads the few fields it needs (each
node's inputs, outputs and name; each initializer's name) straight from
the mapped file and writes each half as the original's own records, copied
as they are, with the frames tensor as the new output of one and input of
the other: no onnx package, and no second copy of the 60 MB of weights in
memory. A model this cannot cut (no ``/dec/conv_pre`` node, a decoder that
needs more than the frames, as a many-speaker voice's does) is run whole.
"""

from __future__ import annotations

import mmap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from voicecoach.digest import sha256_hex
from voicecoach.files.writer import Staged, write_atomic

FORMAT = "voicecoach-onnx-cut-1"
"""Part of the halves' folder name: bump it when the cut changes."""
CUT_NAME = "cut.txt"
"""In a model's folder: the name of the tensor between the halves, or empty if there are none."""
DECODER_FIRST = "/dec/conv_pre/Conv"
"""The decoder's first node in piper's exports; its input is the frames."""

# Field numbers of onnx.proto3 that the cut reads or writes.
MODEL_GRAPH = 7
GRAPH_NAME = 2
GRAPH_NODE, GRAPH_INITIALIZER, GRAPH_INPUT, GRAPH_OUTPUT, GRAPH_VALUE_INFO = 1, 5, 11, 12, 13
NODE_INPUT, NODE_OUTPUT, NODE_NAME = 1, 2, 3
TENSOR_NAME = 8
VALUE_NAME, VALUE_TYPE = 1, 2
TYPE_TENSOR, TENSOR_ELEM_TYPE = 1, 1
FLOAT = 1
LENGTH_DELIMITED = 2


@dataclass(frozen=True, slots=True)
class Halves:
    """The two models a cut makes, and the name of the tensor between them."""

    frames: Path
    sound: Path
    cut: str


class _Record(NamedTuple):
    """One field of a protobuf message (a tuple: tens of thousands are read in a cut)."""

    field: int
    start: int
    """Where the record (its key) starts."""
    value: int
    """Where its value starts (after the length, for a length-delimited one)."""
    end: int


def cut_model(model: Path, folder: Path) -> Halves | None:
    """The halves of ``model`` in ``folder`` (made there if they are not there yet), or None
    if the model cannot be cut; ``OSError`` or ``VoicecoachError`` if the folder cannot take
    them, ``ValueError`` if the file is not a model this can read."""
    home = _home(model, folder)
    frames, sound = home / "frames.onnx", home / "sound.onnx"
    name_file = home / CUT_NAME
    if name_file.is_file():
        cut = name_file.read_text(encoding="utf-8")
        if not cut:
            return None  # looked at before: it cannot be cut
        if frames.is_file() and sound.is_file():
            return Halves(frames, sound, cut)
    with open(model, "rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as buf:
        plan = _plan(buf)
        home.mkdir(parents=True, exist_ok=True)
        cut = ""
        if plan is not None:
            cut, frames_graph, sound_graph = plan
            _write(buf, frames, frames_graph)
            _write(buf, sound, sound_graph)
    # Written last: it says the halves are complete (or, empty, that there are none).
    write_atomic(name_file, cut)
    if not cut:
        return None
    return Halves(frames, sound, cut)


def refuse(model: Path, folder: Path) -> None:
    """Note that ``model``'s halves do not work (onnxruntime would not load them): it is run
    whole from now on, and its halves are removed."""
    home = _home(model, folder)
    write_atomic(home / CUT_NAME, "")
    for half in ("frames.onnx", "sound.onnx"):
        (home / half).unlink(missing_ok=True)


def _home(model: Path, folder: Path) -> Path:
    stat = model.stat()
    key = sha256_hex(f"{FORMAT}\n{model.resolve()}\n{stat.st_size}\n{stat.st_mtime_ns}")[:20]
    return folder / key


_Graph = tuple[list[_Record], list[_Record], list[bytes]]
"""A half: the model's records other than the graph, then the graph's records to copy,
then records made for it, as bytes."""


def _plan(buf: mmap.mmap) -> tuple[str, _Graph, _Graph] | None:
    top = list(_records(buf, 0, len(buf)))
    graphs = [r for r in top if r.field == MODEL_GRAPH]
    if len(graphs) != 1:
        return None
    graph = graphs[0]
    records = list(_records(buf, graph.value, graph.end))
    nodes = [r for r in records if r.field == GRAPH_NODE]
    initializers = {
        _string(buf, r, TENSOR_NAME): r for r in records if r.field == GRAPH_INITIALIZER
    }
    inputs = [r for r in records if r.field == GRAPH_INPUT]
    outputs = [r for r in records if r.field == GRAPH_OUTPUT]
    hints = {_string(buf, r, VALUE_NAME): r for r in records if r.field == GRAPH_VALUE_INFO}
    # Older exports list the weights among the inputs too: the inputs are the others.
    inputs = [r for r in inputs if _string(buf, r, VALUE_NAME) not in initializers]
    given = {_string(buf, r, VALUE_NAME) for r in inputs}
    wanted = [_string(buf, r, VALUE_NAME) for r in outputs]
    links = [_links(buf, r) for r in nodes]
    first = [ins for ins, _, name in links if name == DECODER_FIRST]
    if len(wanted) != 1 or len(first) != 1 or not first[0]:
        return None
    cut = first[0][0]
    made_by = {out: i for i, (_, outs, _) in enumerate(links) for out in outs if out}

    def closure(targets: list[str], stop: set[str]) -> tuple[list[int], set[str]] | None:
        """The nodes that make ``targets`` from ``stop``, the initializers and the model's
        inputs, in the model's order, and the initializers they use; None if something
        else is needed."""
        found: set[int] = set()
        weights: set[str] = set()
        todo = list(targets)
        seen: set[str] = set()
        while todo:
            name = todo.pop()
            if name in seen or not name or name in stop:
                continue
            seen.add(name)
            if name in initializers:
                weights.add(name)
            elif name in made_by:
                index = made_by[name]
                if index not in found:
                    found.add(index)
                    todo.extend(links[index][0])
            else:
                return None
        return sorted(found), weights

    before = closure([cut], given)
    after = closure(wanted, {cut})
    if before is None or after is None or cut in given:
        return None
    frames_nodes, frames_weights = before
    sound_nodes, sound_weights = after
    others = [r for r in top if r.field != MODEL_GRAPH]

    def known(chosen: list[int]) -> list[_Record]:
        """The shapes the model notes for what ``chosen`` nodes make (the optimizer uses them)."""
        made = {out for i in chosen for out in links[i][1]} - {cut}
        return [r for name, r in hints.items() if name in made]

    named = [r for r in records if r.field == GRAPH_NAME]
    noted = hints.get(cut)
    cut_value = bytes(buf[noted.value : noted.end]) if noted is not None else _value_info(cut)

    def half(chosen: list[int], weights: set[str], ends: list[_Record], cut_as: int) -> _Graph:
        """The model's other records; ``chosen`` nodes, their weights, their shapes and
        ``ends`` (the half's own inputs or outputs); the cut tensor as field ``cut_as``."""
        copied = [nodes[i] for i in chosen] + [initializers[w] for w in sorted(weights)]
        return others, named + copied + known(chosen) + ends, [_field(cut_as, cut_value)]

    frames_graph = half(frames_nodes, frames_weights, inputs, GRAPH_OUTPUT)
    sound_graph = half(sound_nodes, sound_weights, outputs, GRAPH_INPUT)
    return cut, frames_graph, sound_graph


def _write(buf: mmap.mmap, path: Path, graph: _Graph) -> None:
    others, copied, made = graph
    size = sum(r.end - r.start for r in copied) + sum(len(b) for b in made)
    staged = Staged(path, replace=True).make()
    try:
        with open(staged.tmp, "wb") as out, memoryview(buf) as view:
            for lo, hi in _spans(others):
                out.write(view[lo:hi])
            out.write(_varint(MODEL_GRAPH << 3 | LENGTH_DELIMITED) + _varint(size))
            for lo, hi in _spans(copied):
                out.write(view[lo:hi])
            for b in made:
                out.write(b)
        staged.put()
    finally:
        staged.discard()


def _spans(records: list[_Record]) -> Iterator[tuple[int, int]]:
    """The byte ranges of ``records``, in their order, those that follow on one another
    joined: a model's nodes and weights lie side by side, so a half is a few large writes."""
    lo = hi = -1
    for r in records:
        if r.start != hi:
            if hi > lo:
                yield lo, hi
            lo = r.start
        hi = r.end
    if hi > lo:
        yield lo, hi


def _records(buf: mmap.mmap | bytes, start: int, end: int) -> Iterator[_Record]:
    """The fields of the message in ``buf[start:end]``, in order."""
    pos = start
    while pos < end:
        at = pos
        key, pos = _read_varint(buf, pos)
        field, kind = key >> 3, key & 7
        if kind == 0:
            _, stop = _read_varint(buf, pos)
            value = pos
        elif kind == 1:
            value, stop = pos, pos + 8
        elif kind == LENGTH_DELIMITED:
            length, value = _read_varint(buf, pos)
            stop = value + length
        elif kind == 5:
            value, stop = pos, pos + 4
        else:
            raise ValueError(f"protobuf wire type {kind} at byte {at}")
        if stop > end:
            raise ValueError(f"a field at byte {at} runs past its message")
        yield _Record(field, at, value, stop)
        pos = stop


def _links(buf: mmap.mmap, node: _Record) -> tuple[list[str], list[str], str]:
    """A node's inputs, outputs and name, read in one pass over its fields."""
    inputs: list[str] = []
    outputs: list[str] = []
    name = ""
    for r in _records(buf, node.value, node.end):
        if r.field == NODE_INPUT:
            inputs.append(bytes(buf[r.value : r.end]).decode("utf-8"))
        elif r.field == NODE_OUTPUT:
            outputs.append(bytes(buf[r.value : r.end]).decode("utf-8"))
        elif r.field == NODE_NAME and not name:
            name = bytes(buf[r.value : r.end]).decode("utf-8")
    return inputs, outputs, name


def _strings(buf: mmap.mmap, record: _Record, field: int) -> list[str]:
    return [
        bytes(buf[r.value : r.end]).decode("utf-8")
        for r in _records(buf, record.value, record.end)
        if r.field == field
    ]


def _string(buf: mmap.mmap, record: _Record, field: int) -> str:
    return next(iter(_strings(buf, record, field)), "")


def _read_varint(buf: mmap.mmap | bytes, pos: int) -> tuple[int, int]:
    if pos < len(buf) and buf[pos] < 0x80:
        return buf[pos], pos + 1  # most keys and lengths in a model: one byte
    value = shift = 0
    while True:
        if pos >= len(buf):
            raise ValueError("the file ends inside a field")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ValueError(f"a varint at byte {pos} is too long")


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, body: bytes) -> bytes:
    return _varint(number << 3 | LENGTH_DELIMITED) + _varint(len(body)) + body


def _value_info(name: str) -> bytes:
    """A ValueInfoProto: a float tensor called ``name``, of any shape."""
    tensor = _varint(TENSOR_ELEM_TYPE << 3) + _varint(FLOAT)
    kind = _field(VALUE_TYPE, _field(TYPE_TENSOR, tensor))
    return _field(VALUE_NAME, name.encode("utf-8")) + kind
