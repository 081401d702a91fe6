"""Keyed pseudonymisation: raw identifiers become stable codes that cannot be recomputed
without the key.

A code is ``PREFIX-`` plus 12 base32 characters of HMAC-SHA256(key, normalised raw id).
The same raw id gets the same code in every import made with the same key, so next month's
spreadsheet joins onto this month's map. The key never enters the database.
This module never logs or stores a raw identifier.

After a key rotation (``python -m mapping rekey``, docs/import.md "Key rotation") the key
file holds a chain of keys, oldest first, one per line: the code is the first key's code
re-hashed with each later key, so a database re-keyed from its stored codes and an import
made with the chain give the same codes, and an old key alone no longer re-identifies.
"""

from __future__ import annotations

import base64
import hmac
import os
import secrets
import unicodedata
from pathlib import Path

KEY_BYTES = 32
DIGEST_CHARS = 12
_DIGEST_BYTES = (DIGEST_CHARS * 5 + 39) // 40 * 5  # whole 5-byte base32 blocks: 10


def normalise_raw_id(raw: object) -> str:
    """Case IDs are compared trimmed, Unicode-normalised and upper-cased (` cs-1 ` = `CS-1`)."""
    return unicodedata.normalize("NFKC", str(raw)).strip().upper()


def load_key_chain(path: Path) -> list[bytes]:
    """Every key in the key file, oldest first (one line each)."""
    keys = [line.strip() for line in Path(path).read_bytes().splitlines() if line.strip()]
    if not keys or any(len(k) < 32 for k in keys):
        raise ValueError(f"pseudonymisation key {path} is too short; restore it from backup")
    if any(weak_key(k) for k in keys):
        raise ValueError(
            f"pseudonymisation key {path} is not random (a placeholder, repeated or too few "
            "different characters): anyone could guess it and recompute codes from names. "
            "Create a real one (delete the file before the first import) or rotate with rekey"
        )
    return keys


def weak_key(key: bytes) -> bool:
    """A key a person typed rather than drew: a placeholder word, or too few different
    characters for its length (a random base-32 key of 52 characters uses about 26).

    >>> weak_key(b"changeme" * 4), weak_key(b"0" * 52), weak_key(new_key())
    (True, True, False)
    """
    lowered = key.lower()
    if any(word in lowered for word in (b"changeme", b"password", b"secret", b"example")):
        return True
    return len(set(key)) < 12


def new_key() -> bytes:
    return base64.b32encode(secrets.token_bytes(KEY_BYTES))


def write_key_file(path: Path, keys: list[bytes]) -> None:
    """Create a key file readable and writable by its owner only; never overwrite one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(b"".join(k + b"\n" for k in keys))


def load_or_create_key(path: Path) -> bytes:
    """Read the (newest) key, or create a key file (owner read/write only) on first run."""
    path = Path(path)
    if path.exists():
        return load_key_chain(path)[-1]
    key = new_key()
    write_key_file(path, [key])
    return key


class Pseudonymiser:
    """Turns raw identifiers into codes with one key, or a chain of keys after rotation."""

    def __init__(self, key: bytes, *, earlier: tuple[bytes, ...] = ()):
        if any(len(k) < 32 for k in (*earlier, key)):
            raise ValueError("pseudonymisation key must be at least 32 bytes")
        self._keys = (*earlier, key)

    @classmethod
    def from_file(cls, path: Path) -> Pseudonymiser:
        load_or_create_key(path)
        *earlier, key = load_key_chain(path)
        return cls(key, earlier=tuple(earlier))

    @staticmethod
    def _mac(key: bytes, text: str) -> str:
        # one-shot HMAC (C fast path); 12 base32 characters need only the first 10 bytes
        # (base32 encodes 5 bytes as 8 characters), so the code is the full encoding's prefix
        mac = hmac.digest(key, text.encode("utf-8"), "sha256")
        return base64.b32encode(mac[:_DIGEST_BYTES]).decode("ascii")[:DIGEST_CHARS]

    def digest(self, raw: object) -> str:
        value = self._mac(self._keys[0], normalise_raw_id(raw))
        for key in self._keys[1:]:
            value = self._mac(key, value)
        return value

    def code(self, raw: object, prefix: str) -> str:
        return f"{prefix}-{self.digest(raw)}"

    def rekey_code(self, stored_code: str) -> str:
        """The code a stored code becomes when this pseudonymiser's newest key is added."""
        prefix, _, digest = stored_code.partition("-")
        return f"{prefix}-{self._mac(self._keys[-1], digest)}"

    def fingerprint(self) -> str:
        """Identifies the key chain without revealing it (stored in the database)."""
        return self.digest("key fingerprint: not an identifier")

    def __repr__(self) -> str:  # never show the key
        return "Pseudonymiser(<key hidden>)"
