"""A remote SPARQL 1.1 server as the store: queries over the SPARQL Protocol, writes as SPARQL
Update. The server must expose the union of its named graphs as the default graph (Oxigraph:
`--union-default-graph`), as the embedded store does for every query.

The manifest (base IRI, generation) lives in the dataset itself, in the graph <urn:mzkg:manifest>.
The knowledge graph's own graphs are those named under `{base}graph/`; a build replaces them, and
only them, in one update request, which a transactional server such as Oxigraph applies at once
(readers see the old graphs or the new ones). Other graphs on the server are left as they are.
"""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
from rdflib import Graph

from .results import GraphResult
from .store import Graphs, StoreError, graph_blocks, replace_update

MANIFEST_GRAPH = "urn:mzkg:manifest"
BASE = "urn:mzkg:base"
GENERATION = "urn:mzkg:generation"
RESULTS = "application/sparql-results+json"
TRIPLES = "application/n-triples"


class RemoteError(StoreError):
    pass


class RemoteTimeout(RemoteError):
    pass


def brief(message: str, limit: int = 600) -> str:
    """A server's error message, cut short: some servers quote the whole request back."""
    message = message.strip()
    return message if len(message) <= limit else message[:limit].rstrip() + f" … ({len(message) - limit} more characters)"


def ours(variable: str, base: str) -> str:
    """A filter keeping the graphs of the knowledge graph with this base IRI (see Minter.graph)."""
    return f"FILTER(STRSTARTS(STR({variable}), {ox.Literal(base + 'graph/')}))"


def with_values(sparql: str, substitutions: dict) -> str:
    """Bindings as a trailing VALUES clause: the same solutions as pyoxigraph's substitutions,
    which also require the bound variables to be projected."""
    if not substitutions:
        return sparql
    names = " ".join(f"?{variable.value}" for variable in substitutions)
    terms = " ".join(str(term) for term in substitutions.values())
    return f"{sparql}\nVALUES ({names}) {{ ({terms}) }}"


class RemoteStore:
    def __init__(self, query_url: str, update_url: str | None = None, timeout: float = 60):
        self.query_url = query_url
        self.update_url = update_url
        self.timeout = timeout
        self.path = query_url
        self.opened = query_url
        self.manifest = self._read_manifest()

    @classmethod
    def open(cls, query_url: str, update_url: str | None = None, timeout: float = 60) -> "RemoteStore":
        return cls(query_url, update_url, timeout)

    # manifest ---------------------------------------------------------------------
    def _read_manifest(self) -> dict:
        rows = list(self.query(f"SELECT ?p ?o WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ <{MANIFEST_GRAPH}> ?p ?o }} }}",
                               use_default_graph_as_union=True))
        values = {row["p"].value: row["o"].value for row in rows}
        return {"base": values[BASE], "generation": int(values.get(GENERATION, 0))} if BASE in values else {}

    def refresh_manifest(self) -> dict:
        self.manifest = self._read_manifest()
        return self.manifest

    @property
    def base(self) -> str:
        if "base" not in self.manifest:
            raise RemoteError(f"{self.query_url}: this dataset holds no knowledge graph (run `kg build --endpoint …` first)")
        return self.manifest["base"]

    @property
    def generation(self) -> int:
        return self.manifest.get("generation", 0)

    def _manifest_update(self, base: str, generation: int) -> str:
        return (f"DROP SILENT GRAPH <{MANIFEST_GRAPH}> ;\nINSERT DATA {{ GRAPH <{MANIFEST_GRAPH}> {{ <{MANIFEST_GRAPH}> "
                f"<{BASE}> {ox.Literal(base)} ; <{GENERATION}> {ox.Literal(str(generation), datatype=ox.NamedNode('http://www.w3.org/2001/XMLSchema#integer'))} }} }}")

    def publish(self) -> None:
        self.update(self._manifest_update(self.base, self.generation + 1))
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
        body, media = self._post(self.query_url, urllib.parse.urlencode(fields).encode(),
                                 "application/x-www-form-urlencoded", f"{RESULTS}, {TRIPLES};q=0.9")
        if media.startswith(TRIPLES) or media.startswith("text/turtle"):
            return GraphResult(ox.parse(body, ox.RdfFormat.N_TRIPLES if media.startswith(TRIPLES) else ox.RdfFormat.TURTLE))
        return ox.parse_query_results(body, ox.QueryResultsFormat.JSON)

    def graph_names(self) -> list[str]:
        rows = self.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {ours('?g', self.base)} }}")
        return sorted(row["g"].value for row in rows)

    def graph(self, graph_iri: str) -> Graph:
        triples = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}")
        return Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), format="nt")

    def quads(self, graph: str | None = None) -> list[ox.Quad]:
        if graph:
            rows = self.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
            return [ox.Quad(r["s"], r["p"], r["o"], ox.NamedNode(graph)) for r in rows]
        rows = self.query(f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {ours('?g', self.base)} }}")
        return [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows]

    # writing ----------------------------------------------------------------------
    def update(self, sparql: str) -> None:
        if not self.update_url:
            raise RemoteError(f"{self.query_url}: writing needs an update endpoint (--update-endpoint)")
        try:
            self._post(self.update_url, urllib.parse.urlencode({"update": sparql}).encode(),
                       "application/x-www-form-urlencoded", "*/*")
        except SyntaxError as error:  # a 400: the server would not apply it
            raise RemoteError(f"{self.update_url} refused the update: {error}") from error

    def replace_graphs(self, graphs: Graphs) -> None:
        self.update(replace_update(graphs))

    def rebuild(self, graphs: Graphs, base: str) -> None:
        """Replace the knowledge graph's graphs (under the old base IRI and the new one) in one update
        request."""
        drops = "".join(f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {ours('?g', b)} }} ;\n"
                        for b in dict.fromkeys([self.manifest.get("base", base), base]))
        self.update(f"{drops}INSERT DATA {{\n{graph_blocks(graphs)}}} ;\n{self._manifest_update(base, self.generation + 1)}")
        self.refresh_manifest()

    def _post(self, url: str, data: bytes, content_type: str, accept: str) -> tuple[bytes, str]:
        request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type, "Accept": accept})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            message = brief(error.read().decode("utf-8", "replace"))
            if error.code == 400:
                raise SyntaxError(message) from error
            raise RemoteError(f"{url}: {error.code} {message}") from error
        except TimeoutError as error:
            raise RemoteTimeout(f"{url}: no answer within {self.timeout:g} s") from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise RemoteTimeout(f"{url}: no answer within {self.timeout:g} s") from error
            raise RemoteError(f"{url}: {error.reason}") from error
