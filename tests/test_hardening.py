"""Attacks on the public endpoint and the pages: outbound requests, oversized input, markup in data."""
import io
import json
import socket
import threading
import time
import urllib.parse

import pyoxigraph as ox
from pathlib import Path

import pytest

from mzkg.kg.store import KnowledgeStore
from mzkg.server import create_app

from helpers import part_path


class Listener:
    """A loopback port that records whether anything connected to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener():
    listener = Listener()
    yield listener
    listener.close()


@pytest.fixture(scope="module")
def client(built):
    return create_app(built[0]).test_client()


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "select * {{ service silent <{url}> {{ ?s ?p ?o }} }}",
    "PREFIX ex: <{url}>\nSELECT * WHERE {{ SERVICE ex: {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
])
def test_service_is_refused_without_any_connection(client, listener, template):
    url = f"http://127.0.0.1:{listener.port}/sparql"
    response = client.get("/sparql", query_string={"query": template.format(url=url)})
    assert response.status_code == 400 and "SERVICE" in response.get_data(as_text=True)
    listener.thread.join(timeout=0.5)
    assert listener.connections == 0


def test_an_allowed_service_is_called(built, listener):
    url = f"http://127.0.0.1:{listener.port}/sparql"
    client = create_app(built[0], allowed_services=frozenset({url})).test_client()
    client.get("/sparql", query_string={"query": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"})
    assert listener.connections >= 1


def test_the_word_service_elsewhere_is_not_refused(client):
    query = 'SELECT ?service WHERE { BIND("SERVICE <http://127.0.0.1:9/>" AS ?service) } # SERVICE <http://x/>'
    assert client.get("/sparql", query_string={"query": query}).status_code == 200


def test_long_queries_and_large_bodies_are_refused(built):
    client = create_app(built[0], max_query_length=1000, max_body=5000).test_client()
    long_query = "ASK { " + "?s ?p ?o . " * 200 + "}"
    assert client.get("/sparql", query_string={"query": long_query}).status_code == 413
    big = b"ASK {} #" + b"x" * 10_000
    response = client.post("/sparql", data=big, content_type="application/sparql-query")
    assert response.status_code == 413 and b"at most 5000 bytes" in response.get_data()
    # a body sent without Content-Length (chunked) is read up to the limit, not further
    status, body = call_wsgi(client.application, "POST", big, "application/sparql-query")
    assert status.startswith("413") and b"at most 5000 bytes" in body
    status, body = call_wsgi(client.application, "POST", b"ASK {}", "application/sparql-query")
    assert status.startswith("200") and b'"boolean":true' in body


def call_wsgi(app, method: str, body: bytes, content_type: str) -> tuple[str, bytes]:
    environ = {"REQUEST_METHOD": method, "PATH_INFO": "/sparql", "QUERY_STRING": "", "SERVER_NAME": "localhost",
               "SERVER_PORT": "80", "wsgi.url_scheme": "http", "CONTENT_TYPE": content_type, "wsgi.input": io.BytesIO(body),
               "wsgi.errors": io.StringIO(), "wsgi.version": (1, 0), "wsgi.multithread": False,
               "wsgi.multiprocess": False, "wsgi.run_once": False}
    started = []
    payload = b"".join(app(environ, lambda status, headers: started.append(status)))
    return started[0], payload


def test_html_pages_carry_security_headers(client):
    response = client.get("/", headers={"Accept": "text/html"})
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-eval" not in policy and "connect-src 'self'" in policy
    assert response.headers["X-Frame-Options"] == "DENY" and response.headers["X-Content-Type-Options"] == "nosniff"


def test_cors_only_where_intended(client):
    assert "Access-Control-Allow-Origin" in client.get("/sparql?query=ASK%7B%7D").headers
    assert "Access-Control-Allow-Origin" not in client.get("/queries").headers


def test_unknown_routes_and_methods(client):
    assert client.get("/no/such/thing", headers={"Accept": "text/html"}).status_code == 404
    assert client.post("/queries").status_code == 405
    refused = client.delete("/sparql")
    assert refused.status_code == 405 and refused.headers["Allow"] == "GET, POST, OPTIONS"


def test_head_and_percent_encoded_queries(client):
    head = client.head("/sparql", query_string={"query": "ASK {}"})
    assert head.status_code == 200 and head.get_data() == b"" and int(head.headers["Content-Length"]) > 0
    query = 'ASK { ?s ?p ?o FILTER(STR(?o) = "武汉市") }'
    found = client.get("/sparql?query=" + urllib.parse.quote(query))
    assert found.get_json()["boolean"] is True
    assert client.get("/sparql?query=" + urllib.parse.quote(query.replace("武汉", "无此"))).get_json()["boolean"] is False


def test_healthz(client):
    data = client.get("/healthz").get_json()
    assert data["status"] == "ok" and data["generation"] >= 1 and data["triples"] > 40000


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.mark.slow
def test_a_runaway_query_ends_at_the_timeout_and_the_worker_recovers(built):
    import time

    client = create_app(built[0], query_timeout=2).test_client()
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    started = time.monotonic()
    response = client.get("/sparql", query_string={"query": RUNAWAY})
    elapsed = time.monotonic() - started
    assert response.status_code == 503 and "2 s" in response.get_data(as_text=True)
    assert elapsed < 10
    after = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
    assert after.status_code == 200 and len(after.get_json()["results"]["bindings"]) == 3


@pytest.mark.slow
def test_a_worker_answers_other_queries_while_one_runs_away(built):
    import time

    app = create_app(built[0], query_timeout=4, query_processes=2)
    outcome = {}
    runaway = threading.Thread(target=lambda: outcome.update(
        status=app.test_client().get("/sparql", query_string={"query": RUNAWAY}).status_code))
    runaway.start()
    time.sleep(0.5)
    started = time.monotonic()
    quick = app.test_client().get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 2"})
    assert quick.status_code == 200 and time.monotonic() - started < 2.5 and runaway.is_alive()
    runaway.join(timeout=30)
    assert outcome["status"] == 503
    runner = app.extensions["mzkg.store"].queries
    assert len(runner.idle) == 1   # the stopped process was not given back; the other one was


def test_query_errors_keep_the_query_process(built):
    client = create_app(built[0], query_processes=1).test_client()
    runner = client.application.extensions["mzkg.store"].queries
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    (process,) = runner.idle
    assert client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x"}).status_code == 400
    assert client.get("/sparql", query_string={"query": 'SELECT (xsd:nope(1) AS ?x) {}'}).status_code == 400
    assert runner.idle == [process] and process.process.is_alive()
    process.process.kill()   # a process that died is replaced
    process.process.join()
    assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}).status_code == 200
    assert len(runner.idle) == 1 and runner.idle[0] is not process


def test_query_processes_can_be_started_before_the_first_query(built):
    runner = create_app(built[0], query_processes=3).extensions["mzkg.store"].queries
    runner.start()
    assert len(runner.idle) == 3 and all(process.process.is_alive() for process in runner.idle)
    runner.close()
    assert runner.idle == []


def test_a_query_process_moves_to_a_new_snapshot_instead_of_being_replaced(built, tmp_path):
    runner = create_app(built[0]).extensions["mzkg.store"].queries
    process = runner._take()
    other = ox.Store(str(tmp_path / "other"))  # a different snapshot: one triple
    other.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal("o")))
    other.flush()
    del other
    runner.switch(str(tmp_path / "other"))   # a new generation, while `process` answers a query
    runner._give_back(process)
    assert runner.idle == [process] and process.process.is_alive()
    answer = runner.answer("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", None, {})
    assert [row["n"].value for row in answer.result()] == ["1"]
    assert runner.idle == [process] and process.generation == runner.generation   # the same process, moved


def test_pages_have_the_same_deadline(built):
    client = create_app(built[0], query_timeout=0.000001).test_client()
    for path in ("/queries/indicator-targets", "/doc/420100-plan-2021-2025-173a49595f5e3d4ffa06bcb94dd98e86", "/indicator/nursing-bed-share"):
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 503 and "timed out" in response.get_data(as_text=True).lower(), path


def test_results_beyond_the_row_limit_are_cut_and_say_so(built):
    client = create_app(built[0], max_rows=25).test_client()
    many = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": "text/csv"})
    assert many.status_code == 200 and "X-Result-Truncated" in many.headers
    assert len(many.get_data(as_text=True).strip().splitlines()) == 26   # header and 25 rows
    few = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"})
    assert "X-Result-Truncated" not in few.headers
    graph = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "application/n-triples"})
    assert "X-Result-Truncated" in graph.headers and len(graph.get_data(as_text=True).strip().splitlines()) == 25
    turtle = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "text/turtle"})
    assert "X-Result-Truncated" in turtle.headers and len(list(ox.parse(turtle.get_data(), ox.RdfFormat.TURTLE))) == 25
    measure = part_path(built[0], "/doc/420100-plan-2021-2025-173a49595f5e3d4ffa06bcb94dd98e86", "Measure", 3)
    small = client.get("/sparql", query_string={"query": f"DESCRIBE <https://w3id.org/mzkg/id{measure}>"},
                       headers={"Accept": "application/ld+json"})
    assert "X-Result-Truncated" not in small.headers and 0 < len(list(ox.parse(small.get_data(), ox.RdfFormat.JSON_LD))) < 25
    page = client.get("/queries/measures").get_data(as_text=True)
    assert "truncated" in page


def test_a_query_needing_too_much_memory_is_stopped_with_503_and_the_next_is_answered(built):
    client = create_app(built[0], query_memory=300, query_timeout=60).test_client()
    for bomb in ("SELECT ?a ?b WHERE { ?a ?p ?o . ?b ?q ?r } ORDER BY ?o ?r LIMIT 1",
                 "SELECT (MAX(STRLEN(?x)) AS ?n) WHERE { ?a ?p ?o . ?b ?q ?r BIND(CONCAT(STR(?o), STR(?r), STR(?o), STR(?r)) AS ?x) } "
                 "GROUP BY ?x LIMIT 1"):
        response = client.get("/sparql", query_string={"query": bomb})
        assert response.status_code == 503, response.get_data(as_text=True)[:300]
        assert "memory" in response.get_data(as_text=True)
        assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}).status_code == 200


def test_a_query_that_finds_every_query_process_busy_is_turned_away_with_retry_after(built):
    app = create_app(built[0], query_processes=1, query_wait=0.5, query_timeout=6)
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?o . ?b ?q ?r }"
    running = threading.Thread(target=lambda: app.test_client().get("/sparql", query_string={"query": slow}))
    running.start()
    time.sleep(1.0)
    try:
        busy = app.test_client().get("/sparql", query_string={"query": "ASK { ?s ?p ?o } # another"})
        page = app.test_client().get("/queries/plans", headers={"Accept": "text/html"})
    finally:
        running.join()
    assert busy.status_code == 503 and busy.headers["Retry-After"].isdigit()
    assert "busy" in busy.get_data(as_text=True)
    assert page.status_code == 503 and "Retry-After" in page.headers


def test_an_answer_is_cut_at_its_byte_budget_while_it_is_written(built):
    client = create_app(built[0], max_answer_bytes=20_000).test_client()
    response = client.get("/sparql", query_string={"query": "SELECT ?s ?o WHERE { ?s <https://w3id.org/mzkg/ontology#exactText> ?o }"},
                          headers={"Accept": "text/csv"})
    assert response.status_code == 200 and "X-Result-Truncated" in response.headers
    assert len(response.get_data()) < 30_000
    graph = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "application/n-triples"})
    assert "X-Result-Truncated" in graph.headers and len(graph.get_data()) < 30_000


def test_solutions_keep_every_kind_of_term_through_the_line_by_line_writer(built):
    """Literals with tabs, newlines, quotes, languages and datatypes, blank nodes and unbound values."""
    client = create_app(built[0]).test_client()
    query = r"""SELECT ?a ?b ?c ?d ?e WHERE { VALUES (?a ?b ?c ?d) { ("x\ty\nz \\ \"q\""@zh 3 <https://example.org/i> UNDEF) }
               BIND(BNODE() AS ?e) }"""
    rows = json.loads(client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"}).get_data())
    row = rows["results"]["bindings"][0]
    assert row["a"] == {"type": "literal", "value": "x\ty\nz \\ \"q\"", "xml:lang": "zh"}
    assert row["b"]["value"] == "3" and row["b"]["datatype"].endswith("#integer")
    assert row["c"] == {"type": "uri", "value": "https://example.org/i"} and "d" not in row and row["e"]["type"] == "bnode"


def test_the_answer_cache_keeps_within_its_byte_budget():
    from mzkg.server.answers import Answer, ResultCache

    cache = ResultCache(entries=100, largest=100, budget=250)
    for key in range(10):
        cache.put(key, Answer("boolean", b"x" * 100, None, 1, False), cache.generation)
    assert cache.bytes <= 250 and len(cache.answers) == 2 and cache.get(9) is not None


def test_a_snapshot_removed_before_its_query_process_opened_it_is_left_for_the_newest(built, tmp_path, monkeypatch):
    """Writers publishing quickly remove old snapshots; a worker that had just moved to one that is gone by
    the time a query process opens it moves on to the newest instead of failing the request."""
    from mzkg.kg.store import KnowledgeStore

    monkeypatch.setenv("KG_SNAPSHOTS_KEPT", "1")
    store_path = KnowledgeStore.open(built[0], read_only=True).backup(tmp_path / "store")
    writer = KnowledgeStore.open(store_path)
    writer.publish()
    serving = create_app(store_path).extensions["mzkg.store"]
    serving.queries.close()  # no query process has the worker's snapshot open yet
    opened = serving.store.snapshot
    writer.publish()
    writer.publish()
    assert not Path(opened).exists()
    assert bool(serving.answer("ASK { ?s ?p ?o }", None).result())
    assert serving.generation == writer.generation


@pytest.mark.slow
def test_readers_see_the_old_or_the_new_document_while_it_is_replaced(built, tmp_path, corpus_paths):
    import threading

    from mzkg.kg.build import Builder
    from mzkg.kg.store import KnowledgeStore

    store_path = KnowledgeStore.open(built[0], read_only=True).backup(tmp_path / "store")
    writer = KnowledgeStore.open(store_path)
    writer.publish()
    from test_store import measure_count, with_one_more_measure

    versions = [tmp_path / "a.txt", tmp_path / "b.txt"]
    versions[0].write_text(corpus_paths["东莞市"].read_text("utf-8"), "utf-8")
    versions[1].write_text(with_one_more_measure(corpus_paths["东莞市"]), "utf-8")
    workers = [create_app(store_path).test_client() for _ in range(2)]  # two workers on one store
    doc = Builder(writer.base, progress=False).load([versions[0]], writer).documents[0].iri
    measures = measure_count(writer, doc)
    count = f"SELECT (COUNT(?m) AS ?n) WHERE {{ ?m a <https://w3id.org/mzkg/ontology#Measure> ; <https://w3id.org/mzkg/ontology#inDocument> <{doc}> }}"
    done, reading = threading.Event(), threading.Event()
    errors = []

    def reload():
        try:
            reading.wait(60)  # the readers have seen the first generation before it is replaced
            builder = Builder(writer.base, progress=False)
            for k in range(4):
                builder.load([versions[(k + 1) % 2]], writer)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            done.set()

    thread = threading.Thread(target=reload)
    thread.start()
    seen, generations = set(), set()
    while not done.is_set() or len(seen) < 1:
        for client in workers:
            response = client.get("/sparql", query_string={"query": count})
            assert response.status_code == 200, response.get_data(as_text=True)
            seen.add(int(response.get_json()["results"]["bindings"][0]["n"]["value"]))
            generations.add(client.get("/healthz").get_json()["generation"])
        reading.set()
    thread.join()
    assert not errors
    assert seen <= {measures, measures + 1}
    final = workers[0].get("/sparql", query_string={"query": count}).get_json()
    assert int(final["results"]["bindings"][0]["n"]["value"]) == measures  # the last load put version a back
    generations.add(workers[0].get("/healthz").get_json()["generation"])
    assert max(generations) > min(generations)


def test_answers_are_cached_until_the_generation_changes(built, tmp_path):
    copy = KnowledgeStore.open(built[0], read_only=True).backup(tmp_path / "copy")
    client = create_app(copy).test_client()
    serving = client.application.extensions["mzkg.store"]
    query = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
    first = client.get("/sparql", query_string=query).get_json()
    assert len(serving.cache.answers) >= 1
    serving.queries.close()   # a cached answer needs no query process
    serving.queries.context = None   # and none could be started
    assert client.get("/sparql", query_string=query).get_json() == first
    before = serving.generation
    writer = KnowledgeStore.open(copy)
    writer.publish()   # a new generation
    del writer
    serving.refresh()
    assert len(serving.cache.answers) == 0 and serving.generation == before + 1


def test_the_cache_drops_answers_from_before_a_snapshot_change_and_large_ones():
    from mzkg.server.answers import Answer, ResultCache

    cache = ResultCache(entries=2, largest=10, budget=1000)
    small, large = Answer("boolean", b"true", None, 1, False), Answer("boolean", b"x" * 11, None, 1, False)
    before = cache.generation
    cache.clear()   # the snapshot changed while a query ran
    cache.put("late", small, before)
    cache.put("large", large, cache.generation)
    assert cache.get("late") is None and cache.get("large") is None
    for key in ("a", "b", "c"):
        cache.put(key, small, cache.generation)
    assert cache.get("a") is None and cache.get("c") is small   # at most `entries`, least recently used out


def test_a_query_process_looks_for_a_message_briefly_before_it_sleeps():
    import os
    import select
    import time

    from mzkg.server.processes import spin

    read, write = os.pipe()
    readable = select.poll()
    readable.register(read, select.POLLIN)
    started = time.perf_counter()
    assert not spin(readable, 0.002)   # nothing came: it gives up after the time given
    assert 0.002 <= time.perf_counter() - started < 1
    os.write(write, b"x")
    assert spin(readable, 0.002)
    os.close(read)
    os.close(write)
