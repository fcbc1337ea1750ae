"""PDFs with a text layer: lines re-joined into paragraphs, page headers, footers and numbers dropped,
ruled tables read cell by cell (a merged cell is one cell spanning the grid lines it covers), a table
broken over pages joined again.

A line break in a PDF falls wherever the line was full. A line that reaches the right margin runs on
into the next unless the next starts indented (a new paragraph's first line) or the line ends a sentence
short of the margin; a short line ends its paragraph (a heading, a paragraph's last line).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from io import BytesIO

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.utils.exceptions import PdfminerException

from . import DocumentError
from .source import SourceText, TextBuilder, header_rows, places_of

_FURNITURE = re.compile(r"^(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}|\d{1,4}\s*/\s*\d{1,4}"
                        r"|page\s*\d+(?:\s*of\s*\d+)?)$", re.I)
_IN_MARGIN = re.compile(r"(?:\d{1,4}\s*/\s*\d{1,4}|第\s*\d{1,4}\s*页|[-—–]\s*\d{1,4}\s*[-—–])\s*$|^\d{1,2}/\d{1,2}/\d{2,4},?\s+\d{1,2}:\d\d"
                        r"|file:/|https?://")
_MARGIN = 0.06     # the top and bottom share of a page where headers and footers stand
_LATIN = re.compile(r"[0-9A-Za-z]")


@dataclass
class _Line:
    page: int
    top: float
    x0: float
    x1: float
    size: float
    text: str
    lead: float   # the width of what the line begins with that could not have ended the line above


@dataclass
class _Table:
    page: int
    top: float
    bottom: float
    columns: tuple          # x positions of its column rules, to tell a continuation
    rows: list = field(default_factory=list)   # (text, rowspan, colspan) cells


def read(data: bytes, source: str) -> SourceText:
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        pdf = pdfplumber.open(BytesIO(data))
        pages = list(pdf.pages)
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise DocumentError(source, "is an encrypted (password-protected) PDF; save an unprotected copy and load that") from None
    except (PDFSyntaxError, PdfminerException, ValueError, KeyError, TypeError) as error:
        causes = [error, *getattr(error, "args", ())]
        if any(isinstance(c, (PDFPasswordIncorrect, PDFEncryptionError)) for c in causes) or "password" in str(error).lower():
            raise DocumentError(source, "is an encrypted (password-protected) PDF; save an unprotected copy and load that") from None
        raise DocumentError(source, f"is a damaged PDF ({type(error).__name__})") from None
    with pdf:
        lines, tables = [], []
        for number, page in enumerate(pages):
            page_tables = [_table(page, number, found) for found in page.find_tables()]
            tables += [t for t in page_tables if t is not None]
            lines += [line for line in _lines(page, number) if not any(_inside(line, t) for t in page_tables if t)]
        if not any(line.text.strip() for line in lines) and not tables:
            raise DocumentError(source, "is a PDF without a text layer (a scan?); run OCR on it, or load the Word file or "
                                        "web page it was made from")
        lines = _without_furniture(lines, pages)
        title = (pdf.metadata or {}).get("Title")
    builder = TextBuilder()
    for item in _in_order(lines, _joined(tables, lines)):
        if isinstance(item, _Table):
            builder.table(places_of(item.rows), header_rows(item.rows))
        else:
            builder.line(item)
    return SourceText(builder.text(), "application/pdf", None, "LF", builder.tables,
                      title.strip() if isinstance(title, str) and title.strip() else None)


_OPENING = "“‘《〈（([【〔"
_CLOSING = "，。、；：？！”’》〉）)]】〕%,.;:?!…·—"
_WORD = re.compile(r"[0-9A-Za-z.%+\-]")


def _lines(page, number: int) -> list[_Line]:
    """The page's lines, their text as the PDF's own characters (no spaces guessed from the gaps)."""
    out = []
    for line in page.extract_text_lines(keep_blank_chars=True):
        chars = [c for c in line["chars"]]
        text = "".join(c["text"] for c in chars).strip()
        if text:
            sizes = [c["size"] for c in chars if c["text"].strip()]
            out.append(_Line(number, line["top"], line["x0"], line["x1"], max(sizes) if sizes else 10.0, text, _lead(chars)))
    return out


def _lead(chars: list[dict]) -> float:
    """How wide the start of a line is that a line break cannot split: a word or number, a character
    with the closing marks after it, an opening mark with the character after it."""
    chars = [c for c in chars if c["text"].strip()]
    if not chars:
        return 0.0
    k = 0
    while k < len(chars) and chars[k]["text"] in _OPENING:
        k += 1
    if k < len(chars) and _WORD.match(chars[k]["text"]):
        while k + 1 < len(chars) and _WORD.match(chars[k + 1]["text"]):
            k += 1
    while k + 1 < len(chars) and chars[k + 1]["text"] in _CLOSING:
        k += 1
    k = min(k, len(chars) - 1)
    return chars[k]["x1"] - chars[0]["x0"]


def _table(page, number: int, found) -> _Table | None:
    """A ruled table from its cells' boxes: the distinct rules make the grid, a cell spans what it covers."""
    cells = [c for c in found.cells if c]
    if not cells:
        return None
    xs = sorted({round(v, 1) for c in cells for v in (c[0], c[2])})
    ys = sorted({round(v, 1) for c in cells for v in (c[1], c[3])})
    if len(xs) < 3 or len(ys) < 3:
        return None  # a box around text, not a table
    by_row: dict[int, list] = {}
    for x0, top, x1, bottom in sorted(cells, key=lambda c: (round(c[1], 1), c[0])):
        r, c = ys.index(round(top, 1)), xs.index(round(x0, 1))
        rowspan = ys.index(round(bottom, 1)) - r
        colspan = xs.index(round(x1, 1)) - c
        text = page.crop((x0, top, x1, bottom)).extract_text() or ""
        by_row.setdefault(r, []).append((c, _unbroken(text.split("\n")), rowspan, colspan))
    covered = {(r + dr, c + dc) for r, cells_ in by_row.items() for c, _, rowspan, colspan in cells_
               for dr in range(rowspan) for dc in range(colspan)}
    for c in range(len(xs) - 1):  # a cell whose rules a page break cut (no rule under it): the grid places it lacks
        r = 0
        while r < len(ys) - 1:
            if (r, c) in covered:
                r += 1
                continue
            end = r
            while end + 1 < len(ys) - 1 and (end + 1, c) not in covered:
                end += 1
            text = page.crop((xs[c], ys[r], xs[c + 1], ys[end + 1])).extract_text() or ""
            by_row.setdefault(r, []).append((c, _unbroken(text.split("\n")), end - r + 1, 1))
            r = end + 1
    rows = [[(text, rowspan, colspan) for _, text, rowspan, colspan in sorted(by_row.get(r, []))] for r in range(len(ys) - 1)]
    return _Table(number, found.bbox[1], found.bbox[3], tuple(xs), [row for row in rows if row])


def _inside(line: _Line, table: _Table) -> bool:
    return line.page == table.page and table.top - 1 <= line.top <= table.bottom


def _without_furniture(lines: list[_Line], pages) -> list[_Line]:
    """Lines without the pages' headers, footers and page numbers: in the top or bottom margin, a line
    that says it is one (a page number, a date and time, a file address) or that repeats on other pages
    (its digits aside)."""
    def margin(line: _Line) -> bool:
        height = pages[line.page].height
        return line.top < height * _MARGIN or line.top > height * (1 - _MARGIN)

    def shape(line: _Line) -> str:
        return re.sub(r"\d+", "#", line.text)

    repeated = {}
    for line in lines:
        if margin(line):
            repeated.setdefault(shape(line), set()).add(line.page)
    return [line for line in lines if not (margin(line) and (_FURNITURE.match(line.text) or _IN_MARGIN.search(line.text)
                                                             or len(repeated.get(shape(line), ())) > 1))
            and not _FURNITURE.match(line.text)]


def _joined(tables: list[_Table], lines: list[_Line]) -> list[_Table]:
    """A table broken over pages is one: a table that ends its page and one that begins the next with
    the same columns, the header rows the second repeats dropped."""
    out: list[_Table] = []
    for table in tables:
        last = out[-1] if out else None
        if last is not None and table.page == last.page + 1 and _same_columns(last.columns, table.columns) and not any(
                (line.page == last.page and line.top > last.bottom) or (line.page == table.page and line.top < table.top)
                for line in lines):
            head = header_rows(last.rows)
            _continue(last.rows, table.rows[head:] if table.rows[:head] == last.rows[:head] else table.rows)
            continue
        out.append(table)
    return out


def _continue(rows: list, more: list) -> None:
    """Rows of a table's next part after its rows; an empty cell that begins the next part under a
    cell the page break cut (a merged category or bindingness cell) is that cell, spanning one row more."""
    if not more:
        return
    origins: dict[tuple[int, int], tuple[int, int]] = {}  # where each cell of rows stands -> its row and index
    taken: set = set()
    for r, row in enumerate(rows):
        c = 0
        for k, (_, rowspan, colspan) in enumerate(row):
            while (r, c) in taken:
                c += 1
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken.add((r + dr, c + dc))
                    origins[(r + dr, c + dc)] = (r, k)
            c += colspan
    bottom, first, c = len(rows) - 1, [], 0
    for text, rowspan, colspan in more[0]:
        above = origins.get((bottom, c))
        if not text.strip() and above is not None:
            r, k = above
            cut = rows[r][k]
            rows[r][k] = (cut[0], cut[1] + rowspan, cut[2])
        else:
            first.append((text, rowspan, colspan))
        c += colspan
    rows += ([first] if first else []) + more[1:]


def _same_columns(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(abs(x - y) < 2 for x, y in zip(a, b))


def _in_order(lines: list[_Line], tables: list[_Table]):
    """Paragraphs and tables in reading order."""
    items = [(line.page, line.top, line) for line in lines] + [(t.page, t.top, t) for t in tables]
    items.sort(key=lambda item: (item[0], item[1]))
    run: list[_Line] = []
    for _, _, item in items:
        if isinstance(item, _Table):
            yield from _paragraphs(run)
            run = []
            yield item
        else:
            run.append(item)
    yield from _paragraphs(run)


def _paragraphs(lines: list[_Line]):
    """Lines re-joined where a line break fell mid-sentence."""
    if not lines:
        return
    left = min(line.x0 for line in lines)
    right = max(line.x1 for line in lines)
    paragraph = [lines[0]]
    for previous, line in zip(lines, lines[1:]):
        full = right - previous.x1 < line.lead + 0.5 * previous.size  # what begins the next line did not fit
        indented = line.x0 > left + 1.2 * line.size
        if full and not indented and line.page - previous.page <= 1:
            paragraph.append(line)
        else:
            yield _unbroken([p.text for p in paragraph])
            paragraph = [line]
    yield _unbroken([p.text for p in paragraph])


def _unbroken(parts: list[str]) -> str:
    """Pieces of one paragraph joined: a space only between two words of Latin letters or digits."""
    out = ""
    for part in (p.strip() for p in parts):
        if part:
            out += (" " if out and _LATIN.match(out[-1]) and _LATIN.match(part[0]) else "") + part
    return out
