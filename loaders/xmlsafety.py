"""Refuse XML that declares a DTD or entities before any parser sees it.

GraphML, GEXF and the parts of an XLSX workbook are XML. A document type declaration is the
door to "billion laughs" entity expansion and to external entities that read local files
or fetch URLs; no legitimate export from a case system needs one. So the bytes are scanned
for ``<!DOCTYPE`` / ``<!ENTITY`` first, and parsing then goes through defusedxml, which
refuses them again (defence in depth). This module never returns file content in messages.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from loaders.problems import ERROR, ImportFailed, Problem

#: Markers that only appear in XML carrying a document type or entity declarations.
FORBIDDEN_MARKERS = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity")
_CHUNK = 1 << 20


def entity_trick(problem_file: str, sheet: str = "") -> ImportFailed:
    return ImportFailed(
        [
            Problem(
                ERROR,
                problem_file,
                sheet,
                None,
                None,
                "XML entity declaration",
                "the file declares a DTD or XML entities, which can be used to read local files or "
                "to expand into gigabytes; it was refused unread. Re-export it from the source "
                "system (exports never need a DOCTYPE)",
            )
        ]
    )


def _utf16_markers() -> tuple[bytes, ...]:
    return tuple(
        m.decode("ascii").encode(enc)
        for m in FORBIDDEN_MARKERS
        for enc in ("utf-16-le", "utf-16-be")
    )


_ALL_MARKERS = FORBIDDEN_MARKERS + _utf16_markers()


def stream_has_markers(chunks: Iterable[bytes]) -> bool:
    """True when any chunk (overlaps included) holds a DOCTYPE or ENTITY marker."""
    tail = b""
    overlap = max(len(m) for m in _ALL_MARKERS)
    for chunk in chunks:
        window = tail + chunk
        if any(marker in window for marker in _ALL_MARKERS):
            return True
        tail = window[-overlap:]
    return False


def check_xml_file(path: Path, name: str) -> None:
    """Raise ImportFailed when an XML file declares a DTD or entities."""
    with open(path, "rb") as handle:
        if stream_has_markers(iter(lambda: handle.read(_CHUNK), b"")):
            raise entity_trick(name)


def check_xml_members(archive: zipfile.ZipFile, name: str) -> None:
    """Raise ImportFailed when any XML part of a workbook declares a DTD or entities.

    Call only after the archive's declared sizes have been checked (zip-bomb guard).
    """
    for member in archive.infolist():
        if not member.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        with archive.open(member) as handle:
            if stream_has_markers(iter(partial(handle.read, _CHUNK), b"")):
                raise entity_trick(name, member.filename.rsplit("/", 1)[-1])
