"""Dates as documents write them: 2023-02-28, 2023/2/28, 2023.02.28, 2023年2月28日, 二〇二三年二月二十八日,
20230228 (on a line of its own), and a month alone (2023年2月). Values are ISO strings: "2023-02-28", or "2023-02" for a month."""
from __future__ import annotations

import re
from datetime import date

from .datafiles import lexicon

_DIGITS = "".join(lexicon("chinese_digits"))
_NUMERIC = re.compile(r"(?<!\d)(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?(?!\d)")
_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d\d)(\d\d)(\d\d)(?!\d)")
_MONTH = re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月(?!\s*\d)")
_CHINESE = re.compile(rf"([{_DIGITS}]{{4}})年([{_DIGITS}]{{1,3}})月(?:([{_DIGITS}]{{1,3}})日)?")
_TIME = r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"


def _chinese_number(text: str) -> int:
    values = lexicon("chinese_digits")
    if len(text) == 4:  # a year, digit by digit
        return int("".join(str(values[ch]) for ch in text))
    if "十" not in text:
        return values[text]
    tens, _, ones = text.partition("十")
    return (values[tens] if tens else 1) * 10 + (values[ones] if ones else 0)


def _iso(year: int, month: int, day: int | None) -> str | None:
    try:
        return date(year, month, day).isoformat() if day else f"{date(year, month, 1):%Y-%m}"
    except ValueError:
        return None


def find_date(text: str) -> tuple[str, re.Match] | None:
    """The first date in text, and where it is."""
    found = []
    for pattern in (_NUMERIC, _CHINESE, _MONTH):
        m = pattern.search(text)
        if m:
            found.append((m.start(), pattern, m))
    if not found:
        return None
    _, pattern, m = min(found, key=lambda item: item[0])
    if pattern is _CHINESE:
        try:
            y, mo, d = (_chinese_number(g) if g else None for g in m.groups())
        except KeyError:
            return None
    else:
        y, mo, d = (int(g) if g else None for g in (m.groups() + (None,))[:3])
    value = _iso(y, mo, d)
    return (value, m) if value else None


def parse_date(text: str) -> str | None:
    compact = _COMPACT.fullmatch(text.strip())
    if compact:
        return _iso(*map(int, compact.groups()))
    found = find_date(text)
    return found[0] if found else None


def is_date_line(text: str) -> bool:
    """Whether a line is a date and nothing else (a signature's date)."""
    if _COMPACT.fullmatch(text.strip()):
        return parse_date(text) is not None
    found = find_date(text)
    return bool(found) and re.fullmatch(r"\s*" + re.escape(found[1].group(0)) + _TIME + r"\s*", text) is not None
