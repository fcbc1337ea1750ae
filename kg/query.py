"""Running SPARQL against the store and writing results with pyoxigraph's own serialisers."""
from __future__ import annotations

from typing import BinaryIO

import pyoxigraph as ox

import queries

from .results import is_graph
from .store import KnowledgeStore

RESULT_FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                  "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
GRAPH_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "xml": ox.RdfFormat.RDF_XML,
                 "jsonld": ox.RdfFormat.JSON_LD, "nq": ox.RdfFormat.N_QUADS}
QUERY_FORMATS = set(RESULT_FORMATS) | set(GRAPH_FORMATS)


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


def run_query(store: KnowledgeStore, text: str, out: BinaryIO, fmt: str | None = None,
              saved: queries.SavedQuery | None = None, bindings: dict[str, str] | None = None) -> None:
    try:
        result = store.query(text, substitutions=bind(saved, bindings or {}))
    except SyntaxError as error:
        raise QueryError(f"SPARQL syntax error: {error}") from error
    except (RuntimeError, OSError) as error:
        raise QueryError(f"the query failed: {error}") from error
    if is_graph(result):
        fmt = fmt or "ttl"
        if fmt not in GRAPH_FORMATS:
            raise QueryError(f"--format {fmt} is for SELECT/ASK results; a graph result takes one of {', '.join(sorted(GRAPH_FORMATS))}")
        result.serialize(out, GRAPH_FORMATS[fmt])
    else:
        fmt = fmt or "csv"
        if fmt not in RESULT_FORMATS:
            raise QueryError(f"--format {fmt} is for graph results; SELECT/ASK take one of {', '.join(sorted(RESULT_FORMATS))}")
        result.serialize(out, RESULT_FORMATS[fmt])
    out.flush()
