"""Word files (.docx): paragraphs in order, with the numbers Word's own numbering gives them (一、
(一) 1. ① …, which are not in the paragraphs' text), and tables with their merged cells.

A table of one row or one column (a 专栏 box drawn as a frame, a signature block) is read as the
paragraphs it holds; only a grid of two rows and two columns or more is a table.
"""
from __future__ import annotations

from io import BytesIO

import cn2an
import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn

from . import DocumentError
from .source import SourceText, TextBuilder, caption_row, header_rows, places_of

_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_TRADITIONAL_COUNTING = "甲乙丙丁戊己庚辛壬癸"


def read(data: bytes, source: str) -> SourceText:
    try:
        document = docx.Document(BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as error:
        raise DocumentError(source, f"is a damaged Word file ({error})") from None
    except Exception as error:  # lxml's XMLSyntaxError and the like: a part that is not XML
        raise DocumentError(source, f"is a damaged Word file ({type(error).__name__})") from None
    numbering = _Numbering(document)
    builder = TextBuilder()
    for element in _blocks(document.element.body):
        if element.tag == qn("w:p"):
            _paragraph(element, numbering, builder)
        else:
            _table(element, numbering, builder)
    if not builder.text().strip():
        raise DocumentError(source, "is a Word file without text")
    title = (document.core_properties.title or "").strip() or None
    return SourceText(builder.text(), _MEDIA_TYPE, None, "LF", builder.tables, title)


def _blocks(parent):
    """Paragraphs and tables in order, looking inside content controls (w:sdt)."""
    for child in parent:
        if child.tag in (qn("w:p"), qn("w:tbl")):
            yield child
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _blocks(content)


def _text(paragraph) -> str:
    """A paragraph's text: its runs, a tab as a space, a line break as a new line."""
    parts = []
    for node in paragraph.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")):
        if node.tag == qn("w:t"):
            parts.append(node.text or "")
        elif node.tag == qn("w:tab"):
            parts.append(" ")
        else:
            parts.append("\n")
    return "".join(parts)


def _paragraph(paragraph, numbering: "_Numbering", builder: TextBuilder) -> None:
    number = numbering.label(paragraph)
    for k, line in enumerate(_text(paragraph).split("\n")):
        builder.line((number if k == 0 else "") + line.strip())


def _table(table, numbering: "_Numbering", builder: TextBuilder) -> None:
    rows, marked = _rows(table)
    if len(rows) < 2 or max(sum(colspan for _, _, colspan in row) for row in rows) < 2:
        for tc in table.iter(qn("w:tc")):
            for p in tc.iter(qn("w:p")):
                _paragraph(p, numbering, builder)
        return
    caption, rows = caption_row(rows)
    builder.table(places_of(rows), header_rows(rows, max(0, marked - (1 if caption else 0))), caption)


def _rows(table) -> tuple[list[list[tuple[str, int, int]]], int]:
    """The table's rows as (text, rowspan, colspan) cells, and how many rows Word repeats as its header.
    A cell Word merges down (w:vMerge) is one cell spanning the rows it covers."""
    found: list[list[list]] = []  # per row: [text, rowspan, colspan, column]
    starts: dict[int, list] = {}  # column -> the cell a merge down continues
    marked, counting = 0, True
    for tr in table.findall(qn("w:tr")):
        properties = tr.find(qn("w:trPr"))
        if counting and properties is not None and properties.find(qn("w:tblHeader")) is not None:
            marked += 1
        else:
            counting = False
        row, column = [], 0
        before = tr.find(f"{qn('w:trPr')}/{qn('w:gridBefore')}")
        column += int(before.get(qn("w:val"), 0)) if before is not None else 0
        for tc in tr.findall(qn("w:tc")):
            tc_pr = tc.find(qn("w:tcPr"))
            span = tc_pr.find(qn("w:gridSpan")) if tc_pr is not None else None
            colspan = max(1, int(span.get(qn("w:val"), 1))) if span is not None else 1
            merge = tc_pr.find(qn("w:vMerge")) if tc_pr is not None else None
            if merge is not None and merge.get(qn("w:val"), "continue") == "continue" and column in starts:
                starts[column][1] += 1
            else:
                cell = ["\n".join(_text(p) for p in tc.iter(qn("w:p"))), 1, colspan]
                row.append(cell)
                starts[column] = cell
            column += colspan
        found.append(row)
    return [[(text, rowspan, colspan) for text, rowspan, colspan in row] for row in found], marked


class _Numbering:
    """The numbers Word draws before numbered paragraphs, counted as Word counts them."""

    def __init__(self, document):
        self.levels: dict[tuple[str, int], dict] = {}   # (numId, ilvl) -> start, format, text
        self.counters: dict[str, dict[int, int]] = {}
        self.styles = document.styles.element
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError):
            return
        abstract = {a.get(qn("w:abstractNumId")): a for a in root.findall(qn("w:abstractNum"))}
        for num in root.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            levels = abstract.get(ref.get(qn("w:val"))) if ref is not None else None
            if levels is None:
                continue
            for lvl in levels.findall(qn("w:lvl")):
                ilvl = int(lvl.get(qn("w:ilvl"), 0))
                self.levels[(num.get(qn("w:numId")), ilvl)] = {
                    "start": int(_val(lvl, "w:start") or 1),
                    "format": _val(lvl, "w:numFmt") or "decimal",
                    "text": _val(lvl, "w:lvlText") or "",
                }

    def label(self, paragraph) -> str:
        num_id, ilvl = self._numbering_of(paragraph)
        if num_id is None or (num_id, ilvl) not in self.levels:
            return ""
        counters = self.counters.setdefault(num_id, {})
        level = self.levels[(num_id, ilvl)]
        if level["format"] == "bullet":
            return "●"  # the bullet Word draws is a symbol-font character; the loaders know this one
        counters[ilvl] = counters.get(ilvl, level["start"] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        text = level["text"]
        for k in range(9):
            if f"%{k + 1}" in text:
                shown = self.levels.get((num_id, k), level)
                text = text.replace(f"%{k + 1}", _formatted(counters.get(k, shown["start"]), shown["format"]))
        return text

    def _numbering_of(self, paragraph) -> tuple[str | None, int]:
        num_pr = paragraph.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        if num_pr is None:
            num_pr = self._style_numbering(paragraph)
        if num_pr is None:
            return None, 0
        num_id, ilvl = _val(num_pr, "w:numId"), _val(num_pr, "w:ilvl")
        return (num_id if num_id not in (None, "0") else None), int(ilvl or 0)

    def _style_numbering(self, paragraph):
        style_id = _val(paragraph.find(qn("w:pPr")), "w:pStyle") if paragraph.find(qn("w:pPr")) is not None else None
        seen = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            style = next((s for s in self.styles.findall(qn("w:style")) if s.get(qn("w:styleId")) == style_id), None)
            if style is None:
                return None
            num_pr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            if num_pr is not None:
                return num_pr
            style_id = _val(style, "w:basedOn")
        return None


def _val(element, tag: str) -> str | None:
    if element is None:
        return None
    found = element.find(qn(tag))
    return found.get(qn("w:val")) if found is not None else None


def _formatted(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "ideographDigital"):
        return cn2an.an2cn(n)
    if fmt == "ideographTraditional" and 1 <= n <= len(_TRADITIONAL_COUNTING):
        return _TRADITIONAL_COUNTING[n - 1]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= len(_CIRCLED):
        return _CIRCLED[n - 1]
    if fmt in ("upperLetter", "lowerLetter") and 1 <= n <= 26:
        letter = chr(ord("A") + n - 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        roman = _roman(n)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("bullet", "none"):
        return ""
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                           (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + numeral, n - value
    return out
