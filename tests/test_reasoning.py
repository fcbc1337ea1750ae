"""Bounded reasoning gives what owlrl gives over everything at once.

The build stores the ontology's own closure once, the gazetteer and vocabularies' entailments once,
and each document's entailments from its own graph; together they must be exactly the informative
triples OWL 2 RL entails from the whole dataset, on the bundled corpus and on random graphs over the
ontology's terms.
"""
import random

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef

from mzkg.kg import reasoning
from mzkg.kg.build import Builder, bundled_corpus, compiled_ontology, reference_graphs
from mzkg.kg.store import to_ntriples
from mzkg.kg.vocabulary import ontology_graph
from mzkg.ontology import MZ

EX = Namespace("https://example.org/")


def as_triples(ntriples: str) -> set:
    return set(reasoning.triples_of(ntriples))


def full_closure(data: Graph) -> set:
    """What owlrl, run once over the ontology and data together, adds to both."""
    return compiled_ontology().owlrl_entailments(data) | compiled_ontology().schema_entailments()


@pytest.mark.slow
def test_bundled_corpus_entailments_equal_the_full_closure():
    builder = Builder(progress=False)
    graphs = {}
    builder.prepare_corpus(bundled_corpus(), keep_going=False, write=graphs.update)
    data, bounded, asserted = Graph(), set(), set()
    for iri, ntriples in graphs.items():
        if "/graph/entailments/" in iri:
            bounded |= as_triples(ntriples)
        else:
            asserted |= as_triples(ntriples)
            if not iri.endswith("/graph/ontology"):
                data.parse(data=ntriples, format="nt")
    full = full_closure(data)
    assert len(full) > 5000
    assert bounded - asserted == full - asserted


def random_abox(seed: int, size: int = 400) -> Graph:
    """Triples over the ontology's own classes and properties, between a small pool of individuals,
    so that chains (inverse, transitive, sub-property, domain and range) meet."""
    rng = random.Random(seed)
    ontology = ontology_graph()
    classes = sorted(c for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef))
    properties = sorted(p for p in ontology.subjects(RDF.type, OWL.ObjectProperty))
    people = [EX[f"n{i}"] for i in range(25)]
    g = Graph()
    for _ in range(size):
        if rng.random() < 0.3:
            g.add((rng.choice(people), RDF.type, rng.choice(classes)))
        else:
            g.add((rng.choice(people), rng.choice(properties), rng.choice(people)))
    g.add((rng.choice(people), MZ.ordinal, Literal(3)))
    inner, middle, outer = rng.sample(people, 3)  # a chain for the transitive mz:partOf, whatever else was drawn
    g.add((inner, MZ.partOf, middle))
    g.add((middle, MZ.partOf, outer))
    return g


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_random_graphs_entail_what_owlrl_entails(seed):
    data = random_abox(seed)
    tbox = compiled_ontology()
    fast = tbox.entailments(to_ntriples(data)) | tbox.schema_entailments()
    assert fast == full_closure(data)
    assert any(p == MZ.partOf.n3() for _, p, _ in fast - as_triples(to_ntriples(data)))  # transitivity was exercised


def test_reference_graphs_are_reasoned_about_like_documents():
    reference = reference_graphs(Builder(progress=False).minter.base)
    entailed = as_triples(reference.graphs["https://w3id.org/mzkg/id/graph/entailments/vocabulary"])
    county, province = "<https://w3id.org/mzkg/id/unit/420106000000>", "<https://w3id.org/mzkg/id/unit/420000000000>"
    assert (county, MZ.partOf.n3(), province) in entailed


@pytest.mark.slow
def test_data_with_schema_of_its_own_goes_to_owlrl():
    data = Graph()
    data.add((EX.Shelter, RDFS.subClassOf, MZ.Project))
    data.add((EX.s1, RDF.type, EX.Shelter))
    entailed = compiled_ontology().entailments(to_ntriples(data))
    assert (EX.s1.n3(), RDF.type.n3(), MZ.Project.n3()) in entailed
    assert entailed == compiled_ontology().owlrl_entailments(data)


@pytest.mark.parametrize("axiom", [
    (MZ.hasItem, OWL.propertyChainAxiom, RDF.nil),
    (MZ.partOf, RDF.type, OWL.FunctionalProperty),
    (MZ.Measure, OWL.someValuesFrom, MZ.Passage),
])
def test_an_ontology_beyond_the_tables_is_refused(axiom):
    ontology = ontology_graph()
    ontology.add(axiom)
    with pytest.raises(reasoning.UnsupportedAxiom, match="cannot apply"):
        reasoning.TBox.of(ontology)
