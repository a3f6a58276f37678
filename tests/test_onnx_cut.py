"""Cutting a piper model in two where its frames become sound, and decoding in windows."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import onnxruntime
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voicecoach.voices.onnx_cut import (
    CUT_NAME,
    DECODER_FIRST,
    _field,
    _value_info,
    _varint,
    cut_model,
)
from voicecoach.voices.piper_engine import in_windows

# A tiny model in the shape of a piper export, written field by field (onnx.proto3):
# "x" -> /enc (Mul by 2) -> "frames" -> /dec/conv_pre/Conv (Add 1) -> /dec/out (Mul by 3).


def _strings(number: int, values: list[str]) -> bytes:
    return b"".join(_field(number, v.encode()) for v in values)


def _node(op: str, inputs: list[str], outputs: list[str], name: str) -> bytes:
    return _strings(1, inputs) + _strings(2, outputs) + _strings(3, [name]) + _strings(4, [op])


def _tensor(name: str, value: float) -> bytes:
    raw = np.array([value], dtype="<f4").tobytes()
    return _varint(2 << 3) + _varint(1) + _strings(8, [name]) + _field(9, raw)  # FLOAT, no dims


def _model(nodes: list[bytes], weights: dict[str, float], inputs: list[str]) -> bytes:
    graph = (
        b"".join(_field(1, n) for n in nodes)
        + _strings(2, ["tiny"])
        + b"".join(_field(5, _tensor(k, v)) for k, v in weights.items())
        + b"".join(_field(11, _value_info(i)) for i in inputs)
        + _field(12, _value_info("output"))
    )
    opset = _varint(2 << 3) + _varint(15)
    return _varint(1 << 3) + _varint(8) + _field(7, graph) + _field(8, opset)


WEIGHTS = {"two": 2.0, "one": 1.0, "three": 3.0}


def _piper_like(
    tmp_path: Path,
    first: str = DECODER_FIRST,
    uses_input: bool = False,
    weights_as_inputs: bool = False,
) -> Path:
    nodes = [
        _node("Mul", ["x", "two"], ["frames"], "/enc/Mul"),
        _node("Add", ["frames", "one"], ["d1"], first),
        _node("Mul", ["d1", "x" if uses_input else "three"], ["output"], "/dec/out"),
    ]
    path = tmp_path / "voice.onnx"
    inputs = ["x", *WEIGHTS] if weights_as_inputs else ["x"]
    path.write_bytes(_model(nodes, WEIGHTS, inputs))
    return path


def _run(path: Path, feeds: dict[str, np.ndarray]) -> np.ndarray:
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return np.asarray(session.run(None, feeds)[0])


def test_the_halves_together_compute_what_the_whole_model_does(tmp_path: Path) -> None:
    model = _piper_like(tmp_path)
    x = np.arange(12, dtype=np.float32).reshape(1, 3, 4)
    halves = cut_model(model, tmp_path / "models")
    assert halves is not None
    assert halves.cut == "frames"
    frames = _run(halves.frames, {"x": x})
    assert np.array_equal(frames, 2 * x)
    assert np.array_equal(_run(halves.sound, {"frames": frames}), _run(model, {"x": x}))
    # Each half keeps only its own weights.
    assert halves.sound.stat().st_size < model.stat().st_size
    assert b"three" not in halves.frames.read_bytes()
    assert b"two" not in halves.sound.read_bytes()


def test_weights_listed_among_the_inputs_go_with_the_half_that_uses_them(tmp_path: Path) -> None:
    model = _piper_like(tmp_path, weights_as_inputs=True)  # as older exports write them
    x = np.ones((1, 2, 3), dtype=np.float32)
    halves = cut_model(model, tmp_path / "models")
    assert halves is not None
    frames = _run(halves.frames, {"x": x})
    assert np.array_equal(_run(halves.sound, {"frames": frames}), _run(model, {"x": x}))


def _load(path: Path) -> onnxruntime.InferenceSession:
    return onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def test_the_voice_runs_in_halves_where_it_can_and_whole_where_it_cannot(tmp_path: Path) -> None:
    from voicecoach.voices.piper_engine import sessions

    model = _piper_like(tmp_path)
    frames, sound, cut = sessions(model, tmp_path / "models", _load)
    assert cut == "frames" and sound is not None
    assert [i.name for i in frames.get_outputs()] == ["frames"]
    blocked = tmp_path / "a-file"
    blocked.write_text("where the cache folder should be")
    whole, none, nothing = sessions(model, blocked / "models", _load)
    assert none is None and nothing == ""
    assert [i.name for i in whole.get_outputs()] == ["output"]


def test_halves_that_do_not_load_are_removed_and_the_model_runs_whole(tmp_path: Path) -> None:
    from voicecoach.voices.piper_engine import sessions

    model = _piper_like(tmp_path)
    halves = cut_model(model, tmp_path / "models")
    assert halves is not None
    halves.sound.write_bytes(b"not a model")
    whole, sound, cut = sessions(model, tmp_path / "models", _load)
    assert sound is None and cut == ""
    assert not halves.frames.exists() and not halves.sound.exists()
    loaded: list[Path] = []

    def noting(path: Path) -> onnxruntime.InferenceSession:
        loaded.append(path)
        return _load(path)

    sessions(model, tmp_path / "models", noting)
    assert loaded == [model]  # not cut again
    assert not halves.frames.exists()


def test_halves_are_made_once_and_again_when_the_model_changes(tmp_path: Path) -> None:
    model = _piper_like(tmp_path)
    first = cut_model(model, tmp_path / "models")
    assert first is not None
    made = first.frames.stat().st_mtime_ns
    again = cut_model(model, tmp_path / "models")
    assert again == first and again.frames.stat().st_mtime_ns == made
    first.sound.unlink()  # a half gone (deleted with a damaged one): made again
    assert cut_model(model, tmp_path / "models") == first
    assert first.sound.is_file()
    os.utime(model, ns=(made + 10**9, made + 10**9))
    changed = cut_model(model, tmp_path / "models")
    assert changed is not None and changed.frames != first.frames


@pytest.mark.parametrize(
    "first, uses_input",
    [("/dec/other", False), (DECODER_FIRST, True)],
    ids=["no decoder node", "the decoder needs the model's input"],
)
def test_a_model_that_cannot_be_cut_is_left_whole(
    tmp_path: Path, first: str, uses_input: bool
) -> None:
    model = _piper_like(tmp_path, first, uses_input)
    assert cut_model(model, tmp_path / "models") is None
    (noted,) = (tmp_path / "models").glob(f"*/{CUT_NAME}")
    assert noted.read_text(encoding="utf-8") == ""  # remembered, not looked at again
    assert cut_model(model, tmp_path / "models") is None
    assert not list((tmp_path / "models").glob("*/*.onnx"))


def test_a_damaged_model_file_is_refused_with_a_value_error(tmp_path: Path) -> None:
    model = _piper_like(tmp_path)
    model.write_bytes(model.read_bytes()[:-7])
    with pytest.raises(ValueError):
        cut_model(model, tmp_path / "models")


def _conv(frames: np.ndarray, reach: int, hop: int) -> np.ndarray:
    """A decoder that sees ``reach`` frames either side (zero beyond the ends) and makes
    ``hop`` samples a frame."""
    padded = np.pad(frames, ((0, 0), (reach, reach)))
    weights = np.arange(1, 2 * reach + 2, dtype=np.float64)
    summed = np.array(
        [padded[:, i : i + 2 * reach + 1].sum(axis=0) @ weights for i in range(frames.shape[1])]
    )
    return np.repeat(summed, hop) * np.tile(np.linspace(1, 2, hop), frames.shape[1])


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(1, 120),
    window=st.integers(1, 30),
    reach=st.integers(0, 5),
    extra=st.integers(0, 3),
    seed=st.integers(0, 2**16),
)
def test_windows_give_what_one_run_gives_and_no_run_is_longer_than_a_window(
    count: int, window: int, reach: int, extra: int, seed: int
) -> None:
    frames = np.random.default_rng(seed).standard_normal((2, count))
    runs: list[int] = []

    def decode(part: np.ndarray) -> np.ndarray:
        runs.append(part.shape[1])
        return _conv(part, reach, 3)

    context = reach + extra
    got = in_windows(decode, frames, window, context)
    assert np.allclose(got, _conv(frames, reach, 3), rtol=0, atol=1e-9)
    assert max(runs) <= window + 2 * context


def test_a_decoder_that_sees_further_than_the_context_is_not_what_windows_give() -> None:
    frames = np.random.default_rng(1).standard_normal((2, 60))
    got = in_windows(lambda part: _conv(part, 4, 2), frames, 10, 2)
    assert not np.allclose(got, _conv(frames, 4, 2))
