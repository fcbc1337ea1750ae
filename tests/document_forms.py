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
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from mzkg.loaders import extract
from mzkg.loaders.formats import read
from mzkg.loaders.model import Cell, Grid
from mzkg.loaders.tables import grid_columns, text_grid

CORPUS = Path(__file__).resolve().parent / "corpus"
CHROMIUM = "/usr/bin/chromium"
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
    rows = _merged(block.grid, block.roles)
    header = _header_rows(block.grid, block.roles)
    out = ["<table>"]
    if number % 2:  # half the pages mark their header rows
        out.append("<thead>" + "".join(header) + "</thead><tbody>")
    else:
        out.extend(header)
    for row in rows:
        out.append("<tr>" + "".join(f'<td{_spans(r, 1)}>{html.escape(text)}</td>' for text, r in row) + "</tr>")
    out.append("</tbody></table>" if number % 2 else "</table>")
    return "".join(out)


def _header_rows(grid: Grid, roles: list[str]) -> list[str]:
    """The header, over two rows when two value columns or more stand side by side (指标值 over their years)."""
    values = [k for k, role in enumerate(roles) if role in ("baseline", "target", "actual")]
    run = values if len(values) >= 2 and values == list(range(values[0], values[0] + len(values))) else []
    if not run:
        return ["<tr>" + "".join(f"<th>{html.escape(c.text)}</th>" for c in grid.header) + "</tr>"]
    top, bottom = [], []
    for k, cell in enumerate(grid.header):
        if k == run[0]:
            top.append(f'<th colspan="{len(run)}">指标值</th>')
        if k in run:
            bottom.append(f"<th>{html.escape(cell.text)}</th>")
        else:
            top.append(f'<th rowspan="2">{html.escape(cell.text)}</th>')
    return ["<tr>" + "".join(top) + "</tr>", "<tr>" + "".join(bottom) + "</tr>"]


def _merged(grid: Grid, roles: list[str]) -> list[list[tuple[str, int]]]:
    """Body rows with a rowspan over the rows that repeat a category or a bindingness cell (or leave the
    category blank under the row that names it), as portals merge them."""
    width = len(roles)
    fixed = []
    for row in grid.rows:
        texts = [c.text for c in row]
        if len(texts) == width - 1 and "category" in roles:
            k = roles.index("category")
            texts = texts[:k] + [""] + texts[k:]
        fixed.append(texts)
    out: list[list[tuple[str, int]]] = [[(t, 1) for t in row] for row in fixed]
    for role in ("category", "binding"):
        if role not in roles:
            continue
        k = roles.index(role)
        anchor = None
        for r, row in enumerate(fixed):
            if len(row) != width:
                anchor = None
                continue
            same = anchor is not None and (row[k] == fixed[anchor][k] or (role == "category" and row[k] == ""))
            if same:
                out[anchor][k] = (out[anchor][k][0], out[anchor][k][1] + 1)
                out[r][k] = None
            else:
                anchor = r if row[k] else None
    return [[cell for cell in row if cell is not None] for row in out]


def _spans(rowspan: int, colspan: int) -> str:
    return (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")


def _title(path: Path) -> str:
    """The page's <title>: the document's title where its text states one, else the site's name alone."""
    source = read(path.read_bytes(), str(path))
    meta = extract(source.text, source=source).metadata
    return meta.title if not meta.title_inferred else ""


def write_forms(path: Path, folder: Path, number: int) -> dict[str, Path]:
    blocks = blocks_of(path)
    title = _title(path)
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / f"{path.stem}.html"
    page.write_text(html_of(blocks, title, number), "utf-8")
    return {"html": page}


if __name__ == "__main__":
    target = Path(sys.argv[1])
    for k, path in enumerate(sorted(CORPUS.glob("*.txt"))):
        print(write_forms(path, target, k))
