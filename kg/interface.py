"""What the `kg` command and the web front end may call on a store: the embedded store
(kg.store.KnowledgeStore) and a remote SPARQL server (kg.remote.RemoteStore) both offer it."""
from __future__ import annotations

from typing import Iterable, Protocol, runtime_checkable

import pyoxigraph as ox

Graphs = dict[str, str]  # named graphs on their way into a store: graph IRI -> N-Triples


@runtime_checkable
class Store(Protocol):
    path: object            # what messages name the store by: its directory or its endpoint's URL
    snapshot: str | None    # a directory another process may open read-only to query, or None

    @property
    def base(self) -> str: ...

    @property
    def generation(self) -> int: ...

    def query(self, sparql: str, **options):
        """Run a query with pyoxigraph's query options (substitutions, default_graph, named_graphs,
        use_default_graph_as_union, base_iri); the default graph is the union of the named graphs.
        A deadline is the caller's: the web front end runs queries in processes it can stop."""

    def graph_names(self) -> list[str]: ...

    def quads(self, graph: str | None = None) -> Iterable[ox.Quad]:
        """One named graph's quads, or those of every graph of the knowledge graph."""

    def replace_graphs(self, graphs: Graphs) -> None:
        """Drop and rewrite these named graphs, all of them or none."""

    def publish(self) -> None:
        """Make what was written visible to readers as the next generation."""

    def changed_since(self, generation: int) -> bool:
        """Whether a generation other than this one has been published since."""

    def reopen(self) -> "Store":
        """The store as of its newest generation."""
