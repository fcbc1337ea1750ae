"""Who carries out each task: the responsibility notes after tasks ("（责任单位：市民政局、市财政局）",
"牵头单位：市民政局；配合单位：市财政局", on the task's line or the line after it).

A note belongs to the task (measure, else section heading) it follows. Bodies are listed as written;
a name starting with a level word (市民政局) means the document's own unit's body, and is named in
full for its identity (西宁市民政局), so that the same body is one node across documents.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import rules
from .datafiles import alternatives, lexicon
from .gazetteer import Unit
from .model import Span, Structure

_WORDS = lexicon("responsibilities")
_ROLES = {label: role for role in ("responsible", "lead", "cooperating") for label in _WORDS[role]}
_LABEL = re.compile(rf"^\s*(?P<label>{alternatives(sorted(_ROLES, key=len, reverse=True))})\s*[:：]\s*")
_LEADS = re.compile(r"^(?P<lead>.+?)牵头[,，、]?(?P<rest>.*?)(?:按职责分工负责|按职责负责|配合|参与|负责)?$")
_OPEN, _CLOSE = "(（", ")）"


@dataclass
class Responsibility:
    task: object                # the Measure or Section the note belongs to
    span: Span                  # the task's
    note: Span                  # the note's
    responsible: list[str] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)
    cooperating: list[str] = field(default_factory=list)

    @property
    def bodies(self) -> list[str]:
        return list(dict.fromkeys(self.responsible + self.lead + self.cooperating))


def find_responsibilities(text: str, structure: Structure) -> list[Responsibility]:
    if not rules.on("responsibility-notes"):
        return []
    tasks = sorted([*structure.measures, *structure.sections], key=lambda t: (t.span.start, -t.span.end))
    found: dict[int, Responsibility] = {}
    for start, end, content in _notes(text):
        parts = _read(content)
        task = _task_before(tasks, start) if parts else None
        if task is None:
            continue
        entry = found.setdefault(id(task), Responsibility(task, task.span, Span(start, end)))
        entry.note = Span(min(entry.note.start, start), max(entry.note.end, end))
        for role, names in parts:
            getattr(entry, role).extend(names)
    return list(found.values())


def _notes(text: str):
    """(start, end, content) of every bracketed note and every line that is a note of its own."""
    depth, opened = 0, 0
    for k, ch in enumerate(text):
        if ch in _OPEN:
            if depth == 0:
                opened = k
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
            if depth == 0:
                yield opened, k + 1, text[opened + 1:k]
        elif ch == "\n":
            depth = 0
    position = 0
    for line in text.split("\n"):
        if _LABEL.match(line):
            yield position, position + len(line), line
        position += len(line) + 1


def _read(content: str) -> list[tuple[str, list[str]]]:
    """The roles and bodies a note names: "牵头单位：A；配合单位：B、C", "A牵头，B、C按职责分工负责"."""
    parts = []
    for piece in _split(content, ";；"):
        label = _LABEL.match(piece)
        if label:
            parts.append((_ROLES[label.group("label")], _names(piece[label.end():])))
            continue
        leads = _LEADS.match(piece.strip()) if "牵头" in piece else None
        if leads and not _LABEL.search(leads.group("lead")):
            parts.append(("lead", _names(leads.group("lead"))))
            if leads.group("rest"):
                parts.append(("cooperating", _names(leads.group("rest"))))
    return [(role, names) for role, names in parts if names]


def _split(text: str, separators: str) -> list[str]:
    """Pieces of text between separators that stand outside brackets."""
    pieces, depth, current = [], 0, []
    for ch in text:
        depth += (ch in _OPEN) - (ch in _CLOSE and depth > 0)
        if ch in separators and depth == 0:
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
    pieces.append("".join(current))
    return pieces


def _names(text: str) -> list[str]:
    names = [name.strip(" 。.") for name in _split(text, "、,，")]
    return [name for name in names if len(name) >= 2]


def _task_before(tasks, position: int):
    """The task a note at this position follows: the last one starting before it (the innermost)."""
    before = [t for t in tasks if t.span.start <= position]
    return max(before, key=lambda t: t.span.start) if before else None


def full_name(name: str, jurisdiction: Unit | None) -> str:
    """A body's name with the document's own unit written out: 市民政局 in 西宁市's document is 西宁市民政局."""
    if jurisdiction is None or not name or name[0] not in _WORDS["own_unit_words"]:
        return name
    return jurisdiction.name + name[1:] if jurisdiction.name.endswith(name[0]) else name


def government_name(unit: Unit) -> str:
    """The name of a unit's government: 西宁市人民政府; the nation's is 国务院."""
    words = _WORDS["government"]
    return words["national"] if unit.level == "national" else unit.name + words["suffix"]
