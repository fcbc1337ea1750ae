"""IRIs that survive edits: a measure, a target, a project box or a passage is named by what it says and
where it stands in the outline, so that inserting a character, or a whole sentence stating a new target,
near the top of a document leaves the IRIs of the statements it did not touch as they were."""
from __future__ import annotations

from rdflib import RDF

from mzkg.kg.build import corpus_files
from mzkg.loaders import load_bytes
from mzkg.ontology import MZ

from conftest import CORPUS

KINDS = (MZ.Measure, MZ.IndicatorTarget, MZ.ProjectBox, MZ.ProjectItem, MZ.Goal, MZ.Passage)
NEW_TARGET = "到2025年,全市新增社区助餐点120个。"


def statements(text: str) -> dict[tuple, str]:
    """Each statement of a kind above by what identifies it to a reader (its kind, its text, its
    outline place), with its IRI under the document's. (The document's own IRI is the identity of the
    work: its title, or its whole text when it states none, so that two texts without titles are never
    taken for one document.)"""
    doc = load_bytes(text.encode("utf-8"), "edited.txt")
    g = doc.graph
    found = {}
    for kind in KINDS:
        for node in g.subjects(RDF.type, kind):
            said = g.value(node, MZ.exactText) if kind == MZ.Passage else g.value(g.value(node, MZ.source), MZ.exactText)
            extra = tuple(str(g.value(node, p)) for p in (MZ.targetValue, MZ.targetYear, MZ.indicatorLabel))
            key = (str(kind), str(said), extra, str(g.value(node, MZ.partOfSection)))
            found.setdefault(key, []).append(str(node)[len(doc.iri):])
    return {key: iris[0] for key, iris in found.items() if len(iris) == 1}


def edited(text: str, insertion: str) -> str:
    """The text with `insertion` at the start of its first paragraph of running text."""
    lines = text.split("\n")
    first = next(k for k, line in enumerate(lines) if k > 2 and len(line.strip()) > 60)
    lines[first] = insertion + lines[first]
    return "\n".join(lines)


def kept(before: dict, after: dict) -> tuple[int, int]:
    unchanged = set(before) & set(after)
    return sum(before[key] == after[key] for key in unchanged), len(unchanged)


def test_iris_of_unchanged_statements_survive_an_insertion_near_the_top():
    totals = {"a character": [0, 0], "a target sentence": [0, 0]}
    for path in corpus_files(CORPUS):
        text = path.read_text("utf-8")
        before = statements(text)
        for name, insertion in (("a character", "并"), ("a target sentence", NEW_TARGET)):
            same, unchanged = kept(before, statements(edited(text, insertion)))
            totals[name][0] += same
            totals[name][1] += unchanged
    for name, (same, unchanged) in totals.items():
        assert unchanged > 500, name
        assert same / unchanged >= 0.95, f"after inserting {name}: {same} of {unchanged} IRIs kept"


def test_a_new_target_gets_an_iri_of_its_own():
    path = max(corpus_files(CORPUS), key=lambda p: p.stat().st_size)
    text = path.read_text("utf-8")
    before = {iri for iri in statements(text).values()}
    after = statements(edited(text, NEW_TARGET))
    new = [iri for key, iri in after.items() if key[0] == str(MZ.IndicatorTarget) and "社区助餐点120个" in key[1]]
    assert new and not set(new) & before
    assert all(iri.startswith("/target/") for iri in new)


def test_a_titled_document_keeps_its_iri_when_its_text_is_edited():
    for path in corpus_files(CORPUS):
        text = path.read_text("utf-8")
        doc = load_bytes(text.encode("utf-8"), "before.txt")
        if not doc.metadata.title_inferred:
            assert load_bytes(edited(text, "并").encode("utf-8"), "after.txt").iri == doc.iri
