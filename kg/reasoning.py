"""OWL 2 RL reasoning with owlrl. Only the new, informative triples are kept as entailments."""
from __future__ import annotations

import owlrl
from rdflib import OWL, RDF, RDFS, BNode, Graph, URIRef
from rdflib.namespace import XSD

_UNINFORMATIVE_TYPES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual}


def closure(graph: Graph) -> Graph:
    expanded = Graph()
    for triple in graph:
        expanded.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(expanded)
    return expanded


def entailments(data: Graph, tbox: Graph, known: Graph | None = None) -> Graph:
    """Triples that OWL-RL adds to data + tbox, leaving out what tbox (or known) already holds and
    the bookkeeping owlrl produces (reflexive owl:sameAs, owl:Thing, literal and blank-node triples)."""
    combined = Graph()
    for source in (tbox, data):
        for triple in source:
            combined.add(triple)
    new = Graph()
    for s, p, o in closure(combined):
        if not _informative(s, p, o):
            continue
        if (s, p, o) in data or (s, p, o) in tbox or (known is not None and (s, p, o) in known):
            continue
        new.add((s, p, o))
    return new


def _informative(s, p, o) -> bool:
    if not isinstance(s, URIRef) or isinstance(o, BNode) or isinstance(p, BNode):
        return False
    if p == OWL.sameAs and s == o:
        return False
    if p == RDF.type and (o in _UNINFORMATIVE_TYPES or str(o).startswith(str(XSD))):
        return False
    return True
