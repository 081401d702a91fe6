"""The pseudonymiser lives in :mod:`mapping.pseudonymise` (the explorer, the CLI and the
trust verbs use it as well as the loaders); this module keeps the import's own check on its
codes, and the old name for older imports.
"""

from __future__ import annotations

from collections.abc import Iterable

from loaders.problems import ERROR, ImportFailed, Problem
from mapping.pseudonymise import (  # noqa: F401  (re-exported under the old name)
    DIGEST_CHARS,
    KEY_BYTES,
    Pseudonymiser,
    load_key_chain,
    load_or_create_key,
    new_key,
    normalise_raw_id,
    weak_key,
    write_key_file,
)


def check_collisions(raw_ids: Iterable[object], codes: Iterable[str]) -> None:
    """Refuse an import in which two different ids were given the same code.

    Codes carry 60 bits of an HMAC, so this should never happen by chance; if it does, two
    people would silently become one. Raises ``ImportFailed`` (nothing is stored); the
    message names neither id.
    """
    owners: dict[str, str] = {}
    for raw, code in zip(raw_ids, codes, strict=True):
        key = normalise_raw_id(raw)
        if owners.setdefault(code, key) != key:
            raise ImportFailed(
                [
                    Problem(
                        ERROR,
                        "",
                        "",
                        None,
                        "entity_id",
                        "code collision",
                        "two different ids were given the same code, so two people would "
                        "become one; nothing was stored. Rotate the key (python -m mapping "
                        "rekey) and import again",
                    )
                ]
            )
