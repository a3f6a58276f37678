"""The one hash voicecoach keys its files by: SHA-256 of a text, in hex.

Python's own SHA-256 (``_sha2``, ``_sha256`` before 3.12) rather than
``hashlib``'s, which is OpenSSL's: loading libcrypto costs every command
3.4 MB of memory, and what is hashed here is never more than a phrase or
a file's text.
"""

from __future__ import annotations

try:
    from _sha2 import sha256 as _sha256  # type: ignore[import-not-found,unused-ignore]
except ImportError:
    try:
        from _sha256 import sha256 as _sha256  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # a Python built without its own: OpenSSL's, then
        from hashlib import sha256 as _sha256


def sha256_hex(text: str) -> str:
    """The SHA-256 of ``text`` (UTF-8), as 64 hex digits."""
    return str(_sha256(text.encode("utf-8")).hexdigest())
