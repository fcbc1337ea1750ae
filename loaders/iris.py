"""IRIs: deterministic, readable, and minted under a configurable base.

Nothing here depends on file names, load order or the machine: a document's IRI comes
from its jurisdiction, kind, period and a 128-bit digest of its title (of its text when it has
none); the nodes inside it from their place in the document.
"""
from __future__ import annotations

import hashlib

import pyoxigraph as ox

from mzkg import settings

_KIND_SLUGS = {"FiveYearPlan": "plan", "AnnualWorkPlan": "workplan", "PolicyOpinion": "opinion", "ImplementationPlan": "implementation",
               "ActionPlan": "action", "SpecialPlan": "special", "LongRangePlan": "longrange", "Notice": "notice",
               "PolicyDocument": "doc"}


def default_base() -> str:
    return settings.value("base")


def digest(text: str, length: int = 8) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


def identity_digest(text: str) -> str:
    """128 bits of SHA-256: what tells one document from every other."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def check_base(base: str) -> str:
    if not base.startswith(("http://", "https://")) or not base.endswith(("/", "#")):
        raise ValueError(f"base IRI {base!r} must be an http(s) IRI ending in '/' or '#'")
    return base


class Minter:
    def __init__(self, base: str | None = None):
        self.base = check_base(base or default_base())

    def __call__(self, path: str) -> str:
        return self.base + path

    # shared nodes
    def unit(self, code: str) -> str:
        return self(f"unit/{code}")

    def organisation(self, name: str) -> str:
        return self(f"org/{digest(name, 10)}")

    def original(self, sha256: str) -> str:
        """Where the store serves a source file's bytes."""
        return self(f"original/{sha256}")

    def document_type(self, kind: str) -> str:
        """The concept of a kind of document (ontology/vocabularies/document-types.ttl)."""
        return self(f"document-type/{_KIND_SLUGS.get(kind, 'doc')}")

    def period(self, start: int, end: int) -> str:
        return self(f"period/{start}-{end}")

    def measure_unit(self, slug: str) -> str:
        return self(f"measure-unit/{slug}")

    def instrument(self, key: str) -> str:
        return self(f"instrument/{digest(key, 10)}")

    # named graphs: every graph of the knowledge graph is named under {base}graph/, and the graphs of
    # what a reasoner entailed under {base}graph/entailments/; nothing else knows this layout
    def graph(self, name: str) -> str:
        return self(f"graph/{name}")

    @property
    def graph_prefix(self) -> str:
        return self("graph/")

    @property
    def entailments_prefix(self) -> str:
        return self("graph/entailments/")

    def entailments(self, graph: str) -> str:
        """The graph of what is entailed from the asserted graph `graph`."""
        return self.entailments_prefix + graph[len(self.graph_prefix):]

    def is_graph(self, iri: str) -> bool:
        return iri.startswith(self.graph_prefix)

    def is_entailed(self, iri: str) -> bool:
        return iri.startswith(self.entailments_prefix)

    def graph_filter(self, variable: str) -> str:
        """A SPARQL filter keeping the graphs of the knowledge graph."""
        return f"FILTER(STRSTARTS(STR({variable}), {ox.Literal(self.graph_prefix)}))"

    # documents
    @staticmethod
    def document_slug(unit_code: str | None, kind: str, period: str, identity: str) -> str:
        """A document's slug: where, what and when, then a digest of what identifies it (its title, or
        its whole text when it states none), so that two different documents never share one."""
        place = unit_code[:6] if unit_code else "000000"
        return f"{place}-{_KIND_SLUGS.get(kind, 'doc')}-{period}-{identity_digest(identity)}"

    def document(self, slug: str) -> str:
        return self(f"doc/{slug}")

    def document_graph(self, slug: str) -> str:
        return self.graph(f"doc/{slug}")

    @staticmethod
    def version(document: str, number: int) -> str:
        """An earlier text of a document (kg/versions.py)."""
        return f"{document}/version/{number}"

    def version_graph(self, document_graph: str, number: int) -> str:
        slug = document_graph[len(self.graph("doc/")):]
        return self.graph(f"version/{slug}/{number}")
