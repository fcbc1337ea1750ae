"""The shapes compiled to SPARQL, and evaluated in Python as a build checks each document, find what
pySHACL finds: on the bundled corpus, on a document broken on purpose in every way the shapes can
see, and on randomly damaged documents."""
import random
import re

import pyoxigraph as ox
import pytest
from rdflib import RDF, XSD, Graph, Literal, URIRef

from mzkg.kg.build import Builder, compiled_ontology, compiled_shapes, prepare_document, reference_data
from mzkg.kg.shape_checks import Reference, ShapeChecker
from mzkg.kg.shapes import UnsupportedShape, compile_shapes
from mzkg.kg.store import to_ntriples
from mzkg.kg.validation import DocumentChecker, ValidationFailed, pyshacl_findings
from mzkg.loaders import DocumentError
from mzkg.kg.vocabulary import ontology_graph, shapes_graph
from mzkg.ontology import MZ

DCT_TITLE = URIRef("http://purl.org/dc/terms/title")


@pytest.fixture(scope="module")
def reference():
    return reference_data(Builder(progress=False).minter.base)


def engines(reference: dict, documents: dict[str, Graph]):
    """Findings of the compiled shapes over everything at once; of the compiled shapes as a store
    checks a few graphs (the reference data once, then each document on its own); of the Python
    evaluator as the build checks each document (beside the compiled shapes on the reference data);
    and of pySHACL over everything."""
    documents = {iri: to_ntriples(g) for iri, g in documents.items()}
    whole = set(DocumentChecker({}, compiled_shapes()).check({**reference, **documents}))
    of_reference = set(DocumentChecker({}, compiled_shapes()).check(reference))
    apart, evaluated = set(of_reference), set(of_reference)
    checker = DocumentChecker(reference, compiled_shapes())
    evaluator = ShapeChecker(shapes_graph(), ontology_graph(), Reference(reference))
    for iri, ntriples in documents.items():
        apart |= set(checker.check({iri: ntriples}))
        evaluated |= set(evaluator.check(ox.parse(ntriples.encode(), format=ox.RdfFormat.N_TRIPLES)))
    # the build's evaluator leaves SHACL-SPARQL constraints to the compiled shapes (see kg.shape_checks)
    evaluated |= {f for f in whole if f.message in sparql_messages()}
    data = Graph()
    for iri, ntriples in {**reference, **documents}.items():
        if not iri.endswith("/graph/ontology"):
            data.parse(data=ntriples, format="nt")
    return whole, apart, evaluated, set(pyshacl_findings(data, shapes_graph(), ontology_graph()))


def sparql_messages() -> set[str]:
    shapes = shapes_graph()
    return {str(shapes.value(c, URIRef(SH + "message"))) for c in shapes.objects(None, URIRef(SH + "sparql"))}


@pytest.mark.slow
def test_bundled_corpus_as_pyshacl_sees_it(docs, reference):
    compiled, apart, evaluated, reference_engine = engines(reference, {d.graph_iri: d.graph for d in docs.values()})
    assert compiled == apart == evaluated == reference_engine
    assert all(f.severity != "Violation" for f in compiled)


def nodes_of(g: Graph, cls):
    return sorted(g.subjects(RDF.type, cls))


def broken(doc) -> Graph:
    """A copy of a document with one fault of every kind the shapes check."""
    g = Graph()
    for triple in doc.graph:
        g.add(triple)
    document = URIRef(doc.iri)
    passage, other_passage = nodes_of(g, MZ.Passage)[:2]
    measure = nodes_of(g, MZ.Measure)[0]
    target = nodes_of(g, MZ.IndicatorTarget)[0]
    g.remove((document, MZ.fullText, None))                                    # sh:minCount
    g.add((document, DCT_TITLE, Literal("又一个标题", lang="zh")))              # sh:maxCount
    g.set((document, MZ.contentHash, Literal("not-a-digest")))                 # sh:pattern
    g.set((document, MZ.jurisdiction, passage))                                # sh:class
    g.set((document, MZ.periodStart, Literal(2030)))                           # sh:lessThanOrEquals
    g.set((document, MZ.titleInferred, Literal("yes")))                        # sh:datatype
    g.set((passage, MZ.startOffset, Literal(-5)))                              # sh:minInclusive
    g.set((other_passage, MZ.startOffset, Literal(10**9)))                     # sh:lessThan
    g.set((other_passage, MZ.exactText, Literal("")))                          # sh:minLength
    g.set((measure, MZ.partOfSection, passage))                                # sh:or of classes
    g.set((measure, MZ.ordinal, Literal("first", datatype=XSD.integer)))       # ill-formed literal
    g.set((target, MZ.comparator, Literal("approximately")))                   # sh:in
    g.set((target, MZ.targetYear, Literal(3000)))                              # sh:maxInclusive
    for p in (MZ.targetValue, MZ.targetText, MZ.actualValue, MZ.baselineValue):
        g.remove((target, p, None))                                            # node-level sh:or
    g.remove((document, MZ.jurisdiction, None))                                # a sh:Warning
    indicator = next(iter(g.objects(target, MZ.indicator)), None)
    if indicator is not None:  # a document that says something of a vocabulary concept types it too
        g.add((indicator, RDF.type, MZ.Indicator))
        g.add((indicator, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"), Literal("另一个", lang="zh")))  # sh:uniqueLang
    return g


@pytest.mark.slow
def test_a_document_broken_in_every_way(docs, reference):
    doc = docs["景德镇市"]
    compiled, apart, evaluated, reference_engine = engines(reference, {doc.graph_iri: broken(doc)})
    assert compiled == apart == evaluated == reference_engine
    paths = {re.split("[#/]", f.path)[-1] for f in compiled}
    assert {"fullText", "title", "contentHash", "periodStart", "titleInferred", "startOffset", "exactText",
            "partOfSection", "ordinal", "comparator", "targetYear", "jurisdiction", "prefLabel", ""} <= paths
    assert {"Violation", "Warning"} <= {f.severity for f in compiled}


def test_a_passage_whose_text_is_not_its_slice_is_found(docs, reference):
    """The SHACL-SPARQL constraint, as the compiled shapes and pySHACL run it."""
    doc = docs["十堰市"]
    g = Graph()
    for triple in doc.graph:
        g.add(triple)
    passage = nodes_of(g, MZ.Passage)[3]
    g.set((passage, MZ.exactText, Literal("不是这一段的原文")))
    compiled, apart, evaluated, reference_engine = engines(reference, {doc.graph_iri: g})
    assert compiled == apart == reference_engine
    assert {(f.focus, f.message) for f in compiled if f.message in sparql_messages()} == {(str(passage), next(iter(sparql_messages())))}


@pytest.mark.slow
@pytest.mark.parametrize("seed", [7, 8, 9])
def test_randomly_damaged_documents(docs, reference, seed):
    """Drop some triples and give others a value of the wrong kind (an IRI, a string, a number)."""
    rng = random.Random(seed)
    doc = docs["十堰市"]
    g = Graph()
    for triple in doc.graph:
        g.add(triple)
    triples = sorted(g)
    for s, p, o in rng.sample(triples, 40):
        g.remove((s, p, o))
    nodes = sorted({s for s, _, _ in triples})
    for s, p, _ in rng.sample(triples, 40):
        g.add((s, p, rng.choice([rng.choice(nodes), Literal("x"), Literal(rng.randint(-3, 3000)), Literal("")])))
    compiled, apart, evaluated, reference_engine = engines(reference, {doc.graph_iri: g})
    assert compiled == apart == evaluated == reference_engine
    assert len(compiled) > 20


SH = "http://www.w3.org/ns/shacl#"


@pytest.mark.parametrize("extra, refused", [
    ("sh:property [ sh:path mz:comparator ; sh:hasValue \"=\" ]", "hasValue"),
    ("sh:property [ sh:path ( mz:indicator skos:prefLabel ) ; sh:minCount 1 ]", "predicate paths"),
    ("sh:targetNode mz:Binding", "targetNode"),
    ("sh:targetObjectsOf mz:indicator", "targetObjectsOf"),
])
def test_a_shape_beyond_the_compiler_is_refused(extra, refused):
    shapes = shapes_graph()
    shapes.parse(data=f"""
        @prefix sh: <{SH}> . @prefix mz: <https://w3id.org/mzkg/ontology#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <https://example.org/shapes#Extra> a sh:NodeShape ; sh:targetClass mz:IndicatorTarget ; {extra} .""", format="turtle")
    with pytest.raises(UnsupportedShape, match=refused):
        compile_shapes(shapes, ontology_graph())
    with pytest.raises(UnsupportedShape, match=refused):
        ShapeChecker(shapes, ontology_graph(), Reference({}))


def approver_required(target_class: str, reference: dict) -> ShapeChecker:
    """A checker with one more shape: every node of the class must have an mz:approvedBy."""
    stricter = shapes_graph()
    stricter.parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix mz: <https://w3id.org/mzkg/ontology#> .
        <https://example.org/shapes#Strict> a sh:NodeShape ; sh:targetClass mz:{target_class} ;
            sh:property [ sh:path mz:approvedBy ; sh:minCount 1 ; sh:message "no approver" ] .""", format="turtle")
    return ShapeChecker(stricter, ontology_graph(), Reference(reference))


def test_a_document_violating_the_shapes_is_refused_by_name(corpus_paths, reference):
    checker = approver_required("PolicyDocument", reference)
    path = corpus_paths["东莞市"]
    outcome = prepare_document(path, Builder(progress=False).minter.base, compiled_ontology(), checker)
    assert isinstance(outcome, DocumentError)
    assert str(path) in str(outcome) and "violates the shapes" in str(outcome) and "no approver" in str(outcome)


def test_a_part_violating_the_shapes_is_left_out_and_the_document_kept(corpus_paths, reference):
    checker = approver_required("ProjectItem", reference)
    path = corpus_paths["南平市"]
    outcome = prepare_document(path, Builder(progress=False).minter.base, compiled_ontology(), checker)
    assert not isinstance(outcome, DocumentError)
    left_out = {f.focus for f in outcome.warnings if "left out" in f.message and "no approver" in f.message}
    assert left_out and all("/box/" in focus and "/item/" in focus for focus in left_out)
    assert not any(focus in outcome.ntriples for focus in left_out)
    assert f"<{outcome.iri}>" in outcome.ntriples and "/measure/" in outcome.ntriples


@pytest.mark.slow
def test_kg_validate_checks_what_a_store_asserts(built, tmp_path):
    """A whole store is checked over its asserted graphs: a fault in a document graph is found, the
    same fault in an entailment graph is not a finding."""
    from mzkg.loaders.iris import Minter
    from mzkg.kg.store import KnowledgeStore

    store_path, report = built
    copy = KnowledgeStore.open(store_path, read_only=True).backup(tmp_path / "copy")
    store = KnowledgeStore.open(copy)
    doc = report.documents[0]
    passage = next(iter(store.query(f"SELECT ?p WHERE {{ GRAPH <{doc.graph_iri}> {{ ?p a <{MZ.Passage}> }} }} LIMIT 1")))["p"]
    fault = f"<{passage.value}> <{MZ.startOffset}> -7"
    store.store.update(f"INSERT DATA {{ GRAPH <{Minter().entailments(doc.graph_iri)}> {{ {fault} }} }}")
    assert Builder(progress=False).check(store) == []
    store.store.update(f"INSERT DATA {{ GRAPH <{doc.graph_iri}> {{ {fault} }} }}")
    with pytest.raises(ValidationFailed, match="startOffset"):
        Builder(progress=False).check(store)
