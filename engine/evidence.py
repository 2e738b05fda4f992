"""Evidence: the files a completed step produced (its Output), kept with the run.

Files are stored once per content, under their SHA-256, in the database
itself (SQLite and PostgreSQL alike, no shared disk); the ``step_completed``
audit event names each file (name, size, type, SHA-256), so the hash chain
covers them, and verifying the audit trail also checks every stored file
against its hash.

What is accepted is decided by a file's content, never its name: PDF, JPEG,
PNG and the office documents docx, xlsx, odt and ods, each at most the size
the workspace allows. ``filetype`` reads the signature; a zip is always
looked into (its ``mimetype`` entry for OpenDocument, ``[Content_Types].xml``
for Office Open XML), because a signature alone cannot tell a document from
any zip, nor a macro-enabled workbook from a plain one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import filetype  # type: ignore[import-untyped]

from engine.errors import AlurError
from engine.text import Text

MIB = 1024 * 1024
DEFAULT_MAX_BYTES = 20 * MIB  # the web's `[web] max_upload_mb` default
NAME_LIMIT = 200  # characters of a file's name, its extension included


@dataclass(frozen=True, slots=True)
class Upload:
    """A file given with a completion, before it is stored: its name and content."""

    name: str
    content: bytes


@dataclass(frozen=True, slots=True)
class Evidence:
    """One file attached to one task's completion."""

    id: int
    run_id: int
    step_run_id: int
    sha256: str
    name: str
    size: int
    mime: str
    attached_at: dt.datetime
    attached_by: str


@dataclass(frozen=True, slots=True)
class FileKind:
    """A kind of file Alur keeps as evidence: its media type, extension and name for people."""

    mime: str
    extension: str
    label: str
    extensions: tuple[str, ...]  # the name endings people give it


PDF = FileKind("application/pdf", "pdf", "PDF", ("pdf",))
JPEG = FileKind("image/jpeg", "jpg", "JPEG", ("jpg", "jpeg"))
PNG = FileKind("image/png", "png", "PNG", ("png",))
DOCX = FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "docx", "docx", ("docx",))
XLSX = FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
                "xlsx", ("xlsx",))
ODT = FileKind("application/vnd.oasis.opendocument.text", "odt", "odt", ("odt",))
ODS = FileKind("application/vnd.oasis.opendocument.spreadsheet", "ods", "ods", ("ods",))
ACCEPTED = (PDF, JPEG, PNG, DOCX, XLSX, ODT, ODS)
_BY_MIME = {kind.mime: kind for kind in ACCEPTED}
# The main part of an Office Open XML package, as its [Content_Types].xml names it
# (the macro-enabled ones, docm and xlsm, have other names and are not accepted).
_OOXML_MAIN = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
_ZIP_KINDS = {"zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "jar", "apk"}
_PART_LIMIT = MIB  # bytes read of a package's identifying entry


def accepted_list() -> str:
    """``PDF, JPEG, PNG, docx, xlsx, odt, ods``: what evidence may be, as people name it."""
    return ", ".join(kind.label for kind in ACCEPTED)


def kind_of(mime: str) -> FileKind | None:
    """The accepted kind with this media type, if it is one."""
    return _BY_MIME.get(mime)


class EvidenceRefused(AlurError, ValueError):
    """A file given as evidence is not kept: ``problem`` is ``type`` (not an accepted kind;
    ``found`` says what it looks like, if known), ``size`` (more than ``limit`` bytes) or
    ``empty``. The whole completion is refused with it."""

    def __init__(self, name: str, problem: str, size: int = 0, limit: int = 0,
                 found: str | None = None) -> None:
        self.name = name
        self.problem = problem
        self.size = size
        self.limit = limit
        self.found = found
        accepted = accepted_list()
        if problem == "size":
            message = Text("`{name}` is {size} MB; an evidence file may be at most {limit} MB",
                           name=name, size=_megabytes(size, up=True), limit=_megabytes(limit))
        elif problem == "empty":
            message = Text("`{name}` is empty; nothing to keep as evidence", name=name)
        elif found:
            message = Text("`{name}` is not a file Alur keeps as evidence (it looks like "
                           "{found}); accepted, as recognised by their content: {accepted}",
                           name=name, found=found, accepted=accepted)
        else:
            message = Text("`{name}` is not a file Alur keeps as evidence; accepted, as "
                           "recognised by their content: {accepted}", name=name,
                           accepted=accepted)
        super().__init__(message)


class EvidenceNotFound(AlurError, LookupError):
    """No such file in the run (or no such step to take files from)."""


def _megabytes(size: int, up: bool = False) -> str:
    """``20`` or ``20.1``: bytes as megabytes for a message (rounded up when ``up``, so that
    a file just over the limit never reads as the limit itself)."""
    tenths = -(-size * 10 // MIB) if up else round(size * 10 / MIB)
    whole, tenth = divmod(tenths, 10)
    return f"{whole}" if tenth == 0 else f"{whole}.{tenth}"


def _inside_zip(content: bytes) -> FileKind | None:
    """The document kind a zip package holds, read from its identifying entry."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            names = set(package.namelist())
            if "mimetype" in names:
                declared = _read_part(package, "mimetype").strip()
                kind = _BY_MIME.get(declared.decode("ascii", "replace"))
                return kind if kind in (ODT, ODS) else None
            if "[Content_Types].xml" in names:
                types = _read_part(package, "[Content_Types].xml")
                found = [kind for marker, kind in _OOXML_MAIN.items() if marker in types]
                return found[0] if len(found) == 1 else None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError,
            RuntimeError, EOFError, ValueError):
        return None  # damaged, encrypted or unreadable: not a document Alur can keep
    return None


def _read_part(package: zipfile.ZipFile, name: str) -> bytes:
    if package.getinfo(name).file_size > _PART_LIMIT:
        return b""
    with package.open(name) as part:
        return part.read(_PART_LIMIT)


def recognise(content: bytes) -> FileKind | None:
    """The accepted kind of a file, by its content (None: not one Alur keeps)."""
    guess = filetype.guess(content[:8192]) if content else None
    if guess is None:
        return None
    if guess.extension in _ZIP_KINDS:
        return _inside_zip(content)
    kind = _BY_MIME.get(guess.mime)
    return kind if kind in (PDF, JPEG, PNG) else None


def _looks_like(content: bytes) -> str | None:
    """What a refused file seems to be (``zip``, ``gif``...), for the message."""
    guess = filetype.guess(content[:8192]) if content else None
    if guess is None:
        return None
    return "zip" if guess.extension in _ZIP_KINDS else str(guess.extension)


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def clean_name(name: str, kind: FileKind | None = None) -> str:
    """A file's name as Alur keeps and writes it: its last path part only, no control or
    path characters, no leading dots (never ``..``), at most NAME_LIMIT characters, ending
    in the extension of its kind (``laporan.exe`` that is a PDF becomes ``laporan.exe.pdf``);
    ``file`` (with the extension) when nothing is left."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", name or ""))[-1]
    base = _UNSAFE.sub("_", base).strip().lstrip(".").strip()
    stem, dot, ext = base.rpartition(".")
    if kind is not None and not (dot and ext.lower() in kind.extensions):
        stem, ext = base, kind.extension
    elif not dot:
        stem, ext = base, ""
    suffix = f".{ext}" if ext else ""
    stem = stem[:max(1, NAME_LIMIT - len(suffix))].rstrip(" .") or "file"
    return stem + suffix


def unique_names(names: Iterable[str]) -> list[str]:
    """The names, each used once: a repeated ``a.pdf`` becomes ``a (2).pdf``, ``a (3).pdf``
    (compared ignoring case, as a Windows or macOS folder would)."""
    taken: set[str] = set()
    result = []
    for name in names:
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        candidate, n = name, 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{stem} ({n})" + (f".{ext}" if ext else "")
        taken.add(candidate.lower())
        result.append(candidate)
    return result


def check_size(name: str, size: int, max_bytes: int) -> None:
    """EvidenceRefused when a file of ``size`` bytes is larger than ``max_bytes`` (a runner
    asks before reading a file at all)."""
    if size > max_bytes:
        raise EvidenceRefused(clean_name(name), "size", size, max_bytes)


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """An upload that is accepted: its kept name, kind, size and SHA-256."""

    name: str
    kind: FileKind
    content: bytes
    size: int
    sha256: str

    def described(self) -> dict[str, object]:
        """The file as the ``step_completed`` audit event names it."""
        return {"name": self.name, "size": self.size, "type": self.kind.mime,
                "sha256": self.sha256}


def check_uploads(uploads: Sequence[Upload], max_bytes: int) -> tuple[CheckedFile, ...]:
    """Every upload recognised and measured; EvidenceRefused at the first one that is not
    kept (then nothing is)."""
    checked = []
    for upload in uploads:
        size = len(upload.content)
        if size == 0:
            raise EvidenceRefused(clean_name(upload.name), "empty")
        check_size(upload.name, size, max_bytes)
        kind = recognise(upload.content)
        if kind is None:
            raise EvidenceRefused(clean_name(upload.name), "type",
                                  found=_looks_like(upload.content))
        checked.append((clean_name(upload.name, kind), kind, upload.content, size))
    names = unique_names(name for name, *_rest in checked)
    return tuple(CheckedFile(name, kind, content, size, hashlib.sha256(content).hexdigest())
                 for name, (_n, kind, content, size) in zip(names, checked, strict=True))
