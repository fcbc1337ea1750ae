"""What the loader extracts from one document, before it becomes RDF.

Spans are offsets into the normalised text (see normalize.NormalizedText); the RDF
writer maps them back to the original text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class Span:
    start: int
    end: int


@dataclass
class Section:
    key: str                 # structural path, e.g. "2.1"
    number: str | None       # as written, e.g. "第二章", "(一)"
    title: str
    depth: int
    kind: str                # background | guidance | goals | tasks
    span: Span
    parent: "Section | None" = None
    ordinal: int = 0


@dataclass
class Measure:
    ordinal: int
    label: str
    description: str
    number: str | None
    section: Section | None
    span: Span


@dataclass
class Goal:
    ordinal: int
    label: str
    description: str
    section: Section | None
    span: Span


@dataclass
class BoxItem:
    ordinal: int
    label: str
    description: str
    number: str | None
    span: Span


@dataclass
class Box:
    ordinal: int
    number: int | None
    title: str
    description: str
    section: Section | None
    span: Span
    items: list[BoxItem] = field(default_factory=list)


@dataclass
class Table:
    ordinal: int
    caption: str
    section: Section | None
    span: Span
    lines: list[tuple[str, Span]] = field(default_factory=list)
    notes: list[tuple[str, Span]] = field(default_factory=list)
    baseline_year: int | None = None
    target_year: int | None = None
    grid: "Grid | None" = None  # the cells, when the file lays the table out as one (HTML, Word, PDF)


@dataclass
class Cell:
    text: str
    span: Span


@dataclass
class Grid:
    """A table as cells: its header row and its body rows, each a list of cells (an empty cell keeps its
    place). Read from a text layout (tables.py) or from a document format's own table."""
    header: list[Cell]
    rows: list[list[Cell]]
    header_rows: list[list[Cell]] = field(default_factory=list)  # every row of a header over several rows, top first


@dataclass
class Target:
    indicator_label: str
    span: Span
    section: Section | None
    value: Decimal | None = None
    normalized_value: Decimal | None = None
    range_max: Decimal | None = None
    text: str | None = None
    unit: str | None = None
    comparator: str | None = None
    reference: str | None = None
    year: int | None = None
    baseline_value: Decimal | None = None
    baseline_year: int | None = None
    actual_value: Decimal | None = None
    actual_year: int | None = None
    achievement: bool = False
    bindingness: str | None = None   # "binding" | "expected"
    status: str | None = None
    row_number: str | None = None
    split_ambiguous: bool = False
    cumulative: bool = False          # a five-year total (bracketed in a table), not the level at the year
    table: Table | None = None


@dataclass
class UnreadRow:
    """A table row the reader could not interpret: kept as its text, never a target without a value."""
    ordinal: int
    text: str
    span: Span
    table: "Table | None"


@dataclass
class TableOfContents:
    span: Span
    entries: list[str]


@dataclass
class Structure:
    sections: list[Section] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    paragraphs: list[tuple[Section | None, Span]] = field(default_factory=list)
    toc: TableOfContents | None = None
