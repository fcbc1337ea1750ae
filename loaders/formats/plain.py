"""Plain text: detect the encoding, never assume it."""
from __future__ import annotations

import codecs
from dataclasses import dataclass

from . import DocumentError
from .source import SourceText


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


def read(data: bytes, source: str = "<bytes>") -> SourceText:
    decoded = decode(data, source)
    return SourceText(decoded.text, "text/plain", decoded.encoding, decoded.line_endings)


def decode(data: bytes, source: str = "<bytes>") -> DecodedText:
    """Decode text: BOM first, then strict UTF-8, then GB18030 (a superset of GBK)."""
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
