"""What each part of a document is about: the target groups it names and its policy area.

A part serves every group whose labels its own words contain. Its policy area is the one its own
words name most often, else its nearest enclosing part's; the document's areas are its chapters'.
Indicators are aligned with the vocabulary's (indicators.py). A 专栏 box or item whose name ends in a
programme word (…行动, …计划) is a programme.
"""
from __future__ import annotations

import re

from .concepts import Vocabulary
from .datafiles import alternatives, lexicon
from .indicators import align
from .parts import Part

_PROGRAMME = re.compile(f"(?:{alternatives(lexicon('targets')['programme_endings'])})(?:”)?$")


def classify(parts: list[Part], vocabulary: Vocabulary) -> list[str]:
    """Fill in each part's groups, area and (targets) indicator; return the document's policy areas."""
    own: dict[str, str] = {}
    for part in parts:
        part.groups = sorted(vocabulary.groups.find(part.text))
        hits = vocabulary.areas.find(part.text)
        if hits:
            own[part.path] = max(sorted(hits), key=hits.get)
        if part.kind in ("box", "item"):
            part.programme = bool(_PROGRAMME.search(part.record.title if part.kind == "box" else part.label))
        if part.kind == "target":
            part.indicator = align(part.record.indicator_label, part.record.unit, vocabulary.indicators)
    parent_of = {part.path: part.parent for part in parts}
    for part in parts:
        area, parent = own.get(part.path), part.parent
        while area is None and parent is not None:
            area, parent = own.get(parent), parent_of.get(parent)
        part.area = area
    return sorted({own[p.path] for p in parts if p.path in own and p.kind == "section" and p.record.depth == 1})
