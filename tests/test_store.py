"""The store: build, stable IRIs across builds, atomic load, validation."""
import shutil

import pytest

from mzkg.kg.build import BuildError, Builder, bundled_corpus
from mzkg.loaders.iris import Minter
from mzkg.kg.store import KnowledgeStore
from mzkg.loaders import DocumentError
from mzkg.ontology import MZ


def copy_of(store_path, target):
    return KnowledgeStore.open(store_path, read_only=True).backup(target)


def quads(store: KnowledgeStore) -> int:
    return int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))["n"].value)


def iris_of(store_path):
    store = KnowledgeStore.open(store_path, read_only=True)
    return {r["s"].value for r in store.query("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s)) }")}


def count(store_path):
    return quads(KnowledgeStore.open(store_path, read_only=True))


def test_build_writes_every_graph(built):
    store_path, report = built
    store = KnowledgeStore.open(store_path, read_only=True)
    names = store.graph_names()
    for doc in report.documents:
        assert doc.graph_iri in names and Minter().entailments(doc.graph_iri) in names
    assert any(n.endswith("/graph/ontology") for n in names)
    assert any(n.endswith("/graph/gazetteer") for n in names)
    assert report.entailed > 0 and not report.failures


def test_entailments_are_stored_apart(built):
    store_path, report = built
    store = KnowledgeStore.open(store_path, read_only=True)
    doc = next(d for d in report.documents if d.metadata.jurisdiction.name == "武汉市")
    ask = f"""ASK {{ GRAPH <{Minter().entailments(doc.graph_iri)}> {{ <{doc.iri}> a <http://purl.org/dc/terms/BibliographicResource> }} }}"""
    assert store.query(ask)
    not_asserted = f"""ASK {{ GRAPH <{doc.graph_iri}> {{ <{doc.iri}> a <http://purl.org/dc/terms/BibliographicResource> }} }}"""
    assert not store.query(not_asserted)
    # the transitive part-of reaches the province from a county
    assert store.query("""ASK { <https://w3id.org/mzkg/id/unit/420106000000> <https://w3id.org/mzkg/ontology#partOf>
                                 <https://w3id.org/mzkg/id/unit/420000000000> }""")


@pytest.mark.slow
def test_iris_are_stable_across_builds(built, tmp_path):
    """Every IRI but the build's own: each build is an activity of its own (prov:Activity)."""
    store_path, _ = built
    again = tmp_path / "again"
    Builder(progress=False).build(bundled_corpus(), again)
    first, second = iris_of(store_path), iris_of(again)
    activities = {iri for iri in first ^ second if "/activity/" in iri}
    assert len(activities) == 2 and first - activities == second - activities


def test_failed_load_leaves_the_store_unchanged(built, tmp_path, corpus_paths):
    store_path, _ = built
    store = KnowledgeStore.open(copy_of(store_path, tmp_path / "store"))
    before = quads(store)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(DocumentError):
        Builder(store.base, progress=False).load([corpus_paths["武汉市"], bad], store)
    assert quads(store) == before


def with_one_more_measure(path) -> str:
    """A document's text with one more measure, a lead-sentence paragraph after its first measure."""
    from mzkg.loaders import extract

    text = path.read_text("utf-8")
    found = extract(text)
    end = found.text.original_span(*vars(found.structure.measures[0].span).values())[1]
    return text[:end] + "\n健全一项新的举措。具体内容。" + text[end:]


def measure_count(store, iri) -> int:
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?m a <{MZ.Measure}> ; <{MZ.inDocument}> <{iri}> }}")
    return int(next(iter(rows))["n"].value)


def test_load_replaces_a_document(built, tmp_path, corpus_paths):
    store_path, report = built
    store = KnowledgeStore.open(copy_of(store_path, tmp_path / "store"))
    before = quads(store)
    iri = next(d.iri for d in report.documents if d.metadata.jurisdiction.name == "东莞市")
    measures = measure_count(store, iri)
    edited = tmp_path / "edited.txt"
    edited.write_text(with_one_more_measure(corpus_paths["东莞市"]), "utf-8")
    loaded = Builder(store.base, progress=False).load([edited], store)
    assert loaded.documents[0].iri == iri  # the same document (its title), edited
    assert measure_count(store, iri) == measures + 1
    assert quads(store) > before


@pytest.mark.slow
def test_build_with_a_bad_document_fails_without_touching_the_store(built, tmp_path, corpus_paths):
    store_path, _ = built
    work = copy_of(store_path, tmp_path / "store")
    before = count(work)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(corpus_paths["东莞市"], corpus / "a.txt")
    (corpus / "b.txt").write_bytes(b"")
    with pytest.raises(BuildError, match="b.txt: the file is empty"):
        Builder(progress=False).build(corpus, work)
    assert count(work) == before
    report = Builder(progress=False).build(corpus, work, keep_going=True)
    assert len(report.documents) == 1 and len(report.failures) == 1


@pytest.mark.slow
def test_graphs_written_while_parsing_are_thrown_away_when_a_build_fails(built, tmp_path, corpus_paths, monkeypatch):
    """With a bulk-load batch of one character, every document is written as soon as it is parsed."""
    monkeypatch.setattr("mzkg.kg.store.BULK_CHUNK", 1)
    store_path, _ = built
    work = copy_of(store_path, tmp_path / "store")
    before = count(work)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for place in ("东莞市", "十堰市"):
        shutil.copy(corpus_paths[place], corpus / f"{place}.txt")
    shutil.copy(corpus_paths["东莞市"], corpus / "copy.txt")
    with pytest.raises(BuildError, match="same document"):
        Builder(progress=False).build(corpus, work)
    assert count(work) == before and not any(p.name.endswith(".new") for p in work.iterdir())
    (corpus / "copy.txt").unlink()
    Builder(progress=False).build(corpus, work)
    written_early = count(work)
    monkeypatch.undo()
    Builder(progress=False).build(corpus, work)
    assert count(work) == written_early < before


def test_the_same_document_twice_is_refused(tmp_path, corpus_paths):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(corpus_paths["东莞市"], corpus / "one.txt")
    shutil.copy(corpus_paths["东莞市"], corpus / "two.txt")
    with pytest.raises(BuildError, match="same document"):
        Builder(progress=False).build(corpus, tmp_path / "store")


@pytest.mark.slow
def test_stored_data_conforms_to_the_shapes(built):
    store_path, _ = built
    store = KnowledgeStore.open(store_path, read_only=True)
    Builder(store.base, progress=False).check(store)  # raises ValidationFailed on any violation


def test_each_generation_publishes_its_text_index_with_only_changed_documents_read_again(built, tmp_path, corpus_paths,
                                                                                          monkeypatch):
    from mzkg.kg import search

    store_path, _ = built
    store = KnowledgeStore.open(copy_of(store_path, tmp_path / "store"))
    store.publish()  # the copy's first index: every document read
    edited = tmp_path / "edited.txt"
    edited.write_text(corpus_paths["东莞市"].read_text("utf-8").replace("慈善", "慈善暨互助基金", 1), "utf-8")
    read, normalize = [], search.normalized_view
    monkeypatch.setattr(search, "normalized_view", lambda text: read.append(text) or normalize(text))
    Builder(store.base, progress=False).load([edited], store)
    assert len(read) == 1  # the one document whose text changed
    monkeypatch.undo()
    index = search.Index(search.index_of(store.path / store.manifest["snapshot"]))
    assert index.search("慈善暨互助基金").documents == 1
    assert index.search("时间银行").documents == 3  # the documents not read again are still there
    assert index.connection.execute("SELECT COUNT(*) FROM docs").fetchone()[0] == 5
