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

from . import rules
from .datafiles import lexicon
from .model import Box, BoxItem, Goal, Measure, Section, Span, Structure, Table, TableOfContents
from .formats.source import GivenTable
from .tables import is_header_row, is_indicator_grid

CN_DIGITS = "一二三四五六七八九十百零〇两"
_NUMBERED = [
    ("part", re.compile(rf"^(第([{CN_DIGITS}\d]+)部分)\s*(.*)$")),
    ("chapter", re.compile(rf"^(第([{CN_DIGITS}\d]+)章)\s*(.*)$")),
    ("section", re.compile(rf"^(第([{CN_DIGITS}\d]+)节)\s*(.*)$")),
    ("cn", re.compile(rf"^(([{CN_DIGITS}]+)、)\s*(.*)$")),
    ("paren_cn", re.compile(rf"^(\(([{CN_DIGITS}]+)\))\s*(.*)$")),
    ("arabic", re.compile(r"^((\d{1,3})(?:[、.](?!\d)|\s+(?=\D)))\s*(.*)$")),
    ("paren_arabic", re.compile(r"^(\((\d{1,2})\))\s*(.*)$")),
    ("circled", re.compile(r"^(([\u2460-\u2473]))\s*(.*)$")),
]
_UNSEPARATED = re.compile(r"^((\d{1,2}))([\u4e00-\u9fff“《].*)$")
_QUANTITY_WORDS = "年月日号时个万千亿元人次家所张项条岁周天倍成名户座处"
_ALWAYS_HEADINGS = {"part", "chapter", "section"}
_MAJOR = {"part", "chapter", "section", "cn", "paren_cn"}
_TOC = re.compile(r"^目\s*录$")
_PAGE_NUMBER = re.compile(r"[\s.…·-]*\d{1,3}$")
_BULLETS = "●■◆▲◇□○•"
_BOX = re.compile(r"^专栏\s*(\d+)?\s*[::]?\s*(.*)$")
_LEAD = re.compile(r"^([^。,;:!?]{3,40}?)。")
_NAMED_ITEM = re.compile(r"(?:^|(?<=。))([^,。:;]{2,30}):")
_DASHES = re.compile(r"^(?:—+|-{2,})\s*")
_TABLE_HEADERS = tuple(lexicon("tables")["first_cells"])
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
    if "\u2460" <= written <= "\u2473":  # ① … ⑳
        return ord(written) - 0x2460 + 1
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


def _bulleted(text: str) -> Numbered | None:
    """An item set off by a bullet (●, ■, ◆ …)."""
    if text[:1] in _BULLETS and len(text) > 2:
        return Numbered("bullet", text[0], None, text[1:].strip())
    return None


def _same_heading(a: str, b: str) -> bool:
    return re.sub(r"\s", "", a) == re.sub(r"\s", "", b)


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
    return lexicon("section_roles")


def section_kind(title: str, parent_kind: str | None, default: str = "tasks") -> str:
    """A section's role, from its whole heading (see section_roles in data/lexicon.json); else its
    parent's, else the default (tasks; in a text that sets no policy, other)."""
    keywords = _kind_keywords()
    title = title.rstrip("。")
    if title.endswith(("?", "？")):
        title = title.rstrip("?？")
        for ending in keywords["question_endings"]:
            title = title.removesuffix(ending)
    is_task = title.startswith(tuple(keywords["task_verbs"]))
    for kind in ("background", "guidance", "goals", "safeguards", "other"):
        for word in keywords[kind]:
            if title.startswith(word) or (not is_task and title.endswith(word) and len(title) - len(word) <= 16):
                return kind
            if kind == "safeguards" and title.endswith(word) and len(title) - len(word) <= 2:  # 加强组织领导
                return kind
    return parent_kind or default


class _Parser:
    def __init__(self, text: str, default_role: str, given: list[GivenTable] = ()):
        self.default_role = default_role
        self.lines = lines_of(text)
        self.given = {self._line_at(table.span.start): table for table in given if is_indicator_grid(table.grid)}
        self.out = Structure()
        self.stack: list[tuple[str, int | None, Section]] = []
        self.children: dict[str, int] = {}
        self.glued = 0  # the last number read without its separator

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
            given = self.given.get(i + 1) if self.is_caption_of_given(i) else self.given.get(i)
            if given is not None:
                numbered = match_numbered(line.text)
                if given is self.given.get(i + 1) and numbered and self.is_heading(numbered):
                    self.open_section(numbered, line)
                i = self.given_table(i, given)
            elif _TOC.match(line.text) and rules.on("table-of-contents"):
                i = self.table_of_contents(i)
            elif _BOX.match(line.text) and rules.on("project-boxes"):
                i = self.box(i)
            elif rules.on("table-captions") and self.is_table_caption(i):
                numbered = match_numbered(line.text)
                if numbered and self.is_heading(numbered):  # "二、主要指标" over its table: a heading and the caption
                    self.open_section(numbered, line)
                i = self.table(i)
            else:
                numbered = (match_numbered(line.text) or (rules.on("unseparated-numbers") and self.unseparated(line.text))
                            or (rules.on("bullets") and _bulleted(line.text)) or None)
                following = self.lines[i + 1].text if i + 1 < len(self.lines) else ""
                if numbered and self.is_heading(numbered, following):
                    self.open_section(numbered, line)
                elif numbered:
                    self.item(numbered, line)
                else:
                    self.paragraph(line)
                i += 1
        return self.out

    def table_of_contents(self, i: int) -> int:
        """A 目录: the headings listed before the body (perhaps with page numbers), up to the line where
        the body repeats the first of them. It is kept as one node, and its lines are not sections."""
        entries = []
        j = i + 1
        while j < len(self.lines):
            text = _PAGE_NUMBER.sub("", self.lines[j].text).strip()
            if entries and _same_heading(text, entries[0]):
                break
            if "。" in text or len(text) > _MAX_HEADING + 10:
                break
            entries.append(text)
            j += 1
        if not entries:
            return i + 1
        self.out.toc = TableOfContents(Span(self.lines[i].start, self.lines[j - 1].end), entries)
        return j

    # headings -------------------------------------------------------------------
    def is_heading(self, numbered: Numbered, following: str = "") -> bool:
        if numbered.style in _ALWAYS_HEADINGS:  # unless it is a sentence ("第一章为…。")
            return not ("。" in numbered.rest and len(numbered.rest) > _MAX_HEADING)
        if numbered.style in ("bullet", "circled"):
            return False
        rest = numbered.rest
        if rest.endswith(":"):  # an item introducing sub-items ("…重点推进以下工作:"), not a heading
            return False
        if rest.endswith("。") and rest.count("。") == 1 and len(rest) <= 25:
            # "(一)发展基础。" over the first of some numbered items of another style is a heading all the same
            below = match_numbered(following)
            return below is not None and below.style != numbered.style and below.value == 1
        return "。" not in rest and len(rest) <= _MAX_HEADING

    def unseparated(self, text: str) -> Numbered | None:
        """A number that lost its separator ("4加强养老服务…"): one when it starts a run (1), or continues
        the previous such number or its arabic sibling ("3、…"). A number followed by a unit or a time
        word ("3年内", "5万人") is a quantity, not a number of an item."""
        m = _UNSEPARATED.match(text)
        if not m or m.group(3)[0] in _QUANTITY_WORDS:
            return None
        value = int(m.group(2))
        if value in {1, self.glued + 1} | {last + 1 for style, last, _ in self.stack if style == "arabic"}:
            self.glued = value
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
            kind=section_kind(numbered.rest, parent.kind if parent else None, self.default_role),
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
        item_lines: list[str] = []  # each item's own numbered line
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
            if numbered and self.ends_box(item_lines, numbered):
                break
            if numbered:
                if numbered.value != expect:
                    break
                sentence = first_sentence(numbered.rest)
                description = numbered.rest[len(sentence):].lstrip("。;!? ")
                box.items.append(BoxItem(len(box.items) + 1, short_label(sentence), description, numbered.written, line.span))
                item_lines.append(numbered.rest)
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

    def ends_box(self, item_lines: list[str], numbered: Numbered) -> bool:
        """A numbered line that continues the numbering of the headings around the box and reads as a
        heading (no sentence, where the box's items were sentences) is the next heading, not the box's
        next item."""
        continues = any(style == numbered.style and last == (numbered.value or 0) - 1 for style, last, _ in self.stack)
        sentences = bool(item_lines) and all("。" in text for text in item_lines)
        return continues and sentences and "。" not in numbered.rest

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
    def _line_at(self, offset: int) -> int:
        return next((k for k, line in enumerate(self.lines) if line.start >= offset), len(self.lines))

    def is_caption_of_given(self, i: int) -> bool:
        """The short line over a table the file lays out (when the table has no caption of its own)."""
        table = self.given.get(i + 1)
        text = self.lines[i].text
        return table is not None and not table.caption and i not in self.given and "。" not in text and len(text) <= 60

    def given_table(self, i: int, given: GivenTable) -> int:
        """A table the file lays out as one: its rows are the lines of its span, its notes follow it."""
        first = i if self.given.get(i) is given else i + 1
        caption = given.caption or (self.lines[i].text if first > i else "")
        table = Table(len(self.out.tables) + 1, caption, self.section, self.lines[i].span, grid=given.grid)
        self.out.tables.append(table)
        j = first
        while j < len(self.lines) and self.lines[j].start < given.span.end:
            table.lines.append((self.lines[j].text, self.lines[j].span))
            j += 1
        table.span = Span(table.span.start, self.lines[j - 1].end)
        return self.table_notes(table, j)

    def is_table_caption(self, i: int) -> bool:
        """A short line over a table's header: one starting with a header word, a header cell on a line of
        its own among the next three, or a row of column names kept apart by tabs, pipes or spaces."""
        text = self.lines[i].text
        introduces = text.endswith(":")  # "主要指标如下:" introduces the table, though it begins with a header word
        if "。" in text or len(text) > 60 or (text.startswith(_TABLE_HEADERS) and not introduces) or is_header_row(text):
            return False
        following = [line.text for line in self.lines[i + 1 : i + 4]]
        return (any(t.startswith(_TABLE_HEADERS) for t in following[:1]) or any(t in _TABLE_HEADERS for t in following)
                or (bool(following) and is_header_row(following[0])))

    def table(self, i: int) -> int:
        caption = self.lines[i]
        table = Table(len(self.out.tables) + 1, caption.text, self.section, caption.span)
        self.out.tables.append(table)
        return self.table_notes(table, i + 1, rows=True)

    def table_notes(self, table: Table, j: int, rows: bool = False) -> int:
        """The notes under a table (注…, …是指…), and with rows, the table's rows before them."""
        in_notes = False
        while j < len(self.lines):
            line = self.lines[j]
            numbered = match_numbered(line.text)
            note = line.text.startswith("注") or "是指" in line.text or (in_notes and numbered and numbered.style == "arabic")
            if note:
                table.notes.append((line.text, line.span))
                in_notes = True
            elif not rows or in_notes or _BOX.match(line.text) or (numbered and numbered.style in _MAJOR) or "。" in line.text:
                break
            else:
                table.lines.append((line.text, line.span))
            table.span = Span(table.span.start, line.end)
            j += 1
        return j


def parse_structure(text: str, policy_document: bool = True, tables: list[GivenTable] = ()) -> Structure:
    """Sections, measures, goals, boxes and tables; a text that sets no policy (a news report, an
    explanation) has no task sections. Tables the file lays out as tables are taken as given."""
    return _Parser(text, "tasks" if policy_document else "other", tables).run()
