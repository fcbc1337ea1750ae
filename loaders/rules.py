"""The loaders' rules by name (data/rules.json: each with the phenomenon it handles), and a switch to
turn each off, so that what each one does to the test corpus can be measured (tests/ablation.py)."""
from __future__ import annotations

from contextlib import contextmanager

from .datafiles import read_json

RULES: dict[str, str] = read_json("rules.json")
_off: set[str] = set()


def on(name: str) -> bool:
    """Whether a rule applies (all do, unless switched off)."""
    if name not in RULES:
        raise KeyError(f"no rule named {name!r} in loaders/data/rules.json")
    return name not in _off


@contextmanager
def switched_off(name: str):
    on(name)
    _off.add(name)
    try:
        yield
    finally:
        _off.discard(name)
