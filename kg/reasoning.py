"""OWL 2 RL reasoning, kept bounded.

owlrl is pure Python and re-reads the whole graph on every pass, so its cost grows with the data. The
ontology is small and fixed, though: it is compiled once into lookup tables (`TBox`): for each class
its superclasses, for each property its superproperties, domains, ranges and inverses, and which
properties are transitive or symmetric. `TBox.entailments` applies OWL 2 RL's instance-level rules
(cax-sco, cax-eqc, cls-uni, prp-dom, prp-rng, prp-spo1, prp-eqp, prp-inv1/2, prp-symp, prp-trp) with
those tables to one graph at a time, in time linear in what it derives. It reads and writes N-Triples,
the form graphs travel in during a build, and works on the terms as N-Triples strings. The ontology's
own closure is owlrl's, computed once per build and stored apart (`TBox.schema_entailments`).

Two guards keep the result equal to owlrl's (tests/test_reasoning.py checks it on the bundled corpus
and on random graphs): an ontology using a construct the tables do not cover (property chains,
restrictions, keys, functional properties…) is refused when compiled, and data that carries schema
or equality triples of its own is handed to owlrl whole.
"""
from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from functools import cached_property

import owlrl
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal
from rdflib.collection import Collection
from rdflib.namespace import XSD

from .store import to_ntriples

TYPE = RDF.type.n3()
_UNINFORMATIVE_TYPES = {OWL.Thing.n3(), RDFS.Resource.n3(), OWL.NamedIndividual.n3()}
_XSD, _OWL = f"<{XSD}", f"<{OWL}"

# OWL 2 RL constructs that entail new instance triples but have no table here: an ontology using one
# is refused rather than reasoned about partly.
_UNSUPPORTED_PREDICATES = {
    OWL.propertyChainAxiom, OWL.hasKey, OWL.hasValue, OWL.someValuesFrom, OWL.allValuesFrom,
    OWL.intersectionOf, OWL.oneOf, OWL.maxCardinality, OWL.maxQualifiedCardinality, OWL.cardinality,
    OWL.qualifiedCardinality,
}
_UNSUPPORTED_TYPES = {OWL.FunctionalProperty, OWL.InverseFunctionalProperty}

# Triples in the data that change the schema or equate resources: owlrl handles those.
_SCHEMA_PREDICATES = {t.n3() for t in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.sameAs)}
_META_CLASSES = {t.n3() for t in (RDFS.Class, RDF.Property, RDFS.Datatype)}
_VERSION_INFO, _SAME_AS = OWL.versionInfo.n3(), OWL.sameAs.n3()


class UnsupportedAxiom(Exception):
    pass


def triples_of(ntriples: str) -> list[tuple[str, str, str]]:
    """(subject, predicate, object) strings of each N-Triples line, as pyoxigraph writes them: terms
    separated by single spaces, and only the last one (a literal) may contain any."""
    triples = []
    for line in ntriples.splitlines():
        if line:
            s, p, rest = line.split(" ", 2)
            triples.append((s, p, rest[:-2]))
    return triples


def lines_of(triples) -> str:
    return "".join(f"{s} {p} {o} .\n" for s, p, o in triples)


def closure(graph: Graph) -> Graph:
    """owlrl's OWL 2 RL closure of a copy of graph."""
    expanded = Graph()
    for triple in graph:
        expanded.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(expanded)
    return expanded


@dataclass
class TBox:
    """An ontology compiled into lookup tables for instance reasoning; terms are N-Triples strings."""
    ontology: Graph
    ntriples: str = ""
    asserted: frozenset = frozenset()
    superclasses: dict = field(default_factory=dict)
    superproperties: dict = field(default_factory=dict)
    domains: dict = field(default_factory=dict)
    ranges: dict = field(default_factory=dict)
    inverses: dict = field(default_factory=dict)
    symmetric: frozenset = frozenset()
    transitive: frozenset = frozenset()

    @classmethod
    def of(cls, ontology: Graph) -> "TBox":
        """The tables, read off the ontology as written: the instance rules are applied until nothing
        new follows, so what the schema rules would add (a domain inherited from a superproperty, say)
        is reached through the instances instead."""
        _refuse_unsupported(ontology)
        ntriples = to_ntriples(ontology)
        subclass = _pairs(ontology, RDFS.subClassOf, OWL.equivalentClass)
        for union in ontology.subjects(OWL.unionOf, None):
            for member in Collection(ontology, ontology.value(union, OWL.unionOf)):
                subclass[_key(member)].add(_key(union))  # cls-uni: a member's instance is the union's instance
        return cls(ontology, ntriples, frozenset(triples_of(ntriples)),
                   superclasses=_transitive(subclass),
                   superproperties=_transitive(_pairs(ontology, RDFS.subPropertyOf, OWL.equivalentProperty)),
                   domains=_pairs(ontology, RDFS.domain),
                   ranges=_pairs(ontology, RDFS.range),
                   inverses=_pairs(ontology, OWL.inverseOf, OWL.inverseOf),
                   symmetric=frozenset(_key(p) for p in ontology.subjects(RDF.type, OWL.SymmetricProperty)),
                   transitive=frozenset(_key(p) for p in ontology.subjects(RDF.type, OWL.TransitiveProperty)))

    @cached_property
    def closed(self) -> frozenset[tuple[str, str, str]]:
        """owlrl's closure of the ontology alone, computed once."""
        return frozenset(triples_of(_rdf(closure(self.ontology))))

    def schema_entailments(self) -> set[tuple[str, str, str]]:
        """The ontology's own closure: the informative triples owlrl adds to it."""
        return _new_and_informative(self.closed, self.asserted)

    def owlrl_entailments(self, data: Graph) -> set[tuple[str, str, str]]:
        """What owlrl adds to data with this ontology, informative triples only, beyond data and the
        ontology's own closure: the reference the tables are checked against."""
        combined = Graph()
        for source in (self.ontology, data):
            for triple in source:
                combined.add(triple)
        excluded = set(triples_of(to_ntriples(data))) | self.closed
        return _new_and_informative(triples_of(_rdf(closure(combined))), excluded)

    def entailments(self, data: str) -> set[tuple[str, str, str]]:
        """The informative triples OWL 2 RL adds to data (N-Triples) with this ontology, beyond data
        itself and the ontology."""
        asserted = set(triples_of(data))
        if _carries_schema(asserted):
            return self.owlrl_entailments(Graph().parse(data=data, format="nt"))
        return _new_and_informative(self._derive(asserted) - asserted, self.asserted)

    def _derive(self, asserted: set) -> set:
        known = set(asserted)
        superclasses, plain = self.superclasses, self._plain_types
        if plain:
            # rdf:type has no property axioms of its own, so a type triple's only consequences are its
            # superclasses: they are added with it, and only the other triples go through the queue
            def add_type(s, c):
                if (s, TYPE, c) not in known:
                    known.add((s, TYPE, c))
                    for d in superclasses.get(c, ()):
                        known.add((s, TYPE, d))

            for s, p, o in asserted:
                if p == TYPE:
                    for d in superclasses.get(o, ()):
                        known.add((s, TYPE, d))
            queue = deque(t for t in asserted if t[1] != TYPE)
        else:
            def add_type(s, c):
                add((s, TYPE, c))

            queue = deque(known)
        outgoing = defaultdict(lambda: defaultdict(set))  # transitive p -> s -> {o}
        incoming = defaultdict(lambda: defaultdict(set))  # transitive p -> o -> {s}

        def add(triple):
            if plain and triple[1] == TYPE:
                add_type(triple[0], triple[2])
            elif triple not in known:
                known.add(triple)
                queue.append(triple)

        for s, p, o in asserted:
            if p in self.transitive:
                outgoing[p][s].add(o)
                incoming[p][o].add(s)
        while queue:
            s, p, o = queue.popleft()
            if s[0] == '"':  # a literal: only a range can make one a subject, and nothing follows
                continue
            if p == TYPE:
                for c in superclasses.get(o, ()):
                    add((s, TYPE, c))
            for c in self.domains.get(p, ()):
                add_type(s, c)
            for q in self.superproperties.get(p, ()):
                add((s, q, o))
            if o[0] == '"':
                continue
            for c in self.ranges.get(p, ()):
                add_type(o, c)
            for q in self.inverses.get(p, ()):
                add((o, q, s))
            if p in self.symmetric:
                add((o, p, s))
            if p in self.transitive:
                outgoing[p][s].add(o)
                incoming[p][o].add(s)
                for z in list(outgoing[p].get(o, ())):
                    add((s, p, z))
                for w in list(incoming[p].get(s, ())):
                    add((w, p, o))
        return known

    @cached_property
    def _plain_types(self) -> bool:
        return not any(TYPE in table for table in (self.domains, self.ranges, self.superproperties, self.inverses,
                                                   self.symmetric, self.transitive))


def _rdf(graph: Graph) -> str:
    """N-Triples for an owlrl closure, leaving out its generalised triples (a literal as subject),
    which RDF cannot hold and which are never informative."""
    return to_ntriples(t for t in graph if not isinstance(t[0], Literal))


def _key(term) -> str:
    return f"_:{term}" if isinstance(term, BNode) else term.n3()


def _pairs(graph: Graph, predicate, both_ways=None) -> dict:
    """subject -> objects of predicate; with both_ways, that predicate's pairs count in both directions."""
    table = defaultdict(set)
    for s, o in graph.subject_objects(predicate):
        table[_key(s)].add(_key(o))
    if both_ways is not None:
        for s, o in graph.subject_objects(both_ways):
            table[_key(s)].add(_key(o))
            table[_key(o)].add(_key(s))
    return table


def _transitive(table: dict) -> dict:
    closed = {}
    for start in list(table):
        seen, stack = set(), list(table[start])
        while stack:
            node = stack.pop()
            if node not in seen and node != start:
                seen.add(node)
                stack.extend(table.get(node, ()))
        closed[start] = frozenset(seen)
    return closed


def _refuse_unsupported(ontology: Graph) -> None:
    for predicate in _UNSUPPORTED_PREDICATES:
        for s in ontology.subjects(predicate, None):
            raise UnsupportedAxiom(f"the ontology uses {predicate.n3()} (on {s.n3()}), which kg.reasoning cannot apply")
    for kind in _UNSUPPORTED_TYPES:
        for s in ontology.subjects(RDF.type, kind):
            raise UnsupportedAxiom(f"the ontology declares {s.n3()} a {kind.n3()}, which kg.reasoning cannot apply")
    for s, o in ontology.subject_objects(OWL.sameAs):
        if s != o:
            raise UnsupportedAxiom(f"the ontology equates {s.n3()} and {o.n3()} (owl:sameAs), which kg.reasoning cannot apply")


def _carries_schema(triples) -> bool:
    for s, p, o in triples:
        if p in _SCHEMA_PREDICATES or (p.startswith(_OWL) and p != _VERSION_INFO):
            return True
        if p == TYPE and (o in _META_CLASSES or (o.startswith(_OWL) and o not in _UNINFORMATIVE_TYPES)):
            return True
    return False


def _new_and_informative(triples, excluded) -> set[tuple[str, str, str]]:
    return {t for t in triples if t not in excluded and _informative(*t)}


def _informative(s: str, p: str, o: str) -> bool:
    """Leave out owlrl's bookkeeping: literal and blank-node triples, reflexive owl:sameAs, universal
    types, and facts about XML Schema datatypes (which datatypes the literals use, and that they differ)."""
    if s[0] != "<" or s.startswith(_XSD) or o.startswith("_:") or p[0] != "<":
        return False
    if s == o and p == _SAME_AS:
        return False
    if p == TYPE and (o in _UNINFORMATIVE_TYPES or o.startswith(_XSD)):
        return False
    return True

