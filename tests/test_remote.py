"""A remote SPARQL server instead of the embedded store: a real `oxigraph serve` on loopback, built
into by `kg build --endpoint`, served from by the app, with the same answers as the embedded store."""
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

import queries
from kg.build import Builder, bundled_corpus
from kg.remote import RemoteError, RemoteStore, brief
from server import create_app

PARAMS = {"compare-indicator": {"indicator": "https://w3id.org/mzkg/id/indicator/nursing-bed-share"},
          "measures-by-group": {"group": "https://w3id.org/mzkg/id/group/children"},
          "binding-targets": {"city": "https://w3id.org/mzkg/id/unit/420100000000"},
          "projects-by-area": {"area": "https://w3id.org/mzkg/id/area/elderly-care"}}


def oxigraph_binary() -> str:
    """Oxigraph's own server, from the `oxigraph` package the test extras install."""
    return shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")


@pytest.fixture(scope="module")
def remote(tmp_path_factory):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    location = tmp_path_factory.mktemp("oxigraph")
    process = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                                "--union-default-graph"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=2)
            break
        except OSError:
            if time.time() > deadline or process.poll() is not None:
                process.terminate()
                raise AssertionError("oxigraph serve did not start: " + process.stdout.read().decode()[-500:])
            time.sleep(0.2)
    store = RemoteStore.open(url + "/query", url + "/update")
    Builder(progress=False).build_remote(bundled_corpus(), store)
    yield url
    process.terminate()
    process.wait(timeout=20)


def csv_lines(client, name):
    query = "&".join(f"{k}={v}" for k, v in PARAMS.get(name, {}).items())
    response = client.get(f"/queries/{name}.csv" + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.get_data(as_text=True)
    return sorted(response.get_data(as_text=True).splitlines())


def test_every_saved_query_answers_the_same(remote, built):
    remote_client = create_app(endpoint=remote + "/query").test_client()
    local_client = create_app(built[0]).test_client()
    for saved in queries.all_queries():
        assert csv_lines(remote_client, saved.name) == csv_lines(local_client, saved.name), saved.name


def test_pages_endpoint_and_dumps_from_the_remote_store(remote):
    client = create_app(endpoint=remote + "/query").test_client()
    page = client.get("/doc/420100-plan-2021-2025-04a9b9", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'class="fulltext"' in page and "养老机构护理型床位占比" in page
    assert client.get("/indicator/nursing-bed-share", headers={"Accept": "text/html"}).status_code == 200
    assert client.get("/sparql", query_string={"query": "ASK { ?s a <https://w3id.org/mzkg/ontology#Measure> }"}).get_json()["boolean"]
    assert client.get("/healthz").get_json()["generation"] >= 1
    from pyoxigraph import Dataset, RdfFormat, parse
    assert len(Dataset(parse(client.get("/export.nq").get_data(), RdfFormat.N_QUADS))) > 40000


def test_load_replaces_a_document_on_the_remote_store(remote, corpus_paths, tmp_path):
    store = RemoteStore.open(remote + "/query", remote + "/update")
    before = store.generation
    edited = tmp_path / "edited.txt"
    edited.write_text(corpus_paths["十堰市"].read_text("utf-8").rstrip("\n") + "\n(三十四)新增一项举措。具体内容。\n", "utf-8")
    Builder(store.base, progress=False).load([edited], store)
    count = store.query("SELECT (COUNT(?m) AS ?n) WHERE { ?m a <https://w3id.org/mzkg/ontology#Measure> ; "
                        "<https://w3id.org/mzkg/ontology#inDocument> <https://w3id.org/mzkg/id/doc/420300-workplan-2025-7f8aa8> }")
    assert int(next(iter(count))["n"].value) == 34
    assert store.generation == before + 1
    Builder(store.base, progress=False).load([corpus_paths["十堰市"]], store)   # leave it as it was


def test_a_rebuild_replaces_only_the_knowledge_graphs_own_graphs(remote):
    """A shared server keeps its other data: a build drops the graphs under {base}graph/, not the dataset."""
    store = RemoteStore.open(remote + "/query", remote + "/update")
    other = "<urn:example:other> { <urn:example:s> <urn:example:p> \"kept\" }"
    store.update(f"INSERT DATA {{ GRAPH {other} }}")
    try:
        stale = f"{store.base}graph/doc/gone"
        store.update(f"INSERT DATA {{ GRAPH <{stale}> {{ <urn:example:s> <urn:example:p> \"dropped\" }} }}")
        before = store.generation
        Builder(store.base, progress=False).build_remote(bundled_corpus(), store)
        assert store.generation == before + 1
        assert store.query("ASK { GRAPH <urn:example:other> { ?s ?p \"kept\" } }")
        assert not store.query(f"ASK {{ GRAPH <{stale}> {{ ?s ?p ?o }} }}")
        names = store.graph_names()
        assert "urn:example:other" not in names and all(name.startswith(store.base + "graph/") for name in names)
        assert not any(quad.graph_name.value == "urn:example:other" for quad in store.quads())
    finally:
        store.update("DROP SILENT GRAPH <urn:example:other>")


def test_a_refused_update_is_reported_in_short(remote):
    store = RemoteStore.open(remote + "/query", remote + "/update")
    with pytest.raises(RemoteError, match="refused the update: error at 1:"):
        store.update("INSERT DATA { <urn:example:s> <urn:example:p> }")
    result = subprocess.run([sys.executable, "-m", "server.cli", "build", "--quiet", "--endpoint", remote + "/query",
                             "--update-endpoint", remote + "/query"], capture_output=True, text=True)
    assert result.returncode == 1 and result.stderr.startswith(f"kg build: {remote}/query refused the update")
    assert "Traceback" not in result.stderr
    assert brief("x" * 5000).endswith("(4400 more characters)") and len(brief("x" * 5000)) < 700


def test_the_cli_against_the_remote_store(remote):
    result = subprocess.run([sys.executable, "-m", "server.cli", "query", "plans", "--endpoint", remote + "/query"],
                            capture_output=True, check=True)
    assert len(result.stdout.decode().strip().splitlines()) == 6


def test_validate_the_remote_store(remote):
    """The compiled shapes run on the remote server, over its asserted graphs only (FROM clauses)."""
    store = RemoteStore.open(remote + "/query", remote + "/update")
    assert Builder(store.base, progress=False).check(store) == []
    entailed = "https://w3id.org/mzkg/id/graph/entailments/doc/420300-workplan-2025-7f8aa8"
    passage = "<https://w3id.org/mzkg/id/doc/420300-workplan-2025-7f8aa8/passage/0-1>"
    fault = f"{passage} a <https://w3id.org/mzkg/ontology#Passage> ."
    store.update(f"INSERT DATA {{ GRAPH <{entailed}> {{ {fault} }} }}")
    asserted = "https://w3id.org/mzkg/id/graph/doc/420300-workplan-2025-7f8aa8"
    try:
        assert Builder(store.base, progress=False).check(store) == []
        store.update(f"INSERT DATA {{ GRAPH <{asserted}> {{ {fault} }} }}")
        result = subprocess.run([sys.executable, "-m", "server.cli", "validate", "--endpoint", remote + "/query"],
                                capture_output=True, text=True)
        assert result.returncode == 1 and "passage/0-1" in result.stderr and "exactText" in result.stderr
    finally:
        store.update(f"DELETE DATA {{ GRAPH <{entailed}> {{ {fault} }} }} ; DELETE DATA {{ GRAPH <{asserted}> {{ {fault} }} }}")


def test_kg_serve_from_the_remote_store(remote):
    import json

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--endpoint", remote + "/query", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                health = json.loads(urllib.request.urlopen(url + "/healthz", timeout=2).read())
                break
            except OSError:
                assert time.time() < deadline and process.poll() is None, "kg serve --endpoint did not start"
                time.sleep(0.3)
        assert health["triples"] > 40000
        query = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?d a <https://w3id.org/mzkg/ontology#PolicyDocument> }")
        answer = json.loads(urllib.request.urlopen(f"{url}/sparql?query={query}", timeout=10).read())
        assert answer["results"]["bindings"][0]["n"]["value"] == "5"
    finally:
        process.terminate()
        process.wait(timeout=30)
