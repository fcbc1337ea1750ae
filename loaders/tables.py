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

from .datafiles import alternatives, lexicon
from .model import Span, Table, Target
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
    header_end, columns = _header(cells)
    _years_from_caption(table, columns, default_year)
    body = table.lines[header_end:]
    if any(_RUN_ROW.match(c) for c, _ in body):
        return [t for row in _run_together_rows(body) if (t := _run_row_target(row, columns, table, text))]
    return [t for row in _cell_rows(body, columns) if (t := _cell_row_target(row, columns, table))]


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
    for word, role in (("序号", "number"), ("类别", "category"), ("指标内容", "label"), ("指标名称", "label"),
                       ("主要指标", "label"), ("单位", "unit"), ("基期", "baseline"), ("目标", "target"),
                       ("实际", "actual"), ("属性", "binding"), ("完成情况", "status"), ("实现目标情况", "status")):
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
    comparator, value, upper, reference = parse_value(cell)
    if column.role == "target":
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
    """'≥99' -> ('>=', 99); '30-40' -> ('range', 30, 40); '不低于低保标准的1.3' -> ('>=', reference 低保标准)."""
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
