"""Runs the W3C SPARQL 1.1 Protocol test manifest against this project's endpoint.

The manifest and its data stay where the workplace keeps them (shared/w3c-sparql-protocol beside
the repository, or $W3C_SPARQL_PROTOCOL); nothing of them is copied into the project. Query tests
must pass; update tests must be refused with a 4xx, because the endpoint is read-only.

    python tests/w3c_protocol.py [DIR]
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import Graph, Namespace, RDF
from rdflib.collection import Collection

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
TABULAR = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values")
RDF_TYPES = ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json")


def manifest_dir() -> Path | None:
    candidates = [os.environ.get("W3C_SPARQL_PROTOCOL"), Path(__file__).resolve().parents[2] / "shared" / "w3c-sparql-protocol"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "manifest.ttl").exists():
            return Path(candidate)
    return None


@dataclass
class Outcome:
    name: str
    ok: bool
    detail: str


def load_tests(folder: Path) -> tuple[Graph, list]:
    graph = Graph().parse(folder / "manifest.ttl", format="turtle", publicID=folder.as_uri() + "/")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    return graph, list(Collection(graph, graph.value(manifest, MF.entries)))


def build_store(folder: Path, target: Path):
    """A store whose named graphs are the manifest's test data, under the names the tests use."""
    from mzkg.kg.store import fresh_store, to_ntriples

    graph, tests = load_tests(folder)
    data = {}
    for test in tests:
        for entry in graph.objects(test, UT.graphData):
            data[str(graph.value(entry, RDFS.label))] = Path(urlsplit(str(graph.value(entry, UT.graph))).path)
    with fresh_store(target, "http://example.org/w3c-protocol/") as store:
        store.bulk_put({name: to_ntriples(Graph().parse(path, format="nt")) for name, path in data.items()})


def run(client, folder: Path) -> list[Outcome]:
    graph, tests = load_tests(folder)
    outcomes = []
    for test in tests:
        name = str(test).rsplit("#", 1)[-1]
        action = graph.value(test, MF.action)
        update = name.startswith(("update", "bad_update"))
        for request in Collection(graph, graph.value(action, HT.requests)):
            ok, detail = _check(client, graph, request, update)
            if not ok or update:  # a refused update ends its test; what follows checks the update's effect
                break
        outcomes.append(Outcome(name, ok, detail))
    return outcomes


def _check(client, graph: Graph, request, update: bool) -> tuple[bool, str]:
    method = str(graph.value(request, HT.methodName))
    path = str(graph.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1)
    headers = {}
    headers_list = graph.value(request, HT.headers)
    if headers_list is not None:
        for header in Collection(graph, headers_list):
            headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
    body = graph.value(request, HT.body)
    data = None
    if body is not None:
        encoding = str(graph.value(body, CNT.characterEncoding) or "UTF-8")
        data = str(graph.value(body, CNT.chars)).encode(encoding.lower())
    response = client.open(path, method=method, data=data, headers=headers)
    status = response.status_code
    expected = graph.value(request, HT.resp)
    classes = {str(s).rsplit("#", 1)[-1][len("StatusCode"):][0] for s in graph.objects(expected, MF.expectedStatus)}
    if update:
        return (400 <= status < 500), f"update refused with {status}"
    if str(status)[0] not in classes:
        return False, f"status {status}, expected {sorted(classes)}xx: {response.get_data(as_text=True)[:200]}"
    media = response.mimetype
    form = graph.value(expected, MF.expectedFormat)
    if form is not None:
        wanted = {"boolean": ("application/sparql-results+json", "application/sparql-results+xml"),
                  "tabular": TABULAR, "RDF": RDF_TYPES}[str(form)]
        if media not in wanted:
            return False, f"content type {media}, expected one of {wanted}"
    boolean = graph.value(expected, MF.expectedBoolean)
    if boolean is not None:
        text = response.get_data(as_text=True)
        value = json.loads(text)["boolean"] if media.endswith("json") else "<boolean>true</boolean>" in text
        if value != boolean.toPython():
            return False, f"ASK answered {value}, expected {boolean}"
    return True, f"status {status} {media}"


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else manifest_dir()
    if folder is None:
        print("W3C protocol manifest not found; pass its directory", file=sys.stderr)
        return 2
    from mzkg.server import create_app

    with tempfile.TemporaryDirectory() as tmp:
        build_store(folder, Path(tmp) / "store")
        outcomes = run(create_app(Path(tmp) / "store").test_client(), folder)
    for o in outcomes:
        print(f"{'PASS' if o.ok else 'FAIL'} {o.name}: {o.detail}")
    passed = sum(o.ok for o in outcomes)
    print(f"{passed} passed, {len(outcomes) - passed} failed")
    return 0 if passed == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
