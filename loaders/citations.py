"""Policy instruments cited by title: every 《…》 becomes one, shared across documents once its
title is normalised (script, width, quotation marks, spaces)."""
from __future__ import annotations

import re
from dataclasses import dataclass

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


def find_citations(text: str) -> list[Citation]:
    return [Citation(instrument_key(m.group(1)), Span(m.start(), m.end())) for m in _TITLE.finditer(text)]
