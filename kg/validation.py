"""Validation against ontology/shapes.ttl: a violation stops the build; warnings are reported.

The store checks itself with the shapes compiled to SPARQL (kg.shapes). pySHACL, the reference SHACL
engine, gives the same findings on rdflib graphs; `kg validate --pyshacl` and the tests use it.
"""
from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph

from .shapes import SH, Check


@dataclass(frozen=True)
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
    """What the checks find in the union of the named graphs, about the nodes whose types the focus
    graphs (by default, all of them) assert."""
    dataset = "".join(f"FROM <{iri}>\n" for iri in graphs) + "".join(f"FROM NAMED <{iri}>\n" for iri in focus or graphs)
    found = set()
    for check in checks:
        for row in store.query(check.query(dataset)):
            found.add(Finding(check.severity, row["focus"].value, check.path, check.message))
    return sorted(found, key=lambda f: (f.severity, f.focus, f.path, f.message))


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
    return sorted(found, key=lambda f: (f.severity, f.focus, f.path, f.message))


def raise_on_violations(found: list[Finding]) -> list[Finding]:
    violations = [f for f in found if f.severity == "Violation"]
    if violations:
        raise ValidationFailed(violations)
    return found
