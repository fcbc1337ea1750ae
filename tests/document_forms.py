"""The test corpus in the forms researchers have documents in, written from each text document:
a saved portal page (HTML with page chrome and real <table>s), a Word file (python-docx, with Word's
own numbering for headings and merged cells), and a PDF that Chromium prints from the page.

Where a text document lays out a table, the forms lay it out as a real table, from the cells the
text gives (tables.text_grid); the other lines are paragraphs. `python tests/document_forms.py DIR`
writes every form of every test document into DIR.
"""
from __future__ import annotations

import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from mzkg.loaders import extract
from mzkg.loaders.formats import read
from mzkg.loaders.model import Cell, Grid
from mzkg.loaders.tables import grid_columns, text_grid

CORPUS = Path(__file__).resolve().parent / "corpus"
VALUE_ROLES = ("baseline", "target", "actual", "year", "status")


@dataclass
class Block:
    """A paragraph (its text) or a table (its header cells, body rows and caption) of a document."""
    text: str | None = None
    grid: Grid | None = None     # the cells as written (in the text's own script)
    roles: list[str] | None = None  # what each column holds, as the loaders read its header


def blocks_of(path: Path) -> list[Block]:
    """The document's lines as paragraphs, its tables (those whose cells its text gives) as tables."""
    source = read(path.read_bytes(), str(path))
    found = extract(source.text, source=source)
    text, norm = source.text, found.text
    tables = {}
    for table in found.structure.tables:
        grid = text_grid(table)
        if grid is not None and grid.rows:
            first_row = (table.lines[0][1].start if table.lines else table.span.start)
            start, _ = norm.original_span(first_row, first_row + 1)
            tables[start] = (table, grid)
    out, offset, skip_to = [], 0, -1
    for line in text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        if start < skip_to or not line.strip():
            continue
        if start + (len(line) - len(line.lstrip())) in tables:
            table, grid = tables[start + (len(line) - len(line.lstrip()))]
            out.append(Block(grid=_original_grid(grid, norm), roles=[c.role for c in grid_columns(grid)]))
            skip_to = norm.original_span(table.lines[-1][1].start, table.lines[-1][1].end)[1]
        else:
            out.append(Block(text=line.strip()))
    return out


def _original_grid(grid: Grid, norm) -> Grid:
    def cell(c: Cell) -> Cell:
        return Cell(norm.original_text(c.span.start, c.span.end) if c.span.end > c.span.start else c.text, c.span)

    return Grid([cell(c) for c in grid.header], [[cell(c) for c in row] for row in grid.rows])


# HTML --------------------------------------------------------------------------------
_CHROME_TOP = """<div class="top"><div class="links"><a href="/">首页</a> | <a href="/gk/">政务公开</a> | <a href="/bs/">办事服务</a>
 | <a href="/hd/">互动交流</a></div><div class="crumbs">当前位置：<a href="/">首页</a> &gt; <a href="/gk/">政务公开</a> &gt;
 <a href="/gk/wj/">政策文件</a></div></div>"""
_CHROME_BOTTOM = """<div class="related"><h3>相关文章</h3><ul>{links}</ul></div>
<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> 【<a href="#">打印本页</a>】【<a href="#">关闭窗口</a>】</div>
</div><div class="footer"><p>主办单位：本网站编辑部 联系电话：0000-00000000</p><p>网站标识码：0000000000 备案序号：示例备00000000号</p></div>"""
_STYLE = """body{font-family:"Noto Sans CJK SC","Noto Serif CJK SC",sans-serif;font-size:14px;margin:0 40px}
p{text-indent:2em;margin:0.3em 0;line-height:1.6}table{border-collapse:collapse;margin:0.5em 0}
td,th{border:1px solid #000;padding:2px 6px;font-size:13px}"""


def html_of(blocks: list[Block], title: str, number: int) -> str:
    """A portal page: navigation, breadcrumbs, the document in its content block, related links, footer."""
    body = "\n".join(_html_block(block, number) for block in blocks)
    links = "".join(f'<li><a href="/gk/wj/{k}.html">其他政策文件之{k}</a></li>' for k in range(1, 6))
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title) + "_" if title else ""}政府门户网站</title>'
            f'<link rel="canonical" href="https://www.example.gov.cn/gk/wj/{number}.html"><style>{_STYLE}</style></head>'
            f'<body>{_CHROME_TOP}<div class="main"><div class="article"><div class="content" id="zoom">\n{body}\n'
            f'</div>{_CHROME_BOTTOM.format(links=links)}</body></html>')


def _html_block(block: Block, number: int) -> str:
    if block.grid is None:
        return f"<p>{html.escape(block.text)}</p>"
    header, body = layout(block)
    def row(cells, tag):
        return "<tr>" + "".join(f"<{tag}{_spans(r, c)}>{html.escape(text)}</{tag}>" for text, r, c in cells) + "</tr>"
    head = "".join(row(cells, "th") for cells in header)
    rows = "".join(row(cells, "td") for cells in body)
    if number % 2:  # half the pages mark their header rows
        return f"<table><thead>{head}</thead><tbody>{rows}</tbody></table>"
    return f"<table>{head}{rows}</table>"


Layout = list[list[tuple[str, int, int]]]  # rows of (text, rowspan, colspan)


def layout(block: Block) -> tuple[Layout, Layout]:
    """A table's header and body rows as portals and Word files merge them: the header over two rows
    when two value columns or more stand side by side (指标值 over their years); in the body, a category
    or bindingness cell spanning the rows that repeat it (or leave the category blank)."""
    return _header_layout(block.grid, block.roles), _body_layout(block.grid, block.roles)


def _header_layout(grid: Grid, roles: list[str]) -> Layout:
    values = [k for k, role in enumerate(roles) if role in ("baseline", "target", "actual")]
    run = values if len(values) >= 2 and values == list(range(values[0], values[0] + len(values))) else []
    if not run:
        return [[(c.text, 1, 1) for c in grid.header]]
    top, bottom = [], []
    for k, cell in enumerate(grid.header):
        if k == run[0]:
            top.append(("指标值", 1, len(run)))
        if k in run:
            bottom.append((cell.text, 1, 1))
        else:
            top.append((cell.text, 2, 1))
    return [top, bottom]


def _body_layout(grid: Grid, roles: list[str]) -> Layout:
    width = len(roles)
    fixed = []
    for row in grid.rows:
        texts = [c.text for c in row]
        if len(texts) == width - 1 and "category" in roles:
            k = roles.index("category")
            texts = texts[:k] + [""] + texts[k:]
        fixed.append(texts)
    out: list[list] = [[(t, 1, 1) for t in row] for row in fixed]
    for role in ("category", "binding"):
        if role not in roles:
            continue
        k = roles.index(role)
        anchor = None
        for r, row in enumerate(fixed):
            if len(row) != width:
                anchor = None
                continue
            if anchor is not None and (row[k] == fixed[anchor][k] or (role == "category" and row[k] == "")):
                text, rowspan, colspan = out[anchor][k]
                out[anchor][k] = (text, rowspan + 1, colspan)
                out[r][k] = None
            else:
                anchor = r if row[k] else None
    return [[cell for cell in row if cell is not None] for row in out]


def _spans(rowspan: int, colspan: int) -> str:
    return (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")


def _placed(rows: Layout) -> list[tuple[int, int, str, int, int]]:
    """Where each cell of a layout stands: (row, column, text, rowspan, colspan)."""
    taken, out = set(), []
    for r, row in enumerate(rows):
        c = 0
        for text, rowspan, colspan in row:
            while (r, c) in taken:
                c += 1
            out.append((r, c, text, rowspan, colspan))
            taken |= {(r + dr, c + dc) for dr in range(rowspan) for dc in range(colspan)}
            c += colspan
    return out


# Word ---------------------------------------------------------------------------------
_LIST_LEVELS = (  # Word's own numbering for the heading styles: (pattern of the written number, numFmt, lvlText)
    (re.compile(r"^([一二三四五六七八九十]+)、(.+)$"), "chineseCounting", "%1、"),
    (re.compile(r"^[（(]([一二三四五六七八九十]+)[)）](.+)$"), "chineseCounting", "（%2）"),
    (re.compile(r"^(\d{1,2})\.(?!\d)(.+)$"), "decimal", "%3."),
)
_NUM_ID = "90"


def docx_of(blocks: list[Block], title: str, number: int) -> bytes:
    """A Word file: headings numbered by Word (the number is not in the paragraph's text) wherever
    Word's counting gives the number written, tables with merged cells and, in half the files, header
    rows marked to repeat."""
    import io

    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    document = docx.Document()
    document.core_properties.title = title
    numbering = document.part.numbering_part.element
    levels = "".join(f'<w:lvl w:ilvl="{k}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
                     for k, (_, fmt, text) in enumerate(_LIST_LEVELS))
    abstract = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{_NUM_ID}">{levels}</w:abstractNum>')
    first_num = numbering.find(qn("w:num"))
    (first_num.addprevious(abstract) if first_num is not None else numbering.append(abstract))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{_NUM_ID}"><w:abstractNumId w:val="{_NUM_ID}"/></w:num>'))
    counters = [0, 0, 0]
    for block in blocks:
        if block.grid is not None:
            _docx_table(document, block, number, qn, parse_xml, nsdecls)
            continue
        level, rest = _list_level(block.text, counters)
        paragraph = document.add_paragraph(rest)
        if level is not None:
            paragraph._p.get_or_add_pPr().append(parse_xml(
                f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{_NUM_ID}"/></w:numPr>'))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _list_level(text: str, counters: list[int]) -> tuple[int | None, str]:
    from mzkg.loaders.structure import number_value

    for level, (pattern, _, _) in enumerate(_LIST_LEVELS):
        m = pattern.match(text)
        if m and number_value(m.group(1)) == counters[level] + 1 and (level < 2 or counters[1]):
            counters[level] += 1
            counters[level + 1:] = [0] * (len(counters) - level - 1)
            return level, m.group(2)
    return None, text


def _docx_table(document, block: Block, number: int, qn, parse_xml, nsdecls) -> None:
    header, body = layout(block)
    width = sum(colspan for _, _, colspan in header[0])
    table = document.add_table(rows=len(header) + len(body), cols=width)
    table.style = "Table Grid"
    for r, c, text, rowspan, colspan in _placed(header + body):
        cell = table.cell(r, c)
        cell.text = text
        if rowspan > 1 or colspan > 1:
            cell.merge(table.cell(r + rowspan - 1, c + colspan - 1))
    if number % 2:
        for row in table.rows[:len(header)]:
            row._tr.get_or_add_trPr().append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))


def _title(path: Path) -> str:
    """The page's <title>: the document's title where its text states one, else the site's name alone."""
    source = read(path.read_bytes(), str(path))
    meta = extract(source.text, source=source).metadata
    return meta.title if not meta.title_inferred else ""


# PDF ----------------------------------------------------------------------------------
_PDF_HEADER = '<div style="font-size:8px;width:100%;text-align:center;color:#555"><span class="title"></span></div>'
_PDF_FOOTER = '<div style="font-size:10px;width:100%;text-align:center">— <span class="pageNumber"></span> —</div>'


def print_page_of(blocks: list[Block], title: str, number: int) -> str:
    """The document alone, as an office prints it: no portal around it."""
    body = "\n".join(_html_block(block, number) for block in blocks)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{_STYLE}</style></head><body>{body}</body></html>")


def write_pdfs(pages: dict[Path, str], browser) -> None:
    """Print each page with Chromium (through Playwright), with a running title and page numbers."""
    page = browser.new_page()
    for target, markup in pages.items():
        page.set_content(markup)
        page.pdf(path=str(target), format="A4", display_header_footer=True, header_template=_PDF_HEADER,
                 footer_template=_PDF_FOOTER, margin={"top": "60px", "bottom": "60px", "left": "50px", "right": "50px"})
    page.close()


def write_forms(paths: list[Path], folder: Path, browser=None) -> dict[str, list[Path]]:
    """Every form of the documents, in folder: NAME.html, NAME.docx and, given a browser, NAME.pdf."""
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, list[Path]] = {"html": [], "docx": [], "pdf": []}
    printed = {}
    for number, path in enumerate(paths):
        blocks, title = blocks_of(path), _title(path)
        page = folder / f"{path.stem}.html"
        page.write_text(html_of(blocks, title, number), "utf-8")
        word = folder / f"{path.stem}.docx"
        word.write_bytes(docx_of(blocks, title, number))
        written["html"].append(page)
        written["docx"].append(word)
        printed[folder / f"{path.stem}.pdf"] = print_page_of(blocks, title, number)
    if browser is not None:
        write_pdfs(printed, browser)
        written["pdf"] = list(printed)
    return written


if __name__ == "__main__":
    from playwright.sync_api import sync_playwright

    from helpers import CHROMIUM_ARGS, ensure_chromium

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=ensure_chromium(), args=CHROMIUM_ARGS)
        print(write_forms(sorted(CORPUS.glob("*.txt")), Path(sys.argv[1]), chromium))
        chromium.close()
