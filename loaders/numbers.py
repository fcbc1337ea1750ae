"""Numbers as Chinese documents write them: Arabic or Chinese numerals, 万/亿 multipliers."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import cn2an

from .datafiles import lexicon

CN_NUMERAL = lexicon("numbers")["numerals"]
MULTIPLIERS = {word: Decimal(factor) for word, factor in lexicon("numbers")["multipliers"].items()}
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$")


def parse_number(written: str) -> Decimal | None:
    """'47.5' -> 47.5, '三' -> 3, '二十' -> 20; None when it is not a number."""
    written = written.strip()
    if _PLAIN.match(written):
        try:
            return Decimal(written)
        except InvalidOperation:
            return None
    if written and all(ch in CN_NUMERAL for ch in written):
        try:
            return Decimal(str(cn2an.cn2an(written.replace("两", "二"), "smart")))
        except (ValueError, KeyError, TypeError):
            return None
    return None


def split_unit(unit: str) -> tuple[Decimal, str]:
    """'万张' -> (10000, '张'); '亿元' -> (1e8, '元'); '%' -> (1, '%')."""
    if len(unit) > 1 and unit[0] in MULTIPLIERS:
        return MULTIPLIERS[unit[0]], unit[1:]
    if unit in MULTIPLIERS:
        return MULTIPLIERS[unit], ""
    return Decimal(1), unit


def normalized(value: Decimal, unit: str | None) -> Decimal:
    factor, _ = split_unit(unit or "")
    return value * factor
