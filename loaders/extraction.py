"""What a document says, read from its text: a plain record, with no RDF in it.

`extract(text)` is the whole analysis; the writer (writer.py) turns an Extraction into triples and does
no analysis of its own. Tests and the scoring tool read Extractions directly.
"""
from __future__ import annotations

from dataclasses import dataclass

from .citations import Citation, find_citations
from .classify import classify
from .concepts import vocabulary
from .formats.source import GivenTable, SourceText
from .gazetteer import Gazetteer
from .metadata import Metadata, read_metadata
from .model import Cell, Grid, Span, Structure, Target, UnreadRow
from .normalize import NormalizedText
from .parts import Part, parts_of
from .places import Mention, find_mentions
from .responsibilities import Responsibility, find_responsibilities
from .structure import parse_structure
from .tables import table_targets
from .targets import prose_targets


@dataclass
class Extraction:
    text: NormalizedText       # the original and the normalised text all spans index
    metadata: Metadata
    structure: Structure       # sections, measures, goals, 专栏 boxes, tables, paragraphs
    targets: list[Target]      # from tables first, then from running text
    mentions: list[Mention]    # administrative units named
    citations: list[Citation]  # instruments cited by title
    unread: list[UnreadRow]    # table rows that could not be read
    parts: list[Part]          # every part above as one list, with the groups it serves and its policy area
    areas: list[str]           # the document's policy areas (concept paths)
    responsibilities: list[Responsibility]  # who carries out each task


def extract(text: str, gazetteer: Gazetteer | None = None, source: SourceText | None = None) -> Extraction:
    """What the text says; source, when the text was read from a file, adds the tables the file lays
    out as tables and its own title field."""
    gazetteer = gazetteer or Gazetteer.default()
    norm = NormalizedText.of(text)
    meta = read_metadata(norm.text, gazetteer, source.title if source else None)
    structure = parse_structure(norm.text, meta.policy_document, [_normalized(t, norm) for t in source.tables] if source else ())
    if not meta.policy_document:  # a news report or an explanation sets no measures or goals of its own
        structure.measures, structure.goals = [], []
    rows = [t for table in structure.tables for t in table_targets(table, norm.text, meta.period_end)]
    targets = [t for t in rows if _has_a_value(t)]
    unread = [UnreadRow(k + 1, norm.text[t.span.start:t.span.end], t.span, t.table)
              for k, t in enumerate(t for t in rows if not _has_a_value(t))]
    targets += prose_targets(norm.text, structure.paragraphs + _box_spans(structure), meta)
    parts = parts_of(structure, targets, unread)
    areas = classify(parts, vocabulary())
    return Extraction(norm, meta, structure, targets, find_mentions(norm.text, gazetteer, meta.jurisdiction),
                      find_citations(norm.text, meta.title), unread, parts, areas,
                      find_responsibilities(norm.text, structure))


def _normalized(table: GivenTable, norm: NormalizedText) -> GivenTable:
    """A table the file gives, its spans moved from the original text into the normalised one."""
    def span(s: Span) -> Span:
        return Span(norm.normalized_offset(s.start), norm.normalized_offset(s.end))

    def cell(c: Cell) -> Cell:
        return Cell(NormalizedText.of(c.text).text, span(c.span))

    def row(cells: list[Cell]) -> list[Cell]:
        return [cell(c) for c in cells]

    grid = table.grid
    return GivenTable(span(table.span), Grid(row(grid.header), [row(r) for r in grid.rows], [row(r) for r in grid.header_rows]),
                      NormalizedText.of(table.caption).text if table.caption else None)


def _has_a_value(target: Target) -> bool:
    return any(v is not None for v in (target.value, target.text, target.actual_value, target.baseline_value))


def _box_spans(structure: Structure):
    """Targets inside 专栏 boxes: each item, or the box text when it has no items."""
    spans = []
    for box in structure.boxes:
        spans.extend((box.section, span) for span in ([item.span for item in box.items] or [box.span]))
    return spans
