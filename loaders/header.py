"""The page around a document: page furniture (breadcrumbs, widgets, counters) and the labelled
metadata fields portals put above or below the text.

Fields come in every arrangement: one per line ("文　　号：…"), several on a line, as a bulleted list,
as a pipe-separated table with empty cells ("| 文号 | |"), or run together with nothing between them
("文件编号:X发布机构:Y"). A field is a known label (data/lexicon.json) followed by ":", "|" or, on a
line that starts with a label, a space; its value runs to the next label, the next cell or the end of
the line. Labels are matched with any spacing
between their characters, since portals pad them ("索 引 号").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import rules
from .datafiles import lexicon
from .model import Span
from .structure import Line

HEADER_LINES = 40   # fields and furniture stand among the first lines of a page…
FOOTER_LINES = 12   # …or among its last ones
FIELD_LINE = 300    # characters a line of fields has at most (a paragraph of text is none)
_BULLET = re.compile(r"^[•·●◆■▪\-*>»]+\s*")
_BREADCRUMB = re.compile(r"[>»›→]")
_TRAIL = re.compile(r"\s*[>»›→|]\s*")


@dataclass
class Field:
    key: str        # what the label names: document_number, issuer, signed, published, title, …
    label: str      # as written
    value: str      # "" for an empty field
    span: Span      # of the value (or of the label, when the value is empty)


@lru_cache(maxsize=1)
def _labels() -> re.Pattern:
    fields = lexicon("fields")
    labels = sorted(((label, key) for key, labels in fields.items() for label in labels), key=lambda item: -len(item[0]))
    spaced = [r"\s*".join(map(re.escape, label)) for label, _ in labels]
    alternatives = "|".join(f"(?P<f{i}>{pattern})" for i, pattern in enumerate(spaced))
    return re.compile(rf"【?(?:{alternatives})\s*(?P<sep>[:|】]|(?<=\s)|(?=\s)|$)"), [key for _, key in labels]


@lru_cache(maxsize=1)
def _any_label():
    """Every label, to tell at once whether a line (its spaces removed) holds one at all."""
    import ahocorasick_rs

    return ahocorasick_rs.AhoCorasick([label for labels in lexicon("fields").values() for label in labels])


def fields_in(line: Line) -> list[Field]:
    """The labelled fields a line holds, in order."""
    if not rules.on("field-labels") or not _any_label().find_matches_as_indexes("".join(line.text.split())):
        return []
    pattern, keys = _labels()
    matches = [m for m in pattern.finditer(line.text)]
    if not is_field_line(line):  # a label followed by a space is a field only on a line of fields
        matches = [m for m in matches if m.group("sep") in (":", "|", "】")]
    found = []
    for k, m in enumerate(matches):
        key = keys[_group(m)]
        end = matches[k + 1].start() if k + 1 < len(matches) else len(line.text)
        raw = line.text[m.end():end].split("|")[0]  # in a table, the value is the next cell
        value = _BULLET.sub("", raw.strip(" |\t【】")).strip()
        start = line.start + m.end() + (raw.find(value) if value else 0)
        span = Span(start, start + len(value)) if value else Span(line.start + m.start(), line.start + m.end())
        found.append(Field(key, line.text[m.start():m.end()].rstrip(":| "), value, span))
    return found


def _group(m: re.Match) -> int:
    return next(int(name[1:]) for name, value in m.groupdict().items() if value is not None and name != "sep")


def is_field_line(line: Line) -> bool:
    """A line of fields: it starts with one, or holds two with their colons."""
    if len(line.text) > FIELD_LINE:
        return False
    text = _BULLET.sub("", line.text).lstrip("| ")
    pattern, _ = _labels()
    if pattern.match(text):
        return True
    if ":" not in text and "|" not in text and "】" not in text:
        return False
    return sum(1 for m in pattern.finditer(text) if m.group("sep") in (":", "|", "】")) >= 2


def is_chrome(line: Line) -> bool:
    """Page furniture: a breadcrumb trail, widgets, counters, share buttons."""
    text = line.text
    if not rules.on("page-chrome"):
        return False
    if len(text) > FIELD_LINE:
        return False
    if _BREADCRUMB.search(text) and "首页" in text:
        return True
    trail = [part for part in _TRAIL.split(text) if part]
    if not text.startswith("|") and len(trail) >= 3 and all(len(part) <= 20 and "。" not in part for part in trail):
        return True  # a trail of short links: 甲网站 > 信息公开 > 政策文件
    words = lexicon("chrome")
    if any(word in text for word in words) and len(text) <= 60 and "。" not in text:
        return True
    return bool(fields_in(line)) and all(f.key in ("views", "font") for f in fields_in(line))


def header_region(lines: list[Line]) -> list[Line]:
    """The lines where page furniture and fields may stand."""
    return lines[:HEADER_LINES] + lines[max(HEADER_LINES, len(lines) - FOOTER_LINES):]


def page_fields(lines: list[Line]) -> dict[str, Field]:
    """The first value of each field in the header region (an empty field counts, so a later stray
    label elsewhere cannot fill it). A label alone on its line takes the next line as its value."""
    found: dict[str, Field] = {}
    region = header_region(lines)
    for line, following in zip(region, region[1:] + [None]):
        if not is_field_line(line):
            continue
        fields = fields_in(line)
        if len(fields) == 1 and not fields[0].value and following is not None and not is_field_line(following) \
                and len(following.text) <= FIELD_LINE // 2:
            fields = [Field(fields[0].key, fields[0].label, following.text, following.span)]
        for field in fields:
            found.setdefault(field.key, field)
    return found
