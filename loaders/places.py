"""Administrative units a document names, resolved against the national gazetteer.

Full names (珠山区, 丹江口市) are taken wherever they occur. Short forms (珠山, 江汉) are taken
only in context: for units inside the document's own jurisdiction, its ancestors, or for
provinces and prefecture-level cities whose short form is unambiguous — and never for the
short forms in `data/place-stopwords.json`, which are ordinary words as often as places.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .datafiles import read_json
from .gazetteer import Gazetteer, Unit
from .model import Span


@dataclass(frozen=True)
class Mention:
    unit: Unit
    span: Span
    form: str


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    return frozenset(read_json("place-stopwords.json")["short_forms"])


def find_mentions(text: str, gazetteer: Gazetteer, jurisdiction: Unit | None) -> list[Mention]:
    family = _family(gazetteer, jurisdiction)
    mentions = []
    for start, end, form in gazetteer.mentions(text):
        listed = _in_a_list(text, start, end)
        unit = _resolve(form, gazetteer, family, jurisdiction, listed)
        if unit is not None:
            mentions.append(Mention(unit, Span(start, end), form))
    return mentions


def _family(gazetteer: Gazetteer, jurisdiction: Unit | None) -> set[str]:
    """Codes of the jurisdiction, its ancestors and everything inside it."""
    if jurisdiction is None:
        return set()
    family = {jurisdiction.code, *(u.code for u in gazetteer.ancestors(jurisdiction))}
    family.update(u.code for u in gazetteer.units.values() if jurisdiction in gazetteer.ancestors(u))
    return family


def _in_a_list(text: str, start: int, end: int) -> bool:
    """Whether a name stands as an item of a list of places ("北京、重庆、福建") rather than inside a word."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    return before in "、,(:“ \n" and (after in "、,)。等和与及” \n" or after.isdigit())


def _resolve(form: str, gazetteer: Gazetteer, family: set[str], jurisdiction: Unit | None, listed: bool) -> Unit | None:
    candidates = gazetteer.named(form)
    full = [u for u in candidates if u.name == form]
    short = [u for u in candidates if u.name != form]
    inside = [u for u in full if u.code in family]
    if inside:
        return inside[0]
    if full and len(form) > 2:  # 和县, 古县: a one-character name plus its level is too often part of a phrase
        return full[0] if len(full) == 1 else _nearest(full, gazetteer, jurisdiction)
    if form in _stopwords():
        return None
    inside = [u for u in short if u.code in family]
    if len(inside) == 1:
        return inside[0]
    if len(short) == 1 and (short[0].level == "province" or (short[0].level == "prefecture" and listed)):
        return short[0]
    return None


def _nearest(units: list[Unit], gazetteer: Gazetteer, jurisdiction: Unit | None) -> Unit | None:
    """Of several units with the same full name, the one in the jurisdiction's province, if any."""
    if jurisdiction is None:
        return None
    province = gazetteer.province_of(jurisdiction)
    same = [u for u in units if province is not None and gazetteer.province_of(u) == province]
    return same[0] if len(same) == 1 else None
