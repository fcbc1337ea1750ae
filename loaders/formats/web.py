"""Saved web pages: the page's main content as text, its <table>s as tables, its metadata fields.

Government portals put a document inside page chrome (navigation, breadcrumbs, share buttons,
related links, footer). The main content is found by where the page's text is: from <body> down, the
reader follows the child holding most of the text that is not link text, for as long as that child
holds most of it. The title heading and the portal's field block (索引号, 发文机关 …) stand outside the
content on many portals; they are read too, in page order. The page's <title>, canonical address and a
browser's "saved from" comment say what the page is and where it was published.
"""
from __future__ import annotations

import re

import lxml.html
from lxml import etree

from ..header import fields_in
from ..normalize import NormalizedText
from ..structure import Line
from . import DocumentError
from .plain import decode
from .source import SourceText, TextBuilder, caption_row, header_rows, places_of, tidy

_DROPPED = {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas", "form", "select",
            "button", "input", "textarea", "nav", "header", "footer", "aside", "map", "audio", "video", "head"}
_BLOCKS = {"p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
           "blockquote", "pre", "center", "address", "figure", "figcaption", "tr", "table", "hr", "body", "html"}
_TEXT_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "pre", "blockquote", "figcaption"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.I)
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.I)
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_TITLE_CLASS = re.compile(r"title|biaoti|bt\b|tit\b|headline", re.I)
_MEANINGFUL = re.compile(r"[\u3400-\u9fff0-9A-Za-z]")
_MOST = 0.6       # a child holding this share of its parent's text is where the content is
_MIN_CONTENT = 20  # characters of text a page's content has at least


def read(data: bytes, source: str) -> SourceText:
    text, encoding = _decoded(data, source)
    try:
        page = lxml.html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*>", "", text))
    except (etree.ParserError, ValueError) as error:
        raise DocumentError(source, f"is not an HTML page that can be parsed ({error})") from None
    title = tidy(page.findtext(".//title") or "") or None
    url = _address(page, text)
    _drop_chrome(page)
    body = page.find("body") if page.find("body") is not None else page
    lengths = _text_lengths(body)
    content = _content(body, lengths)
    if lengths.get(content, 0) < _MIN_CONTENT:
        raise DocumentError(source, "is an HTML page without content (no text outside its page chrome)")
    builder = TextBuilder()
    before, after = _around(body, content)
    heading = _heading(before, content)
    fields_before = _field_blocks(before)
    if heading is not None and _starts_with(content, tidy(heading.text_content())):
        heading = None
    for block in before:  # the field block and the title heading, in page order
        if block is heading or block in fields_before:
            _Renderer(builder, lengths).block(block)
    _Renderer(builder, lengths).block(content)
    for block in _field_blocks(after):
        _Renderer(builder, lengths).block(block)
    return SourceText(builder.text(), "text/html", encoding, "LF", builder.tables, title, url)


def _decoded(data: bytes, source: str) -> tuple[str, str]:
    declared = _CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii", "replace").lower()
        name = "gb18030" if name in ("gb2312", "gbk", "gb18030", "x-gbk") else name
        try:
            return data.decode(name), name
        except (LookupError, UnicodeDecodeError):
            pass  # a page that lies about its charset: the bytes decide
    decoded = decode(data, source)
    return decoded.text, decoded.encoding


def _address(page, text: str) -> str | None:
    for xpath in ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"):
        found = page.xpath(xpath)
        if found and found[0].strip().startswith(("http://", "https://")):
            return found[0].strip()
    saved = _SAVED_FROM.search(text[:4096])
    return saved.group(1) if saved and saved.group(1).startswith(("http://", "https://")) else None


def _drop_chrome(page) -> None:
    for element in list(page.iter(etree.Comment, etree.ProcessingInstruction)):
        _remove(element)
    for element in list(page.iter()):
        if not isinstance(element.tag, str):
            continue
        if element.tag.lower() in _DROPPED or _HIDDEN.search(element.get("style", "")) or element.get("hidden") is not None:
            _remove(element)


def _remove(element) -> None:
    """Take an element out, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _text_lengths(root) -> dict:
    """Characters of text (not link text) each element holds."""
    lengths: dict = {}

    def walk(element, in_link: bool) -> int:
        in_link = in_link or element.tag == "a"
        total = 0 if in_link else len(_MEANINGFUL.findall(element.text or ""))
        for child in element:
            if isinstance(child.tag, str):
                total += walk(child, in_link)
            if not in_link:
                total += len(_MEANINGFUL.findall(child.tail or ""))
        lengths[element] = total
        return total

    walk(root, False)
    return lengths


def _content(body, lengths: dict):
    node = body
    while node.tag not in _TEXT_BLOCKS:
        children = [c for c in node if isinstance(c.tag, str)]
        best = max(children, key=lambda c: lengths.get(c, 0), default=None)
        if best is None or lengths.get(best, 0) < _MOST * lengths.get(node, 0) or best.tag in _TEXT_BLOCKS:
            break
        node = best
    return node


def _around(body, content) -> tuple[list, list]:
    """The elements of the page before the content and after it, outermost first."""
    before, after, seen = [], [], False
    ancestors = set(content.iterancestors())
    for element in body.iter():
        if element is content:
            seen = True
            continue
        if not isinstance(element.tag, str) or element in ancestors or _inside(element, content):
            continue
        (after if seen else before).append(element)
    return before, after


def _inside(element, content) -> bool:
    return any(a is content for a in element.iterancestors())


def _heading(before: list, content):
    """The page's title heading over the content: the last h1–h3 (or element classed as a title) before it."""
    candidates = [e for e in before if (e.tag in ("h1", "h2", "h3") or _TITLE_CLASS.search(e.get("class", "") + " " + e.get("id", "")))
                  and 4 <= len(tidy(e.text_content())) <= 120 and not any(a.tag == "a" for a in e.iterancestors())
                  and not len(e.findall(".//a"))]
    return candidates[-1] if candidates else None


def _starts_with(content, title: str) -> bool:
    return re.sub(r"\s", "", tidy(content.text_content()))[:len(title) + 40].find(re.sub(r"\s", "", title)) >= 0


def _field_blocks(elements: list) -> list:
    """The outermost small elements holding two labelled fields or more: the portal's field block."""
    blocks = []
    for element in elements:
        if any(_inside(element, block) for block in blocks):
            continue
        text = NormalizedText.of(tidy(element.text_content())).text
        if len(text) <= 800 and len(fields_in(Line(0, len(text), text))) >= 2:
            blocks.append(element)
    return blocks


class _Renderer:
    """Writes an element's text into a TextBuilder: a line per block, <br> a line break, data tables as
    tables; a block of links and nothing else (a navigation bar, a list of related pages) is left out."""

    def __init__(self, builder: TextBuilder, lengths: dict):
        self.builder = builder
        self.lengths = lengths
        self.inline: list[str] = []

    def block(self, element) -> None:
        self.walk(element)
        self.flush()

    def flush(self) -> None:
        if self.inline:
            self.builder.paragraph("".join(self.inline))
            self.inline = []

    def walk(self, element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _BLOCKS and tag != "body" and self.lengths.get(element, 1) == 0 and element.find(".//a") is not None:
            return
        if tag == "br":
            self.flush()
        elif tag == "pre":  # text pasted as it was: its lines are lines
            self.flush()
            for line in element.text_content().split("\n"):
                self.builder.line(line)
        elif tag == "table" and _is_data_table(element):
            self.flush()
            self.table(element)
        elif tag in _BLOCKS or tag in ("td", "th"):
            self.flush()
            self.inline.append(element.text or "")
            for child in element:
                self.walk(child)
                self.inline.append(child.tail or "")
            self.flush()
        else:
            self.inline.append(element.text or "")
            for child in element:
                self.walk(child)
                self.inline.append(child.tail or "")

    def table(self, table) -> None:
        rows, marked = [], 0
        for tr in _rows(table):
            cells = [(_cell_text(td), _span(td, "rowspan"), _span(td, "colspan")) for td in tr if td.tag in ("td", "th")]
            if cells:
                rows.append(cells)
                if tr.getparent().tag == "thead" or (marked == len(rows) - 1 and all(td.tag == "th" for td in tr if isinstance(td.tag, str))):
                    marked = len(rows)
        caption = tidy(table.findtext("caption") or "") or None
        first, rows = caption_row(rows)
        marked = max(0, marked - 1) if first else marked
        self.builder.table(places_of(rows), header_rows(rows, marked), caption or first)


def _rows(table) -> list:
    """The table's own rows (not those of a table inside one of its cells)."""
    return [tr for tr in table.iter("tr") if next(tr.iterancestors("table"), None) is table]


def _is_data_table(table) -> bool:
    """A table of data, not one that lays out a page: no table inside it, two rows and two columns or
    more, and no cell holding a page of text (paragraphs of it; Word's HTML puts one <p> in every cell)."""
    rows = _rows(table)
    if len(rows) < 2 or table.find(".//table") is not None:
        return False
    cells = [td for tr in rows for td in tr if td.tag in ("td", "th")]
    return max(sum(1 for td in tr if td.tag in ("td", "th")) for tr in rows) >= 2 and not any(
        len(td.text_content()) > 1000 or (len(td.text_content()) > 200 and len(td.findall(".//p") + td.findall(".//br")) >= 3)
        for td in cells)


def _cell_text(cell) -> str:
    """A cell's text on one line: its paragraphs and line breaks joined."""
    parts = []
    for piece in cell.itertext():
        parts.append(piece)
    return tidy(" ".join(parts))


def _span(cell, attribute: str) -> int:
    try:
        return min(max(int(cell.get(attribute, "1").strip() or 1), 1), 1000)
    except ValueError:
        return 1
