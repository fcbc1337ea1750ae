"""Dumps of the whole dataset or of one named graph, written by pyoxigraph."""
from __future__ import annotations

from typing import BinaryIO

import pyoxigraph as ox

from .store import KnowledgeStore, StoreError

EXPORT_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS,
                  "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD, "xml": ox.RdfFormat.RDF_XML}
QUAD_FORMATS = {"nq", "trig", "jsonld"}


def export(store: KnowledgeStore, out: BinaryIO, fmt: str, graph: str | None = None) -> None:
    if hasattr(store, "quads"):  # a remote store: its quads, serialised here by pyoxigraph
        if graph is not None and graph not in store.graph_names():
            raise StoreError(f"--graph {graph}: no such named graph at {store.path}")
        quads = store.quads(graph)
        out.write(ox.serialize(quads if fmt in QUAD_FORMATS else [q.triple for q in quads], format=EXPORT_FORMATS[fmt]))
        out.flush()
        return
    if graph is not None:
        if graph not in store.graph_names():
            raise StoreError(f"--graph {graph}: no such named graph in {store.path}")
        store.store.dump(out, EXPORT_FORMATS[fmt], from_graph=ox.NamedNode(graph))
    elif fmt in QUAD_FORMATS:
        store.store.dump(out, EXPORT_FORMATS[fmt])
    else:
        # A triple format cannot say which graph a triple is in: write the union of all graphs.
        triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        triples.serialize(out, EXPORT_FORMATS[fmt])
    out.flush()
