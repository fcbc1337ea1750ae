"""Every part of a document the loader extracted, as one flat list in document order of kinds.

A part has a path (its place in the document: `section/2.1`, `measure/3`, `box/1/item/2`, which the
writer turns into its IRI), the text that tells what it is about, its span and its enclosing part.
Classification (classify.py) and the writer (writer.py) both work from this list.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .indicators import Alignment
from .model import Section, Span, Structure, Target, UnreadRow
from .structure import short_label


@dataclass
class Part:
    path: str
    kind: str                 # toc | section | measure | goal | box | item | table | target | unread
    label: str
    text: str                 # label and description: what classification reads
    span: Span
    parent: str | None        # the enclosing part's path; None for the document itself
    record: object            # the model's record (Section, Measure, …)
    in_section: bool = True   # whether it is part of its parent section or table (the document when parent is None)
    groups: list[str] = field(default_factory=list)  # concept paths of the target groups it names
    area: str | None = None   # concept path of its policy area, its own or its nearest ancestor's
    indicator: Alignment | None = None  # targets: the indicator concept
    programme: bool = False   # 专栏 boxes and items: named as a programme (…行动, …计划)


def section_path(section: Section | None) -> str | None:
    return f"section/{section.key}" if section else None


def parts_of(structure: Structure, targets: list[Target], unread: list[UnreadRow]) -> list[Part]:
    parts = []
    if structure.toc:
        parts.append(Part("toc", "toc", "目录", "目录", structure.toc.span, None, structure.toc, in_section=False))
    for s in structure.sections:
        parts.append(Part(section_path(s), "section", s.title, s.title, s.span, section_path(s.parent), s))
    for m in structure.measures:
        parts.append(Part(f"measure/{m.ordinal}", "measure", m.label, m.label + m.description, m.span,
                          section_path(m.section), m))
    for g in structure.goals:
        parts.append(Part(f"goal/{g.ordinal}", "goal", g.label, g.label + g.description, g.span, section_path(g.section), g))
    for b in structure.boxes:
        path = f"box/{b.ordinal}"
        label = b.title or f"专栏{b.number or b.ordinal}"
        parts.append(Part(path, "box", label, label + b.description, b.span, section_path(b.section), b))
        for item in b.items:
            parts.append(Part(f"{path}/item/{item.ordinal}", "item", item.label, item.label + item.description, item.span,
                              path, item, in_section=False))
    for t in structure.tables:
        parts.append(Part(f"table/{t.ordinal}", "table", t.caption, t.caption, t.span, section_path(t.section), t))
    for ordinal, t in enumerate(targets, 1):
        parent = f"table/{t.table.ordinal}" if t.table else section_path(t.section)
        label = target_label(t)
        parts.append(Part(f"target/{ordinal}", "target", label, label + (t.text or ""), t.span, parent, t))
    for row in unread:
        label = short_label(" ".join(row.text.split()), 60)
        parts.append(Part(f"unread/{row.ordinal}", "unread", label, label, row.span, None, row, in_section=False))
    return parts


def target_label(t: Target) -> str:
    value = t.value if t.value is not None else t.actual_value
    shown = t.text if value is None else f"{value}{t.unit or ''}"
    return f"{t.indicator_label}: {shown}" if shown else t.indicator_label
