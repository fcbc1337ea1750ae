"""Versions of a document: a different text of a document the store already holds is a new version.

The document's IRI names the work and always describes its latest text. When a load brings a text of
the same document (same IRI) read from a different file (another SHA-256), the graph it replaces is
kept as a version in a graph of its own, {base}graph/version/<slug>/<n>:

- every IRI inside the document ({doc} and {doc}/…) becomes {doc}/version/<n>(/…), so the old text's
  parts never mix with the current ones;
- their rdf:type statements are left out, so a query for mz:IndicatorTarget, mz:PolicyDocument… finds
  only what the documents say now; the version node is an mz:DocumentVersion, dcterms:isVersionOf the
  document, with its number and the time it was replaced;
- the new text's graph says the document prov:wasRevisionOf that version, and each version the one
  before it.

The same text loaded again (same SHA-256) replaces the graph in place: it is not a new version.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timezone

import pyoxigraph as ox

from mzkg.loaders.iris import Minter
from mzkg.loaders.writer import DCTERMS, M, PROV, RDF, XSD, integer


@dataclass(frozen=True)
class Revision:
    """A load that made a new version: what the document had, and what it has now."""
    document: str
    title: str
    version: str      # the IRI of the text it replaced
    number: int
    old_triples: int
    new_triples: int

    def __str__(self) -> str:
        return f"new version of {self.title} <{self.document}> ({self.old_triples} → {self.new_triples} triples; the old text is kept as {self.version})"


def _sha256(triples: list[ox.Triple], document: str) -> str | None:
    source = ox.NamedNode(f"{document}/source")
    return next((t.object.value for t in triples if t.subject == source and t.predicate == M.sha256), None)


def versions_of(store, minter: Minter, graph_iri: str) -> int:
    """How many earlier versions of the document whose graph is graph_iri the store keeps."""
    prefix = minter.version_graph(graph_iri, 0)[:-1]
    return sum(1 for name in store.graph_names() if name.startswith(prefix) and name[len(prefix):].isdigit())


def archived(triples: list[ox.Triple], document: str, version: str) -> list[ox.Triple]:
    """The document's triples as a version's: its own IRIs moved under the version's, their types left
    out, and the activity that made it kept; triples about shared nodes (units, bodies…) stay with the
    current text only."""
    own, earlier = document + "/", document + "/version/"

    def moved(term):
        if isinstance(term, ox.NamedNode) and (term.value == document or term.value.startswith(own)) \
                and not term.value.startswith(earlier):
            return ox.NamedNode(version + term.value[len(document):])
        return term

    activities = {t.object for t in triples if t.subject.value == document and t.predicate == PROV.wasGeneratedBy}
    kept = []
    for t in triples:
        inside = isinstance(t.subject, ox.NamedNode) and moved(t.subject) is not t.subject
        if inside and t.predicate == RDF.type:
            continue
        if inside or isinstance(t.subject, ox.BlankNode) or t.subject in activities:
            kept.append(ox.Triple(moved(t.subject), t.predicate, moved(t.object)))
    return kept


def revise(store, minter: Minter, doc):
    """A prepared document (kg.build.PreparedDocument) about to be loaded, as it is to be written, with
    the version graph keeping the text it replaces and the Revision to report. The document as it was
    and nothing else when the store does not hold it, or holds the same text."""
    current = [q.triple for q in store.quads(doc.graph_iri)]
    if not current or _sha256(current, doc.iri) == doc.original.sha256:
        return doc, {}, None
    number = versions_of(store, minter, doc.graph_iri) + 1
    version = minter.version(doc.iri, number)
    node = ox.NamedNode(version)
    replaced = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    kept = archived(current, doc.iri, version) + [
        ox.Triple(node, RDF.type, M.DocumentVersion),
        ox.Triple(node, DCTERMS.isVersionOf, ox.NamedNode(doc.iri)),
        ox.Triple(node, M.versionNumber, integer(number)),
        ox.Triple(node, PROV.invalidatedAtTime, ox.Literal(replaced, datatype=XSD.dateTime)),
    ]
    link = _ntriples([ox.Triple(ox.NamedNode(doc.iri), PROV.wasRevisionOf, node)])
    triples = doc.summary["triples"] + 1
    revised = dataclasses.replace(doc, ntriples=doc.ntriples + link, summary={**doc.summary, "triples": triples})
    graphs = {minter.version_graph(doc.graph_iri, number): _ntriples(kept)}
    return revised, graphs, Revision(doc.iri, doc.metadata.title, version, number, len(current), triples)


def _ntriples(triples: list[ox.Triple]) -> str:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
