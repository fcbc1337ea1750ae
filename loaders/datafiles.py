"""The loaders' data files (loaders/data/*.json): vocabularies of the text, kept out of the code."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=None)
def read_json(name: str) -> dict:
    """A data file's content, without its "_comment" entries."""
    data = json.loads(resources.files(__package__).joinpath("data", name).read_text("utf-8"))
    return _without_comments(data)


def _without_comments(data):
    if isinstance(data, dict):
        return {key: _without_comments(value) for key, value in data.items() if not key.startswith("_")}
    return data


def lexicon(section: str) -> dict:
    """One section of the text's lexicon (data/lexicon.json)."""
    return read_json("lexicon.json")[section]


def alternatives(words) -> str:
    """A regular expression matching any of the words, tried in the order given."""
    return "|".join(map(re.escape, words))
