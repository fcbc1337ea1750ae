"""Bytes, scripts, offsets and IRIs: what a loader must get right for any document."""
import codecs
import shutil

import pytest
from rdflib import RDF, URIRef
from rdflib.compare import isomorphic

from mzkg.loaders import DocumentError, load_bytes, load_file
from mzkg.loaders.normalize import NormalizedText
from helpers import what_it_says
from mzkg.ontology import MZ


@pytest.mark.parametrize("place", ["南平市", "东莞市"])  # the two whose every character exists in GBK
def test_gbk_copy_gives_the_same_graph(docs, corpus_paths, tmp_path, place):
    original = corpus_paths[place].read_text("utf-8")
    gbk = tmp_path / "renamed-gbk.txt"
    gbk.write_bytes(original.encode("gbk"))
    copy = load_file(gbk)
    assert copy.encoding == "gb18030"
    assert copy.iri == docs[place].iri
    assert isomorphic(what_it_says(copy), what_it_says(docs[place]))


@pytest.mark.parametrize("encode", [
    lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    lambda t: t.replace("\n", "\r\n").encode("utf-8"),
    lambda t: t.replace("\n", "\r\n").encode("gb18030"),
])
def test_bom_and_crlf_variants_give_the_same_graph(docs, corpus_paths, encode):
    text = corpus_paths["十堰市"].read_text("utf-8")
    variant = load_bytes(encode(text), "variant.txt")
    assert isomorphic(what_it_says(variant), what_it_says(docs["十堰市"]))


def test_renamed_copy_keeps_its_iris(docs, corpus_paths, tmp_path):
    renamed = tmp_path / "something-else-entirely.txt"
    shutil.copy(corpus_paths["景德镇市"], renamed)
    copy = load_file(renamed)
    assert copy.iri == docs["景德镇市"].iri
    assert set(what_it_says(copy).all_nodes()) == set(what_it_says(docs["景德镇市"]).all_nodes())
    assert copy.original.name == renamed.name and copy.original.sha256 == docs["景德镇市"].original.sha256


def test_iris_are_minted_under_the_configured_base(corpus_paths):
    doc = load_file(corpus_paths["东莞市"], base="https://example.org/kg/")
    assert doc.iri.startswith("https://example.org/kg/doc/441900-opinion-")
    subjects = {str(s) for s in doc.graph.subjects() if isinstance(s, URIRef)}
    assert all(s.startswith("https://example.org/kg/") for s in subjects)


def test_bad_base_is_refused(corpus_paths):
    with pytest.raises(ValueError, match="base IRI"):
        load_file(corpus_paths["东莞市"], base="not-an-iri")


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (b"\x80\x80\x80 abc", "neither UTF-8 nor GB18030"),
])
def test_unreadable_files_name_the_file_and_the_reason(data, reason):
    with pytest.raises(DocumentError, match=reason) as info:
        load_bytes(data, "bad/input.txt")
    assert str(info.value).startswith("bad/input.txt: ")


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(DocumentError, match="cannot be read"):
        load_file(tmp_path / "absent.txt")


def test_pinyin_glosses_are_removed_with_offsets_kept():
    original = "東莞市人民政府辦公室關(guān)于印發(fā)《通知》(街道辦事處)"
    norm = NormalizedText.of(original)
    assert norm.text == "东莞市人民政府办公室关于印发《通知》(街道办事处)"
    start = norm.text.index("关于印发")
    assert norm.original_text(start, start + 4) == "關(guān)于印發"
    assert norm.script == "Hant"


def test_every_passage_points_at_its_own_text(docs):
    for doc in docs.values():
        g = doc.graph
        full = str(g.value(URIRef(doc.iri), MZ.fullText))
        passages = list(g.subjects(RDF.type, MZ.Passage))
        assert passages
        for p in passages:
            start, end = int(g.value(p, MZ.startOffset)), int(g.value(p, MZ.endOffset))
            assert 0 <= start < end <= len(full)
            assert full[start:end] == str(g.value(p, MZ.exactText))


def test_every_extracted_node_has_document_and_passage(docs):
    kinds = (MZ.Section, MZ.Measure, MZ.Goal, MZ.ProjectBox, MZ.ProjectItem, MZ.IndicatorTarget, MZ.IndicatorTable)
    for doc in docs.values():
        g = doc.graph
        for kind in kinds:
            for node in g.subjects(RDF.type, kind):
                assert g.value(node, MZ.inDocument) == URIRef(doc.iri)
                assert (g.value(node, MZ.source), RDF.type, MZ.Passage) in g


def test_measure_passages_contain_their_lead_sentence(docs):
    from rdflib import RDFS
    for place in ("南平市", "武汉市", "十堰市"):
        g = docs[place].graph
        for m in g.subjects(RDF.type, MZ.Measure):
            assert str(g.value(m, RDFS.label)).rstrip("…")[:10] in str(g.value(g.value(m, MZ.source), MZ.exactText))


def test_traditional_passages_keep_the_original_script(docs):
    g = docs["东莞市"].graph
    texts = [str(g.value(p, MZ.exactText)) for p in g.subjects(RDF.type, MZ.Passage)]
    assert any("編密織牢基本民生兜底保障網(wǎng)" in t for t in texts)


def test_unstructured_text_still_gives_a_minimal_document():
    doc = load_bytes("这是一段没有标题也没有编号的文字,说的是某市的天气。".encode("utf-8"), "plain.txt")
    assert doc.summary["sections"] == 0 and doc.summary["measures"] == 0
    assert (URIRef(doc.iri), RDF.type, MZ.PolicyDocument) in doc.graph


def test_a_document_types_every_node_it_describes(docs):
    """What makes checking documents one at a time complete (see kg.validation.DocumentChecker)."""
    for doc in docs.values():
        g = doc.graph
        assert all((s, RDF.type, None) in g for s in g.subjects()), doc.metadata.title
