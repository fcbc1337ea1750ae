"""What a reader makes of a file: the text the loaders analyse (and every offset indexes), the tables
the file itself lays out as tables, and what the file says about itself outside its text."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Cell, Grid, Span


@dataclass
class GivenTable:
    """A table as the file lays it out: its cells, with spans into the text where the reader wrote its
    rows (one line per row, cells kept apart by tabs), and its caption when the file gives one."""
    span: Span
    grid: Grid
    caption: str | None = None


@dataclass
class SourceText:
    text: str                       # newlines are "\n"
    media_type: str                 # of the file read: text/plain, text/html, application/pdf, …
    encoding: str | None = None     # of the bytes, for text and HTML
    line_endings: str = "LF"
    tables: list[GivenTable] = field(default_factory=list)
    title: str | None = None        # the file's own title field (<title>, the Word or PDF properties)
    url: str | None = None          # where the file was published, when it says so


_COLLAPSIBLE = re.compile(r"[ \t\r\n\f]+")
_WIDE = re.compile(r"[\u2e80-\u303f\u3040-\u9fff\uf900-\ufaff\uff00-\uffef]")


def tidy(text: str) -> str:
    """Text of one paragraph or cell as a browser shows it: a run of white space is one space, and none
    where it holds a line break between two wide (Chinese) characters; no-break and ideographic spaces
    are kept, since documents set names apart with them."""
    def space(m: re.Match) -> str:
        before, after = m.string[m.start() - 1:m.start()], m.string[m.end():m.end() + 1]
        if "\n" in m.group() and _WIDE.match(before or "a") and _WIDE.match(after or "a"):
            return ""
        return " "

    return _COLLAPSIBLE.sub(space, text).strip(" ")


class TextBuilder:
    """Writes paragraphs and tables into one text, keeping the spans of every table cell."""

    def __init__(self):
        self.parts: list[str] = []
        self.length = 0
        self.tables: list[GivenTable] = []

    def paragraph(self, text: str) -> None:
        """A paragraph of markup, its white space as a browser shows it."""
        self.line(tidy(text))

    def line(self, text: str) -> None:
        """A line of text as written (a Word paragraph, a PDF line)."""
        text = text.strip()
        if text:
            self._line(text)

    def _line(self, text: str) -> int:
        start = self.length
        self.parts.append(text + "\n")
        self.length += len(text) + 1
        return start

    def table(self, places: list[list[tuple[str, tuple[int, int]]]], header_rows: int, caption: str | None = None) -> None:
        """A table from its places, row by row: each the text of the cell covering it and where that
        cell begins (its row and column), so a merged cell covers several places. A cell's text is
        written once, on the line of its first row; in the grid every place it covers holds its text,
        with the (empty) span of that place on its own row's line. A body row that is one cell across
        the whole table (a heading between rows) is a row of one cell."""
        places = [row for row in places if any(text.strip() for text, _ in row)]
        if not places:
            return
        if caption:
            self.paragraph(caption)
        start = self.length
        written: set[tuple[int, int]] = set()
        rows: list[list[Cell]] = []
        for r, row in enumerate(places):
            offset, texts, cells = self.length, [], []
            for text, origin in row:
                shown = tidy(text) if origin not in written else ""
                written.add(origin)
                cells.append(Cell(tidy(text), Span(offset, offset + len(shown))))
                texts.append(shown)
                offset += len(shown) + 1
            self._line("\t".join(texts))
            one = r >= header_rows and len({origin for _, origin in row}) == 1
            rows.append(cells[:1] if one else cells)
        self.tables.append(GivenTable(Span(start, self.length - 1), Grid(rows[header_rows - 1] if header_rows else [],
                                                                          rows[header_rows:], rows[:header_rows]),
                                      tidy(caption or "") or None))

    def text(self) -> str:
        return "".join(self.parts)


Place = tuple[str, tuple[int, int]]


def places_of(rows: list[list[tuple[str, int, int]]]) -> list[list[Place]]:
    """The places of a table given as rows of (text, rowspan, colspan) cells, as HTML and Word lay
    them out: a cell fills the first free places of its row, and a spanning cell the places it covers."""
    taken: dict[tuple[int, int], Place] = {}
    for r, row in enumerate(rows):
        c = 0
        for text, rowspan, colspan in row:
            while (r, c) in taken:
                c += 1
            for dr in range(max(1, rowspan)):
                for dc in range(max(1, colspan)):
                    taken.setdefault((r + dr, c + dc), (text, (r, c)))
            c += max(1, colspan)
    width = max((c for _, c in taken), default=-1) + 1
    return [[taken.get((r, c), ("", (r, c))) for c in range(width)] for r in range(len(rows))]


def header_rows(rows: list[list[tuple[str, int, int]]], marked: int = 0) -> int:
    """How many rows head a table: those the file marks as its header, else the first, and the rows
    below a header cell that spans several columns (its sub-headings)."""
    count = marked or 1
    while count < len(rows) and any(colspan > 1 for _, _, colspan in rows[count - 1]):
        count += 1
    return count


def caption_row(rows: list[list[tuple[str, int, int]]]) -> tuple[str | None, list[list[tuple[str, int, int]]]]:
    """A first row that is one cell across the whole table is the table's caption, not its header."""
    if len(rows) > 2 and len(rows[0]) == 1 and rows[0][0][2] > 1 and rows[0][0][2] >= max(len(row) for row in rows[1:]):
        return rows[0][0][0], rows[1:]
    return None, rows
