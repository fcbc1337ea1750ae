"""Dumps of the whole dataset or of one named graph, written by pyoxigraph."""
from __future__ import annotations

from typing import BinaryIO

import pyoxigraph as ox

from .store import KnowledgeStore, StoreError

EXPORT_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS,
                  "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD, "xml": ox.RdfFormat.RDF_XML}
QUAD_FORMATS = {"nq", "trig", "jsonld"}


def export(store: KnowledgeStore, out: BinaryIO, fmt: str, graph: str | None = None) -> None:
    """Write one graph, or every graph (a triple format gets their union, not saying which graph a
    triple is in)."""
    if graph is not None and graph not in store.graph_names():
        raise StoreError(f"--graph {graph}: no such named graph in {store.path}")
    quads = store.quads(graph)
    ox.serialize(quads if fmt in QUAD_FORMATS else (q.triple for q in quads), output=out, format=EXPORT_FORMATS[fmt])
    out.flush()
