"""Refuse XML that declares a DTD or entities before any parser sees it.

GraphML, GEXF and the parts of an XLSX workbook are XML. A document type declaration is the
door to "billion laughs" entity expansion and to external entities that read local files
or fetch URLs; no legitimate export from a case system needs one. So the bytes are scanned
for ``<!DOCTYPE`` / ``<!ENTITY`` first, and parsing then goes through defusedxml, which
refuses them again (defence in depth). This module never returns file content in messages.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import IO

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
    """Raise ImportFailed when any part of a workbook declares a DTD or entities, whatever
    the part is called (a sheet part need not end in ``.xml``), or an XML part holds a text
    run longer than any cell may be (``loaders.bounds.MAX_TEXT_RUN_BYTES``).

    Call only after the archive's declared sizes have been checked (zip-bomb guard).
    """
    from loaders.bounds import MAX_TEXT_RUN_BYTES, RunMeter, long_field_problem

    for member in archive.infolist():
        if member.is_dir():
            continue
        part = member.filename.rsplit("/", 1)[-1]
        with archive.open(member) as handle:
            head = handle.read(_CHUNK)
            meter = RunMeter() if _looks_like_xml(head) else None

            def chunks(
                head: bytes = head, handle: IO[bytes] = handle, meter: RunMeter | None = meter
            ) -> Iterator[bytes]:
                for chunk in _chain(head, iter(partial(handle.read, _CHUNK), b"")):
                    if meter is not None:
                        meter.feed(chunk)
                    yield chunk

            if stream_has_markers(chunks()):
                raise entity_trick(name, part)
            if meter is not None and meter.longest > MAX_TEXT_RUN_BYTES:
                raise ImportFailed([long_field_problem(name, part, None, None)])


def _looks_like_xml(head: bytes) -> bool:
    """Whether a part's first bytes are XML text (so its text runs are cells and strings);
    images and binary parts have long runs that mean nothing."""
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") or head[:2] in (b"\xff\xfe", b"\xfe\xff")


def _chain(head: bytes, rest: Iterable[bytes]) -> Iterator[bytes]:
    if head:
        yield head
    yield from rest


#: The oldest expat without known entity-expansion and reparse flaws (CVE-2023-52425 and
#: CVE-2024-28757 are fixed in 2.6.0; defusedxml and the DOCTYPE scan above still refuse
#: entities, so an older expat is a warning, not a refusal).
MIN_EXPAT = (2, 6, 0)


def expat_problem(version: tuple[int, int, int] | None = None) -> str | None:
    """A warning when the XML parser library is older than :data:`MIN_EXPAT`, else None."""
    import pyexpat

    found = version or tuple(pyexpat.version_info)
    if tuple(found) >= MIN_EXPAT:
        return None
    shown = ".".join(map(str, found))
    wanted = ".".join(map(str, MIN_EXPAT))
    return (
        f"the XML parser library (expat {shown}) is older than {wanted}; XML imports are "
        "still checked for DTDs and entities, but update the system's expat (or Python) soon"
    )
