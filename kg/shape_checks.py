"""The shapes evaluated in Python over one document's triples, as a build checks each document.

A build checks every document against ontology/shapes.ttl before it is stored. Loading each one
into a store to run the compiled queries (kg.shapes) costs more than parsing it; a document's graph
is small, and walking its triples once per shape is quick. The evaluator covers the same SHACL Core
components as the compiler and refuses any other. It sees what the compiled queries see in the
build's dataset: a document's graph holds everything said about the nodes it types, and the
reference graphs (ontology, gazetteer, vocabularies) add the types of the nodes it points to.
tests/test_validation.py checks that its findings equal pySHACL's and the compiled queries'.
"""
from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox
from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

from .shapes import _COMPARISONS, _PAIRS, SH, UnsupportedShape, _classes_only, _refuse_unknown, subclasses
from .store import load_graphs, ox_term
from .validation import Finding

_TYPE = str(RDF.type)
_TYPE_NODE = ox.NamedNode(_TYPE)
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_NUMERIC = {str(XSD[name]) for name in (
    "integer", "decimal", "float", "double", "nonPositiveInteger", "negativeInteger", "long", "int", "short", "byte",
    "nonNegativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte", "positiveInteger")}
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_FLOAT = re.compile(r"[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|INF)|NaN")
_DATE = re.compile(r"(-?\d{4,})-(\d\d)-(\d\d)(?:Z|[+-]\d\d:\d\d)?")
_DATETIME = re.compile(r"(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")


def _valid_date(m: re.Match | None) -> bool:
    try:
        return m is not None and bool(datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    except ValueError:
        return False


# what a literal of a datatype SPARQL can cast to must look like (an ill-formed one fails sh:datatype)
_LEXICAL = {
    str(XSD.string): lambda text: True,
    str(XSD.boolean): lambda text: text in ("true", "false", "1", "0"),
    str(XSD.integer): lambda text: _INTEGER.fullmatch(text) is not None,
    str(XSD.decimal): lambda text: _DECIMAL.fullmatch(text) is not None,
    str(XSD.float): lambda text: _FLOAT.fullmatch(text) is not None,
    str(XSD.double): lambda text: _FLOAT.fullmatch(text) is not None,
    str(XSD.date): lambda text: _valid_date(_DATE.fullmatch(text)),
    str(XSD.dateTime): lambda text: _valid_date(_DATETIME.fullmatch(text)) and int(_DATETIME.fullmatch(text).group(4)) < 24,
}


_FLOATS = {str(XSD.float), str(XSD.double)}
_XSD_DECIMAL, _XSD_STRING = str(XSD.decimal), str(XSD.string)


def _number(term) -> Decimal | float | None:
    """The value of a numeric literal; None for anything else or an ill-formed one."""
    if not isinstance(term, ox.Literal):
        return None
    datatype, text = term.datatype.value, term.value
    if datatype not in _NUMERIC:
        return None
    if datatype in _FLOATS:
        return float(text) if _FLOAT.fullmatch(text) else None
    if datatype == _XSD_DECIMAL:
        return Decimal(text) if _DECIMAL.fullmatch(text) else None
    return Decimal(text) if _INTEGER.fullmatch(text) else None


def _less(a, b, or_equal: bool) -> bool:
    """SPARQL's a < b (or a <= b); a type error is false."""
    x, y = _number(a), _number(b)
    if x is None or y is None:
        if not (isinstance(a, ox.Literal) and isinstance(b, ox.Literal) and a.datatype == b.datatype
                and a.datatype.value == _XSD_STRING and a.language is None and b.language is None):
            return False
        x, y = a.value, b.value
    try:
        return x <= y if or_equal else x < y
    except (TypeError, InvalidOperation):
        return False


class Reference:
    """The reference graphs (ontology, gazetteer, vocabularies) as the checks need them: the types
    of their nodes, and what they say about a node that a document's graph types too."""

    def __init__(self, graphs: dict[str, str]):
        self.store = ox.Store()
        load_graphs(self.store, graphs)
        types: dict[object, set[ox.NamedNode]] = defaultdict(set)
        for quad in self.store.quads_for_pattern(None, _TYPE_NODE, None):
            if isinstance(quad.object, ox.NamedNode):
                types[quad.subject].add(quad.object)
        self.types = {node: frozenset(value) for node, value in types.items()}

    def about(self, subject) -> list:
        return list(self.store.quads_for_pattern(subject, None, None))


class _Data:
    """One document's triples by subject, with what the reference graphs say about the nodes it types."""

    def __init__(self, about: dict, reference: Reference):
        self.values = dict(about)  # the nodes the reference also describes get copies with its values added
        self.reference_types = reference.types
        self.own_types = {node: {t for t in props[_TYPE_NODE] if isinstance(t, ox.NamedNode)}
                          for node, props in about.items() if props.get(_TYPE_NODE)}
        for node in [node for node in self.own_types if node in reference.types]:
            self.values[node] = props = {p: list(values) for p, values in about[node].items()}
            for quad in reference.about(node):
                props.setdefault(quad.predicate, []).append(quad.object)

    def types(self, term) -> set | frozenset:
        return self.own_types.get(term, _NONE) | self.reference_types.get(term, _NONE)

    def objects(self, term, predicate: ox.NamedNode) -> list:
        found = self.values.get(term)
        return found.get(predicate, []) if found else []


_NONE = frozenset()


def _key(term) -> str:
    """What a finding names a node by (the compiled queries' ?focus)."""
    return term.value


@dataclass(frozen=True)
class _ValueTest:
    """The value-level constraints of one shape: a node passes when it meets every one."""
    datatype: str | None
    classes: tuple[frozenset[ox.NamedNode], ...]
    node_kind: str | None
    min_length: int | None
    max_length: int | None
    pattern: re.Pattern | None
    allowed: tuple | None
    comparisons: tuple[tuple[str, Decimal], ...]
    alternatives: tuple | None  # of _ValueTest, ("has", predicate) or True: any one passes

    def passes(self, v, data: _Data) -> bool:
        if self.datatype is not None:
            if not isinstance(v, ox.Literal) or v.datatype.value != self.datatype:
                return False
            lexical = _LEXICAL.get(self.datatype)
            if lexical is not None and not lexical(v.value):
                return False
        for classes in self.classes:
            if not (data.types(v) & classes):
                return False
        if self.node_kind is not None and not _NODE_KINDS[self.node_kind](v):
            return False
        if self.min_length is not None or self.max_length is not None:
            if isinstance(v, ox.BlankNode):
                return False
            if self.min_length is not None and len(v.value) < self.min_length:
                return False
            if self.max_length is not None and len(v.value) > self.max_length:
                return False
        if self.pattern is not None and (isinstance(v, ox.BlankNode) or not self.pattern.search(v.value)):
            return False
        if self.allowed is not None and v not in self.allowed:
            return False
        for op, limit in self.comparisons:
            number = _number(v)
            if number is None or not _COMPARE[op](number, limit):
                return False
        if self.alternatives is not None and not any(_alternative_passes(a, v, data) for a in self.alternatives):
            return False
        return True


def _alternative_passes(alternative, v, data: _Data) -> bool:
    if alternative is True:
        return True
    if isinstance(alternative, tuple):
        return bool(data.objects(v, alternative[1]))
    return alternative.passes(v, data)


_NODE_KINDS = {
    str(SH.IRI): lambda v: isinstance(v, ox.NamedNode), str(SH.Literal): lambda v: isinstance(v, ox.Literal),
    str(SH.BlankNode): lambda v: isinstance(v, ox.BlankNode),
    str(SH.BlankNodeOrIRI): lambda v: isinstance(v, (ox.BlankNode, ox.NamedNode)),
    str(SH.BlankNodeOrLiteral): lambda v: isinstance(v, (ox.BlankNode, ox.Literal)),
    str(SH.IRIOrLiteral): lambda v: isinstance(v, (ox.NamedNode, ox.Literal)),
}
_COMPARE = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, "<": lambda a, b: a < b}


@dataclass(frozen=True)
class _Rule:
    """One shape (a node shape, or a property shape with its path) and its target classes."""
    severity: str
    targets: frozenset[ox.NamedNode]
    subjects_of: frozenset[ox.NamedNode]  # target predicates: the subjects of these are focus nodes too
    path: str | None
    message: str
    test: _ValueTest | None
    min_count: int | None
    max_count: int | None
    unique_lang: bool
    pairs: tuple[tuple[ox.NamedNode, str], ...]  # (other predicate, "<" or "<=")
    predicate: ox.NamedNode | None  # the path, as a term

    def findings(self, focus, data: _Data, passes) -> list[Finding]:
        if self.path is None:
            bad = self.test is not None and not passes(self.test, focus)
            return [Finding(self.severity, _key(focus), "", self.message or "the node does not conform")] if bad else []
        values = data.objects(focus, self.predicate)
        p = f"<{self.path}>"
        failed = []
        if self.test is not None and any(not passes(self.test, v) for v in values):
            failed.append(f"a value of {p} does not conform")
        distinct = len(set(values))
        if self.min_count is not None and distinct < self.min_count:
            failed.append(f"fewer than {self.min_count} values of {p}")
        if self.max_count is not None and distinct > self.max_count:
            failed.append(f"more than {self.max_count} values of {p}")
        if self.unique_lang:
            languages = [v.language for v in set(values) if isinstance(v, ox.Literal) and v.language]
            if len(languages) != len(set(languages)):
                failed.append(f"two values of {p} share a language")
        for other, op in self.pairs:
            others = data.objects(focus, other)
            if any(not _less(v, o, op == "<=") for v in values for o in others):
                failed.append(f"{p} is not {op} <{other.value}>")
        return [Finding(self.severity, _key(focus), self.path, self.message or reason) for reason in failed]


class ShapeChecker:
    """Checks one document's triples (pyoxigraph terms) against the shapes."""

    def __init__(self, shapes: Graph, ontology: Graph, reference: Reference):
        self.rules = _rules(shapes, ontology)
        self.by_predicate: dict[ox.NamedNode, list[_Rule]] = defaultdict(list)
        for rule in self.rules:
            for predicate in rule.subjects_of:
                self.by_predicate[predicate].append(rule)
        self.reference = reference
        self._by_types: dict[frozenset, list[_Rule]] = {}  # the rules for nodes of these types
        self._by_predicates: dict[tuple[frozenset, frozenset], list[_Rule]] = {}

    def check(self, triples) -> list[Finding]:
        """The findings about the nodes some triples type."""
        return self.check_by_subject(by_subject(triples))

    def check_by_subject(self, about: dict) -> list[Finding]:
        """The same, given the triples by subject and predicate ({subject: {predicate: [objects]}})."""
        data = _Data(about, self.reference)
        memo: dict[tuple[int, object], bool] = {}  # a value's outcome under one test: values recur

        def passes(test: _ValueTest, v) -> bool:
            outcome = memo.get((id(test), v))
            if outcome is None:
                outcome = memo[(id(test), v)] = test.passes(v, data)
            return outcome

        found = set()
        for focus, types in data.own_types.items():
            for rule in self._rules_for(frozenset(types)):
                found.update(rule.findings(focus, data, passes))
        for focus, values in about.items():
            for rule in self._rules_for_predicates(frozenset(values), frozenset(data.types(focus))):
                found.update(rule.findings(focus, data, passes))
        return sorted(found)

    def _rules_for_predicates(self, predicates: frozenset, types: frozenset) -> list[_Rule]:
        """The rules targeting subjects of these predicates, but for those the node's types have run already."""
        key = (predicates, types)
        rules = self._by_predicates.get(key)
        if rules is None:
            chosen = {rule for predicate in predicates for rule in self.by_predicate.get(predicate, ())}
            rules = self._by_predicates[key] = [rule for rule in self.rules if rule in chosen and not (types & rule.targets)]
        return rules

    def _rules_for(self, types: frozenset) -> list[_Rule]:
        rules = self._by_types.get(types)
        if rules is None:
            rules = self._by_types[types] = [rule for rule in self.rules if types & rule.targets]
        return rules


def by_subject(triples) -> dict:
    about: dict = defaultdict(lambda: defaultdict(list))
    for t in triples:
        about[t.subject][t.predicate].append(t.object)
    return about


# from the shapes graph to rules ----------------------------------------------------------
def _rules(shapes: Graph, ontology: Graph) -> list[_Rule]:
    """The rules of every shape with a target class or target predicates. SHACL-SPARQL constraints
    (sh:sparql) are left to the compiled queries (kg.shapes, `kg validate`): they need a store to run in,
    and the one there is, about passages, holds by how the writer makes them."""
    rules = []
    for shape in sorted(set(shapes.subjects(SH.targetClass, None)) | set(shapes.subjects(SH.targetSubjectsOf, None))):
        if (shape, SH.deactivated, Literal(True)) in shapes:
            continue
        targets = _nodes(subclasses(ontology, list(shapes.objects(shape, SH.targetClass))))
        subjects_of = _nodes(shapes.objects(shape, SH.targetSubjectsOf))
        rules.append(_rule(shapes, ontology, shape, targets, subjects_of, None))
        for prop in shapes.objects(shape, SH.property):
            rules.append(_rule(shapes, ontology, prop, targets, subjects_of, shapes.value(prop, SH.path)))
    return rules


def _rule(shapes: Graph, ontology: Graph, shape, targets: frozenset, subjects_of: frozenset, path) -> _Rule:
    _refuse_unknown(shapes, shape)
    if path is not None and not isinstance(path, URIRef):
        raise UnsupportedShape(f"{shape.n3()}: only predicate paths are supported, not {path.n3()}")
    low, high = shapes.value(shape, SH.minCount), shapes.value(shape, SH.maxCount)
    pairs = tuple((ox.NamedNode(other), op) for parameter, op in _PAIRS.items() if (other := shapes.value(shape, parameter)) is not None)
    return _Rule(
        severity=str(shapes.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1],
        targets=targets,
        subjects_of=subjects_of,
        path=str(path) if path is not None else None,
        message=str(shapes.value(shape, SH.message) or ""),
        test=_value_test(shapes, ontology, shape),
        min_count=int(low) if low is not None else None,
        max_count=int(high) if high is not None else None,
        unique_lang=shapes.value(shape, SH.uniqueLang) == Literal(True),
        pairs=pairs,
        predicate=ox.NamedNode(path) if path is not None else None,
    )


def _value_test(shapes: Graph, ontology: Graph, shape) -> _ValueTest | None:
    value = lambda parameter: shapes.value(shape, parameter)
    datatype = value(SH.datatype)
    classes = tuple(_nodes(subclasses(ontology, [c])) for c in shapes.objects(shape, SH["class"]))
    pattern, flags = value(SH.pattern), value(SH.flags)
    allowed = value(SH["in"])
    comparisons = []
    for parameter, op in _COMPARISONS.items():
        limit = value(parameter)
        if limit is not None:
            if not isinstance(limit.toPython(), (int, Decimal, float)):
                raise UnsupportedShape(f"{shape.n3()}: only numeric limits are supported, not {limit.n3()}")
            comparisons.append((op, Decimal(str(limit))))
    alternatives = value(SH["or"])
    if alternatives is not None:
        members = list(Collection(shapes, alternatives))
        only = _classes_only(shapes, members)
        if only:
            classes += (_nodes(subclasses(ontology, only)),)
            alternatives = None
        else:
            alternatives = tuple(_alternative(shapes, ontology, member) for member in members)
    test = _ValueTest(
        datatype=str(datatype) if datatype is not None else None,
        classes=classes,
        node_kind=str(value(SH.nodeKind)) if value(SH.nodeKind) is not None else None,
        min_length=int(value(SH.minLength)) if value(SH.minLength) is not None else None,
        max_length=int(value(SH.maxLength)) if value(SH.maxLength) is not None else None,
        pattern=re.compile(str(pattern), _flags(str(flags or ""))) if pattern is not None else None,
        allowed=tuple(_ox(x) for x in Collection(shapes, allowed)) if allowed is not None else None,
        comparisons=tuple(comparisons),
        alternatives=alternatives,
    )
    return None if test == _EMPTY else test


def _alternative(shapes: Graph, ontology: Graph, member):
    _refuse_unknown(shapes, member)
    path = shapes.value(member, SH.path)
    if path is None:
        return _value_test(shapes, ontology, member) or True
    extra = set(shapes.predicates(member, None)) - {SH.path, SH.minCount, SH.message, SH.name, SH.description}
    if extra or not isinstance(path, URIRef) or int(shapes.value(member, SH.minCount) or 0) > 1:
        raise UnsupportedShape(f"{member.n3()}: inside sh:or, a property shape may only ask for sh:minCount 0 or 1")
    return ("has", ox.NamedNode(path)) if shapes.value(member, SH.minCount) is not None else True


_EMPTY = _ValueTest(None, (), None, None, None, None, None, (), None)


def _nodes(iris) -> frozenset[ox.NamedNode]:
    return frozenset(ox.NamedNode(iri) for iri in iris)


def _flags(flags: str) -> int:
    table = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
    value = 0
    for flag in flags:
        if flag not in table:
            raise UnsupportedShape(f"regular expression flag {flag!r} is not supported")
        value |= table[flag]
    return value


def _ox(node):
    if isinstance(node, BNode):
        raise UnsupportedShape(f"a blank node ({node.n3()}) where a constant was expected")
    return ox_term(node)
