"""Bounded reasoning: the entailments the build stores (the ontology's closure with the gazetteer and
vocabularies, once, plus each document's closure against the ontology) are exactly what OWL 2 RL
entails from everything at once, on the bundled corpus."""
from rdflib import Graph

from kg import reasoning
from kg.build import Builder, bundled_corpus, corpus_files, prepare


def union(*graphs) -> Graph:
    merged = Graph()
    for graph in graphs:
        for triple in graph:
            merged.add(triple)
    return merged


def test_per_document_closures_equal_the_full_closure():
    builder = Builder(progress=False)
    prepared = [prepare((path, builder.minter.base)) for path in corpus_files(bundled_corpus())]
    documents = [doc for doc, _ in prepared]
    bounded = union(builder._reference_closure(), *(entailed for _, entailed in prepared))
    everything = union(builder.gazetteer, builder.vocabulary, *(doc.graph for doc in documents))
    full = reasoning.entailments(everything, builder.ontology)
    asserted = union(builder.ontology, everything)
    new = lambda graph: {t for t in graph if t not in asserted}
    assert len(new(full)) > 5000
    assert new(bounded) == new(full)
