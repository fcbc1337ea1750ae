"""Aligning indicators across plans: the same indicator named in several plans is one concept.

A target's label is normalised (script, width, brackets, units in brackets, 的, 全市…) and
matched against the curated vocabulary (ontology/vocabularies/indicators.ttl); failing an
exact match, a label whose head is the same once the ratio word is set aside (…占比 / …比例 /
…覆盖率), or that is nearly the same string, with a compatible unit, aligns too. Anything
else becomes a concept of its own, shared by every plan that words it the same way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .concepts import Concept, ConceptSet
from .datafiles import alternatives, lexicon
from .iris import digest
from .normalize import normalize_label

_UNIT_IN_BRACKETS = re.compile(r"\((?:%|‰|千人比|[^()]{0,8}?(?:元|人|个|张|家|所|座|户|次|米|月))\)?$")
_DROPPED = re.compile(r"[()“”\"'《》\s*]|" + alternatives(lexicon("indicators")["dropped"]))
_RATIO = re.compile(f"(?:{alternatives(lexicon('indicators')['ratio_words'])})$")
_SIMILAR = 0.88


def indicator_key(label: str) -> str:
    key = normalize_label(label)
    key = _UNIT_IN_BRACKETS.sub("", key)
    return _DROPPED.sub("", key)


def unit_kind(unit: str | None, label: str = "") -> str | None:
    if unit in ("%", "‰", "千人比") or (unit is None and _RATIO.search(label)):
        return "ratio"
    if unit and "元" in unit:
        return "money"
    return "count" if unit else None


@dataclass(frozen=True)
class _Known:
    """A vocabulary label's key with what the similarity search compares it by."""
    key: str
    concept: Concept
    kind: str | None
    head: str  # the key without its ratio word
    pairs: frozenset[str]


@lru_cache(maxsize=8)
def _known(vocabulary: ConceptSet) -> tuple[dict[str, Concept], tuple[_Known, ...]]:
    """The vocabulary's keys, worked out once rather than for every document."""
    keys: dict[str, Concept] = {}
    for concept in vocabulary.concepts:
        for label in concept.labels:
            keys.setdefault(indicator_key(label), concept)
    return keys, tuple(_Known(k, c, unit_kind(c.unit, k), _RATIO.sub("", k), _pairs(k)) for k, c in keys.items())


@dataclass(frozen=True)
class Alignment:
    """The concept an indicator label stands for: a vocabulary concept's path, or a concept of its
    own, minted from the label's key (`minted` then holds the key, its preferred label)."""
    path: str
    minted: str | None = None


@lru_cache(maxsize=8192)  # plans word their indicators alike: most labels have been aligned before
def align(label: str, unit: str | None, vocabulary: ConceptSet) -> Alignment:
    keys, known = _known(vocabulary)
    key = indicator_key(label)
    match = keys.get(key) or _similar(known, key, unit_kind(unit, key))
    if match is not None:
        return Alignment(match.path)
    return Alignment(f"indicator/label-{digest(key, 10)}", key)


def _similar(known: tuple[_Known, ...], key: str, kind: str | None) -> Concept | None:
    head, pairs = _RATIO.sub("", key), _pairs(key)
    best, best_score = None, 0.0
    for entry in known:
        if kind and entry.kind and kind != entry.kind:
            continue
        if kind == "ratio" and len(head) >= 4 and entry.head == head:
            return entry.concept
        score = _dice(pairs, entry.pairs)
        if score > best_score:
            best, best_score = entry.concept, score
    return best if best_score >= _SIMILAR else None


def _pairs(text: str) -> frozenset[str]:
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


def _dice(pairs_a: frozenset[str], pairs_b: frozenset[str]) -> float:
    if not pairs_a or not pairs_b:
        return 0.0
    return 2 * len(pairs_a & pairs_b) / (len(pairs_a) + len(pairs_b))
