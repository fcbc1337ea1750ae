"""What made each document's graph: one prov:Activity per build or load, with the software's version,
the time it started and the source file it used, written into the graph of every document it made."""
from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata

import pyoxigraph as ox

from mzkg.loaders.iris import Minter
from mzkg.loaders.writer import M, PROV, RDF, RDFS, XSD


def software_version() -> str:
    try:
        return metadata.version("mzkg")
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class Activity:
    iri: ox.NamedNode
    kind: str      # "build" or "load"
    started: str   # xsd:dateTime, UTC
    agent: ox.NamedNode
    version: str

    @classmethod
    def now(cls, kind: str, minter: Minter) -> "Activity":
        started = datetime.now(timezone.utc)
        run = f"{started:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
        version = software_version()
        return cls(ox.NamedNode(minter(f"activity/{run}")), kind, started.isoformat(timespec="seconds").replace("+00:00", "Z"),
                   ox.NamedNode(minter(f"software/mzkg/{version}")), version)

    def triples(self, document: str) -> list[ox.Triple]:
        doc, source = ox.NamedNode(document), ox.NamedNode(f"{document}/source")
        a = self.iri
        return [
            ox.Triple(doc, PROV.wasGeneratedBy, a),
            ox.Triple(a, RDF.type, PROV.Activity),
            ox.Triple(a, RDFS.label, ox.Literal(f"kg {self.kind}", language="en")),
            ox.Triple(a, PROV.startedAtTime, ox.Literal(self.started, datatype=XSD.dateTime)),
            ox.Triple(a, PROV.used, source),
            ox.Triple(a, PROV.wasAssociatedWith, self.agent),
            ox.Triple(a, M.loaderVersion, ox.Literal(self.version)),
            ox.Triple(self.agent, RDF.type, PROV.SoftwareAgent),
            ox.Triple(self.agent, RDFS.label, ox.Literal(f"mzkg {self.version}")),
        ]

    def record(self, doc):
        """The prepared document (kg.build.PreparedDocument) with this activity in its graph."""
        triples = self.triples(doc.iri)
        lines = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
        return dataclasses.replace(doc, ntriples=doc.ntriples + lines,
                                   summary={**doc.summary, "triples": doc.summary["triples"] + len(triples)})
