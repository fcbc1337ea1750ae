"""Saved SPARQL queries: plain .rq files whose leading comments give a title, a description
and parameters, in the manner of Datasette's canned queries.

    # title: Plans
    # description: One row per document.
    # param: indicator iri  An indicator concept (skos:Concept)
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources

_HEADER = re.compile(r"^#\s*(title|description|param)\s*:\s*(.*)$")
PARAM_KINDS = ("iri", "literal", "integer", "decimal", "string")


@dataclass
class Parameter:
    name: str
    kind: str
    description: str

    @property
    def classes(self) -> set[str]:
        """The ontology classes an IRI parameter's description names (mz:Indicator …): what it expects."""
        return set(re.findall(r"\bmz:(\w+)", self.description))


@dataclass
class SavedQuery:
    name: str
    title: str
    description: str
    text: str
    parameters: list[Parameter] = field(default_factory=list)


class QueryNotFound(KeyError):
    pass


def parse(name: str, text: str) -> SavedQuery:
    query = SavedQuery(name=name, title=name, description="", text=text)
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = _HEADER.match(line)
        if not m:
            continue
        key, value = m.group(1), m.group(2).strip()
        if key == "title":
            query.title = value
        elif key == "description":
            query.description = f"{query.description} {value}".strip()
        else:
            pname, kind, *rest = value.split(None, 2) + [""]
            if kind not in PARAM_KINDS:
                raise ValueError(f"{name}.rq: parameter {pname} has unknown kind {kind!r} (one of {', '.join(PARAM_KINDS)})")
            query.parameters.append(Parameter(pname.lstrip("?$"), kind, " ".join(rest).strip()))
    return query


def all_queries() -> list[SavedQuery]:
    folder = resources.files(__name__)
    return [parse(f.name[:-3], f.read_text("utf-8")) for f in sorted(folder.iterdir(), key=lambda f: f.name) if f.name.endswith(".rq")]


def get(name: str) -> SavedQuery:
    for query in all_queries():
        if query.name == name:
            return query
    raise QueryNotFound(name)
