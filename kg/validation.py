"""Validation against ontology/shapes.ttl: a violation stops the build; warnings are reported.

The store checks itself with the shapes compiled to SPARQL (kg.shapes). pySHACL, the reference SHACL
engine, gives the same findings on rdflib graphs; `kg validate --pyshacl` and the tests use it.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph

from .shapes import SH, Check
from .store import Graphs, load_graphs


@dataclass(frozen=True, order=True)
class Finding:
    severity: str
    focus: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.focus} {self.path}: {self.message}"


class ValidationFailed(Exception):
    def __init__(self, findings: list[Finding]):
        self.findings = findings
        shown = "\n".join(f"  {f}" for f in findings[:20])
        more = f"\n  … and {len(findings) - 20} more" if len(findings) > 20 else ""
        super().__init__(f"SHACL validation found {len(findings)} violation(s):\n{shown}{more}")


def validate(store, graphs: list[str], checks: list[Check], focus: list[str] | None = None) -> list[Finding]:
    """Check a store; return warnings, raise ValidationFailed on violations. See findings."""
    return raise_on_violations(findings(store, graphs, checks, focus))


def findings(store, graphs: list[str], checks: list[Check], focus: list[str] | None = None) -> list[Finding]:
    """What the checks find in the union of the named graphs: about every node, or, given focus
    graphs, about the nodes those graphs type."""
    # the dataset travels as query options (the protocol's default-graph-uri and named-graph-uri for a
    # remote store), which a server's union default graph does not override as it may a FROM clause
    dataset = {"default_graph": [ox.NamedNode(iri) for iri in graphs], "use_default_graph_as_union": False}
    if focus is not None:
        dataset["named_graphs"] = [ox.NamedNode(iri) for iri in focus]
    found = set()
    for check in checks:
        for row in store.query(check.query(within_named=focus is not None), **dataset):
            for message in check.messages(row):
                found.add(Finding(check.severity, row["focus"].value, check.path, message))
    return sorted(found)


class DocumentChecker:
    """Checks a few graphs at a time (one document's, say) against the shapes, seen together with
    reference graphs (ontology, gazetteer, vocabularies) held in a private in-memory store.

    Findings are about the nodes the checked graphs type; a document's graph types every node it
    says anything about (tests/test_loading.py checks it). The shapes look at a node's own values and
    at the types of what it points to, so a document's findings do not depend on other documents: the
    nodes documents share (cited instruments, indicators named in several plans) are minted from the
    same key and described alike by every document that mentions them. tests/test_validation.py checks
    that documents checked one by one give what checking everything at once gives."""

    def __init__(self, reference: Graphs, checks: list[Check]):
        self.store = ox.Store()
        load_graphs(self.store, reference)
        self.reference = list(reference)
        self.checks = checks

    def check(self, graphs: Graphs) -> list[Finding]:
        load_graphs(self.store, graphs)
        try:
            return findings(self.store, self.reference + list(graphs), self.checks, focus=list(graphs))
        finally:
            for iri in graphs:
                self.store.remove_graph(ox.NamedNode(iri))


def validate_with_pyshacl(data: Graph, shapes: Graph, ontology: Graph) -> list[Finding]:
    return raise_on_violations(pyshacl_findings(data, shapes, ontology))


def pyshacl_findings(data: Graph, shapes: Graph, ontology: Graph) -> list[Finding]:
    import pyshacl  # the reference engine; slow to import, and a build does not need it

    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none", allow_warnings=True)
    found = {
        Finding(
            severity=str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
            focus=str(report.value(result, SH.focusNode)),
            path=str(report.value(result, SH.resultPath) or ""),
            message=str(report.value(result, SH.resultMessage) or ""),
        )
        for result in report.subjects(SH.resultSeverity, None)
    }
    return sorted(found)


def raise_on_violations(found: list[Finding]) -> list[Finding]:
    violations = [f for f in found if f.severity == "Violation"]
    if violations:
        raise ValidationFailed(violations)
    return found
