"""Switches each of the loaders' rules (loaders/data/rules.json) off in turn and reports what changes:
on how many documents of the test corpus (tests/corpus/) and of the bundled corpus what is read
differs, and how each scored field moves. `python tests/ablation.py` prints the table;
tests/test_rules.py holds every rule to changing at least two documents of the test corpus."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from mzkg.kg.build import bundled_corpus
from mzkg.loaders import DocumentError, load_bytes, rules

from scoring import CORPUS, score

_BASE = "https://example.org/ablation/"


@dataclass
class Effect:
    rule: str
    changed: list[str]          # test-corpus documents read otherwise without the rule
    changed_bundled: list[str]  # bundled documents read otherwise
    fields: dict[str, int]      # scored field -> change in right answers without the rule


def corpus_files() -> tuple[list[Path], list[Path]]:
    return sorted(CORPUS.glob("*.txt")), sorted(bundled_corpus().glob("*.txt"))


def reading(path: Path) -> frozenset[str] | str:
    """What the loaders make of a file: its triples, or why it was refused."""
    try:
        return frozenset(load_bytes(path.read_bytes(), str(path), _BASE).ntriples.splitlines())
    except DocumentError as error:
        return str(error)


def effects(names: list[str] | None = None) -> list[Effect]:
    own, bundled = corpus_files()
    baseline = {path: reading(path) for path in own + bundled}
    right = {key: tally.right for key, tally in score().items()}
    found = []
    for rule in names or list(rules.RULES):
        with rules.switched_off(rule):
            changed = [path for path in own + bundled if reading(path) != baseline[path]]
            moved = {key: tally.right - right.get(key, 0) for key, tally in score().items()}
        found.append(Effect(rule, [p.stem for p in changed if p in own], [p.stem for p in changed if p in bundled],
                            {key: delta for key, delta in moved.items() if delta}))
    return found


def table(found: list[Effect]) -> str:
    lines = [f"{'rule':28} {'test docs':>9} {'bundled':>7}  score without the rule"]
    for effect in found:
        moved = ", ".join(f"{key} {delta:+d}" for key, delta in sorted(effect.fields.items())) or "unchanged"
        lines.append(f"{effect.rule:28} {len(effect.changed):>9} {len(effect.changed_bundled):>7}  {moved}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(effects(sys.argv[1:] or None)))
