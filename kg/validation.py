"""SHACL validation with pySHACL: a violation stops the build; warnings are reported."""
from __future__ import annotations

from dataclasses import dataclass

import pyshacl
from rdflib import Graph, Namespace

SH = Namespace("http://www.w3.org/ns/shacl#")


@dataclass
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


def validate(data: Graph, shapes: Graph, ontology: Graph) -> list[Finding]:
    """Return warnings; raise ValidationFailed when any shape is violated."""
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none", allow_warnings=True)
    findings = [
        Finding(
            severity=str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
            focus=str(report.value(result, SH.focusNode)),
            path=str(report.value(result, SH.resultPath) or ""),
            message=str(report.value(result, SH.resultMessage) or ""),
        )
        for result in report.subjects(SH.resultSeverity, None)
    ]
    violations = [f for f in findings if f.severity == "Violation"]
    if violations:
        raise ValidationFailed(violations)
    return findings
