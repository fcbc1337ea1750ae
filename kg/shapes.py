"""SHACL Core shapes compiled to SPARQL, run by the store itself.

pySHACL walks rdflib graphs node by node in Python, which costs about a second per document; here the
constraints of each shape become SPARQL queries that return the nodes violating them (a property's value
checks and cardinalities in one pass over its values), and Oxigraph answers them over the dataset it is
given (kg.validation). The compiler covers the Core components ontology/shapes.ttl
uses (targets by class; cardinality, value type, string, range, property-pair, sh:in, sh:uniqueLang and
sh:or) and refuses a shape using any other, so a new kind of constraint cannot be skipped silently.
tests/test_validation.py checks that the findings equal pySHACL's, on the bundled corpus and on graphs
broken on purpose.
"""
from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

SH = Namespace("http://www.w3.org/ns/shacl#")
SHAPES = "https://w3id.org/mzkg/shapes#"

# the parameters each supported component reads; everything else in a shape is refused
_VALUE_PARAMETERS = {SH.datatype, SH["class"], SH.nodeKind, SH.minLength, SH.maxLength, SH.pattern, SH.flags,
                     SH["in"], SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH["or"]}
_FOCUS_PARAMETERS = {SH.minCount, SH.maxCount, SH.uniqueLang, SH.lessThan, SH.lessThanOrEquals}
_DESCRIPTIVE = {RDF.type, SH.path, SH.message, SH.severity, SH.name, SH.description, SH.targetClass, SH.property,
                SH.order, SH.group, SH.deactivated, SH.targetSubjectsOf, SH.sparql, RDFS.comment}
_NODE_KINDS = {
    SH.IRI: "isIRI({v})", SH.Literal: "isLiteral({v})", SH.BlankNode: "isBlank({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))", SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
# datatypes SPARQL can cast to, so an ill-formed lexical form ("x"^^xsd:integer) fails sh:datatype as in pySHACL
_CASTABLE = {XSD.string, XSD.boolean, XSD.integer, XSD.decimal, XSD.float, XSD.double, XSD.dateTime, XSD.date}
_COMPARISONS = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
_PAIRS = {SH.lessThan: "<", SH.lessThanOrEquals: "<="}


class UnsupportedShape(Exception):
    pass


@dataclass(frozen=True)
class Check:
    """Constraints as a query whose rows are the focus nodes violating them. A row says which of
    them by its outcome columns: (column, limit, message) means violated when column > limit."""
    severity: str
    path: str
    target: str  # a graph pattern binding ?focus to each node the shape targets
    select: str
    where: str  # patterns and filters about a bound ?focus
    modifiers: str = ""
    outcomes: tuple[tuple[str | None, int, str], ...] = ()  # a column of None: every row

    def messages(self, row) -> list[str]:
        return [message for column, limit, message in self.outcomes if column is None or int(row[column].value) > limit]

    def query(self, within_named: bool = False) -> str:
        """The query. The focus nodes are the instances of the target classes; with within_named,
        only those a named graph of the dataset types."""
        focus = self.target
        if within_named:
            focus = f"GRAPH ?focusGraph {{ {focus} }}"
        return f"{self.select} WHERE {{ {focus} {self.where} }} {self.modifiers}"


def compile_shapes(shapes: Graph, ontology: Graph) -> list[Check]:
    """The checks for every shape with a target class. The ontology's subclasses are written into the
    queries, so "an instance of C" is an index lookup rather than an rdf:type/rdfs:subClassOf* path;
    the data's own rdfs:subClassOf triples, if it had any, would not be seen."""
    for target in (SH.targetNode, SH.targetObjectsOf):
        for shape in shapes.subjects(target, None):
            raise UnsupportedShape(f"{shape.n3()}: {target.n3()} is not supported by kg.shapes")
    checks = []
    instance_of = _InstanceOf(ontology)
    for shape in sorted(set(shapes.subjects(SH.targetClass, None)) | set(shapes.subjects(SH.targetSubjectsOf, None))):
        if (shape, SH.deactivated, Literal(True)) in shapes:
            continue
        target = _target(shapes, shape, instance_of)
        checks += _checks(shapes, shape, target, None, instance_of)
        for prop in shapes.objects(shape, SH.property):
            checks += _checks(shapes, prop, target, shapes.value(prop, SH.path), instance_of)
        for constraint in shapes.objects(shape, SH.sparql):
            checks.append(_sparql_check(shapes, shape, constraint, target))
    return checks


def _target(shapes: Graph, shape, instance_of: "_InstanceOf") -> str:
    """The graph pattern of a shape's focus nodes: instances of its target classes, subjects of its
    target predicates."""
    patterns = []
    classes = list(shapes.objects(shape, SH.targetClass))
    if classes:
        patterns.append(f"?focus a ?focusClass . VALUES ?focusClass {{ {instance_of.closed(classes)} }}")
    for predicate in shapes.objects(shape, SH.targetSubjectsOf):
        patterns.append(f"{{ SELECT DISTINCT ?focus WHERE {{ ?focus {_term(predicate)} ?anyValue }} }}")
    return " UNION ".join(f"{{ {p} }}" for p in patterns) if len(patterns) > 1 else patterns[0]


def _sparql_check(shapes: Graph, shape, constraint, target: str) -> Check:
    """A SHACL-SPARQL constraint: its SELECT, with $this the focus node, gives a row per violation."""
    select = str(shapes.value(constraint, SH.select))
    prefixes = "".join(f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
                       for declared in shapes.objects(constraint, SH.prefixes) for d in shapes.objects(declared, SH.declare))
    body = select[select.index("{") + 1:select.rindex("}")].replace("$this", "?focus")
    severity = str(shapes.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]
    message = str(shapes.value(constraint, SH.message) or shapes.value(shape, SH.message) or "the node does not conform")
    return Check(severity, "", target, f"{prefixes}SELECT DISTINCT ?focus", body, "", ((None, 0, message),))


def subclasses(ontology: Graph, classes: list) -> set[str]:
    """The classes and their subclasses, by the ontology's rdfs:subClassOf."""
    return {str(sub) for c in classes for sub in ontology.transitive_subjects(RDFS.subClassOf, c)}


class _InstanceOf:
    """Graph patterns for "v is an instance of one of these classes or of their subclasses"."""

    def __init__(self, ontology: Graph):
        self.ontology = ontology
        self.used = 0

    def closed(self, classes: list) -> str:
        return " ".join(sorted(f"<{sub}>" for sub in subclasses(self.ontology, classes)))

    def __call__(self, v: str, classes: list) -> str:
        self.used += 1  # a variable of its own, so a pattern inside EXISTS is not joined to the focus's class
        return f"{v} a ?class{self.used} . VALUES ?class{self.used} {{ {self.closed(classes)} }}"


def _checks(shapes: Graph, shape, target: str, path, instance_of: _InstanceOf) -> list[Check]:
    _refuse_unknown(shapes, shape)
    if path is not None and not isinstance(path, URIRef):
        raise UnsupportedShape(f"{shape.n3()}: only predicate paths are supported, not {path.n3()}")
    severity = str(shapes.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]
    message = str(shapes.value(shape, SH.message) or "")
    made = []

    def check(select: str, where: str, default_message: str, modifiers: str = ""):
        made.append(Check(severity, str(path or ""), target, select, where, modifiers, ((None, 0, message or default_message),)))

    if path is None:
        test = _value_test(shapes, shape, "?focus", instance_of)
        if test:
            check("SELECT DISTINCT ?focus", f"FILTER(!({test}))", "the node does not conform")
        return made
    p = _term(path)
    # the value-level constraints and the cardinalities, in one pass over the focus nodes' values
    test = _value_test(shapes, shape, "?value", instance_of)
    columns, having, outcomes = [], [], []
    if test:
        bad = f"MAX(IF(BOUND(?value) && !({test}), 1, 0))"
        columns.append(f"({bad} AS ?bad)")
        having.append(f"{bad} > 0")
        outcomes.append(("bad", 0, message or f"a value of {p} does not conform"))
    low, high = shapes.value(shape, SH.minCount), shapes.value(shape, SH.maxCount)
    if low is not None:
        columns.append("(-COUNT(DISTINCT ?value) AS ?short)")
        having.append(f"COUNT(DISTINCT ?value) < {int(low)}")
        outcomes.append(("short", -int(low), message or f"fewer than {int(low)} values of {p}"))
    if high is not None:
        columns.append("(COUNT(DISTINCT ?value) AS ?count)")
        having.append(f"COUNT(DISTINCT ?value) > {int(high)}")
        outcomes.append(("count", int(high), message or f"more than {int(high)} values of {p}"))
    if outcomes:
        made.append(Check(severity, str(path), target, f"SELECT ?focus {' '.join(columns)}", f"OPTIONAL {{ ?focus {p} ?value }}",
                          f"GROUP BY ?focus HAVING ({' || '.join(having)})", tuple(outcomes)))
    if shapes.value(shape, SH.uniqueLang) == Literal(True):
        check("SELECT DISTINCT ?focus", f"?focus {p} ?a, ?b . FILTER(!sameTerm(?a, ?b) && lang(?a) != \"\" && lang(?a) = lang(?b))",
              f"two values of {p} share a language")
    for parameter, op in _PAIRS.items():
        other = shapes.value(shape, parameter)
        if other is not None:
            check("SELECT DISTINCT ?focus", f"?focus {p} ?value . ?focus {_term(other)} ?other . FILTER(!COALESCE(?value {op} ?other, false))",
                  f"{p} is not {op} {_term(other)}")
    return made


def _value_test(shapes: Graph, shape, v: str, instance_of: _InstanceOf) -> str:
    """A SPARQL expression true when the node in v satisfies the shape's value-level constraints."""
    tests = []
    datatype = shapes.value(shape, SH.datatype)
    if datatype is not None:
        test = f"isLiteral({v}) && datatype({v}) = {_term(datatype)}"
        if datatype in _CASTABLE:
            test += f" && isLiteral({_term(datatype)}(STR({v})))"
        tests.append(f"COALESCE({test}, false)")
    for cls in shapes.objects(shape, SH["class"]):
        tests.append(f"EXISTS {{ {instance_of(v, [cls])} }}")
    kind = shapes.value(shape, SH.nodeKind)
    if kind is not None:
        tests.append(_NODE_KINDS[kind].format(v=v))
    for parameter, op in (("minLength", ">="), ("maxLength", "<=")):
        n = shapes.value(shape, SH[parameter])
        if n is not None:
            tests.append(f"COALESCE(!isBlank({v}) && STRLEN(STR({v})) {op} {int(n)}, false)")
    pattern = shapes.value(shape, SH.pattern)
    if pattern is not None:
        flags = shapes.value(shape, SH.flags)
        tests.append(f"COALESCE(!isBlank({v}) && REGEX(STR({v}), {_term(Literal(str(pattern)))}"
                     f"{', ' + _term(Literal(str(flags))) if flags else ''}), false)")
    allowed = shapes.value(shape, SH["in"])
    if allowed is not None:
        tests.append("(" + " || ".join(f"sameTerm({v}, {_term(x)})" for x in Collection(shapes, allowed)) + ")")
    for parameter, op in _COMPARISONS.items():
        limit = shapes.value(shape, parameter)
        if limit is not None:
            tests.append(f"COALESCE({v} {op} {_term(limit)}, false)")
    alternatives = shapes.value(shape, SH["or"])
    if alternatives is not None:
        members = list(Collection(shapes, alternatives))
        classes = _classes_only(shapes, members)
        if classes:  # "an instance of one of these": one lookup, not a disjunction of EXISTS (which Virtuoso refuses)
            tests.append(f"EXISTS {{ {instance_of(v, classes)} }}")
        else:
            tests.append("(" + " || ".join(_alternative(shapes, a, v, instance_of) for a in members) + ")")
    return " && ".join(tests)


def _classes_only(shapes: Graph, members: list) -> list | None:
    """The classes of sh:or members that each say only sh:class, one class each; else None."""
    classes = []
    for member in members:
        given = list(shapes.objects(member, SH["class"]))
        if len(given) != 1 or set(shapes.predicates(member, None)) - _DESCRIPTIVE != {SH["class"]}:
            return None
        classes += given
    return classes


def _alternative(shapes: Graph, shape, v: str, instance_of: _InstanceOf) -> str:
    """One member of sh:or: a value-level shape, or a property shape asking for at least one value."""
    _refuse_unknown(shapes, shape)
    path = shapes.value(shape, SH.path)
    if path is None:
        return _value_test(shapes, shape, v, instance_of) or "true"
    extra = set(shapes.predicates(shape, None)) - {SH.path, SH.minCount, SH.message, SH.name, SH.description}
    if extra or not isinstance(path, URIRef) or int(shapes.value(shape, SH.minCount) or 0) > 1:
        raise UnsupportedShape(f"{shape.n3()}: inside sh:or, a property shape may only ask for sh:minCount 0 or 1")
    if shapes.value(shape, SH.minCount) is None:
        return "true"
    return f"EXISTS {{ {v} {_term(path)} ?any }}"


def _refuse_unknown(shapes: Graph, shape) -> None:
    for parameter in set(shapes.predicates(shape, None)):
        if parameter not in _VALUE_PARAMETERS | _FOCUS_PARAMETERS | _DESCRIPTIVE:
            raise UnsupportedShape(f"{shape.n3()}: {parameter.n3()} is not supported by kg.shapes")


def _term(node) -> str:
    if isinstance(node, BNode):
        raise UnsupportedShape(f"a blank node ({node.n3()}) where a constant was expected")
    return node.n3()


def domain_and_range_shapes(ontology: Graph) -> Graph:
    """A shape for every property the ontology gives a domain or a range: the subjects of the property
    are instances of its domain, and its values of its range (a class, or a datatype). The ontology
    stays the one place these are stated; shapes.ttl holds the rest."""
    shapes = Graph()
    for prop in sorted(set(ontology.subjects(RDFS.domain, None)) | set(ontology.subjects(RDFS.range, None))):
        if not isinstance(prop, URIRef):
            continue
        name = prop.split("#")[-1].rsplit("/", 1)[-1]
        shape = URIRef(f"{SHAPES}DomainAndRange_{name}")
        shapes.add((shape, RDF.type, SH.NodeShape))
        shapes.add((shape, SH.targetSubjectsOf, prop))
        for domain in ontology.objects(prop, RDFS.domain):
            shapes.add((shape, SH["class"], domain))
            shapes.add((shape, SH.message, Literal(f"the subject of {name} is not a {domain.split('#')[-1]}, its domain")))
        for range_ in ontology.objects(prop, RDFS.range):
            value = BNode()
            shapes.add((shape, SH.property, value))
            shapes.add((value, SH.path, prop))
            shapes.add((value, SH.message, Literal(f"a value of {name} is not in its range, {range_.split('#')[-1]}")))
            if range_ == RDF.PlainLiteral:  # a string, with a language tag or without
                either = [BNode(), BNode()]
                shapes.add((either[0], SH.datatype, XSD.string))
                shapes.add((either[1], SH.datatype, RDF.langString))
                shapes.add((value, SH["or"], Collection(shapes, BNode(), either).uri))
            elif range_ == RDFS.Literal:
                shapes.add((value, SH.nodeKind, SH.Literal))
            elif str(range_).startswith(str(XSD)):
                shapes.add((value, SH.datatype, range_))
            else:
                shapes.add((value, SH["class"], range_))
    return shapes
