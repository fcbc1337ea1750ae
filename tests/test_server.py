"""The web front end through Flask's test client: the SPARQL protocol, saved queries, entity pages,
content negotiation, dumps, search and the ontology page."""
import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from pyoxigraph import Dataset, RdfFormat, parse
from rdflib import RDF, Graph, URIRef
from rdflib.compare import isomorphic

from mzkg.kg.build import Builder
from mzkg.kg.store import KnowledgeStore
from mzkg.server import create_app

from helpers import part_path

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
SELECT = "SELECT ?plan ?title WHERE { ?plan a <https://w3id.org/mzkg/ontology#PolicyDocument> ; <http://purl.org/dc/terms/title> ?title }"
WUHAN = "/doc/420100-plan-2021-2025-173a49595f5e3d4ffa06bcb94dd98e86"


@pytest.fixture(scope="module")
def client(built):
    return create_app(built[0]).test_client()


def rows(response):
    return json.loads(response.get_data(as_text=True))["results"]["bindings"]


# SPARQL 1.1 Protocol ------------------------------------------------------------------
def test_get_post_form_and_post_direct_agree(client):
    by_get = rows(client.get("/sparql", query_string={"query": SELECT}))
    by_form = rows(client.post("/sparql", data={"query": SELECT}))
    by_direct = rows(client.post("/sparql", data=SELECT.encode(), content_type="application/sparql-query"))
    assert len(by_get) == len(by_form) == len(by_direct) == 5


@pytest.mark.parametrize("accept, media", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("*/*", "application/sparql-results+json"),
])
def test_results_by_accept(client, accept, media):
    response = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == media


@pytest.mark.parametrize("fmt, media", [("csv", "text/csv"), ("tsv", "text/tab-separated-values"), ("xml", "application/sparql-results+xml")])
def test_results_by_format_parameter(client, fmt, media):
    assert client.get("/sparql", query_string={"query": SELECT, "format": fmt}).mimetype == media


@pytest.mark.parametrize("accept, media, parse_as", [
    ("text/turtle", "text/turtle", "turtle"), ("application/n-triples", "application/n-triples", "nt"),
    ("application/rdf+xml", "application/rdf+xml", "xml"), ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/n-quads", "application/n-quads", "nquads"),
])
def test_graph_results_by_accept(client, accept, media, parse_as):
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?s = <https://w3id.org/mzkg/id{WUHAN}>) }}"
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.mimetype == media
    if parse_as == "nquads":
        from rdflib import Dataset
        assert len(Dataset().parse(data=response.get_data(), format="nquads")) > 10
    else:
        assert len(Graph().parse(data=response.get_data(), format=parse_as)) > 10


def test_protocol_dataset_selects_graphs(client, built):
    doc = built[1].documents[0]
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    one = rows(client.get("/sparql", query_string={"query": count, "default-graph-uri": doc.graph_iri}))
    assert int(one[0]["n"]["value"]) == doc.summary["triples"]
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    graphs = rows(client.get("/sparql", query_string=[("query", named), ("named-graph-uri", doc.graph_iri)]))
    assert [g["g"]["value"] for g in graphs] == [doc.graph_iri]


def test_a_query_names_its_own_dataset_with_from(client, built):
    doc = built[1].documents[0]
    counted = rows(client.get("/sparql", query_string={"query": f"SELECT (COUNT(*) AS ?n) FROM <{doc.graph_iri}> WHERE {{ ?s ?p ?o }}"}))
    assert int(counted[0]["n"]["value"]) == doc.summary["triples"]
    # the word inside a string or an IRI is not a FROM clause: the default graph stays the union
    union = rows(client.get("/sparql", query_string={"query": 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?o != "FROM") }'}))
    assert int(union[0]["n"]["value"]) > doc.summary["triples"] * 5


@pytest.mark.parametrize("request_args, status", [
    (dict(method="GET", query_string={"query": "SELEC nothing"}), 400),
    (dict(method="GET", query_string=[("query", "ASK {}"), ("query", "ASK {}")]), 400),
    (dict(method="POST", data=b"ASK {}", content_type="text/plain"), 415),
    (dict(method="POST", data=b"ASK {}"), 415),
    (dict(method="POST", data="ASK {}".encode("utf-16"), content_type="application/sparql-query"), 400),
    (dict(method="POST", data=b"\xff\xfeA", content_type="application/sparql-query"), 400),
    (dict(method="PUT", data=b"ASK {}", content_type="application/sparql-query"), 405),
    (dict(method="DELETE"), 405),
    (dict(method="GET", query_string={"query": "ASK {}"}, headers={"Accept": "image/png"}), 406),
    (dict(method="GET", query_string={"update": "CLEAR ALL"}), 400),
    (dict(method="POST", data={"update": "CLEAR ALL"}), 400),
    (dict(method="POST", data=b"CLEAR ALL", content_type="application/sparql-update"), 400),
    (dict(method="GET", query_string={"query": "CLEAR ALL"}), 400),
])
def test_errors_follow_the_protocol(client, request_args, status):
    response = client.open("/sparql", **request_args)
    assert response.status_code == status
    assert response.get_data(as_text=True).strip()


def test_syntax_error_carries_the_parser_message(client):
    response = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x"})
    assert response.status_code == 400 and "error at 1:" in response.get_data(as_text=True)


def test_updates_leave_the_data_unchanged(client):
    count = lambda: int(rows(client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"}))[0]["n"]["value"])
    before = count()
    client.post("/sparql", data={"update": "CLEAR ALL"})
    client.post("/sparql", data=b"DROP ALL", content_type="application/sparql-update")
    client.get("/sparql", query_string={"query": "DELETE WHERE { ?s ?p ?o }"})
    assert count() == before


def test_service_description(client):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert any(str(o) == sd + "SPARQL11Query" for o in graph.objects())
    assert len([o for o in graph.objects() if str(o).endswith("/graph/ontology")]) == 1
    html = client.get("/sparql", headers=HTML)
    assert html.mimetype == "text/html" and 'id="yasgui"' in html.get_data(as_text=True)


def test_cors(client):
    response = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://notebook.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/sparql", headers={"Origin": "https://x.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204 and "POST" in preflight.headers["Access-Control-Allow-Methods"]


# saved queries -------------------------------------------------------------------------
def test_gallery_lists_every_saved_query(client):
    page = client.get("/queries").get_data(as_text=True)
    for name in ("plans", "measures", "projects", "indicator-targets", "compare-indicator", "measures-by-group",
                 "admin-units", "citations", "binding-targets", "projects-by-area", "pilot-units", "planned-change"):
        assert f'href="/queries/{name}"' in page


def test_saved_query_table_links_iris_by_label(client):
    page = client.get("/queries/plans").get_data(as_text=True)
    assert f'<a href="{WUHAN}"' in page and "武汉市民政事业发展“十四五”规划</a>" in page
    assert "/queries/plans.json" in page and "/queries/plans.csv" in page and "/editor?query=" in page


def test_saved_query_downloads(client):
    data = json.loads(client.get("/queries/plans.json").get_data())
    assert len(data["results"]["bindings"]) == 5
    download = client.get("/queries/plans.csv").get_data()
    assert download.startswith("\ufeff".encode())  # Excel reads a CSV file as UTF-8 only with a byte-order mark
    table = list(csv.DictReader(io.StringIO(download.decode("utf-8-sig"))))
    assert {r["jurisdictionLabel"] for r in table} == {"南平市", "景德镇市", "东莞市", "十堰市", "武汉市"}


def test_saved_query_parameters_are_validated(client):
    form = client.get("/queries/compare-indicator").get_data(as_text=True)
    assert 'name="indicator"' in form
    ok = client.get("/queries/compare-indicator", query_string={"indicator": "https://w3id.org/mzkg/id/indicator/nursing-bed-share"})
    assert ok.status_code == 200 and 'id="chart-data"' in ok.get_data(as_text=True)
    assert client.get("/queries/compare-indicator", query_string={"indicator": "not an iri"}).status_code == 400
    assert client.get("/queries/plans", query_string={"nope": "1"}).status_code == 400
    assert client.get("/queries/compare-indicator.csv").status_code == 400
    assert client.get("/queries/no-such-query").status_code == 404


# entity pages --------------------------------------------------------------------------
@pytest.mark.parametrize("suffix, accept, media, parse_as", [
    (".ttl", None, "text/turtle", "turtle"), (".nt", None, "application/n-triples", "nt"),
    (".jsonld", None, "application/ld+json", "json-ld"), (".rdf", None, "application/rdf+xml", "xml"),
    ("", "text/turtle", "text/turtle", "turtle"), ("", "application/ld+json", "application/ld+json", "json-ld"),
])
def test_entities_in_rdf(client, built, suffix, accept, media, parse_as):
    measure = part_path(built[0], WUHAN, "Measure", 3)
    response = client.get(measure + suffix, headers={"Accept": accept} if accept else {})
    assert response.mimetype == media
    graph = Graph().parse(data=response.get_data(), format=parse_as)
    assert any(str(s).endswith(measure) for s in graph.subjects())


def test_entity_page_shows_labels_types_and_the_source_passage(client, built):
    page = client.get(part_path(built[0], WUHAN, "Measure", 3), headers=HTML).get_data(as_text=True)
    types = re.search(r'<p class="types">(.*?)</p>', page).group(1)
    assert re.search(r">举措</a>", types), types  # its class, under the ontology's label
    assert "<mark>" in page and f'href="{WUHAN}#o' in page
    assert "所属文件" in page or "in document" in page  # properties labelled from the ontology


def test_document_page_anchors_what_was_extracted(client):
    page = client.get(WUHAN, headers=HTML).get_data(as_text=True)
    assert 'class="fulltext"' in page
    assert page.count('class="target"') > 50 and "k-Measure" in page and "k-ProjectBox" in page
    assert "养老机构护理型床位占比" in page


def test_every_kind_of_iri_dereferences(client, built):
    for path in ("/unit/420100000000", "/indicator/nursing-bed-share", "/group/children", "/area/elderly-care",
                 WUHAN + "/section/3.1", part_path(built[0], WUHAN, "ProjectBox", 1), part_path(built[0], WUHAN, "IndicatorTarget", 1)):
        assert client.get(path, headers=HTML).status_code == 200, path
        assert client.get(path + ".ttl").status_code == 200, path
    assert client.get("/unit/999999999999", headers=HTML).status_code == 404


def test_every_typed_node_of_the_data_dereferences_with_its_types(client, built):
    """One node of every class the documents' graphs use: its RDF page states its types."""
    store = KnowledgeStore.open(built[0], read_only=True)
    examples = {row["c"].value: row["x"].value for row in store.query(
        "SELECT ?c (MIN(STR(?node)) AS ?x) WHERE { GRAPH ?g { ?node a ?c } "
        "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/mzkg/id/graph/doc/')) FILTER(isIRI(?node)) } GROUP BY ?c")}
    assert len(examples) > 25
    for cls, iri in examples.items():
        path = "/" + iri.split("/id/", 1)[1]
        response = client.get(path, headers={"Accept": "text/turtle"})
        assert response.status_code == 200, path
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        graph = Graph().parse(data=response.get_data(), format="turtle")
        assert (URIRef(iri), RDF.type, URIRef(cls)) in graph, (path, cls)
        assert client.get(path, headers=HTML).status_code == 200, path


def test_json_ld_pages_carry_the_prefixes_as_their_context(client, built):
    measure = part_path(built[0], WUHAN, "Measure", 3)
    page = json.loads(client.get(measure, headers={"Accept": "application/ld+json"}).get_data())
    context = json.loads(client.get("/context.jsonld").get_data())["@context"]
    assert page["@context"] == context and context["mz"] == "https://w3id.org/mzkg/ontology#"
    assert any("mz:inDocument" in node for node in page["@graph"])
    as_jsonld = Graph().parse(data=json.dumps(page), format="json-ld")
    as_turtle = Graph().parse(data=client.get(measure + ".ttl").get_data(), format="turtle")
    assert isomorphic(as_jsonld, as_turtle)


def test_indicator_page_compares_every_target(client):
    page = client.get("/indicator/nursing-bed-share", headers=HTML).get_data(as_text=True)
    panels = json.loads(page.split('id="chart-data">', 1)[1].split("</script>", 1)[0])
    bars = [bar for panel in panels for bar in panel["bars"]]
    assert len({panel["unit"] for panel in panels}) == len(panels)  # one panel per unit
    assert all(bar["unit"] == panel["unit"] for panel in panels for bar in panel["bars"])
    labels = [bar["label"] for bar in bars]
    assert len(set(labels)) == len(labels)  # no two bars share a label
    assert any(label.startswith("武汉市 2025") for label in labels) and any(label.startswith("景德镇市 2025") for label in labels)
    assert any(bar["baseline"] == 54 and bar["target"] == 65 for bar in bars)
    assert all(bar["href"] and "#o" in bar["href"] for bar in bars)  # each bar goes to its passage
    table = page.split('<table class="results sortable" id="comparison">', 1)[1].split("</table>", 1)[0]
    saved = client.get("/queries/compare-indicator.csv", query_string={"indicator": "https://w3id.org/mzkg/id/indicator/nursing-bed-share"})
    rows = list(csv.DictReader(io.StringIO(saved.get_data(as_text=True).lstrip("\ufeff"))))
    assert table.count("<tr>") - 1 == len(rows) >= len(bars)  # every target, the same rows as the download
    assert "地级" in table and "≥" in table and "原文</a>" in table


# dumps, ontology, search ---------------------------------------------------------------
@pytest.mark.parametrize("fmt, rdf_format", [("nq", RdfFormat.N_QUADS), ("trig", RdfFormat.TRIG), ("jsonld", RdfFormat.JSON_LD)])
def test_dumps_parse_back(client, fmt, rdf_format):
    response = client.get(f"/export.{fmt}")
    assert response.status_code == 200
    assert len(Dataset(parse(response.get_data(), rdf_format))) > 40000


@pytest.mark.slow
def test_turtle_dump_and_one_graph(client, built):
    assert len(Graph().parse(data=client.get("/export.ttl").get_data(), format="turtle")) > 30000
    doc = built[1].documents[0]
    path = doc.graph_iri.split("/id/", 1)[1]
    one = Graph().parse(data=client.get(f"/export/{path}.ttl").get_data(), format="turtle")
    assert len(one) == doc.summary["triples"]


def test_ontology_page(client):
    page = client.get("/ontology", headers=HTML).get_data(as_text=True)
    assert "<svg" in page and 'id="IndicatorTarget"' in page and "指标目标值" in page and "indicator target" in page
    assert "@prefix mz:" in client.get("/ontology.ttl").get_data(as_text=True)


@pytest.mark.parametrize("q, expected", [
    ("护理型床位", "养老机构护理型床位占比"), ("護理型床位", "养老机构护理型床位占比"),
    ("nursing", "养老机构护理型床位占比"), ("武汉市", "武汉市"),
])
def test_search(client, q, expected):
    page = client.get("/search", query_string={"q": q}).get_data(as_text=True)
    assert f">{expected}</a>" in page


def test_home_lists_the_documents(client):
    page = client.get("/").get_data(as_text=True)
    assert page.count('href="/doc/') >= 5


# source files ---------------------------------------------------------------------------
def test_a_document_page_links_its_original_file_as_loaded(client, built, corpus_paths):
    page = client.get(WUHAN, headers=HTML).get_data(as_text=True)
    link = re.search(r'Original file: <a href="(/original/([0-9a-f]{64}))" download>([^<]+)</a>', page)
    assert link, "the document page links no original file"
    response = client.get(link.group(1))
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.data == corpus_paths["武汉市"].read_bytes() and link.group(3) == corpus_paths["武汉市"].name
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Content-Security-Policy"] == "sandbox"


@pytest.mark.parametrize("path", ["/original/" + "0" * 64, "/original/ABC", "/original/..%2f..%2fkg-manifest.json",
                                  "/original/" + "a" * 63])
def test_an_unknown_or_malformed_digest_is_not_found(client, path):
    assert client.get(path).status_code == 404


# RDF pages ------------------------------------------------------------------------------
def test_an_rdf_page_declares_prefixes_and_carries_labels_and_inbound_links(client):
    section = WUHAN + "/section/3"
    turtle = client.get(section + ".ttl").get_data(as_text=True)
    assert "@prefix mz: <https://w3id.org/mzkg/ontology#> ." in turtle and "mz:Section" in turtle
    graph = Graph().parse(data=turtle, format="turtle")
    iri = "https://w3id.org/mzkg/id" + section
    document = "https://w3id.org/mzkg/id" + WUHAN
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    assert any(str(s) == document and str(p) == label for s, p, _ in graph)  # the label of what it links to
    inbound = [s for s, _, o in graph if str(o) == iri]
    assert inbound, "no link to the section is given"
    assert all(any(str(p) == label for s2, p, _ in graph if s2 == s) for s in inbound)  # each with its label


def test_negotiated_pages_vary_by_accept(client):
    assert "Accept" in client.get(WUHAN, headers=HTML).headers.get("Vary", "")
    assert "Accept" in client.get(WUHAN, headers={"Accept": "text/turtle"}).headers.get("Vary", "")


# the dataset's description ---------------------------------------------------------------
def test_the_dataset_describes_itself_in_void_and_dcat(client, built):
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    void, dcat, dcterms = "http://rdfs.org/ns/void#", "http://www.w3.org/ns/dcat#", "http://purl.org/dc/terms/"
    dataset = "https://w3id.org/mzkg/id/dataset"

    def values(p):
        return {str(o) for s, pp, o in graph if str(s) == dataset and str(pp) == p}

    assert values(dcterms + "license") == {"https://creativecommons.org/licenses/by/4.0/"}
    assert values(void + "sparqlEndpoint") == {"http://localhost/sparql"}
    assert "http://localhost/export.nq" in values(void + "dataDump")
    triples = int(next(iter(values(void + "triples"))))
    assert triples == int(client.get("/healthz").get_json()["triples"])
    assert int(next(iter(values(void + "documents")))) == 5
    partitions = {str(o) for s, p, o in graph if str(p) == void + "class"}
    assert "https://w3id.org/mzkg/ontology#Measure" in partitions
    assert values(dcat + "distribution") and client.get("/dataset", headers={"Accept": "text/turtle"}).data == response.data
    assert "/.well-known/void" in client.get("/", headers=HTML).get_data(as_text=True)
    assert "/.well-known/void" in client.get("/sparql", headers={"Accept": "text/turtle"}).get_data(as_text=True)


def test_the_service_description_lists_only_formats_it_serves(client):
    described = client.get("/sparql", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert "TriG" not in described and "N-Quads" not in described
    for fmt in ("SPARQL_Results_JSON", "Turtle", "N-Triples"):
        assert f"http://www.w3.org/ns/formats/{fmt}" in described


def test_units_carry_coordinates_and_wikidata_codes(client):
    turtle = client.get("/unit/420100000000.ttl").get_data(as_text=True)
    graph = Graph().parse(data=turtle, format="turtle")
    about = {str(p): str(o) for s, p, o in graph if str(s) == "https://w3id.org/mzkg/id/unit/420100000000"}
    assert about["https://w3id.org/mzkg/ontology#divisionCode"] == "420100"
    assert 29 < float(about["http://www.w3.org/2003/01/geo/wgs84_pos#lat"]) < 32
    assert 113 < float(about["http://www.w3.org/2003/01/geo/wgs84_pos#long"]) < 116


def test_graph_names_and_namespaces_dereference(client, built):
    doc = built[1].documents[0]
    path = doc.graph_iri.removeprefix("https://w3id.org/mzkg/id")
    to_rdf = client.get(path, headers={"Accept": "text/turtle"})
    assert to_rdf.status_code == 303 and to_rdf.headers["Location"].endswith(f"/export{path}.ttl")
    dumped = client.get(to_rdf.headers["Location"])
    assert dumped.status_code == 200 and len(Graph().parse(data=dumped.get_data(as_text=True), format="turtle")) > 100
    to_page = client.get(path, headers=HTML)
    assert to_page.status_code == 303 and to_page.headers["Location"].endswith(doc.iri.removeprefix("https://w3id.org/mzkg/id"))
    assert client.get("/graph/doc/no-such-document", headers={"Accept": "text/turtle"}).status_code == 404
    for accept, media in (("application/rdf+xml", "application/rdf+xml"), ("text/turtle", "text/turtle"),
                          ("application/ld+json", "application/ld+json")):
        response = client.get("/ontology", headers={"Accept": accept})  # as Protégé and other tools ask for it
        assert response.status_code == 200 and response.mimetype == media and "Accept" in response.headers["Vary"]
    assert client.get("/ontology", headers=HTML).mimetype == "text/html"
    shapes = client.get("/shapes", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert "sh:NodeShape" in shapes and len(Graph().parse(data=shapes, format="turtle")) > 100


# full-text search ------------------------------------------------------------------------
def test_text_search_finds_every_occurrence_and_links_to_its_place(client):
    found = client.get("/search.json", query_string={"q": "时间银行"}).get_json()
    assert found["documents"] == 3 and sum(d["occurrences"] for d in found["results"]) == 4
    hit = found["results"][0]["hits"][0]
    assert hit["text"] == "时间银行" and hit["link"].startswith(found["results"][0]["page"] + "#o")
    page = client.get(found["results"][0]["page"], headers=HTML).get_data(as_text=True)
    assert f'id="o{hit["link"].rsplit("#o", 1)[1]}"' in page  # the anchor the hit links to is on the document page
    full = client.get(found["results"][0]["page"] + ".ttl").get_data(as_text=True)
    assert "时间银行" in full


def test_text_search_folds_scripts_takes_one_character_and_boolean_operators(client):
    def documents(q, **filters):
        return client.get("/search.json", query_string={"q": q, **filters}).get_json()["documents"]

    assert documents("養老服務") == documents("养老服务") == 5
    assert documents("护") == 5
    assert documents("时间银行 OR 殡葬") >= documents("时间银行")
    assert documents("时间银行 -殡葬") <= documents("时间银行")
    assert documents('"时间银行"') == 3
    assert documents("养老", place="武汉市") == 1
    bad = client.get("/search.json", query_string={"q": "NOT 养老"})
    assert bad.status_code == 400 and bad.get_json()["error"].startswith("q: ")


def test_the_search_page_shows_hits_facets_pages_and_label_hits(client):
    page = client.get("/search", query_string={"q": "养老"}, headers=HTML).get_data(as_text=True)
    assert "<mark>养老</mark>" in page and "省份 province" in page and "名称 In labels" in page
    assert "社会救助" in client.get("/search", query_string={"q": "社会救助", "page": "2"}, headers=HTML).get_data(as_text=True)


def test_targets_are_set_beside_the_level_above(tmp_path, corpus_paths):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(corpus_paths["十堰市"], corpus / "city.txt")
    shutil.copy(Path(__file__).parent / "corpus" / "t01_hubei_province_five_year_plan.txt", corpus / "province.txt")
    Builder(progress=False).build(corpus, tmp_path / "store")
    client = create_app(tmp_path / "store").test_client()
    rows = json.loads(client.get("/queries/level-above.json").get_data())["results"]["bindings"]
    assert rows and all(r["jurisdictionLabel"]["value"] == "十堰市" and r["aboveLabel"]["value"] == "湖北省" for r in rows)
    for r in rows:
        difference = float(r["targetValue"]["value"]) - float(r["aboveValue"]["value"])
        assert r["relation"]["value"] == ("高于上级" if difference > 0 else "低于上级" if difference < 0 else "与上级相同")
    target = rows[0]["target"]["value"]
    page = client.get("/" + target.split("/id/", 1)[1], headers=HTML).get_data(as_text=True)
    assert "Beside the level above" in page and "湖北省" in page.split('class="above"', 1)[1]



def test_a_browser_sending_a_bad_query_gets_a_page_back_to_the_editor(client):
    bad = "SELECT * WHERE { ?s ?p }"
    page = client.get("/sparql", query_string={"query": bad}, headers=HTML)
    assert page.status_code == 400 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "syntax error" in text and "<nav" in text  # the message, in the site's frame
    assert 'href="/editor?query=SELECT+%2A+WHERE+%7B+%3Fs+%3Fp+%7D"' in text  # back to the editor, the query kept
    assert "Content-Security-Policy" in page.headers
    plain = client.get("/sparql", query_string={"query": bad}, headers={"Accept": "application/sparql-results+json"})
    assert plain.status_code == 400 and plain.mimetype == "text/plain" and plain.get_data(as_text=True).count("\n") == 1


def test_a_document_page_has_its_contents_a_citation_and_its_graph(client):
    path = "/doc/420100-plan-2021-2025-173a49595f5e3d4ffa06bcb94dd98e86"
    page = client.get(path, headers=HTML).get_data(as_text=True)
    contents = page.split('<nav class="contents"', 1)[1].split("</nav>", 1)[0]
    anchors = re.findall(r'href="#(o\d+)"', contents)
    assert len(anchors) >= 5 and all(f'id="{a}"' in page for a in anchors)  # each entry jumps to its line
    citation = page.split('id="citation">', 1)[1].split("</span>", 1)[0]
    assert "武汉市民政事业发展“十四五”规划" in citation and "[EB/OL]" in citation
    exports = re.findall(r'<a href="(/export/graph/doc/[^"]+)">', page)
    assert {e.rsplit(".", 1)[1] for e in exports} >= {"ttl", "trig", "nq", "jsonld"}
    turtle = client.get(next(e for e in exports if e.endswith(".ttl")))
    graph = Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
    assert (URIRef("https://w3id.org/mzkg/id" + path), None, None) in graph


def test_saved_query_parameters_take_a_label_or_a_page_address(client):
    iri = "https://w3id.org/mzkg/id/unit/420100000000"
    by_iri = client.get("/queries/binding-targets", query_string={"city": iri}).get_data(as_text=True)
    rows = by_iri.split('<p class="count">', 1)[1].split(" ", 1)[0]
    assert int(rows) > 0
    for value in ("武汉市", "http://localhost/unit/420100000000", "/unit/420100000000"):
        page = client.get("/queries/binding-targets", query_string={"city": value})
        assert page.status_code == 200, value
        assert page.get_data(as_text=True).split('<p class="count">', 1)[1].split(" ", 1)[0] == rows, value
    csv_by_label = client.get("/queries/binding-targets.csv", query_string={"city": "武汉市"})
    assert csv_by_label.status_code == 200 and csv_by_label.get_data() == client.get(
        "/queries/binding-targets.csv", query_string={"city": iri}).get_data()
    wrong = client.get("/queries/binding-targets", query_string={"city": "不存在的城市"})
    text = wrong.get_data(as_text=True)
    assert wrong.status_code == 400 and "nothing (AdministrativeUnit) is labelled “不存在的城市”" in text
    assert 'value="不存在的城市"' in text and '<form class="params"' in text  # the form is kept
    by_label = client.get("/queries/compare-indicator", query_string={"indicator": "养老机构护理型床位占比"})
    assert by_label.status_code == 200 and int(by_label.get_data(as_text=True).split('<p class="count">', 1)[1].split(" ", 1)[0]) >= 6


def test_entity_pages_link_to_their_queries_filled_in(client):
    unit = client.get("/unit/420100000000", headers=HTML).get_data(as_text=True)
    assert 'href="/queries/binding-targets?city=https%3A%2F%2Fw3id.org%2Fmzkg%2Fid%2Funit%2F420100000000"' in unit
    indicator = client.get("/indicator/nursing-bed-share", headers=HTML).get_data(as_text=True)
    link = re.search(r'<p class="queries-here">.*?href="(/queries/compare-indicator\?[^"]+)"', indicator).group(1)
    assert client.get(link.replace("&amp;", "&")).status_code == 200


@pytest.mark.parametrize("path, at_least", [("/unit/420000000000", 50), (WUHAN, 300)], ids=["province", "document"])
def test_links_here_are_counted_and_the_rest_is_one_click_away(client, path, at_least):
    page = client.get(path, headers=HTML).get_data(as_text=True)  # a province's units; a document's parts
    links_here = page.split("Links here", 1)[1]
    rows = re.findall(r'<tr><th>[^<]*<small>\((\d+)\)</small></th>(.*?)</tr>', links_here)
    total, cells = max(((int(n), cells) for n, cells in rows), key=lambda row: row[0])
    assert total > at_least  # counted, not cut at the 300 links the page lists
    more = re.search(r'<a class="more" href="([^"]+)">… 另外 (\d+) 项', cells)
    assert more and int(more.group(2)) == total - 50
    editor = client.get(more.group(1).replace("&amp;", "&"))
    assert editor.status_code == 200 and path.rsplit("/", 1)[1] in editor.get_data(as_text=True)


JINGDEZHEN = "/doc/360200-plan-2021-2025-40369e1fb5d7ea1a8d37409e62daa7ce"


def _targets_anchored_in_tables(client, store: KnowledgeStore, document: str) -> None:
    page = client.get("/" + document.split("/id/", 1)[1], headers=HTML).get_data(as_text=True)
    first = page.split('<table class="doc-table"', 1)[1].split("</table>", 1)[0]
    widths = [row.count("<td") for row in re.findall(r'<tr id="o\d+" class="row[^"]*">(.*?)</tr>', first)]
    assert len(widths) >= 4 and max(set(widths), key=widths.count) >= 4  # rows of cells, not one cell per line
    starts = {int(r["s"].value) for r in store.query(
        "PREFIX mz: <https://w3id.org/mzkg/ontology#> SELECT ?s WHERE { ?t a mz:IndicatorTarget ; "
        f"mz:inDocument <{document}> ; mz:source/mz:startOffset ?s }}")}
    missing = [s for s in starts if f'id="o{s}"' not in page]
    assert starts and not missing  # a target's "source" link lands on its row or its mark


def test_a_pipe_table_is_shown_as_a_table_with_every_target_anchored(test_corpus_built):
    store = KnowledgeStore.open(test_corpus_built, read_only=True)
    document = next(iter(store.query("SELECT ?d WHERE { ?d <http://purl.org/dc/terms/title> ?t "
                                     "FILTER(CONTAINS(?t, \"潍坊市\")) }")))["d"].value
    _targets_anchored_in_tables(create_app(test_corpus_built).test_client(), store, document)


def test_indicator_tables_are_shown_as_tables_with_every_target_anchored(client, built):
    _targets_anchored_in_tables(client, KnowledgeStore.open(built[0], read_only=True), "https://w3id.org/mzkg/id" + JINGDEZHEN)
    page = client.get(JINGDEZHEN, headers=HTML).get_data(as_text=True)
    assert page.count('<table class="doc-table"') >= 2
    assert 'colspan="5"' in page  # a note inside a table runs across it
