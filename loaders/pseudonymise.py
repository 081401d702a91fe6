"""Keyed pseudonymisation: raw identifiers become stable codes that cannot be recomputed
without the key.

A code is ``PREFIX-`` plus 12 base32 characters of HMAC-SHA256(key, normalised raw id).
The same raw id gets the same code in every import made with the same key, so next month's
spreadsheet joins onto this month's map. The key never enters the database.
This module never logs or stores a raw identifier.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import unicodedata
from pathlib import Path

KEY_BYTES = 32
DIGEST_CHARS = 12


def normalise_raw_id(raw: object) -> str:
    """Case IDs are compared trimmed, Unicode-normalised and upper-cased (` cs-1 ` = `CS-1`)."""
    return unicodedata.normalize("NFKC", str(raw)).strip().upper()


def load_or_create_key(path: Path) -> bytes:
    """Read the key file, or create one (owner read/write only) on first run."""
    path = Path(path)
    if path.exists():
        key = path.read_bytes().strip()
        if len(key) < 32:
            raise ValueError(f"pseudonymisation key {path} is too short; restore it from backup")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = base64.b32encode(secrets.token_bytes(KEY_BYTES))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
    return key


class Pseudonymiser:
    """Turns raw identifiers into codes with one key."""

    def __init__(self, key: bytes):
        if len(key) < 32:
            raise ValueError("pseudonymisation key must be at least 32 bytes")
        self._key = key

    @classmethod
    def from_file(cls, path: Path) -> Pseudonymiser:
        return cls(load_or_create_key(path))

    def digest(self, raw: object) -> str:
        mac = hmac.new(self._key, normalise_raw_id(raw).encode("utf-8"), hashlib.sha256)
        return base64.b32encode(mac.digest()).decode("ascii")[:DIGEST_CHARS]

    def code(self, raw: object, prefix: str) -> str:
        return f"{prefix}-{self.digest(raw)}"

    def __repr__(self) -> str:  # never show the key
        return "Pseudonymiser(<key hidden>)"
