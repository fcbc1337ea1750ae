"""Dumps of the whole dataset or of one named graph, written by pyoxigraph."""
from __future__ import annotations

from typing import BinaryIO, Iterable

import pyoxigraph as ox

from . import formats
from .interface import Store
from .store import StoreError


def export(store: Store, out: BinaryIO, key: str, graph: str | None = None) -> None:
    """Write one graph, or every graph of the knowledge graph."""
    if graph is not None and graph not in store.graph_names():
        raise StoreError(f"--graph {graph}: no such named graph in {store.path}")
    write_quads(store.quads(graph), out, key)


def write_quads(quads: Iterable[ox.Quad], out: BinaryIO, key: str) -> None:
    """Quads in the RDF format `key`; a format without graphs gets their union, not saying which
    graph a triple is in."""
    fmt = formats.named(key, formats.RDF)
    ox.serialize(quads if fmt.quads else (q.triple for q in quads), output=out, format=fmt.oxigraph)
    out.flush()
