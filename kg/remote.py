"""A remote SPARQL 1.1 server as the store: queries over the SPARQL Protocol; writes as SPARQL
Update, or through the SPARQL 1.1 Graph Store Protocol when one is given. The server must expose
the union of its named graphs as the default graph (Oxigraph: `--union-default-graph`; Virtuoso
does by default), as the embedded store does for every query.

The manifest (base IRI, generation) lives in the dataset itself, in the graph <urn:mzkg:manifest>.
The knowledge graph's own graphs are those named under `{base}graph/`; a build replaces them, and
only them. Through an update endpoint it does so in one request, which a transactional server such
as Oxigraph applies at once (readers see the old graphs or the new ones); through a graph store,
graph by graph, with the manifest's new generation written last. Other graphs are left as they are.
"""
from __future__ import annotations

import re
import urllib.parse

import pyoxigraph as ox

from mzkg import settings
from mzkg.loaders.iris import Minter

from . import formats, query_text
from .client import Client, Refused, RemoteError
from .interface import Graphs
from .results import GraphResult
from .store import graph_blocks, replace_update

MANIFEST_GRAPH = "urn:mzkg:manifest"
BASE = "urn:mzkg:base"
GENERATION = "urn:mzkg:generation"
RESULTS = formats.BY_KEY["json"].media_type
TRIPLES = formats.BY_KEY["nt"].media_type
TURTLE = formats.BY_KEY["ttl"].media_type
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
GRAPH_FORMS = {"CONSTRUCT", "DESCRIBE"}
# Virtuoso names blank nodes in JSON results "nodeID://b1", which is no blank node label.
VIRTUOSO_BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')


def with_values(sparql: str, substitutions: dict) -> str:
    """Bindings as a VALUES clause at the start of the query's pattern (or after the query, when it
    has none): the same solutions as pyoxigraph's substitutions, which require the bound variables
    to be projected. Some servers (Virtuoso) ignore a VALUES clause after ORDER BY."""
    if not substitutions:
        return sparql
    names = " ".join(f"?{variable.value}" for variable in substitutions)
    terms = " ".join(str(term) for term in substitutions.values())
    clause = f"VALUES ({names}) {{ ({terms}) }}"
    start = query_text.pattern_start(sparql)
    return f"{sparql}\n{clause}" if start is None else f"{sparql[:start]} {clause}\n{sparql[start:]}"


def _as_boolean(solutions: ox.QuerySolutions, url: str) -> ox.QueryBoolean:
    """An ASK answered with solutions of one variable, as the boolean it means: no solution, or one
    binding it to 0 or false, is false; one binding it to 1 or true is true."""
    rows = [row[0].value if row[0] is not None else None for row in solutions]
    if len(solutions.variables) != 1 or len(rows) > 1 or rows not in ([], ["0"], ["false"], ["1"], ["true"]):
        raise RemoteError(f"{url} answered an ASK query with solutions, not a boolean")
    answer = "true" if rows in (["1"], ["true"]) else "false"
    return ox.parse_query_results(f'{{"head":{{}},"boolean":{answer}}}', ox.QueryResultsFormat.JSON)


class RemoteStore:
    """A remote SPARQL server as the store (see kg.interface.Store)."""

    snapshot = None  # nothing another process could open: queries go over HTTP

    def __init__(self, query_url: str, update_url: str | None = None, graph_store_url: str | None = None,
                 timeout: float | None = None):
        self.client = Client()
        self.query_url = self.client.endpoint(query_url)
        self.update_url = update_url and self.client.endpoint(update_url)
        self.graph_store_url = graph_store_url and self.client.endpoint(graph_store_url)
        self.timeout = settings.value("remote_timeout") if timeout is None else timeout
        self.path = self.query_url
        self.manifest = self._read_manifest()

    @classmethod
    def open(cls, query_url: str, update_url: str | None = None, graph_store_url: str | None = None,
             timeout: float | None = None) -> "RemoteStore":
        return cls(query_url, update_url, graph_store_url, timeout)

    # manifest ---------------------------------------------------------------------
    def _read_manifest(self) -> dict:
        rows = list(self.query(f"SELECT ?p ?o WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ <{MANIFEST_GRAPH}> ?p ?o }} }}",
                               use_default_graph_as_union=True))
        values = {row["p"].value: row["o"].value for row in rows}
        return {"base": values[BASE], "generation": int(values.get(GENERATION, 0))} if BASE in values else {}

    def refresh_manifest(self) -> dict:
        self.manifest = self._read_manifest()
        return self.manifest

    def changed_since(self, generation: int) -> bool:
        return self._read_manifest().get("generation", 0) != generation

    def reopen(self) -> "RemoteStore":
        self.refresh_manifest()
        return self

    @property
    def base(self) -> str:
        if "base" not in self.manifest:
            raise RemoteError(f"{self.query_url}: this dataset holds no knowledge graph (run `kg build --endpoint …` first)")
        return self.manifest["base"]

    @property
    def generation(self) -> int:
        return self.manifest.get("generation", 0)

    @staticmethod
    def _manifest_graph(base: str, generation: int) -> Graphs:
        triples = (f"<{MANIFEST_GRAPH}> <{BASE}> {ox.Literal(base)} .\n"
                   f"<{MANIFEST_GRAPH}> <{GENERATION}> {ox.Literal(str(generation), datatype=XSD_INTEGER)} .\n")
        return {MANIFEST_GRAPH: triples}

    def publish(self) -> None:
        self.replace_graphs(self._manifest_graph(self.base, self.generation + 1))
        self.refresh_manifest()

    # reading ----------------------------------------------------------------------
    def query(self, sparql: str, *, substitutions: dict | None = None, default_graph=None, named_graphs=None,
              base_iri: str | None = None, use_default_graph_as_union: bool = True):
        text = with_values(sparql, substitutions or {})
        if base_iri:
            text = f"BASE <{base_iri}>\n{text}"
        fields = [("query", text)]
        for graph in default_graph or []:
            fields.append(("default-graph-uri", getattr(graph, "value", "")))
        for graph in named_graphs or []:
            fields.append(("named-graph-uri", graph.value))
        if default_graph and not any(getattr(g, "value", None) for g in default_graph):
            fields = [f for f in fields if f[0] != "default-graph-uri"]
        kind = query_text.form(text)
        # a query answering with triples asks for them first: some servers answer a CONSTRUCT with bindings otherwise
        accept = f"{TRIPLES}, {TURTLE};q=0.9, {RESULTS};q=0.8" if kind in GRAPH_FORMS else f"{RESULTS}, {TRIPLES};q=0.9"
        try:
            body, headers = self._send("POST", self.query_url, urllib.parse.urlencode(fields).encode(),
                                       {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
        except Refused as refusal:
            if refusal.status == 400:
                raise SyntaxError(refusal.message) from refusal
            raise
        if "X-SPARQL-MaxRows" in headers:
            raise RemoteError(f"{self.query_url}: the server returned only its first {headers['X-SPARQL-MaxRows']} results "
                              "(Virtuoso: raise ResultSetMaxRows in the [SPARQL] section of virtuoso.ini)")
        return self._result(body, headers.get("Content-Type", ""), is_ask=kind == "ASK")

    def _result(self, body: bytes, media: str, is_ask: bool):
        """The server's answer as pyoxigraph objects, with some servers' habits undone."""
        if media.startswith(TRIPLES) or media.startswith(TURTLE):
            return GraphResult(ox.parse(body, ox.RdfFormat.N_TRIPLES if media.startswith(TRIPLES) else ox.RdfFormat.TURTLE))
        if b"nodeID://" in body:
            body = VIRTUOSO_BNODE.sub(rb"\1", body)
        result = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
        if is_ask and isinstance(result, ox.QuerySolutions):  # Virtuoso: one solution binding __ASK_RETVAL
            return _as_boolean(result, self.query_url)
        return result

    def graph_names(self) -> list[str]:
        return self._graphs_under(self.base)

    def _graphs_under(self, base: str) -> list[str]:
        rows = self.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {Minter(base).graph_filter('?g')} }}")
        return sorted(row["g"].value for row in rows)

    def quads(self, graph: str | None = None) -> list[ox.Quad]:
        if graph:
            rows = self.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
            return [ox.Quad(r["s"], r["p"], r["o"], ox.NamedNode(graph)) for r in rows]
        rows = self.query(f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {Minter(self.base).graph_filter('?g')} }}")
        return [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows]

    # writing ----------------------------------------------------------------------
    def update(self, sparql: str) -> None:
        if not self.update_url:
            raise RemoteError(f"{self.query_url}: writing needs an update endpoint (--update-endpoint) or a graph store (--graph-store)")
        try:
            self._send("POST", self.update_url, urllib.parse.urlencode({"update": sparql}).encode(),
                       {"Content-Type": "application/x-www-form-urlencoded", "Accept": "*/*"})
        except Refused as refusal:
            raise RemoteError(f"{refusal.url} refused the update: {refusal.message}") from refusal

    def replace_graphs(self, graphs: Graphs) -> None:
        if not self.graph_store_url:
            return self.update(replace_update(graphs))
        for iri, triples in graphs.items():
            self._store_graph(iri, triples)

    def rebuild(self, graphs: Graphs, base: str) -> None:
        """Replace the knowledge graph's graphs (under the old base IRI and the new one)."""
        bases = dict.fromkeys([self.manifest.get("base", base), base])
        manifest = self._manifest_graph(base, self.generation + 1)
        if self.graph_store_url:
            stale = {iri for b in bases for iri in self._graphs_under(b)} - graphs.keys()
            self.replace_graphs(graphs)
            for iri in sorted(stale):
                self._store_graph(iri, None)
            self.replace_graphs(manifest)
        else:
            drops = "".join(f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {Minter(b).graph_filter('?g')} }} ;\n"
                            for b in bases)
            self.update(f"{drops}DROP SILENT GRAPH <{MANIFEST_GRAPH}> ;\nINSERT DATA {{\n{graph_blocks({**graphs, **manifest})}}}")
        self.refresh_manifest()

    def _store_graph(self, iri: str, triples: str | None) -> None:
        """Put a graph's N-Triples into the graph store, or delete the graph (None)."""
        url = f"{self.graph_store_url}{'&' if '?' in self.graph_store_url else '?'}graph={urllib.parse.quote(iri, safe='')}"
        try:
            if triples is None:
                self._send("DELETE", url, None, {})
            else:
                self._send("PUT", url, triples.encode("utf-8"), {"Content-Type": TRIPLES})
        except Refused as refusal:
            if not (triples is None and refusal.status == 404):  # already gone
                raise RemoteError(f"{self.graph_store_url} refused to store <{iri}>: {refusal.status} {refusal.message}") from refusal

    def _send(self, method: str, url: str, data: bytes | None, headers: dict):
        return self.client.send(method, url, data, headers, self.timeout)
