"""Units of measure as written (%, 张, 万元, 元/人·月 …): one spelling for each, its UCUM code and its slug.

The same unit is written several ways: 元/人·月, 元/人、月 and 元/人/月 are one unit, the amount per person
per month. A unit is a word (data/lexicon.json units.ucum), after a scale word (万, 亿) or not, then the
words it is given per, each divided by in turn.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .datafiles import lexicon

_PER_SEPARATORS = re.compile(r"[/、·•・]")


@dataclass(frozen=True)
class UnitOfMeasure:
    label: str          # the one spelling: 元/人·月
    ucum: str | None    # its UCUM code, when every word of it has one

    @property
    def slug(self) -> str:
        """For its IRI: the spelling, with / read as 每 and the signs that IRIs or paths reserve named."""
        return self.label.replace("/", "每").replace("%", "percent").replace("‰", "permille")


@lru_cache(maxsize=512)
def unit_of_measure(written: str) -> UnitOfMeasure:
    head, *per = [part for part in _PER_SEPARATORS.split(written.strip()) if part]
    label = head + ("/" + "·".join(per) if per else "")
    codes = [_code(head)] + [_code(word) for word in per]
    ucum = None if None in codes else codes[0] + "".join("/" + code for code in codes[1:])
    return UnitOfMeasure(label, ucum)


def _code(word: str) -> str | None:
    words, scales = lexicon("units")["ucum"], lexicon("units")["scale"]
    if word in words:
        return words[word]
    if word[:1] in scales and word[1:] in words:
        return f"{scales[word[:1]]}.{words[word[1:]]}"
    return None
