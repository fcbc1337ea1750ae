"""The national gazetteer: provinces, prefecture-level cities and county-level units.

The table is the one the `cpca` package ships (12-digit national codes with names); the
hierarchy follows from the codes themselves.
"""
from __future__ import annotations

import csv
import importlib.util
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_ETHNIC_SUFFIX = re.compile(r"(?:[\u4e00-\u9fff]{1,4}?族)+(?=自治)")
_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "特区", "省", "市", "县", "区", "盟", "旗")


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str  # province | prefecture | county
    parent: str | None
    short_names: tuple[str, ...] = field(default=())


def _short_names(name: str) -> tuple[str, ...]:
    stem = _ETHNIC_SUFFIX.sub("", name)
    for suffix in _SUFFIXES:
        if stem.endswith(suffix) and len(stem) - len(suffix) >= 2:
            stem = stem[: -len(suffix)]
            break
    return (stem,) if stem != name and len(stem) >= 2 else ()


def table_path() -> Path:
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the gazetteer needs the 'cpca' package (pip install cpca)")
    return Path(list(spec.submodule_search_locations)[0]) / "resources" / "adcodes.csv"


class Gazetteer:
    def __init__(self, rows: list[tuple[str, str]]):
        names = dict(rows)
        self.units: dict[str, Unit] = {}
        for code, name in rows:
            if name in PLACEHOLDERS:
                continue
            level, parent = _place(code, names)
            self.units[code] = Unit(code, name, level, parent, _short_names(name))
        self._by_name: dict[str, list[Unit]] = defaultdict(list)
        for unit in self.units.values():
            for form in (unit.name, *unit.short_names):
                self._by_name[form].append(unit)
        self._lengths: dict[str, set[int]] = defaultdict(set)
        for form in self._by_name:
            self._lengths[form[0]].add(len(form))

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> "Gazetteer":
        with open(table_path(), encoding="utf-8") as handle:
            rows = [(row["adcode"], row["name"]) for row in csv.DictReader(handle)]
        return cls(rows)

    def named(self, form: str) -> list[Unit]:
        return list(self._by_name.get(form, ()))

    def parent(self, unit: Unit) -> Unit | None:
        return self.units.get(unit.parent) if unit.parent else None

    def ancestors(self, unit: Unit) -> list[Unit]:
        chain = []
        while (unit := self.parent(unit)) is not None:
            chain.append(unit)
        return chain

    def province_of(self, unit: Unit) -> Unit | None:
        if unit.level == "province":
            return unit
        return next((u for u in self.ancestors(unit) if u.level == "province"), None)

    def mentions(self, text: str):
        """Yield (start, end, form) for every gazetteer name in text, longest match first."""
        i = 0
        while i < len(text):
            lengths = self._lengths.get(text[i])
            hit = None
            if lengths:
                for length in sorted(lengths, reverse=True):
                    form = text[i : i + length]
                    if len(form) == length and form in self._by_name:
                        hit = form
                        break
            if hit:
                yield i, i + len(hit), hit
                i += len(hit)
            else:
                i += 1


def _place(code: str, names: dict[str, str]) -> tuple[str, str | None]:
    province = code[:2] + "0" * 10
    prefecture = code[:4] + "0" * 8
    if code == province:
        return "province", None
    if code == prefecture:
        return "prefecture", province
    real_prefecture = prefecture in names and names[prefecture] not in PLACEHOLDERS
    return "county", prefecture if real_prefecture else province
