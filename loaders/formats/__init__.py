"""Document formats: the one table of what the loaders read, and the reader each format has.

A file's format is chosen by its content (magic bytes, markup), not by its name: a saved page named
.txt is read as HTML. Each reader turns its format into a SourceText: the text every offset indexes,
the tables the file lays out as tables, and the file's own title and address. Readers are imported when
first needed, so that a build of text files never loads an HTML or PDF library.
"""
from __future__ import annotations

import importlib
import zipfile
from dataclasses import dataclass
from io import BytesIO

from mzkg import settings

from .source import SourceText


class DocumentError(Exception):
    """A document that cannot be loaded; the message names the file and the reason."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason

    def __reduce__(self):  # travels between processes of a parallel build
        return DocumentError, (self.source, self.reason)


@dataclass(frozen=True)
class Format:
    key: str
    media_type: str
    extensions: tuple[str, ...]  # the names a build looks for in a folder
    reader: str                  # the module under loaders.formats that reads it


FORMATS = (
    Format("text", "text/plain", (".txt", ".text"), "plain"),
    Format("html", "text/html", (".html", ".htm", ".xhtml", ".shtml"), "web"),
    Format("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), "word"),
    Format("pdf", "application/pdf", (".pdf",), "pdf"),
)
BY_KEY = {fmt.key: fmt for fmt in FORMATS}
# Files a build looks at and refuses with the reason: formats a researcher has, but no reader reads.
REFUSED_EXTENSIONS = (".doc", ".wps", ".rtf", ".odt", ".xls", ".xlsx", ".ppt")
_REFUSED_MAGIC = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "is a legacy Office file (Word 97–2003 .doc, WPS or Excel); save it as .docx or "
                                          "PDF and load that"),
    (b"{\\rtf", "is an RTF file; save it as .docx and load that"),
)


def extensions() -> tuple[str, ...]:
    return tuple(ext for fmt in FORMATS for ext in fmt.extensions) + REFUSED_EXTENSIONS


def max_document_bytes() -> int:
    return settings.value("max_document_bytes")


def check_size(size: int, source: str) -> None:
    limit = max_document_bytes()
    if size > limit:
        raise DocumentError(source, f"the file is {size / 1048576:.1f} MB ({size:,} bytes); documents up to {limit:,} bytes "
                                    "are read (KG_MAX_DOCUMENT_BYTES)")


def sniff(data: bytes, source: str) -> Format:
    """The format of a file's bytes."""
    for magic, reason in _REFUSED_MAGIC:
        if data.startswith(magic):
            raise DocumentError(source, reason)
    if data.startswith(b"%PDF-"):
        return BY_KEY["pdf"]
    if data.startswith(b"PK\x03\x04"):
        return _zipped(data, source)
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in head or b"<body" in head or (
            head.startswith(b"<") and (b"<p" in head or b"<div" in head or b"<meta" in head or b"<table" in head)):
        return BY_KEY["html"]
    return BY_KEY["text"]


def _zipped(data: bytes, source: str) -> Format:
    try:
        names = set(zipfile.ZipFile(BytesIO(data)).namelist())
    except zipfile.BadZipFile:
        raise DocumentError(source, "is a damaged zip archive (a Word file cut short?); it cannot be read") from None
    if "word/document.xml" in names:
        return BY_KEY["docx"]
    if "content.xml" in names:
        raise DocumentError(source, "is an OpenDocument file; save it as .docx and load that")
    raise DocumentError(source, "is a zip archive, not a Word document; unpack it and load the documents in it")


def read(data: bytes, source: str = "<bytes>") -> SourceText:
    """A file's bytes as a SourceText, by the format its content shows."""
    if not data.strip():
        raise DocumentError(source, "the file is empty")
    check_size(len(data), source)
    fmt = sniff(data, source)
    return importlib.import_module(f"{__name__}.{fmt.reader}").read(data, source)
