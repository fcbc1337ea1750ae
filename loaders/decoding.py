"""Bytes to text: detect the encoding, never assume it."""
from __future__ import annotations

import codecs
from dataclasses import dataclass

from mzkg import settings


class DocumentError(Exception):
    """A document that cannot be loaded; the message names the file and the reason."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason

    def __reduce__(self):  # travels between processes of a parallel build
        return DocumentError, (self.source, self.reason)


@dataclass(frozen=True)
class DecodedText:
    text: str          # newlines normalised to "\n"; offsets in the graph index into this
    encoding: str      # what the bytes were, e.g. "utf-8-sig", "gb18030"
    line_endings: str  # "LF", "CRLF", "CR" or "none"


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def max_document_bytes() -> int:
    return settings.value("max_document_bytes")


def decode(data: bytes, source: str = "<bytes>") -> DecodedText:
    """Decode a text document: BOM first, then strict UTF-8, then GB18030 (a superset of GBK)."""
    if not data.strip():
        raise DocumentError(source, "the file is empty")
    limit = max_document_bytes()
    if len(data) > limit:
        raise DocumentError(source, f"the file is {len(data) / 1048576:.1f} MB; documents up to {limit / 1048576:.0f} MB "
                                    "are read (KG_MAX_DOCUMENT_BYTES)")
    encoding = _detect(data, source)
    text = data.decode(encoding)
    if "\x00" in text:
        raise DocumentError(source, "the file contains NUL characters; it looks binary, not text")
    line_endings = _line_endings(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return DecodedText(text, encoding, line_endings)


def _detect(data: bytes, source: str) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    if b"\x00" in data[:4096]:
        raise DocumentError(source, "the file contains NUL bytes; it looks binary, not text")
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
            return encoding
        except UnicodeDecodeError:
            continue
    raise DocumentError(source, "the bytes are neither UTF-8 nor GB18030/GBK text")


def _line_endings(text: str) -> str:
    if "\r\n" in text:
        return "CRLF"
    if "\r" in text:
        return "CR"
    return "LF" if "\n" in text else "none"
