"""Administrative units a document names, resolved against the national gazetteer.

Full names (沙坪坝区, 江油市, 沱江镇) are taken where the unit they name can be told: a name that several
units share is read as the one inside the document's jurisdiction, or the one whose county or city is
written just before it ("凤凰县沱江镇"). Short forms (沙坪坝, 大理州) are taken only in context: for units
inside the jurisdiction or its ancestors, or for provinces and prefecture-level cities whose short form is
unambiguous and stands in a list of places — and never when the short form is an ordinary word. Which
short forms are ordinary words comes from a word-frequency dictionary (jieba's): a county's short form
that the dictionary lists as a word other than a place name (会同, 前进, 新建 …) never counts alone.
"""
from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from functools import lru_cache

from . import rules
from .gazetteer import Gazetteer, Unit
from .model import Span

_LEVELS = {"national": 0, "province": 1, "prefecture": 2, "county": 3, "township": 4}
_COMMON_WORD_FREQUENCY = 20  # how often jieba's corpus must have used a word for it to count as ordinary
_PLACE_TAGS = {"ns"}


@dataclass(frozen=True)
class Mention:
    unit: Unit
    span: Span
    form: str


def _dictionary_entries(wanted: set[str]):
    """(word, frequency, tag) of jieba's dictionary, for the words wanted."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise RuntimeError("the loaders need the 'jieba' package for its word-frequency dictionary (pip install jieba)")
    with open(os.path.join(os.path.dirname(spec.origin), "dict.txt"), encoding="utf-8") as handle:
        for line in handle:
            word, _, rest = line.partition(" ")
            if word in wanted:
                frequency, _, tag = rest.strip().partition(" ")
                yield word, int(frequency), tag


@lru_cache(maxsize=1)
def ordinary_words(gazetteer: Gazetteer) -> frozenset[str]:
    """The short forms of county-level units that are ordinary words."""
    forms = {form for unit in gazetteer.units.values() if unit.level == "county" for form in unit.short_names}
    return frozenset(word for word, frequency, tag in _dictionary_entries(forms)
                     if tag not in _PLACE_TAGS and frequency >= _COMMON_WORD_FREQUENCY)


def find_mentions(text: str, gazetteer: Gazetteer, jurisdiction: Unit | None) -> list[Mention]:
    family = _family(gazetteer, jurisdiction)
    common = ordinary_words(gazetteer) if rules.on("ordinary-word-short-forms") else frozenset()
    mentions = []
    for start, end, form in gazetteer.mentions(text):
        beside = rules.on("place-lists") and _beside_a_place(text, start, end, gazetteer)
        listed = beside or (rules.on("place-lists") and _between_separators(text, start, end))
        unit = _resolve(form, text[max(0, start - 12):start], gazetteer, family, jurisdiction, listed,
                        frozenset() if beside else common)
        if unit is not None:
            mentions.append(Mention(unit, Span(start, end), form))
    return mentions


def _family(gazetteer: Gazetteer, jurisdiction: Unit | None) -> set[str]:
    """Codes of the jurisdiction, its ancestors and everything inside it."""
    if jurisdiction is None:
        return set()
    family = {jurisdiction.code, *(u.code for u in gazetteer.ancestors(jurisdiction))}
    family.update(u.code for u in gazetteer.descendants(jurisdiction))
    return family


def _between_separators(text: str, start: int, end: int) -> bool:
    """Whether a name stands as an item of a list ("北京、重庆、福建") rather than inside a word."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    return before in "、,(:“ \n" and (after in "、,)。等和与及” \n" or after.isdigit())


def _beside_a_place(text: str, start: int, end: int, gazetteer: Gazetteer) -> bool:
    """Whether a name is an item of a list whose next or previous item is a place's name too ("学习许昌、
    漯河等市", "联合内乡、南召等县"): then it names a place even where it is an ordinary word too."""
    after = text[end] if end < len(text) else ""
    before = text[start - 1] if start else ""
    return ((after == "、" and any(gazetteer.named(text[end + 1:end + 1 + k]) for k in (2, 3, 4)))
            or (before == "、" and any(gazetteer.named(text[max(0, start - 1 - k):start - 1]) for k in (2, 3, 4))))


def _resolve(form: str, before: str, gazetteer: Gazetteer, family: set[str], jurisdiction: Unit | None,
             listed: bool, common: frozenset[str]) -> Unit | None:
    candidates = gazetteer.named(form)
    full = [u for u in candidates if u.name == form]
    short = [u for u in candidates if u.name != form]
    if full:
        prefixed = [u for u in full if gazetteer.parent(u) and _written_before(gazetteer.parent(u), before)]
        if len(prefixed) == 1:
            return prefixed[0]
        inside = _one([u for u in full if u.code in family], gazetteer)
        if inside:
            return inside
        if full[0].level == "township":  # a township's name is too often shared to be read without its county
            return None
        if len(form) > 2:  # 和县, 古县: a one-character name plus its level is too often part of a phrase
            return full[0] if len(full) == 1 else _nearest(full, gazetteer, jurisdiction)
    if form in common:
        return None
    inside = _one([u for u in short if u.code in family], gazetteer)
    if inside:
        return inside
    if len(short) == 1 and (short[0].level == "province" or (short[0].level == "prefecture" and listed)):
        return short[0]
    if listed:  # counties listed beside the jurisdiction: those of its own prefecture
        neighbours = [u for u in short if u.level == "county" and u.parent in family]
        if len(neighbours) == 1:
            return neighbours[0]
    shallowest = _one(short, gazetteer)
    if listed and shallowest and shallowest.level == "prefecture":
        return shallowest
    return None


def _written_before(parent: Unit, before: str) -> bool:
    return before.endswith(parent.name) or any(before.endswith(form) for form in parent.short_names)


def _one(units: list[Unit], gazetteer: Gazetteer) -> Unit | None:
    """One unit, or of an ancestor and its descendants (甘孜藏族自治州 and its 甘孜县) the ancestor."""
    if len(units) <= 1:
        return units[0] if units else None
    top = min(units, key=lambda u: _LEVELS[u.level])
    return top if all(u is top or top in gazetteer.ancestors(u) for u in units) else None


def _nearest(units: list[Unit], gazetteer: Gazetteer, jurisdiction: Unit | None) -> Unit | None:
    """Of several units with the same full name, the one in the jurisdiction's province, if any."""
    if jurisdiction is None:
        return None
    province = gazetteer.province_of(jurisdiction)
    same = [u for u in units if province is not None and gazetteer.province_of(u) == province]
    return same[0] if len(same) == 1 else None
