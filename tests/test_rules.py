"""Every rule of the loaders is named in loaders/data/rules.json with the phenomenon it handles, is
consulted by the code, and changes what is read from at least two documents of the test corpus
(a rule that only one document needs, or that changes nothing, goes)."""
import re
from pathlib import Path

import pytest

from ablation import effects
from mzkg.loaders import rules

LOADERS = Path(rules.__file__).resolve().parent


def consulted() -> set[str]:
    return {m.group(1) for path in LOADERS.glob("*.py") for m in re.finditer(r'rules\.on\("([^"]+)"\)', path.read_text("utf-8"))}


def test_every_rule_is_described_and_consulted():
    assert consulted() == set(rules.RULES)
    assert all(len(description) > 20 for description in rules.RULES.values())


def test_a_rule_switched_off_is_back_on_afterwards():
    with rules.switched_off("bullets"):
        assert not rules.on("bullets")
    assert rules.on("bullets")
    with pytest.raises(KeyError, match="no rule named"):
        rules.on("no-such-rule")


@pytest.mark.slow
def test_every_rule_changes_at_least_two_test_documents():
    found = effects()
    print("\n".join(f"{e.rule}: {len(e.changed)} test documents, {len(e.changed_bundled)} bundled, {e.fields}" for e in found))
    assert [e.rule for e in found if len(e.changed) < 2] == []
