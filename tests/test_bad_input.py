"""Whatever files researchers have: each bad one gets one clear line naming it, and nothing is half-written."""

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from pyoxigraph import RdfFormat, parse
from rdflib import Dataset, URIRef
from rdflib.compare import isomorphic

from mzkg.kg.build import Builder
from mzkg.kg.store import KnowledgeStore, rdflib_graph
from mzkg.loaders import DocumentError, load_bytes, load_file
from mzkg.loaders.normalize import NormalizedText
from mzkg.loaders.numbers import parse_number

from helpers import part_path
from mzkg.loaders.structure import parse_structure
from mzkg.loaders.tables import parse_value, table_targets
from mzkg.ontology import MZ
from mzkg.server import create_app

PAYLOAD_DOC = """武汉市民政局关于印发《武汉市民政工作要点"><img src=x onerror=alert(1)>》的通知
一、总体要求<script>alert("heading")</script>
二、主要任务
(一)加强<script>alert("measure")</script>救助工作。内容"><img src=x onerror=alert(2)>,到2025年覆盖率达到90%。
(二)引号"与'单引号',反斜杠\\和换行处理。表情😀与私用区字符\ue000都要保留。
"""


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"), (b"\x00\x01\x02\x03", "binary"), (b"\x80\x80\x80 xyz", "neither UTF-8 nor GB18030"),
])
def test_bad_files_get_one_clear_line(tmp_path, data, reason):
    path = tmp_path / "bad-file.txt"
    path.write_bytes(data)
    with pytest.raises(DocumentError) as info:
        load_file(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message and reason in message


def test_a_fifty_megabyte_file_is_refused_quickly(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(("一、总体要求\n" + "加强救助工作。" * 100).encode("utf-8") * 40_000)
    assert path.stat().st_size > 50_000_000
    with pytest.raises(DocumentError, match="huge.txt: the file is .* MB"):
        load_file(path)


def test_gb18030_document_loads(tmp_path):
    path = tmp_path / "gb.txt"
    path.write_bytes("武汉市民政局关于印发《武汉市养老工作要点》的通知\n一、主要任务\n(一)加强养老服务。内容。\n".encode("gb18030"))
    doc = load_file(path)
    assert doc.encoding == "gb18030" and doc.summary["measures"] == 1


def test_a_parser_crash_names_the_file(monkeypatch):
    from mzkg.loaders import extraction

    def explode(*args):
        raise IndexError("boom")

    monkeypatch.setattr(extraction, "parse_structure", explode)
    with pytest.raises(DocumentError, match=r"^crash.txt: could not be parsed \(IndexError: boom\)$"):
        load_bytes("一、总体要求\n为做好全市民政工作，特制定本实施方案。\n".encode(), "crash.txt")


def test_loading_the_same_file_twice_gives_the_same_graph(corpus_paths):
    first, second = load_file(corpus_paths["南平市"]), load_file(corpus_paths["南平市"])
    assert isomorphic(first.graph, second.graph)


@pytest.fixture(scope="module")
def payload_store(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("payload")
    (corpus / "payload.txt").write_text(PAYLOAD_DOC, "utf-8")
    store = corpus / "store"
    Builder(progress=False).build(corpus, store)
    return store


def test_markup_in_documents_is_escaped_on_every_page(payload_store):
    client = create_app(payload_store).test_client()
    store = KnowledgeStore.open(payload_store, read_only=True)
    doc = next(r["d"].value for r in store.query("SELECT ?d WHERE { ?d a <https://w3id.org/mzkg/ontology#PolicyDocument> }"))
    path = doc.split("/id/", 1)[1]
    html = {"Accept": "text/html"}
    pages = {
        "document": client.get(f"/{path}", headers=html),
        "measure": client.get(part_path(payload_store, f"/{path}", "Measure", 1), headers=html),
        "search": client.get("/search", query_string={"q": "<script>alert"}),
        "saved query": client.get("/queries/measures"),
        "home": client.get("/"),
        "error": client.get("/queries/compare-indicator", query_string={"indicator": '"><img src=x onerror=alert(3)>'}),
    }
    for name, response in pages.items():
        text = response.get_data(as_text=True)
        assert "<script>alert" not in text, name
        assert "<img src=x" not in text, name
    assert "&lt;script&gt;alert" in pages["document"].get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(2)&gt;" in pages["document"].get_data(as_text=True)
    assert "&lt;script&gt;" in pages["measure"].get_data(as_text=True)


def triples_of(quads, graph: str | None = None) -> set[str]:
    return {f"{q.subject} {q.predicate} {q.object}" for q in quads if graph is None or str(q.graph_name) == f"<{graph}>"}


@pytest.mark.parametrize("fmt, oxigraph_format", [("nq", RdfFormat.N_QUADS), ("trig", RdfFormat.TRIG),
                                                  ("jsonld", RdfFormat.JSON_LD), ("ttl", RdfFormat.TURTLE)])
@pytest.mark.slow
def test_every_dump_parses_back_in_pyoxigraph(payload_store, fmt, oxigraph_format):
    client = create_app(payload_store).test_client()
    parsed = list(parse(client.get(f"/export.{fmt}").get_data(), oxigraph_format))
    store = KnowledgeStore.open(payload_store, read_only=True)
    stored = list(store.store.quads_for_pattern(None, None, None, None))
    if fmt == "ttl":  # a triple format: the union of all graphs
        assert triples_of(parsed) == triples_of(stored)
    else:
        for name in store.graph_names():
            assert triples_of(parsed, name) == triples_of(stored, name), name


@pytest.mark.slow
@pytest.mark.parametrize("fmt, rdflib_format", [("nq", "nquads"), ("trig", "trig"), ("jsonld", "json-ld")])
def test_every_dump_round_trips(payload_store, fmt, rdflib_format):
    client = create_app(payload_store).test_client()
    body = client.get(f"/export.{fmt}").get_data()
    store = KnowledgeStore.open(payload_store, read_only=True)
    for name in store.graph_names():
        if "/graph/doc/" not in name:
            continue
        parsed = Dataset()
        parsed.parse(data=body, format=rdflib_format)
        assert isomorphic(parsed.graph(URIRef(name)), rdflib_graph(store.quads(name)))
        text = str(next(parsed.graph(URIRef(name)).objects(None, MZ.fullText)))
        assert "😀" in text and "\ue000" in text and '"><img' in text and "\\" in text and "\n" in text


# property-based -----------------------------------------------------------------------
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("關(guān)于印發東莞市民政工作 \n,。、()abc123") + ["\u3000", "\ufeff"]), max_size=200))
def test_normalised_offsets_point_back_into_the_original(text):
    norm = NormalizedText.of(text)
    assert len(norm.origin) == len(norm.text)
    assert all(0 <= o < len(text) for o in norm.origin) and norm.origin == sorted(norm.origin)
    for i in range(0, len(norm.text), 7):
        start, end = norm.original_span(i, min(i + 5, len(norm.text)))
        assert 0 <= start <= end <= len(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_number_and_value_parsing_never_crash(text):
    parse_number(text)
    parse_value(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["第一章总体", "一、总体要求", "(一)加强工作。内容。", "1、救助", "专栏1 工程", "1.项目",
                                 "序号", "主要指标", "单位", "2025年目标值", "指标属性", "1", "%", "90", "约束性", "注:说明。",
                                 "某率(%)约束性99100100完成", "加强管理。要求如下,到2025年达到90%。", "随便一句话"]), max_size=40))
def test_structure_and_table_parsers_never_crash_and_spans_stay_inside(lines):
    text = "\n".join(lines)
    structure = parse_structure(text)
    for item in [*structure.sections, *structure.measures, *structure.goals, *structure.boxes, *structure.tables]:
        assert 0 <= item.span.start <= item.span.end <= len(text)
    for table in structure.tables:
        for target in table_targets(table, text, 2025):
            assert 0 <= target.span.start <= target.span.end <= len(text)
            assert target.comparator in (None, "=", ">=", ">", "<=", "<", "range")


@pytest.fixture(scope="module")
def fuzz_client(built):
    return create_app(built[0]).test_client()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["query", "format", "default-graph-uri", "named-graph-uri", "update", "x"]),
                       st.text(max_size=40), max_size=4))
@pytest.mark.slow
def test_endpoint_parameters_never_cause_a_server_error(fuzz_client, params):
    response = fuzz_client.get("/sparql", query_string=params)
    assert response.status_code < 500
