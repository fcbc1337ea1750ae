"""Policy instruments cited by title: every 《…》 becomes one, shared across documents once its
title is normalised (script, width, quotation marks, spaces) — except the document's own title and
the abbreviations the text defines for itself ("(以下简称《规划》)"), which name no other instrument."""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import rules
from .model import Span
from .normalize import normalize_label

_TITLE = re.compile(r"《([^《》]{2,80})》")
_QUOTES = re.compile(r"[“”‘’\"'「」『』〈〉<>\s]")


@dataclass(frozen=True)
class Citation:
    key: str      # normalised title: the instrument's identity and label
    span: Span    # the title with its 《》, in the normalised text


def instrument_key(title: str) -> str:
    return _QUOTES.sub("", normalize_label(title)).replace("—", "-").replace("–", "-")


_ABBREVIATION = re.compile(r"简称\s*《([^《》]{1,20})》")


def find_citations(text: str, own_title: str = "") -> list[Citation]:
    not_cited = {instrument_key(m.group(1)) for m in _ABBREVIATION.finditer(text)} if rules.on("abbreviations-not-cited") else set()
    if own_title and rules.on("own-title-not-cited"):  # the title, and any title it quotes ("关于《X》的起草说明")
        not_cited.add(instrument_key(own_title))
        not_cited.update(instrument_key(m.group(1)) for m in _TITLE.finditer(own_title))
    found = (Citation(instrument_key(m.group(1)), Span(m.start(), m.end())) for m in _TITLE.finditer(text))
    return [citation for citation in found if citation.key not in not_cited]
