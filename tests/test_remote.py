"""A remote SPARQL server instead of the embedded store: real servers on loopback (Oxigraph's own,
written to through SPARQL Update and through its graph store, and OpenLink Virtuoso, through its
graph store with Digest authentication), built into by `kg build --endpoint`, served from by the
app, with the same answers as the embedded store."""
import base64
import contextlib
import csv
import io
import hashlib
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from mzkg import queries
from mzkg.kg.build import Builder, bundled_corpus
from mzkg.kg.client import Client, Refused
from mzkg.kg.remote import RESULTS, RemoteError, RemoteStore
from mzkg.server import create_app

from helpers import free_port, wait_for

pytestmark = [pytest.mark.remote, pytest.mark.slow]

PARAMS = {"compare-indicator": {"indicator": "https://w3id.org/mzkg/id/indicator/nursing-bed-share"},
          "measures-by-group": {"group": "https://w3id.org/mzkg/id/group/children"},
          "binding-targets": {"city": "https://w3id.org/mzkg/id/unit/420100000000"},
          "projects-by-area": {"area": "https://w3id.org/mzkg/id/area/elderly-care"},
          "tasks-by-body": {"body": "https://w3id.org/mzkg/id/org/0123456789"}}  # the bundled five name none


@dataclass
class Server:
    """A SPARQL server the tests started, and where to send queries and writes."""
    name: str
    query: str
    update: str
    graph_store: str | None = None  # with credentials, as `kg --graph-store` takes it

    def store(self) -> RemoteStore:
        return RemoteStore.open(self.query, self.update, self.graph_store)

    def options(self) -> list[str]:
        return ["--endpoint", self.query, "--update-endpoint", self.update] + \
            (["--graph-store", self.graph_store] if self.graph_store else [])


def oxigraph(location: Path, graph_store: bool = False) -> tuple[subprocess.Popen, Server]:
    """Oxigraph's own server, from the `oxigraph` package the test extras install; written to with
    SPARQL Update, or through its Graph Store Protocol endpoint (/store)."""
    port = free_port()
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    process = subprocess.Popen([binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                                "--union-default-graph"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_for(url + "/query", process, "oxigraph serve")
    return process, Server("oxigraph", url + "/query", url + "/update", url + "/store" if graph_store else None)


VIRTUOSO_INI = """[Database]
DatabaseFile = virtuoso.db
ErrorLogFile = virtuoso.log
LockFile = virtuoso.lck
TransactionFile = virtuoso.trx
xa_persistent_file = virtuoso.pxa
[TempDatabase]
DatabaseFile = virtuoso-temp.db
TransactionFile = virtuoso-temp.trx
[Parameters]
ServerPort = {sql_port}
DisableUnixSocket = 1
DirsAllowed = .
[HTTPServer]
ServerPort = {http_port}
ServerRoot = .
[SPARQL]
ResultSetMaxRows = 1000000
"""


def virtuoso(location: Path) -> tuple[subprocess.Popen, Server]:
    """Debian's OpenLink Virtuoso (installed with apt-get when missing, as the browser tests do with
    Chromium), written to through its Graph Store Protocol endpoint with Digest authentication."""
    if not shutil.which("virtuoso-t"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "virtuoso-opensource"], check=True, env=env)
    sql_port, http_port = free_port(), free_port()
    (location / "virtuoso.ini").write_text(VIRTUOSO_INI.format(sql_port=sql_port, http_port=http_port))
    process = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", "virtuoso.ini"], cwd=location,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{http_port}"
    wait_for(url + "/sparql", process, "virtuoso")
    # SPARQL Update on /sparql too, for the tests' own small writes
    subprocess.run(["isql-vt", str(sql_port), "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
                   check=True, capture_output=True)
    return process, Server("virtuoso", url + "/sparql", url + "/sparql", f"http://dba:dba@127.0.0.1:{http_port}/sparql-graph-crud-auth")


SERVERS = {"update": lambda location: oxigraph(location), "graph-store": lambda location: oxigraph(location, graph_store=True),
           "virtuoso": virtuoso}


@pytest.fixture(scope="module", params=list(SERVERS))
def remote(request, tmp_path_factory):
    process, server = SERVERS[request.param](tmp_path_factory.mktemp(request.param))
    try:
        Builder(progress=False).build_remote(bundled_corpus(), server.store())
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


def csv_lines(client, name):
    query = "&".join(f"{k}={v}" for k, v in PARAMS.get(name, {}).items())
    response = client.get(f"/queries/{name}.csv" + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.get_data(as_text=True)
    # a server may concatenate a group's values in any order (SPARQL leaves GROUP_CONCAT's order open)
    rows = csv.reader(io.StringIO(response.get_data(as_text=True)))
    return sorted(tuple(" / ".join(sorted(cell.split(" / "))) for cell in row) for row in rows)


def test_every_saved_query_answers_the_same(remote, built):
    remote_client = create_app(endpoint=remote.query).test_client()
    local_client = create_app(built[0]).test_client()
    for saved in queries.all_queries():
        assert csv_lines(remote_client, saved.name) == csv_lines(local_client, saved.name), saved.name


def test_pages_endpoint_and_dumps_from_the_remote_store(remote):
    client = create_app(endpoint=remote.query).test_client()
    page = client.get("/doc/420100-plan-2021-2025-173a49595f5e3d4ffa06bcb94dd98e86", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'class="fulltext"' in page and "养老机构护理型床位占比" in page
    assert client.get("/indicator/nursing-bed-share", headers={"Accept": "text/html"}).status_code == 200
    assert client.get("/sparql", query_string={"query": "ASK { ?s a <https://w3id.org/mzkg/ontology#Measure> }"}).get_json()["boolean"]
    assert client.get("/healthz").get_json()["generation"] >= 1
    from pyoxigraph import Dataset, RdfFormat, parse
    assert len(Dataset(parse(client.get("/export.nq").get_data(), RdfFormat.N_QUADS))) > 40000


def test_load_replaces_a_document_on_the_remote_store(remote, corpus_paths, tmp_path):
    from test_store import measure_count, with_one_more_measure

    store = remote.store()
    before = store.generation
    iri = next(d.iri for d in Builder(store.base, progress=False).load([corpus_paths["东莞市"]], store).documents)
    measures = measure_count(store, iri)
    edited = tmp_path / "edited.txt"
    edited.write_text(with_one_more_measure(corpus_paths["东莞市"]), "utf-8")
    Builder(store.base, progress=False).load([edited], store)
    assert measure_count(store, iri) == measures + 1
    assert store.generation == before + 2
    Builder(store.base, progress=False).load([corpus_paths["东莞市"]], store)   # leave it as it was


def test_a_rebuild_replaces_only_the_knowledge_graphs_own_graphs(remote):
    """A shared server keeps its other data: a build drops the graphs under {base}graph/, not the dataset."""
    store = remote.store()
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
    with pytest.raises(RemoteError, match="refused the update"):
        remote.store().update("INSERT DATA { <urn:example:s> <urn:example:p> }")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, status, media, text, headers=()):
        data = text.encode()
        self.send_response(status)
        for name, value in [("Content-Type", media), ("Content-Length", str(len(data))), *headers]:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serving(handler):
    """A server on loopback answering with `handler`; yields its port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()


class Quirky(Handler):
    """A server with the manners of some real ones: it refuses updates quoting the whole request
    back, and cuts long results at its own row limit, saying so only in a header."""

    def do_POST(self):
        body = urllib.parse.unquote_plus(self.rfile.read(int(self.headers["Content-Length"])).decode())
        if self.path == "/update":
            self.reply(400, "text/plain", "Error SP031: SPARQL compiler: refused\n\nSPARQL query:\n" + body)
        elif "urn:example:many" in body:
            rows = ",".join('{"s":{"type":"uri","value":"urn:example:%d"}}' % i for i in range(2))
            self.reply(200, RESULTS, '{"head":{"vars":["s"]},"results":{"bindings":[%s]}}' % rows, [("X-SPARQL-MaxRows", "2")])
        else:
            self.reply(200, RESULTS, '{"head":{"vars":["p","o"]},"results":{"bindings":[]}}')


@pytest.fixture
def quirky():
    with serving(Quirky) as port:
        yield f"http://127.0.0.1:{port}"


def test_a_build_the_server_refuses_stops_with_its_message_cut_short(quirky):
    result = subprocess.run([sys.executable, "-m", "mzkg.kg.cli", "build", "--quiet", "--endpoint", quirky + "/query",
                             "--update-endpoint", quirky + "/update"], capture_output=True, text=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"kg build: {quirky}/update refused the update: Error SP031")
    assert len(result.stderr) < 1000 and "more characters)" in result.stderr


def test_results_the_server_cut_short_are_an_error_not_an_answer(quirky):
    with pytest.raises(RemoteError, match="only its first 2 results"):
        RemoteStore.open(quirky + "/query").query("SELECT ?s WHERE { ?s a <urn:example:many> }")


class Guarded(Handler):
    """A graph store that asks for credentials (Digest, or Basic when the path says so) and, as real
    servers do, answers an unauthenticated upload with 401 at once, closing the connection before
    reading the body."""
    user, password, realm, nonce = "kg", "s3cret", "graph store", "4a1f"
    stored: dict = {}

    def do_PUT(self):
        if not self.authorized():
            challenge = (f'Basic realm="{self.realm}"' if self.path.startswith("/basic") else
                         f'Digest realm="{self.realm}", nonce="{self.nonce}", qop="auth", algorithm="MD5", opaque="x"')
            self.reply(401, "text/plain", "", [("WWW-Authenticate", challenge), ("Connection", "close")])
            self.close_connection = True
            return
        self.stored[self.path] = self.rfile.read(int(self.headers["Content-Length"]))
        self.reply(204, "text/plain", "")

    do_HEAD = do_PUT

    def authorized(self) -> bool:
        scheme, _, value = (self.headers.get("Authorization") or "").partition(" ")
        if scheme == "Basic":
            return base64.b64decode(value).decode() == f"{self.user}:{self.password}"
        if scheme != "Digest":
            return False
        fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(value))
        md5 = lambda text: hashlib.md5(text.encode()).hexdigest()  # noqa: E731
        expected = md5(":".join([md5(f"{self.user}:{self.realm}:{self.password}"), self.nonce, fields["nc"],
                                 fields["cnonce"], "auth", md5(f"{self.command}:{fields['uri']}")]))
        return fields.get("response") == expected and fields["uri"] == self.path


@pytest.fixture
def guarded():
    with serving(Guarded) as port:
        yield port


@pytest.mark.parametrize("scheme", ["digest", "basic"])
def test_credentials_go_with_a_large_upload(guarded, scheme):
    client = Client()
    endpoint = client.endpoint(f"http://kg:s3cret@127.0.0.1:{guarded}/{scheme}/store")
    assert "s3cret" not in endpoint
    triples = b"<urn:example:s> <urn:example:p> \"%d\" .\n"
    body = b"".join(triples % i for i in range(150_000))  # megabytes: more than a socket's buffers hold
    for graph in ("a", "b"):
        client.send("PUT", f"{endpoint}?graph={graph}", body, {"Content-Type": "application/n-triples"}, 30)
        assert Guarded.stored[f"/{scheme}/store?graph={graph}"] == body
    wrong = Client()
    with pytest.raises(Refused) as refusal:
        wrong.send("PUT", wrong.endpoint(f"http://kg:wrong@127.0.0.1:{guarded}/{scheme}/store?graph=c"), b"", {}, 30)
    assert refusal.value.status == 401


def test_the_cli_against_the_remote_store(remote, corpus_paths):
    result = subprocess.run([sys.executable, "-m", "mzkg.kg.cli", "query", "plans", "--endpoint", remote.query],
                            capture_output=True, check=True)
    assert len(result.stdout.decode().strip().splitlines()) == 6
    before = remote.store().generation
    result = subprocess.run([sys.executable, "-m", "mzkg.kg.cli", "load", str(corpus_paths["十堰市"]), *remote.options()],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Loaded into {remote.query}") and remote.store().generation == before + 1


def test_validate_the_remote_store(remote):
    """The compiled shapes run on the remote server, over its asserted graphs only (FROM clauses).
    Virtuoso's SPARQL treats literals otherwise than RDF 1.1 does (the compiled shapes report
    thousands of violations there that pySHACL does not find in the same triples), so on Virtuoso
    the graphs are fetched and checked with pySHACL (`kg validate --pyshacl`)."""
    store = remote.store()
    builder = Builder(store.base, progress=False)
    check, option = (builder.check_with_pyshacl, ["--pyshacl"]) if remote.name == "virtuoso" else (builder.check, [])
    assert check(store) == []
    entailed = "https://w3id.org/mzkg/id/graph/entailments/doc/420300-workplan-2025-f90d4e46d8d63a1a89e338608ddb82e8"
    passage = "<https://w3id.org/mzkg/id/doc/420300-workplan-2025-f90d4e46d8d63a1a89e338608ddb82e8/passage/0-1>"
    fault = f"{passage} a <https://w3id.org/mzkg/ontology#Passage> ."
    store.update(f"INSERT DATA {{ GRAPH <{entailed}> {{ {fault} }} }}")
    asserted = "https://w3id.org/mzkg/id/graph/doc/420300-workplan-2025-f90d4e46d8d63a1a89e338608ddb82e8"
    try:
        assert check(store) == []
        store.update(f"INSERT DATA {{ GRAPH <{asserted}> {{ {fault} }} }}")
        result = subprocess.run([sys.executable, "-m", "mzkg.kg.cli", "validate", "--endpoint", remote.query, *option],
                                capture_output=True, text=True)
        assert result.returncode == 1 and "passage/0-1" in result.stderr and "exactText" in result.stderr
    finally:
        store.update(f"DELETE DATA {{ GRAPH <{entailed}> {{ {fault} }} }} ; DELETE DATA {{ GRAPH <{asserted}> {{ {fault} }} }}")


def test_kg_serve_from_the_remote_store(remote):
    import json

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "mzkg.kg.cli", "serve", "--endpoint", remote.query, "--port", str(port)],
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


@pytest.mark.parametrize("query, triples", [
    ("CONSTRUCT WHERE { ?s ?p ?o }", True),
    ("BASE <http://example.org/>\n# a comment\nPREFIX mz: <https://w3id.org/mzkg/ontology#>\nprefix : <urn:x:>\ndescribe <a>", True),
    ("PREFIX c: <urn:construct:>\nSELECT ?construct WHERE { ?construct a c:DESCRIBE }", False),
    ("# CONSTRUCT\nASK {}", False),
])
def test_queries_that_answer_with_triples_ask_for_triples_first(query, triples):
    from mzkg.kg.query_text import form
    from mzkg.kg.remote import GRAPH_FORMS

    assert (form(query) in GRAPH_FORMS) == triples


@pytest.mark.parametrize("query, before", [
    ("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", "?s ?p ?o"),
    ("PREFIX x: <urn:x>\nSELECT (\"}{\" AS ?b) # {\n{ { SELECT ?s { ?s ?p ?o } } }", "{ SELECT"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p \"{\" }", "?s ?p \"{\""),
    ("CONSTRUCT { ?s ?p ?o } { ?s ?p ?o FILTER(?o) }", "?s ?p ?o FILTER"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "?s ?p ?o"),
    ("DESCRIBE <urn:a>", None),
])
def test_parameters_bind_at_the_start_of_the_outermost_pattern(query, before):
    from mzkg.kg.query_text import pattern_start

    start = pattern_start(query)
    assert (start is None) if before is None else query[start:].lstrip().startswith(before)
