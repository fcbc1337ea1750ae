"""Indicator tables, rebuilt row by row from scrapes that flattened them.

Two shapes occur: one cell per line (the header names the columns), and one row per line
with the column separators lost (`城乡低保救助精准率(%)约束性93≥9999.9完成`). In the second,
run-together numbers are split by the constraints the table itself gives: the columns its
header names, no leading zeros, percentages within 0–100, 完成 meaning the actual value met
the target, and the row's own narrative elsewhere in the text. A row whose numbers still
admit more than one split is marked as such (mz:splitAmbiguous) instead of guessed silently.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from itertools import combinations

from . import rules
from .datafiles import alternatives, lexicon
from .model import Cell, Grid, Span, Table, Target
from .numbers import normalized

_WORDS = lexicon("tables")
_HEADER_WORDS = tuple(_WORDS["header_words"])
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_YEARS = re.compile(r"(?:(?:19|20)\d\d)+")
_BINDING = _WORDS["bindingness"]
_UNIT = re.compile(
    rf"^\(?(?:{alternatives(lexicon('units')['table_bare'])}|(?:万|亿)?(?:{alternatives(lexicon('units')['table'])})"
    r"(?:/[\u4e00-\u9fff、·]+)*)\)?$"
)
_LABEL_UNIT = re.compile(r"\(([^()]{1,10})\)?$")
_NUMBER = r"(?:0|[1-9]\d*)(?:\.\d+)?"
_SYMBOL_CMP = lexicon("comparators")["signs"]
_VALUE = re.compile(rf"^(?P<cmp>{alternatives(_SYMBOL_CMP)})?\s*(?P<num>{_NUMBER})(?:\s*[-—~]\s*(?P<max>{_NUMBER}))?\s*(?P<pct>%)?$")
_WORDED_CMP = lexicon("comparators")["table_words"]
_WORDED = re.compile(rf"^(?P<word>{alternatives(_WORDED_CMP)})(?P<rest>.+)$")
_MISSING = set(_WORDS["missing"])
_AFTER = lexicon("comparators")["after"]
_BRACKETED = re.compile(r"^\[[^\[\]]+\]$")
_RUN_ROW = re.compile(rf"^(?P<head>.*)\((?P<unit>[^()]{{1,10}})\)(?P<attr>{alternatives(_BINDING)})(?P<rest>.*)$")
_DONE = tuple(_WORDS["done"])
_STATUS = re.compile(f"^(?:{alternatives(_WORDS['status'])})")


@dataclass
class Column:
    role: str            # number | category | label | unit | baseline | target | actual | binding | status
    year: int | None = None


@dataclass
class Row:
    cells: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)


@lru_cache(maxsize=1)
def categories() -> tuple[str, ...]:
    return tuple(sorted(_WORDS["categories"], key=len, reverse=True))


def table_targets(table: Table, text: str, default_year: int | None) -> list[Target]:
    cells = [c for c, _ in table.lines]
    if not cells:
        return []
    grid = text_grid(table)
    if grid is not None:
        return grid_targets(grid, table, default_year)
    header_end, columns = _header(cells)
    _years_from_caption(table, columns, default_year)
    body = table.lines[header_end:]
    if any(_RUN_ROW.match(c) for c, _ in body):
        return [t for row in _run_together_rows(body) if (t := _run_row_target(row, columns, table, text))]
    return [t for row in _cell_rows(body, columns) if (t := _cell_row_target(row, columns, table))]


def text_grid(table: Table) -> Grid | None:
    """The table's cells: as the file gives them, else as its text lays them out (delimited cells, or
    one cell per line in rows that mark their ends); None for a layout read row by row."""
    if table.grid is not None:
        return table.grid
    grid = grid_of(table) if rules.on("delimited-tables") else None
    if grid is not None:
        return grid
    cells = [c for c, _ in table.lines]
    header_end, _ = _header(cells)
    if any(_RUN_ROW.match(c) for c in cells[header_end:]):
        return None
    width = next((k for k, c in enumerate(cells) if not (_is_header_cell(c) or _YEARS.match(c))), len(cells))
    grid = _flattened_grid(table.lines[:width], table.lines[width:])
    delimited = {"binding", "number"} & {_grid_column(c).role for c in cells[:width]}  # rows that mark their ends
    if delimited and grid.rows and all(width - 1 <= len(row) <= width for row in grid.rows):
        return grid
    return None


# header ----------------------------------------------------------------------------
def _header(cells: list[str]) -> tuple[int, list[Column]]:
    """The header cells and the column each names; a run-together header is split by keyword."""
    columns: list[Column] = []
    i = 0
    while i < len(cells) and (_is_header_cell(cells[i]) or (_YEARS.fullmatch(cells[i]) and i < 8)):
        cell = cells[i]
        if re.fullmatch(r"(?:(?:19|20)\d\d){2,}", cell):  # "201520202020": years of the value columns
            years = [int(cell[k:k + 4]) for k in range(0, len(cell), 4)]
            for column, year in zip([c for c in columns if c.role in ("baseline", "target", "actual")], years):
                column.year = year
        elif _YEAR.match(cell):
            columns.append(Column("actual", int(cell)))
        elif "规划" in cell and i + 1 < len(cells) and cells[i + 1] in ("主要指标", "指标"):
            columns.append(Column("target"))
            i += 1
        else:
            columns.extend(_roles(cell))
        i += 1
    return i, columns


def _is_header_cell(cell: str) -> bool:
    return len(cell) <= 40 and any(w in cell for w in _HEADER_WORDS) and not _RUN_ROW.match(cell) and not cell.isdigit()


def _roles(cell: str) -> list[Column]:
    found = []
    for word, role in _WORDS["column_words"]:
        for m in re.finditer(word, cell):
            if role == "target" and cell[m.start():].startswith("目标情况"):
                continue
            found.append((m.start(), role))
    found.sort()
    columns = []
    for position, role in found:
        if columns and columns[-1].role == role:
            continue
        year = re.search(r"((?:19|20)\d\d)年?$", cell[max(0, position - 5):position])
        columns.append(Column(role, int(year.group(1)) if year else None))
    return columns or [Column("label")]


def _years_from_caption(table: Table, columns: list[Column], default_year: int | None) -> None:
    for column in columns:
        if column.role == "target" and column.year is None:
            column.year = _plan_end(table.caption) or default_year
    table.baseline_year = next((c.year for c in columns if c.role == "baseline"), None)
    table.target_year = next((c.year for c in columns if c.role == "target"), None)


def _plan_end(caption: str) -> int | None:
    from .metadata import FIVE_YEAR_PERIODS

    for name, start in FIVE_YEAR_PERIODS.items():
        if name in caption:
            return start + 4
    return None


# tables whose lines keep their cells apart ----------------------------------------------
_RULE = re.compile(r"^[\s|:\-—]+$")           # a Markdown table's rule under its header
_FOOTNOTE = re.compile(r"[①-⑳*]+$")
_TAB, _SPACES, _PIPE = re.compile(r"\t"), re.compile(r"\s+"), re.compile(r"\|")


def grid_of(table: Table) -> Grid | None:
    """The cells of a table laid out with its cells kept apart: by tabs, as a Markdown pipe table, or
    by spaces when its header row splits into column names so. None for a flattened table (one cell
    per line) or one whose separators were lost."""
    lines = [(text, span) for text, span in table.lines if not _RULE.match(text)]
    if not lines:
        return None
    if not is_header_row(lines[0][0]):
        return None
    header = split_cells(*lines[0])
    rows = [split_cells(text, span, _layout(lines[0][0])) for text, span in lines[1:]]
    return Grid(header, [row for row in rows if row])


def _layout(text: str) -> re.Pattern | None:
    if "\t" in text:
        return _TAB
    if text.lstrip().startswith("|"):
        return _PIPE
    cells = text.split()
    if len(cells) >= 3 and all(_is_header_cell(c) or _YEARS.match(c) for c in cells):
        return _SPACES
    return None


def is_header_row(text: str) -> bool:
    """A line of a table's column names kept apart by tabs, pipes or spaces."""
    cells = split_cells(text, Span(0, len(text)))
    return cells is not None and len(cells) >= 3 and sum(1 for cell in cells if _is_header_cell(cell.text)) >= 2


def split_cells(text: str, span: Span, layout: re.Pattern | None = None) -> list[Cell] | None:
    """A line's cells with their spans; an empty cell between two tabs or pipes keeps its place."""
    layout = layout or _layout(text)
    if layout is None:
        return None
    start, end = 0, len(text)
    if layout is _PIPE:
        start = text.find("|") + 1 if "|" in text else 0
        end = text.rfind("|") if text.rstrip().endswith("|") and text.rfind("|") >= start else len(text)
    elif layout is _SPACES:
        start, end = len(text) - len(text.lstrip()), len(text.rstrip())
    cells, position = [], start
    for m in layout.finditer(text, start, end):
        cells.append(_cell(text, span.start, position, m.start()))
        position = m.end()
    cells.append(_cell(text, span.start, position, end))
    return cells


def _cell(text: str, offset: int, a: int, b: int) -> Cell:
    raw = text[a:b]
    lead = len(raw) - len(raw.lstrip())
    value = raw.strip()
    return Cell(value, Span(offset + a + lead, offset + a + lead + len(value)))


def _flattened_grid(header: list[tuple[str, Span]], body: list[tuple[str, Span]]) -> Grid:
    """A table flattened one cell per line, as rows of cells: a row ends with its bindingness cell when
    the header has that column; else it begins with its row number.
    A row whose category cell is empty lacks that line, and the grid reader puts the gap back."""
    columns = [_grid_column(text) for text, _ in header]
    roles = [c.role for c in columns]
    cells = [Cell(text, span) for text, span in body]
    rows: list[list[Cell]] = []
    if "binding" in roles:
        current: list[Cell] = []
        for cell in cells:
            current.append(cell)
            if cell.text in _BINDING:
                rows.append(current)
                current = []
    elif "number" in roles:
        for cell in cells:
            if cell.text == str(len(rows) + 1) or not rows:
                rows.append([])
            rows[-1].append(cell)
    return Grid([Cell(text, span) for text, span in header], rows)


def grid_targets(grid: Grid, table: Table, default_year: int | None) -> list[Target]:
    """One target per body row, each cell read by the column its header cell names. A row of one cell
    across the table (a category's heading between rows) is no target."""
    columns = grid_columns(grid)
    _years_from_caption(table, columns, default_year)
    targets = []
    for cells in grid.rows:
        if len(cells) == 1 < len(columns):
            continue
        if len(cells) == len(columns) - 1:
            cells = _fill_gap(cells, [c.role for c in columns])
        targets.append(_grid_row_target(cells, columns, table))
    return targets


def grid_columns(grid: Grid) -> list[Column]:
    """What each column holds, from its header; in a header over several rows, from the lowest of its
    cells that names a role (a year heading under "指标值"), the year from the lowest that gives one."""
    if len(grid.header_rows) < 2:
        return _year_columns([_grid_column(cell.text) for cell in grid.header])
    columns = []
    for k in range(len(grid.header)):
        stack = [row[k].text for row in reversed(grid.header_rows) if k < len(row)]
        found = [_grid_column(text) for text in dict.fromkeys(stack) if text]
        column = next((c for c in found if c.role != "label"), found[0] if found else Column("label"))
        column.year = column.year or next((c.year for c in found if c.year), None)
        columns.append(column)
    return _year_columns(columns)


def is_indicator_grid(grid: Grid) -> bool:
    """A table of indicators: its header names a column of values (a base, a target, a year, a result)."""
    return any(c.role in ("baseline", "target", "actual", "year", "status") for c in grid_columns(grid))


def _fill_gap(cells: list[Cell], roles: list[str]) -> list[Cell]:
    """A row one cell short, the cell an empty one would have been: the category of a continuation row,
    else a unit the row does not state, else a baseline it does not give."""
    gap = None
    if "category" in roles:
        gap = roles.index("category")
    elif "unit" in roles and roles.index("unit") < len(cells) and not _UNIT.match(cells[roles.index("unit")].text):
        gap = roles.index("unit")
    elif "baseline" in roles:
        gap = roles.index("baseline")
    if gap is None:
        return cells
    at = cells[min(gap, len(cells) - 1)].span
    return cells[:gap] + [Cell("", Span(at.start, at.start))] + cells[gap:]


def _year_columns(columns: list[Column]) -> list[Column]:
    """Columns headed by a year alone ("2020年 2025年"): the latest is the target unless another column
    names the target; the years before the target's are baselines, any after it results."""
    years = [c for c in columns if c.role == "year"]
    target = next((c for c in columns if c.role == "target"), None)
    for column in years:
        if target is None:
            column.role = "target" if column is years[-1] else "baseline"
        else:
            column.role = "baseline" if target.year is None or column.year < target.year else "actual"
    return columns


def _grid_column(text: str) -> Column:
    from .metadata import FIVE_YEAR_PERIODS

    bare = re.fullmatch(r"((?:19|20)\d\d)年?", text)
    if bare:
        return Column("year", int(bare.group(1)))
    found = _roles(text)
    column = found[0] if found else Column("label")
    if column.year is None:
        year = re.search(r"((?:19|20)\d\d)年?", text)
        period = next((start + 4 for name, start in FIVE_YEAR_PERIODS.items() if name in text), None)
        column.year = int(year.group(1)) if year else period
    return column


def _grid_row_target(cells: list[Cell], columns: list[Column], table: Table) -> Target:
    span = Span(cells[0].span.start, cells[-1].span.end)
    if len(cells) != len(columns):  # the row does not fit the header: kept as text
        return Target(indicator_label=" ".join(c.text for c in cells), span=span, section=table.section, table=table)
    by_role = {}
    for column, cell in zip(columns, cells):
        by_role.setdefault(column.role, cell.text)
    label, unit_in_label = _split_label_unit(_FOOTNOTE.sub("", by_role.get("label", "")))
    unit = by_role.get("unit") or unit_in_label
    target = Target(indicator_label=label.strip(), span=span, section=table.section, unit=unit.strip("()") if unit else None,
                    table=table, row_number=by_role.get("number") or None,
                    bindingness=_BINDING.get(by_role.get("binding", "")))
    for column, cell in zip(columns, cells):
        if column.role in ("baseline", "target", "actual"):
            _assign(target, column, cell.text)
        elif column.role == "status" and cell.text:
            if parse_value(cell.text)[1] is not None:  # a numeric result is the value achieved
                _assign(target, Column("actual", column.year), cell.text)
            else:
                target.status = cell.text
    return target


# one cell per line -------------------------------------------------------------------
def _cell_rows(body: list[tuple[str, Span]], columns: list[Column]) -> list[Row]:
    """Group cells into rows: each row ends with its bindingness cell (约束性/预期性) or, in
    tables without one, with its status cell (实现目标, 超过…)."""
    roles = [c.role for c in columns]
    closing = "binding" if "binding" in roles else "status"
    rows, current = [], Row()
    for cell, span in body:
        current.cells.append(cell)
        current.spans.append(span)
        if (cell in _BINDING) if closing == "binding" else (_STATUS.match(cell) and len(current.cells) >= 3):
            rows.append(current)
            current = Row()
    if current.cells:
        rows.append(current)
    return rows


def _cell_row_target(row: Row, columns: list[Column], table: Table) -> Target | None:
    roles = [c.role for c in columns]
    cells = list(row.cells)
    number = cells.pop(0) if "number" in roles and cells and cells[0].isdigit() else None
    binding = cells.pop() if cells and cells[-1] in _BINDING else None
    status = cells.pop() if "status" in roles and cells and _STATUS.match(cells[-1]) else None
    texts, units, values = [], [], []
    for cell in cells:
        if _UNIT.match(cell) and texts and not values:
            units.append(cell.strip("()"))
        elif _is_value(cell) and texts:
            values.append(cell)
        else:
            texts.append(cell)
    if not texts:
        return None
    label = texts[-1] if len(texts) > 1 and "category" in roles else "".join(texts)
    label, unit_in_label = _split_label_unit(label)
    unit = units[0] if units else unit_in_label
    value_columns = [c for c in columns if c.role in ("baseline", "target", "actual")]
    if len(values) < len(value_columns):  # a missing value cell: the target is the one that is always there
        value_columns = _present(value_columns, len(values))
    target = Target(indicator_label=label, span=Span(row.spans[0].start, row.spans[-1].end), section=table.section,
                    unit=unit, table=table, row_number=number, bindingness=_BINDING.get(binding), status=status)
    for column, cell in zip(value_columns, values):
        _assign(target, column, cell)
    return target


def _present(value_columns: list[Column], count: int) -> list[Column]:
    order = sorted(value_columns, key=lambda c: {"target": 0, "baseline": 1, "actual": 2}[c.role])[:count]
    return [c for c in value_columns if c in order]


def _is_value(cell: str) -> bool:
    return cell in _MISSING or bool(_VALUE.match(cell)) or bool(_WORDED.match(cell))


def _split_label_unit(label: str) -> tuple[str, str | None]:
    label = label.lstrip("*")
    m = _LABEL_UNIT.search(label)
    if m and _UNIT.match(f"({m.group(1)})"):
        return label[: m.start()], m.group(1)
    return label, None


def _assign(target: Target, column: Column, cell: str) -> None:
    if cell in _MISSING:
        return
    cumulative = bool(_BRACKETED.match(cell))
    if cumulative:
        cell = cell[1:-1]
    comparator, value, upper, reference = parse_value(cell)
    if column.role == "target":
        if comparator is None and not re.search(r"[\u4e00-\u9fff]", cell):
            return  # neither a value nor words ("????"): the row is kept as text
        target.cumulative = cumulative
        target.text = cell
        target.comparator = comparator
        target.value, target.range_max, target.reference = value, upper, reference
        target.year = column.year
        if value is not None:
            target.normalized_value = normalized(value, target.unit)
    elif column.role == "baseline":
        target.baseline_value, target.baseline_year = value, column.year
    else:
        target.actual_value, target.actual_year = value, column.year


def parse_value(cell: str) -> tuple[str | None, Decimal | None, Decimal | None, str | None]:
    """'≥99' -> ('>=', 99); '30-40' -> ('range', 30, 40); '99以上' -> ('>=', 99); '45左右' -> ('about', 45);
    '不低于低保标准的1.3' -> ('>=', reference 低保标准)."""
    after = next((word for word in _AFTER if cell.endswith(word) and len(cell) > len(word)), None)
    if after:
        inner = _VALUE.match(cell[: -len(after)])
        if inner and not inner.group("cmp") and not inner.group("max"):
            return _AFTER[after], Decimal(inner.group("num")), None, None
    m = _VALUE.match(cell)
    if m:
        if m.group("max"):
            return "range", Decimal(m.group("num")), Decimal(m.group("max")), None
        return _SYMBOL_CMP.get(m.group("cmp") or "", "="), Decimal(m.group("num")), None, None
    m = _WORDED.match(cell)
    if m:
        rest = m.group("rest")
        inner = _VALUE.match(rest)
        if inner and not inner.group("max"):
            return _WORDED_CMP[m.group("word")], Decimal(inner.group("num")), None, None
        reference = re.sub(rf"的?{_NUMBER}%?倍?$", "", rest).strip() or None
        return _WORDED_CMP[m.group("word")], None, None, reference
    return None, None, None, None


# one row per line, separators lost ---------------------------------------------------
def _run_together_rows(body: list[tuple[str, Span]]) -> list[Row]:
    rows: list[Row] = []
    for cell, span in body:
        if _RUN_ROW.match(cell) or not rows:
            rows.append(Row([cell], [span]))
        else:  # the rest of the previous row, wrapped onto its own line
            rows[-1].cells.append(cell)
            rows[-1].spans.append(span)
    return rows


def _run_row_target(row: Row, columns: list[Column], table: Table, text: str) -> Target | None:
    m = _RUN_ROW.match(row.cells[0])
    if not m:
        return None
    head, unit, attr = m.group("head"), m.group("unit"), m.group("attr")
    rest = "".join([m.group("rest"), *row.cells[1:]])
    label = _strip_category(head.lstrip("*"))
    numbers, actual_text, status = _split_rest(rest)
    value_columns = [c for c in columns if c.role in ("baseline", "target", "actual")]
    if actual_text:  # the actual value is words ("城市30农村43"), not one number
        value_columns = [c for c in value_columns if c.role != "actual"]
    checkable = None if actual_text else status  # 完成 can be checked only against a numeric actual value
    splits = _splits(numbers, len(value_columns), unit, checkable, _narrative_numbers(label, text, table))
    target = Target(indicator_label=label, span=Span(row.spans[0].start, row.spans[-1].end), section=table.section,
                    unit=unit, table=table, bindingness=_BINDING[attr], status=status)
    if splits:
        best = splits[0]
        target.split_ambiguous = len(splits) > 1
        for column, cell in zip(_columns_for(best, value_columns, status), best):
            _assign(target, column, cell)
    if actual_text:
        target.status = f"{actual_text}{status or ''}"
        target.actual_year = next((c.year for c in columns if c.role == "actual"), None)
    return target


def _columns_for(parts: list[str], value_columns: list[Column], status: str | None) -> list[Column]:
    """Which columns a shorter-than-header run of values fills."""
    if len(parts) == len(value_columns):
        return value_columns
    by_role = {c.role: c for c in value_columns}
    marked = next((k for k, p in enumerate(parts) if _VALUE.match(p).group("cmp")), None)
    if marked is not None:
        roles = ["baseline"] * marked + ["target"] + ["actual"] * (len(parts) - marked - 1)
    elif status and status.startswith(_DONE) and len(parts) >= 2:
        roles = ["target", "actual"][-len(parts):] if len(parts) == 2 else ["target"]
    else:
        roles = ["baseline", "target"][-len(parts):]
    return [by_role[r] for r in roles if r in by_role]


def _strip_category(head: str) -> str:
    for category in categories():
        if head.startswith(category) and len(head) - len(category) >= 4:
            return head[len(category):]
    return head


def _split_rest(rest: str) -> tuple[str, str | None, str | None]:
    m = re.match(r"^([\d.≥≤<>\-—~]*)(.*)$", rest)
    numbers, words = m.group(1), m.group(2)
    status = None
    tail = re.search(r"[\u4e00-\u9fff]+$", words)
    if tail and not re.search(r"\d", tail.group()):
        status = tail.group()
        words = words[: tail.start()]
    return numbers, (words or None), status


def _splits(numbers: str, columns: int, unit: str, status: str | None, narrative: set[Decimal]) -> list[list[str]]:
    """Every way to cut the run-together numbers into column values that the table allows,
    most plausible first. Complete rows are preferred to rows with a value missing; a split
    that is implausible (a zero, or values more than tenfold apart) is used only when no
    plausible one exists."""
    allowed_by_count = []
    fewest = 2 if status and status.startswith(_DONE) else 1  # 完成 needs both a target and an actual value
    for count in range(columns, fewest - 1, -1):
        candidates = [parts for parts in _cuts(numbers, count) if _allowed(parts, unit, status, count == columns)]
        if narrative:
            confirmed = [p for p in candidates if narrative & {v for v in map(_number_of, p) if v is not None}]
            candidates = confirmed or candidates
        allowed_by_count.append(candidates)
    for candidates in allowed_by_count:
        plausible = [p for p in candidates if _plausible(p)]
        if plausible:
            return sorted(plausible, key=_spread)
    for candidates in allowed_by_count:
        if candidates:
            return sorted(candidates, key=_spread)
    return []


def _cuts(numbers: str, count: int) -> list[list[str]]:
    if count == 1:
        return [[numbers]] if numbers else []
    cuts = []
    for points in combinations(range(1, len(numbers)), count - 1):
        parts = [numbers[a:b] for a, b in zip((0, *points), (*points, len(numbers)))]
        cuts.append(parts)
    return cuts


def _allowed(parts: list[str], unit: str, status: str | None, complete: bool) -> bool:
    parsed = [_VALUE.match(p) for p in parts]
    if not all(parsed) or sum(1 for p in parsed if p.group("cmp")) > 1:
        return False
    if any(p.group("max") and Decimal(p.group("max")) <= Decimal(p.group("num")) for p in parsed):
        return False
    if any(p.group("cmp") for p in parsed[:1]) and complete and len(parts) > 1:
        return False  # a comparator belongs to the target, never to the baseline
    limit = {"%": 100, "‰": 1000}.get(unit)
    values = [Decimal(p.group("max") or p.group("num")) for p in parsed]
    if limit is not None and any(v > limit for v in values):
        return False
    if status and status.startswith(_DONE) and len(parts) >= 2:
        target, actual = parsed[-2], parsed[-1]
        if not _meets(target, Decimal(actual.group("num"))):
            return False
    return True


def _meets(target: re.Match, actual: Decimal) -> bool:
    low = Decimal(target.group("num"))
    comparator = target.group("cmp") or ""
    if target.group("max"):
        return low <= actual <= Decimal(target.group("max"))
    if comparator in ("≤", "<=", "<"):
        return actual <= low
    return actual >= low


def _plausible(parts: list[str]) -> bool:
    """Values of one indicator sit within an order of magnitude of each other, and none is zero."""
    values = [v for v in map(_number_of, parts) if v is not None]
    if any(v == 0 for v in values):
        return False
    return not values or max(values) / min(values) <= 10


def _spread(parts: list[str]) -> Decimal:
    values = [v for v in map(_number_of, parts) if v]
    return max(values) / min(values) if values else Decimal(0)


def _number_of(part: str) -> Decimal | None:
    m = _VALUE.match(part)
    return Decimal(m.group("num")) if m else None


def _narrative_numbers(label: str, text: str, table: Table) -> set[Decimal]:
    """Numbers the text outside the table gives for this indicator ("护理型养老床位比例达到54%")."""
    found: set[Decimal] = set()
    key = label[-8:] if len(label) > 8 else label
    for m in re.finditer(re.escape(key), text):
        if table.span.start <= m.start() < table.span.end:
            continue
        after = re.match(rf"[^。;,\d]{{0,12}}?({_NUMBER})", text[m.end(): m.end() + 24])
        if after:
            found.add(Decimal(after.group(1)))
    return found
