"""Document structure: headings, measures, goals, 专栏 boxes and indicator-table regions.

Headings are recognised by their numbering style (第X章, 第X节, 一、, (一), 1、, (1)); the
nesting follows the order in which styles first appear, as Chinese official documents do.
A numbered line with a sentence after its number is an item, not a heading: a measure in
a task section, a goal in a goal section.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import cn2an

from .datafiles import read_json
from .model import Box, BoxItem, Goal, Measure, Section, Span, Structure, Table

CN_DIGITS = "一二三四五六七八九十百零〇两"
_NUMBERED = [
    ("chapter", re.compile(rf"^(第([{CN_DIGITS}\d]+)章)\s*(.*)$")),
    ("section", re.compile(rf"^(第([{CN_DIGITS}\d]+)节)\s*(.*)$")),
    ("cn", re.compile(rf"^(([{CN_DIGITS}]+)、)\s*(.*)$")),
    ("paren_cn", re.compile(rf"^(\(([{CN_DIGITS}]+)\))\s*(.*)$")),
    ("arabic", re.compile(r"^((\d{1,2})(?:[、.](?!\d)|\s+(?=\D)))\s*(.*)$")),
    ("paren_arabic", re.compile(r"^(\((\d{1,2})\))\s*(.*)$")),
]
_UNSEPARATED = re.compile(r"^((\d{1,2}))([\u4e00-\u9fff“《].*)$")
_ALWAYS_HEADINGS = {"chapter", "section"}
_MAJOR = {"chapter", "section", "cn", "paren_cn"}
_BOX = re.compile(r"^专栏\s*(\d+)?\s*[::]?\s*(.*)$")
_LEAD = re.compile(r"^([^。,;:!?]{3,40}?)。")
_NAMED_ITEM = re.compile(r"(?:^|(?<=。))([^,。:;]{2,30}):")
_DASHES = re.compile(r"^(?:—+|-{2,})\s*")
_TABLE_HEADERS = ("序号", "主要指标", "指标内容", "指标名称", "指标类别")
_MAX_HEADING = 40


@dataclass
class Line:
    start: int
    end: int
    text: str

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


@dataclass
class Numbered:
    style: str
    written: str
    value: int | None
    rest: str


def lines_of(text: str) -> list[Line]:
    lines, offset = [], 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            start = offset + raw.index(stripped[0])
            lines.append(Line(start, start + len(stripped), stripped))
        offset += len(raw) + 1
    return lines


def number_value(written: str) -> int | None:
    if written.isdigit():
        return int(written)
    try:
        return int(cn2an.cn2an(written, "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def match_numbered(text: str) -> Numbered | None:
    for style, pattern in _NUMBERED:
        m = pattern.match(text)
        if m and m.group(3):
            return Numbered(style, m.group(1).strip(), number_value(m.group(2)), m.group(3))
    return None


def lead_sentence(text: str) -> str | None:
    """The short sentence that heads a paragraph, e.g. "健全完善新时代社会救助体系。"."""
    m = _LEAD.match(_DASHES.sub("", text))
    return m.group(1) if m else None


def first_sentence(text: str) -> str:
    text = _DASHES.sub("", text)
    return re.split(r"[。;!?]", text, maxsplit=1)[0]


def short_label(sentence: str, limit: int = 60) -> str:
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"


@lru_cache(maxsize=1)
def _kind_keywords() -> dict[str, list[str]]:
    return read_json("section-kinds.json")


def section_kind(title: str, parent_kind: str | None) -> str:
    for kind, words in _kind_keywords().items():
        if any(word in title for word in words):
            return kind
    return parent_kind or "tasks"


class _Parser:
    def __init__(self, text: str):
        self.lines = lines_of(text)
        self.out = Structure()
        self.stack: list[tuple[str, int | None, Section]] = []
        self.children: dict[str, int] = {}

    @property
    def section(self) -> Section | None:
        return self.stack[-1][2] if self.stack else None

    @property
    def kind(self) -> str:
        return self.section.kind if self.section else "preamble"

    def run(self) -> Structure:
        i = 0
        while i < len(self.lines):
            line = self.lines[i]
            if _BOX.match(line.text):
                i = self.box(i)
            elif self.is_table_caption(i):
                i = self.table(i)
            else:
                numbered = match_numbered(line.text) or self.unseparated(line.text)
                if numbered and self.is_heading(numbered):
                    self.open_section(numbered, line)
                elif numbered:
                    self.item(numbered, line)
                else:
                    self.paragraph(line)
                i += 1
        return self.out

    # headings -------------------------------------------------------------------
    def is_heading(self, numbered: Numbered) -> bool:
        if numbered.style in _ALWAYS_HEADINGS:
            return True
        return "。" not in numbered.rest and len(numbered.rest) <= _MAX_HEADING

    def unseparated(self, text: str) -> Numbered | None:
        """A heading that lost its separator ("4加强养老服务…") right after its sibling 3."""
        m = _UNSEPARATED.match(text)
        if not m or "。" in text or len(text) > _MAX_HEADING:
            return None
        value = int(m.group(2))
        for style, last, _ in self.stack:
            if style == "arabic" and last == value - 1:
                return Numbered("arabic", m.group(1), value, m.group(3))
        return None

    def open_section(self, numbered: Numbered, line: Line) -> None:
        styles = [style for style, _, _ in self.stack]
        if numbered.style in styles:
            del self.stack[styles.index(numbered.style):]
        parent = self.section
        parent_key = parent.key if parent else ""
        ordinal = self.children.get(parent_key, 0) + 1
        self.children[parent_key] = ordinal
        section = Section(
            key=f"{parent_key}.{ordinal}" if parent_key else str(ordinal),
            number=numbered.written,
            title=numbered.rest.strip(),
            depth=len(self.stack) + 1,
            kind=section_kind(numbered.rest, parent.kind if parent else None),
            span=line.span,
            parent=parent,
            ordinal=ordinal,
        )
        self.stack.append((numbered.style, numbered.value, section))
        self.out.sections.append(section)

    # items and paragraphs ----------------------------------------------------------
    def item(self, numbered: Numbered, line: Line) -> None:
        self.out.paragraphs.append((self.section, line.span))
        sentence = first_sentence(numbered.rest)
        self.add(sentence, numbered.rest[len(sentence):].lstrip("。;!? "), numbered.written, line)

    def paragraph(self, line: Line) -> None:
        self.out.paragraphs.append((self.section, line.span))
        lead = lead_sentence(line.text)
        body = _DASHES.sub("", line.text)
        if lead:
            self.add(lead, body[len(lead) + 1:], None, line)
        elif self.kind == "goals" and not body.endswith(":") and "。" in body:
            sentence = first_sentence(body)
            self.add(sentence, body[len(sentence) + 1:], None, line)

    def add(self, sentence: str, description: str, number: str | None, line: Line) -> None:
        label = short_label(sentence)
        if self.kind == "tasks":
            ordinal = len(self.out.measures) + 1
            self.out.measures.append(Measure(ordinal, label, description, number, self.section, line.span))
        elif self.kind == "goals":
            ordinal = len(self.out.goals) + 1
            self.out.goals.append(Goal(ordinal, label, description, self.section, line.span))

    # 专栏 boxes ----------------------------------------------------------------------
    def box(self, i: int) -> int:
        m = _BOX.match(self.lines[i].text)
        box = Box(
            ordinal=len(self.out.boxes) + 1,
            number=int(m.group(1)) if m.group(1) else None,
            title=m.group(2).strip(),
            description="",
            section=self.section,
            span=self.lines[i].span,
        )
        self.out.boxes.append(box)
        expect, awaiting_description = 1, False
        j = i + 1
        while j < len(self.lines):
            line = self.lines[j]
            if _BOX.match(line.text) or self.is_table_caption(j):
                break
            numbered = match_numbered(line.text)
            if numbered is None:
                m = _UNSEPARATED.match(line.text)
                if m and int(m.group(2)) == expect and "。" not in line.text:
                    numbered = Numbered("arabic", m.group(1), expect, m.group(3))
            if numbered and numbered.style in _MAJOR:
                break
            if numbered:
                if numbered.value != expect:
                    break
                sentence = first_sentence(numbered.rest)
                description = numbered.rest[len(sentence):].lstrip("。;!? ")
                box.items.append(BoxItem(len(box.items) + 1, short_label(sentence), description, numbered.written, line.span))
                awaiting_description = "。" not in numbered.rest
                expect += 1
            elif awaiting_description:
                self.extend_item(box, line)
                awaiting_description = False
            elif self.named_items(box, line):
                pass
            elif (box.items or box.description) and lead_sentence(line.text):
                break
            elif box.items:
                self.extend_item(box, line)
            else:
                box.description = (box.description + line.text).strip()
            box.span = Span(box.span.start, line.end)
            j += 1
        return j

    @staticmethod
    def extend_item(box: Box, line: Line) -> None:
        item = box.items[-1]
        item.description = (item.description + line.text).strip()
        item.span = Span(item.span.start, line.end)

    @staticmethod
    def named_items(box: Box, line: Line) -> bool:
        """Items written "名称:说明", possibly several to a line."""
        starts = [m for m in _NAMED_ITEM.finditer(line.text)]
        if not starts or starts[0].start() != 0:
            return False
        for k, m in enumerate(starts):
            end = starts[k + 1].start() if k + 1 < len(starts) else len(line.text)
            span = Span(line.start + m.start(), line.start + end)
            box.items.append(BoxItem(len(box.items) + 1, m.group(1), line.text[m.end():end].strip(), None, span))
        return True

    # indicator tables ----------------------------------------------------------------
    def is_table_caption(self, i: int) -> bool:
        text = self.lines[i].text
        if "。" in text or len(text) > 60 or text.startswith(_TABLE_HEADERS):
            return False
        following = [line.text for line in self.lines[i + 1 : i + 4]]
        return any(t.startswith(_TABLE_HEADERS) for t in following[:1]) or any(t in _TABLE_HEADERS for t in following)

    def table(self, i: int) -> int:
        caption = self.lines[i]
        table = Table(len(self.out.tables) + 1, caption.text, self.section, caption.span)
        self.out.tables.append(table)
        j, in_notes = i + 1, False
        while j < len(self.lines):
            line = self.lines[j]
            numbered = match_numbered(line.text)
            note = line.text.startswith("注") or "是指" in line.text or (in_notes and numbered and numbered.style == "arabic")
            if note:
                table.notes.append((line.text, line.span))
                in_notes = True
            elif in_notes or _BOX.match(line.text) or (numbered and numbered.style in _MAJOR) or "。" in line.text:
                break
            else:
                table.lines.append((line.text, line.span))
            table.span = Span(table.span.start, line.end)
            j += 1
        return j


def parse_structure(text: str) -> Structure:
    return _Parser(text).run()
