"""The national gazetteer: the country, provinces, prefecture-level cities, county-level units and
townships (乡镇, 街道).

Provinces, prefectures and counties come from the table the `cpca` package ships (12-digit national
codes with names), their hierarchy from the codes themselves; townships from the china-division npm
package (copied to data/townships.csv by the install step), each under its county.
"""
from __future__ import annotations

import csv
import importlib.util
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

NATION_CODE = "000000000000"
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "特区", "省", "市", "县", "区", "盟", "旗")


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str  # national | province | prefecture | county
    parent: str | None
    short_names: tuple[str, ...] = field(default=())


@lru_cache(maxsize=1)
def _ethnic_designation() -> re.Pattern:
    """The names of the 56 nationalities (cpca's table) before 自治: 大理白族自治州 → 大理自治州."""
    with open(table_path().with_name("56_nations.csv"), encoding="utf-8") as handle:
        nations = sorted((line.strip() for line in handle if line.strip()), key=len, reverse=True)
    forms = [re.escape(nation.removesuffix("族")) + "族?" for nation in nations]  # 新疆维吾尔自治区: no 族
    return re.compile("(?:" + "|".join(forms) + ")+(?=自治)")


def _short_names(name: str) -> tuple[str, ...]:
    stem = _ethnic_designation().sub("", name)
    if "自治" in stem and stem.index("自治") < 2:  # 内蒙古自治区, 西藏自治区: the nationality's name is the place's
        stem = name
    for suffix in _SUFFIXES:
        if stem.endswith(suffix) and len(stem) - len(suffix) >= 2:
            stem = stem[: -len(suffix)]
            break
    if stem == name or len(stem) < 2:
        return ()
    if name.endswith("自治州"):  # 大理白族自治州: 大理, 大理州, 大理自治州
        return stem, stem + "州", stem + "自治州"
    return (stem,)


def table_path() -> Path:
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the gazetteer needs the 'cpca' package (pip install cpca)")
    return Path(list(spec.submodule_search_locations)[0]) / "resources" / "adcodes.csv"


def townships_path() -> Path:
    return Path(__file__).parent / "data" / "townships.csv"


class Gazetteer:
    def __init__(self, rows: list[tuple[str, str]], townships: list[tuple[str, str, str]] = (),
                 coordinates: dict[str, tuple[str, str]] | None = None):
        self.coordinates = coordinates or {}  # code -> (longitude, latitude), WGS84 decimal degrees as written
        names = dict(rows)
        self.units: dict[str, Unit] = {}
        for code, name in rows:
            if name in PLACEHOLDERS:
                continue
            level, parent = _place(code, names)
            self.units[code] = Unit(code, name, level, parent, _short_names(name))
        # the whole country: the jurisdiction of national documents, the parent of the provinces, never a mention
        self.nation = Unit(NATION_CODE, "中华人民共和国", "national", None)
        for code, unit in list(self.units.items()):
            if unit.parent is None:
                self.units[code] = Unit(unit.code, unit.name, unit.level, NATION_CODE, unit.short_names)
        # townships (code, name, county code): named only in full, described in the graphs of the
        # documents that name them rather than in the gazetteer's own graph
        self.townships: dict[str, Unit] = {}
        for code, name, county in townships:
            if county in self.units and code not in self.units:
                self.townships[code] = Unit(code, name, "township", county)
        self.children: dict[str, list[Unit]] = defaultdict(list)
        for unit in (*self.units.values(), *self.townships.values()):
            self.children[unit.parent].append(unit)
        self._by_name: dict[str, list[Unit]] = defaultdict(list)
        for unit in (*self.units.values(), *self.townships.values()):
            for form in (unit.name, *unit.short_names):
                self._by_name[form].append(unit)
        self._forms = None

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> "Gazetteer":
        with open(table_path(), encoding="utf-8") as handle:
            table = list(csv.DictReader(handle))
        rows = [(row["adcode"], row["name"]) for row in table]
        coordinates = {row["adcode"]: (row["longitude"], row["latitude"]) for row in table
                       if row.get("longitude") and row.get("latitude")}
        if not townships_path().exists():
            raise RuntimeError(f"{townships_path()}: the township table is missing (`pip install .` copies it from npm)")
        with open(townships_path(), encoding="utf-8") as handle:
            townships = [(row["code"] + "000", row["name"], row["areaCode"] + "000000") for row in csv.DictReader(handle)]
        return cls(rows, townships, coordinates)

    def division_code(self, unit: Unit) -> str | None:
        """The code as Wikidata's property P442 gives it: six digits for a province, prefecture or county,
        nine for a township; none for the country."""
        if unit.level == "national":
            return None
        return unit.code[:9] if unit.level == "township" else unit.code[:6]

    def unit(self, code: str) -> Unit | None:
        if code == NATION_CODE:
            return self.nation
        return self.units.get(code) or self.townships.get(code)

    def descendants(self, unit: Unit) -> list[Unit]:
        found, pending = [], [unit.code]
        while pending:
            for child in self.children.get(pending.pop(), ()):
                if child.code != unit.code:
                    found.append(child)
                    pending.append(child.code)
        return found

    def named(self, form: str) -> list[Unit]:
        return list(self._by_name.get(form, ()))

    def parent(self, unit: Unit) -> Unit | None:
        return self.unit(unit.parent) if unit.parent else None

    def ancestors(self, unit: Unit) -> list[Unit]:
        chain = []
        while (unit := self.parent(unit)) is not None:
            chain.append(unit)
        return chain

    def province_of(self, unit: Unit) -> Unit | None:
        if unit.level == "province":
            return unit
        return next((u for u in self.ancestors(unit) if u.level == "province"), None)

    @property
    def _automaton(self):
        """Every form, for one pass of Aho–Corasick over a text (built on first use)."""
        if self._forms is None:
            import ahocorasick_rs

            self._forms = ahocorasick_rs.AhoCorasick(list(self._by_name), matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
        return self._forms

    def mentions(self, text: str):
        """Yield (start, end, form) for every gazetteer name in text, left to right, the longest of
        those starting at one place, none overlapping another."""
        for _, start, end in self._automaton.find_matches_as_indexes(text):
            yield start, end, text[start:end]


def _place(code: str, names: dict[str, str]) -> tuple[str, str | None]:
    province = code[:2] + "0" * 10
    prefecture = code[:4] + "0" * 8
    if code == province:
        return "province", None
    if code == prefecture:
        return "prefecture", province
    real_prefecture = prefecture in names and names[prefecture] not in PLACEHOLDERS
    return "county", prefecture if real_prefecture else province
