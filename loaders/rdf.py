"""From what a document holds (metadata, structure, targets) to one RDF graph.

Every extracted node points to its document (mz:inDocument) and to the mz:Passage it came
from, a span located by code-point offsets into the document's mz:fullText.
"""
from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from decimal import Decimal

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from mzkg.ontology import MZ

from .iris import Minter
from .metadata import Metadata
from .model import Box, Section, Span, Structure, Target
from .normalize import NormalizedText
from .structure import short_label

_PROGRAMME = re.compile(r"(?:行动计划|计划|行动)(?:”)?$")
_KINDS = ("FiveYearPlan", "AnnualWorkPlan", "PolicyOpinion", "ImplementationPlan", "ActionPlan", "SpecialPlan",
          "LongRangePlan", "Notice", "PolicyDocument")
_KIND_CLASSES = {kind: MZ[kind] for kind in _KINDS}
BINDINGNESS = {"binding": MZ.Binding, "expected": MZ.Expected}


def _date(iso: str) -> Literal:
    """A day, or a month when the text gives no day."""
    return Literal(iso, datatype=XSD.date if len(iso) == 10 else XSD.gYearMonth)


def zh(text: str) -> Literal:
    return Literal(text, lang="zh")


class DocumentGraph:
    """Writes one document's triples; IRIs under the minter's base."""

    def __init__(self, minter: Minter, slug: str, norm: NormalizedText, meta: Metadata):
        self.m = minter
        self.norm = norm
        self.meta = meta
        self.doc = URIRef(minter.document(slug))
        self.g = Graph(store="SimpleMemory")  # one graph, no contexts: adds cost half of rdflib's default store
        self.g.bind("mz", MZ)
        self.g.bind("dcterms", DCTERMS)
        self.spans: list[tuple[URIRef, Span]] = []  # extracted nodes and the text they cover
        self.texts: dict[URIRef, str] = {}          # what each node says, for classification
        self.parents: dict[URIRef, URIRef] = {}

    def node(self, path: str) -> URIRef:
        return URIRef(f"{self.doc}/{path}")

    def add(self, s, p, o) -> None:
        if o is not None:
            self.g.add((s, p, o))

    # provenance ------------------------------------------------------------------
    def passage(self, span: Span) -> URIRef:
        start, end = self.norm.original_span(span.start, span.end)
        iri = self.node(f"passage/{start}-{end}")
        if (iri, RDF.type, MZ.Passage) not in self.g:
            self.add(iri, RDF.type, MZ.Passage)
            self.add(iri, MZ.inDocument, self.doc)
            self.add(iri, MZ.startOffset, Literal(start, datatype=XSD.integer))
            self.add(iri, MZ.endOffset, Literal(end, datatype=XSD.integer))
            self.add(iri, MZ.exactText, Literal(self.norm.original[start:end]))
        return iri

    def extracted(self, iri: URIRef, cls, label: str, span: Span, parent, text: str = "") -> None:
        self.spans.append((iri, span))
        self.texts[iri] = label + text
        if parent is not None:
            self.parents[iri] = parent
        self.add(iri, RDF.type, cls)
        self.add(iri, RDFS.label, zh(label))
        self.add(iri, MZ.inDocument, self.doc)
        self.add(iri, MZ.source, self.passage(span))
        if parent is not None:
            self.add(iri, MZ.partOfSection, parent)
        if self.norm.script == "Hant":
            original = _original_of(label, self.norm, span)
            if original != label:
                self.add(iri, SKOS.altLabel, Literal(original, lang="zh-Hant"))

    # document --------------------------------------------------------------------
    def document(self, content_hash: str) -> None:
        d, meta = self.doc, self.meta
        self.add(d, RDF.type, _KIND_CLASSES[meta.kind])
        self.add(d, RDF.type, MZ.PolicyDocument)
        self.add(d, DCTERMS.title, zh(meta.title))
        self.add(d, RDFS.label, zh(meta.title))
        self.add(d, MZ.titleInferred, Literal(meta.title_inferred))
        for note in meta.notes:
            self.add(d, MZ.inferenceNote, Literal(note))
        if meta.jurisdiction:
            self.add(d, MZ.jurisdiction, URIRef(self.m.unit(meta.jurisdiction.code)))
        for name in meta.issuers:
            org = URIRef(self.m.organisation(name))
            self.add(d, MZ.issuedBy, org)
            self.add(org, RDF.type, MZ.GovernmentBody)
            self.add(org, RDFS.label, zh(name))
        if meta.period_start is not None:
            self.add(d, MZ.periodStart, Literal(meta.period_start, datatype=XSD.integer))
            self.add(d, MZ.periodEnd, Literal(meta.period_end, datatype=XSD.integer))
        if meta.issued:
            self.add(d, DCTERMS.issued, _date(meta.issued))
        if meta.published:
            self.add(d, MZ.published, _date(meta.published))
        if meta.document_number:
            self.add(d, MZ.documentNumber, Literal(meta.document_number))
        self.add(d, MZ.fullText, Literal(self.norm.original))
        self.add(d, MZ.contentHash, Literal(content_hash))
        self.add(d, MZ.sourceScript, Literal(self.norm.script))

    # structure -------------------------------------------------------------------
    def section_iri(self, section: Section | None) -> URIRef:
        return self.node(f"section/{section.key}") if section else self.doc

    def structure(self, st: Structure) -> None:
        if st.toc:
            iri = self.node("toc")
            self.extracted(iri, MZ.TableOfContents, "目录", st.toc.span, None)
            self.add(iri, DCTERMS.description, zh("\n".join(st.toc.entries)))
        for section in st.sections:
            iri = self.section_iri(section)
            cls = MZ.Chapter if section.depth == 1 else MZ.Section
            self.extracted(iri, cls, section.title, section.span, self.section_iri(section.parent))
            if cls is MZ.Chapter:
                self.add(iri, RDF.type, MZ.Section)
            self.add(iri, MZ.number, Literal(section.number) if section.number else None)
            self.add(iri, MZ.depth, Literal(section.depth, datatype=XSD.integer))
            self.add(iri, MZ.ordinal, Literal(section.ordinal, datatype=XSD.integer))
        for measure in st.measures:
            iri = self.node(f"measure/{measure.ordinal}")
            self.extracted(iri, MZ.Measure, measure.label, measure.span, self.section_iri(measure.section), measure.description)
            self.add(iri, MZ.ordinal, Literal(measure.ordinal, datatype=XSD.integer))
            self.add(iri, MZ.number, Literal(measure.number) if measure.number else None)
            if measure.description:
                self.add(iri, DCTERMS.description, zh(measure.description))
        for goal in st.goals:
            iri = self.node(f"goal/{goal.ordinal}")
            self.extracted(iri, MZ.Goal, goal.label, goal.span, self.section_iri(goal.section), goal.description)
            self.add(iri, MZ.ordinal, Literal(goal.ordinal, datatype=XSD.integer))
            if goal.description:
                self.add(iri, DCTERMS.description, zh(goal.description))
        for box in st.boxes:
            self.box(box)
        for table in st.tables:
            iri = self.node(f"table/{table.ordinal}")
            self.extracted(iri, MZ.IndicatorTable, table.caption, table.span, self.section_iri(table.section))
            self.add(iri, MZ.ordinal, Literal(table.ordinal, datatype=XSD.integer))

    def box(self, box: Box) -> None:
        iri = self.node(f"box/{box.ordinal}")
        self.extracted(iri, MZ.ProjectBox, box.title or f"专栏{box.number or box.ordinal}", box.span,
                       self.section_iri(box.section), box.description)
        self.add(iri, RDF.type, MZ.Project)
        if _PROGRAMME.search(box.title):
            self.add(iri, RDF.type, MZ.Programme)
        self.add(iri, MZ.ordinal, Literal(box.ordinal, datatype=XSD.integer))
        if box.number is not None:
            self.add(iri, MZ.boxNumber, Literal(box.number, datatype=XSD.integer))
        if box.description:
            self.add(iri, DCTERMS.description, zh(box.description))
        for item in box.items:
            item_iri = self.node(f"box/{box.ordinal}/item/{item.ordinal}")
            self.extracted(item_iri, MZ.ProjectItem, item.label, item.span, None, item.description)
            self.parents[item_iri] = iri
            self.add(item_iri, RDF.type, MZ.Project)
            if _PROGRAMME.search(item.label):
                self.add(item_iri, RDF.type, MZ.Programme)
            self.add(item_iri, MZ.inBox, iri)
            self.add(iri, MZ.hasItem, item_iri)
            self.add(item_iri, MZ.ordinal, Literal(item.ordinal, datatype=XSD.integer))
            self.add(item_iri, MZ.number, Literal(item.number) if item.number else None)
            if item.description:
                self.add(item_iri, DCTERMS.description, zh(item.description))

    # targets ---------------------------------------------------------------------
    def targets(self, targets: list[Target], indicator_iri) -> None:
        for ordinal, t in enumerate(targets, 1):
            iri = self.node(f"target/{ordinal}")
            parent = self.node(f"table/{t.table.ordinal}") if t.table else self.section_iri(t.section)
            self.extracted(iri, MZ.IndicatorTarget, _target_label(t), t.span, parent, t.text or "")
            self.add(iri, MZ.ordinal, Literal(ordinal, datatype=XSD.integer))
            self.add(iri, MZ.indicatorLabel, zh(t.indicator_label))
            self.add(iri, MZ.indicator, indicator_iri(t.indicator_label, t.unit))
            for prop, value in (
                (MZ.targetValue, t.value), (MZ.rangeMax, t.range_max), (MZ.baselineValue, t.baseline_value),
                (MZ.actualValue, t.actual_value),
                (MZ.normalizedValue, t.normalized_value if t.value is not None else None),
            ):
                if value is not None:
                    self.add(iri, prop, Literal(Decimal(value), datatype=XSD.decimal))
            for prop, year in ((MZ.targetYear, t.year), (MZ.baselineYear, t.baseline_year), (MZ.actualYear, t.actual_year)):
                if year is not None:
                    self.add(iri, prop, Literal(year, datatype=XSD.integer))
            for prop, text in ((MZ.targetText, t.text), (MZ.unit, t.unit), (MZ.comparator, t.comparator),
                               (MZ.reference, t.reference), (MZ.completionStatus, t.status), (MZ.rowNumber, t.row_number)):
                if text:
                    self.add(iri, prop, Literal(text))
            if t.achievement:
                self.add(iri, MZ.isAchievement, Literal(True))
            if t.split_ambiguous:
                self.add(iri, MZ.splitAmbiguous, Literal(True))
            self.add(iri, MZ.bindingness, BINDINGNESS.get(t.bindingness))
            if t.table:
                self.add(iri, MZ.fromTable, self.node(f"table/{t.table.ordinal}"))


    # target groups and policy areas -------------------------------------------------
    def classify(self, groups, areas) -> None:
        """mz:serves for every group a node names; mz:policyArea from a node's own words, else
        from the nearest enclosing section that has one."""
        own: dict[URIRef, URIRef] = {}
        for node, text in self.texts.items():
            for group in groups.find(text):
                self.add(node, MZ.serves, group)
            hits = areas.find(text)
            if hits:
                own[node] = max(sorted(hits), key=hits.get)
        for node in self.texts:
            area, parent = own.get(node), self.parents.get(node)
            while area is None and parent is not None:
                area, parent = own.get(parent), self.parents.get(parent)
            self.add(node, MZ.policyArea, area)
        for chapter_area in {own[n] for n in own if (n, RDF.type, MZ.Chapter) in self.g}:
            self.add(self.doc, MZ.policyArea, chapter_area)

    # what the text names: places and cited instruments ----------------------------
    def link(self, found: list[tuple[Span, URIRef, URIRef]], lines: list[Span]) -> None:
        """Attach each (span, predicate, object) to the document, to the line (as a passage)
        it occurs in, and to every extracted node whose text contains it."""
        starts = [line.start for line in lines]
        for span, predicate, obj in found:
            self.add(self.doc, predicate, obj)
            k = bisect_right(starts, span.start) - 1
            if k >= 0 and lines[k].end >= span.end:
                self.add(self.passage(lines[k]), predicate, obj)
            for node, covered in self.spans:
                if covered.start <= span.start and span.end <= covered.end:
                    self.add(node, predicate, obj)

    def unread(self, rows) -> list[tuple[str, str]]:
        """Table rows kept as text; for each, where it is and a warning."""
        warnings = []
        for row in rows:
            iri = self.node(f"unread/{row.ordinal}")
            label = short_label(" ".join(row.text.split()), 60)
            self.extracted(iri, MZ.UnreadRow, label, row.span, None)
            warnings.append((str(iri), f"a table row the reader could not interpret is kept as text: {label}"))
        return warnings

    def units(self, mentions, gazetteer) -> list[tuple[Span, URIRef, URIRef]]:
        # Townships are not in the gazetteer's graph: the graphs of the documents that name them describe
        # them, with every unit they are part of (a document's graph is reasoned about on its own, so the
        # transitive chain through the gazetteer's graph is stated rather than left to be entailed).
        for unit in {m.unit for m in mentions if m.unit.level == "township"}:
            iri = URIRef(self.m.unit(unit.code))
            self.add(iri, RDF.type, MZ.Township)
            self.add(iri, RDF.type, MZ.AdministrativeUnit)
            self.add(iri, RDFS.label, zh(unit.name))
            self.add(iri, MZ.adminCode, Literal(unit.code))
            self.add(iri, MZ.adminLevel, Literal(unit.level))
            for ancestor in gazetteer.ancestors(unit):
                self.add(iri, MZ.partOf, URIRef(self.m.unit(ancestor.code)))
        return [(m.span, MZ.mentionsUnit, URIRef(self.m.unit(m.unit.code))) for m in mentions]

    def instruments(self, citations) -> list[tuple[Span, URIRef, URIRef]]:
        found = []
        for c in citations:
            iri = URIRef(self.m.instrument(c.key))
            self.add(iri, RDF.type, MZ.PolicyInstrument)
            self.add(iri, RDFS.label, zh(c.key))
            self.add(iri, MZ.citedTitle, Literal(self.norm.original_text(c.span.start + 1, c.span.end - 1)))
            found.append((c.span, MZ.cites, iri))
        return found


def _target_label(t: Target) -> str:
    value = t.value if t.value is not None else t.actual_value
    shown = t.text if value is None else f"{value}{t.unit or ''}"
    return f"{t.indicator_label}: {shown}" if shown else t.indicator_label


def _original_of(label: str, norm: NormalizedText, span: Span) -> str:
    position = norm.text.find(label, span.start, span.end)
    return norm.original_text(position, position + len(label)) if position >= 0 else label


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
