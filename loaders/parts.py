"""Every part of a document the loader extracted, as one flat list in document order of kinds.

A part has a path, which the writer turns into its IRI (`section/2.1` for a section, by its numbering;
`measure/…`, `box/…/item/…`, `target/…` by what they say, see _StablePaths), the text that tells what it
is about, its span and its enclosing part.
Classification (classify.py) and the writer (writer.py) both work from this list.
"""
from __future__ import annotations

import hashlib
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
    ordinal: int | None = None  # targets: the position among the document's targets


def section_path(section: Section | None) -> str | None:
    return f"section/{section.key}" if section else None


def parts_of(structure: Structure, targets: list[Target], unread: list[UnreadRow]) -> list[Part]:
    parts = []
    stable = _StablePaths()
    if structure.toc:
        parts.append(Part("toc", "toc", "目录", "目录", structure.toc.span, None, structure.toc, in_section=False))
    for s in structure.sections:
        parts.append(Part(section_path(s), "section", s.title, s.title, s.span, section_path(s.parent), s))
    for m in structure.measures:
        parent = section_path(m.section)
        parts.append(Part(stable("measure", parent, m.label + m.description), "measure", m.label, m.label + m.description,
                          m.span, parent, m))
    for g in structure.goals:
        parent = section_path(g.section)
        parts.append(Part(stable("goal", parent, g.label + g.description), "goal", g.label, g.label + g.description,
                          g.span, parent, g))
    for b in structure.boxes:
        label = b.title or f"专栏{b.number or b.ordinal}"
        parent = section_path(b.section)
        path = stable("box", parent, label)  # by its title alone: an edit to one of its items leaves the others' paths
        parts.append(Part(path, "box", label, label + b.description, b.span, parent, b))
        for item in b.items:
            parts.append(Part(stable(f"{path}/item", path, item.label + item.description), "item", item.label,
                              item.label + item.description, item.span, path, item, in_section=False))
    for t in structure.tables:
        parts.append(Part(f"table/{t.ordinal}", "table", t.caption, t.caption, t.span, section_path(t.section), t))
    for ordinal, t in enumerate(targets, 1):
        parent = f"table/{t.table.ordinal}" if t.table else section_path(t.section)
        label = target_label(t)
        identity = "|".join(str(v) for v in (label, t.text, t.year, t.baseline_value, t.baseline_year, t.actual_year))
        parts.append(Part(stable("target", parent, identity), "target", label, label + (t.text or ""), t.span, parent, t,
                          ordinal=ordinal))
    for row in unread:
        label = short_label(" ".join(row.text.split()), 60)
        parts.append(Part(stable("unread", None, row.text), "unread", label, label, row.span, None, row, in_section=False))
    return parts


class _StablePaths:
    """Paths minted from what a part is, not from where it falls in the document: its kind, its parent's
    path and a digest of its text with white space removed. An edit elsewhere in the document leaves
    them unchanged; a second part with the same text under the same parent gets the next number."""

    def __init__(self):
        self.seen: dict[str, int] = {}

    def __call__(self, kind: str, parent: str | None, text: str) -> str:
        key = f"{parent or ''}\n{''.join(text.split())}"
        path = f"{kind}/{hashlib.sha1(key.encode('utf-8')).hexdigest()[:10]}"
        self.seen[path] = count = self.seen.get(path, 0) + 1
        return path if count == 1 else f"{path}-{count}"


def target_label(t: Target) -> str:
    value = t.value if t.value is not None else t.actual_value
    shown = t.text if value is None else f"{value}{t.unit or ''}"
    return f"{t.indicator_label}: {shown}" if shown else t.indicator_label
