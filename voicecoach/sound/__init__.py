"""Sound out: the timeline rendered to samples, written to files or handed to a device."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

UNUSED_BY_MINIAUDIO = "urllib.request"
"""What miniaudio imports for its internet-radio streams, which voicecoach never plays: it
brings ssl, OpenSSL, http and email, 7 MB in every process that plays or decodes a track."""


def load_miniaudio() -> Any:
    """The miniaudio module, imported without loading ``UNUSED_BY_MINIAUDIO``: unless
    something imported it before, it stands in the module table as ``_OnFirstUse``, which
    loads the real module the first time anything uses it."""
    name = UNUSED_BY_MINIAUDIO
    if name not in sys.modules:
        spec = importlib.util.find_spec(name)
        if spec is not None:
            stand_in = _OnFirstUse(name)
            stand_in.__spec__ = spec
            sys.modules[name] = stand_in
            parent, _, child = name.rpartition(".")
            setattr(importlib.import_module(parent), child, stand_in)
    import miniaudio

    return miniaudio


class _OnFirstUse(types.ModuleType):
    """A module not loaded yet: the first attribute asked of it loads the real one, which
    then takes its place (and lends it everything, for whoever kept this one)."""

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        real = importlib.import_module(self.__name__)
        self.__dict__.update(real.__dict__)
        return getattr(real, attr)
