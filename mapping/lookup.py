"""Find the stored id of a raw identifier typed by a person.

The raw identifier is hashed with the key and compared with the stored codes; it is never
stored or logged. Ids of places and online spaces are kept as imported, so a raw id that
matches one directly is returned as it is.
"""

from __future__ import annotations

from mapping.model import MODEL
from mapping.pseudonymise import Pseudonymiser
from mapping.store import Store


def candidate_codes(raw_id: str, pseudonymiser: Pseudonymiser | None) -> list[str]:
    if pseudonymiser is None:
        return []
    prefixes = {MODEL.code_prefix(t.key) for t in MODEL.entity_types if MODEL.is_person(t.key)} | {
        MODEL.code_prefix("place")
    }
    return [pseudonymiser.code(raw_id, prefix) for prefix in sorted(prefixes)]


def lookup(
    store: Store, raw_id: str, pseudonymiser: Pseudonymiser | None, version: int | None = None
) -> str | None:
    """The stored id for ``raw_id`` in ``version`` (default latest), or None."""
    candidates = [*candidate_codes(raw_id, pseudonymiser), raw_id.strip()]
    found = store.find_entity_ids(candidates, version)
    for candidate in candidates:  # codes first: a code never equals a raw place id
        if candidate in found:
            return candidate
    return None
