"""The loaders' data files (loaders/data/*.json): vocabularies of the text, kept out of the code."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=None)
def read_json(name: str) -> dict:
    """A data file's content, without its "_comment" entries."""
    data = json.loads(resources.files(__package__).joinpath("data", name).read_text("utf-8"))
    return {key: value for key, value in data.items() if not key.startswith("_")} if isinstance(data, dict) else data
