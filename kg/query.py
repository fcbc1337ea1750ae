"""Running SPARQL against the store and writing results with pyoxigraph's own serialisers."""
from __future__ import annotations

from typing import BinaryIO

import pyoxigraph as ox

from mzkg import queries

from . import formats
from .interface import Store
from .results import is_graph

QUERY_FORMATS = formats.keys(formats.FORMATS)


class QueryError(Exception):
    pass


def bind(saved: queries.SavedQuery | None, values: dict[str, str]) -> dict[ox.Variable, object]:
    """Turn NAME=VALUE strings into pyoxigraph substitutions, checking them against the query's parameters."""
    if not values:
        return {}
    declared = {p.name: p for p in saved.parameters} if saved else {}
    substitutions = {}
    for name, value in values.items():
        if name not in declared:
            known = ", ".join(declared) or "none"
            raise QueryError(f"unknown parameter {name!r} (this query takes: {known})")
        substitutions[ox.Variable(name)] = term(declared[name].kind, value, name)
    return substitutions


def term(kind: str, value: str, name: str = "value"):
    value = value.strip()
    try:
        if kind == "iri":
            iri = value[1:-1] if value.startswith("<") and value.endswith(">") else value
            if not iri.startswith(("http://", "https://", "urn:")) or any(c in iri for c in ' <>"{}|\\^`'):
                raise ValueError("not an absolute IRI")
            return ox.NamedNode(iri)
        if kind == "integer":
            return ox.Literal(str(int(value)), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
        if kind == "decimal":
            float(value)
            return ox.Literal(value, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))
        if kind == "literal":
            return ox.Literal(value, language="zh")
        return ox.Literal(value)
    except ValueError as error:
        raise QueryError(f"parameter {name!r}: {value!r} is not a valid {kind} ({error})") from error


def run_query(store: Store, text: str, out: BinaryIO, fmt: str | None = None,
              saved: queries.SavedQuery | None = None, bindings: dict[str, str] | None = None) -> None:
    try:
        result = store.query(text, substitutions=bind(saved, bindings or {}))
    except SyntaxError as error:
        raise QueryError(f"SPARQL syntax error: {error}") from error
    except (RuntimeError, OSError) as error:
        raise QueryError(f"the query failed: {error}") from error
    graph = is_graph(result)
    offered = formats.RDF if graph else formats.RESULTS
    chosen = formats.named(fmt or ("ttl" if graph else "csv"), offered)
    if chosen is None:
        kinds = "a graph result" if graph else "SELECT/ASK results"
        raise QueryError(f"--format {fmt}: {kinds} take one of {', '.join(formats.keys(offered))}")
    result.serialize(out, chosen.oxigraph)
    out.flush()
