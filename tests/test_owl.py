"""The ontology and the data as an OWL reasoner sees them: HermiT (the jar owlready2 ships) finds the
ontology with the built data consistent and no class unsatisfiable, and the OWL API's profile checkers
find the ontology in OWL 2 DL and OWL 2 RL.

Dates in the data are xsd:date and xsd:gYearMonth, as ELI and DCMI terms have them; the OWL 2 datatype map
lacks them, so HermiT is told to treat them as opaque (--ignoreUnsupportedDatatypes). No axiom of the
ontology names them."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import owlready2
import pyoxigraph as ox
import pytest

from mzkg.kg.build import Builder
from mzkg.kg.store import KnowledgeStore
from mzkg.ontology import ontology_file

HERMIT = Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"
PROFILES = Path(__file__).parent / "owl" / "Profiles.java"


def java() -> str:
    found = shutil.which("java")
    assert found, "these tests need Java (a JDK 11 or later) on the PATH"
    return found


def asserted_ntriples(store_path: Path, target: Path) -> Path:
    """Every asserted graph of a store (ontology, gazetteer and vocabularies included) in one file."""
    store = KnowledgeStore.open(store_path, read_only=True)
    graphs = Builder.asserted(store)
    triples = {q.triple for name in graphs for q in store.quads(name)}
    target.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
    return target


def hermit(data: Path) -> str:
    result = subprocess.run([java(), "-Xmx3000M", "-cp", str(HERMIT), "org.semanticweb.HermiT.cli.CommandLine",
                             "-k", "-U", "--ignoreUnsupportedDatatypes", data.resolve().as_uri()],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def assert_consistent(output: str) -> None:
    assert "owl#Thing is satisfiable" in output, output[-2000:]
    unsatisfiable = output.split("Classes equivalent to 'owl:Nothing':", 1)[1].split()
    assert unsatisfiable == ["owl:Nothing"], unsatisfiable


def test_the_ontology_is_in_owl2_dl_and_owl2_rl():
    result = subprocess.run([java(), "-cp", str(HERMIT), str(PROFILES), str(ontology_file())],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    violations = [line for line in result.stdout.splitlines() if line.strip()]
    # The ontology's own dates (dcterms:issued, modified) are annotations: they say nothing a reasoner
    # reads, and the RL checker reports only that their datatype is not in its list.
    outside_axioms = [v for v in violations if v.startswith("OWL 2 RL\tUse of data range not in profile: xsd:date")
                      and "[null in" in v]
    assert [v for v in violations if v not in outside_axioms] == []
    assert len(outside_axioms) <= 2


def test_hermit_finds_the_ontology_and_the_bundled_data_consistent(built, tmp_path):
    assert_consistent(hermit(asserted_ntriples(built[0], tmp_path / "bundled.nt")))


@pytest.mark.slow
def test_hermit_finds_the_ontology_and_the_test_corpus_consistent(test_corpus_built, tmp_path):
    assert_consistent(hermit(asserted_ntriples(test_corpus_built, tmp_path / "test-corpus.nt")))


def test_hermit_finds_a_contradiction_when_there_is_one(built, tmp_path):
    """The test above can fail: a literal outside its property's range makes the data inconsistent."""
    data = asserted_ntriples(built[0], tmp_path / "bundled.nt")
    with open(data, "a", encoding="utf-8") as handle:
        handle.write('<https://example.org/t> <https://w3id.org/mzkg/ontology#targetYear> "not a year" .\n')
    result = subprocess.run([java(), "-Xmx3000M", "-cp", str(HERMIT), "org.semanticweb.HermiT.cli.CommandLine",
                             "-k", "--ignoreUnsupportedDatatypes", data.resolve().as_uri()],
                            capture_output=True, text=True, timeout=600)
    assert "InconsistentOntologyException" in result.stderr or "is not satisfiable" in result.stdout
