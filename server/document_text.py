"""A document's text as its page shows it: lines with what was extracted anchored in them, and its
indicator tables as tables.

A table's span (the mz:IndicatorTable's passage) holds its caption, header cells and rows; each
row is the span of a part of the table (a target, or a row the reader kept as text). A row laid
out one cell per line becomes one table row of those cells; a Markdown pipe row, its cells.
"""
from __future__ import annotations

from collections import Counter

import pyoxigraph as ox

from mzkg.ontology import MZ

from .labels import href
from .state import kg

HAS_PART = "http://data.europa.eu/eli/ontology#has_part"


def tables_of(node: ox.NamedNode) -> list[dict]:
    """The document's indicator tables: their spans, and the spans of their rows, in order."""
    query = f"""SELECT ?d ?table ?start ?end ?rowStart ?rowEnd WHERE {{
        ?table a <{MZ.IndicatorTable}> ; <{MZ.inDocument}> ?d ; <{MZ.source}> ?p .
        ?p <{MZ.startOffset}> ?start ; <{MZ.endOffset}> ?end .
        OPTIONAL {{ ?table <{HAS_PART}> ?row . ?row <{MZ.source}> ?q . ?q <{MZ.startOffset}> ?rowStart ; <{MZ.endOffset}> ?rowEnd }} }}"""
    tables: dict[str, dict] = {}
    for row in kg().query(query, substitutions={ox.Variable("d"): node}):
        table = tables.setdefault(row["table"].value, {"start": int(row["start"].value), "end": int(row["end"].value),
                                                       "href": href(row["table"].value), "rows": set()})
        if row["rowStart"] is not None:
            table["rows"].add((int(row["rowStart"].value), int(row["rowEnd"].value)))
    return sorted(({**t, "rows": sorted(t["rows"])} for t in tables.values()), key=lambda t: t["start"])


def blocks(full: str, marks: list[dict], tables: list[dict]) -> list[dict]:
    """The text's lines, those inside a table gathered into one {"table": …} block."""
    out, pending = [], list(tables)
    current = None
    for line in lines(full, marks):
        while pending and pending[0]["end"] <= line["start"]:
            pending.pop(0)
        inside = pending and pending[0]["start"] <= line["start"] < pending[0]["end"]
        if inside and (current is None or current["table"] is not pending[0]):
            current = {"table": pending[0], "lines": []}
            out.append(current)
        if inside:
            current["lines"].append(line)
        else:
            current = None
            out.append({"line": line})
    return [_laid_out(block, marks) if "table" in block else block for block in out]


def _laid_out(block: dict, marks: list[dict]) -> dict:
    """A table block as caption, header cells and rows of cells (each cell a line, or part of a pipe
    row); each row links to the targets read from it."""
    table, found = block["table"], block["lines"]
    rows, header = [], []
    for line in found:
        row = next((r for r in table["rows"] if r[0] < line["end"] and line["start"] < r[1]), None)  # they overlap
        if row is None and not rows:
            header.append(line)
            continue
        key = row or ("line", line["start"])  # a line outside every row, once rows began: a row of its own
        if rows and rows[-1][0] == key:
            rows[-1][1].append(line)
        else:
            rows.append((key, [line]))
    width = Counter(len(cells) for _, cells in rows).most_common(1)[0][0] if rows else 0
    if any(_is_pipe(line) for line in header):  # a caption is what comes before the first pipe row
        cut = next(k for k, line in enumerate(header) if _is_pipe(line))
    else:  # one cell per line: the header has as many cells as a row; the lines before them are the caption
        cut = max(0, len(header) - width)
    caption, header = header[:cut], header[cut:]
    laid = [{"start": cells[0]["start"], "cells": _cells(cells),
             "targets": [m for m in marks if m["kind"] == "IndicatorTarget" and (m["start"], m["end"]) == key]}
            for key, cells in rows]
    columns = max([len(row["cells"]) for row in laid] + [len(_cells(header))])
    for row in laid:
        if len(row["cells"]) == 1:  # a note or a heading inside the table runs across it
            row["cells"][0]["colspan"] = columns
    return {"table": True, "start": found[0]["start"], "href": table["href"], "caption": caption,
            "header": _cells(header), "rows": laid}


def _is_pipe(line: dict) -> bool:
    return "".join(p["text"] for p in line["pieces"]).lstrip().startswith("|")


def _blank(pieces: list[dict]) -> bool:
    return not "".join(p["text"] for p in pieces).strip()


def _cells(found: list[dict]) -> list[dict]:
    """Cells from lines: one per line, or, for a pipe row, one per column (a |---| rule gives none)."""
    cells = []
    for line in found:
        if not _is_pipe(line):
            cells.append({"start": line["start"], "pieces": line["pieces"], "blocks": line["blocks"]})
            continue
        text = "".join(p["text"] for p in line["pieces"])
        if set(text.replace("|", "").strip()) <= set("-: "):
            continue
        columns, column = [], []
        for piece in line["pieces"]:
            for k, part in enumerate(piece["text"].split("|")):
                if k:
                    columns.append(column)
                    column = []
                column.append({**piece, "text": part, "continued": k > 0})  # a mark keeps its id in its first cell
        columns.append(column)
        if columns and _blank(columns[0]):  # before the first bar and after the last
            columns.pop(0)
        if columns and _blank(columns[-1]):
            columns.pop()
        cells += [{"start": line["start"], "pieces": c, "blocks": line["blocks"] if not k else []} for k, c in enumerate(columns)]
    return cells


def lines(full: str, marks: list[dict]) -> list[dict]:
    """The text's non-empty lines, each cut into pieces at the targets marked in it, with the blocks
    (measures, goals, boxes, items, sections) that begin in it."""
    lines, offset = [], 0
    for text in full.split("\n"):
        start, end = offset, offset + len(text)
        offset = end + 1
        if not text.strip():
            continue
        inside = [m for m in marks if start <= m["start"] and m["end"] <= end + 1]
        blocks = [m for m in inside if m["kind"] in ("Measure", "Goal", "ProjectBox", "ProjectItem", "Section")]
        targets = sorted({(m["start"], m["end"]): m for m in inside if m["kind"] == "IndicatorTarget"}.values(),
                         key=lambda m: m["start"])
        pieces, cursor = [], start
        for m in targets:
            if m["start"] < cursor:
                continue
            pieces.append({"text": full[cursor:m["start"]]})
            pieces.append({"text": full[m["start"]:m["end"]], "mark": m})
            cursor = m["end"]
        pieces.append({"text": full[cursor:end]})
        lines.append({"start": start, "end": end, "pieces": pieces, "blocks": blocks})
    return lines


