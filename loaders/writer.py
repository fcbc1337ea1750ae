"""From an Extraction to the triples of one document's graph, in pyoxigraph's own terms.

The writer does no analysis: every fact it writes was found by extract(). Every part points to its
document (mz:inDocument) and to the mz:Passage it came from, a span located by code-point offsets
into the document's mz:fullText.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from bisect import bisect_right
from decimal import Decimal

import pyoxigraph as ox

from mzkg.ontology import MZ, PREFIXES

from .extraction import Extraction
from .gazetteer import Gazetteer
from .iris import Minter
from .model import Span
from .normalize import NormalizedText
from .responsibilities import full_name, government_name
from .structure import lines_of
from .units import unit_of_measure


class _Namespace:
    """Named nodes of one namespace, made once: `_Namespace(prefix).name`."""

    def __init__(self, prefix: str):
        self._prefix = prefix

    def __getattr__(self, name: str) -> ox.NamedNode:
        node = ox.NamedNode(self._prefix + name)
        setattr(self, name, node)
        return node


M = _Namespace(str(MZ))
RDF, RDFS, SKOS, DCTERMS, XSD, PROV, DCAT, ELI, OA, ORG, QB, QUDT = (
    _Namespace(PREFIXES[name]) for name in ("rdf", "rdfs", "skos", "dcterms", "xsd", "prov", "dcat", "eli", "oa", "org", "qb", "qudt"))
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"

_CLASSES = {"toc": "TableOfContents", "measure": "Measure", "goal": "Goal", "box": "ProjectBox", "item": "ProjectItem",
            "table": "IndicatorTable", "target": "IndicatorTarget", "unread": "UnreadRow"}
BINDINGNESS = {"binding": "Binding", "expected": "Expected"}
# the values a target states, each an observation of the document's Data Cube: its kind, value and year
OBSERVED = (("target", "TargetLevel", "value", "year"), ("baseline", "BaselineLevel", "baseline_value", "baseline_year"),
            ("achieved", "AchievedLevel", "actual_value", "actual_year"))


def zh(text: str) -> ox.Literal:
    return ox.Literal(text, language="zh")


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD.integer)


def _decimal(value) -> ox.Literal:
    return ox.Literal(str(Decimal(value)), datatype=XSD.decimal)


def _date(iso: str) -> ox.Literal:
    """A day, or a month when the text gives no day."""
    return ox.Literal(iso, datatype=XSD.date if len(iso) == 10 else XSD.gYearMonth)


def _year(year: int) -> ox.Literal:
    return ox.Literal(str(year), datatype=XSD.gYear)


def _true() -> ox.Literal:
    return ox.Literal("true", datatype=XSD.boolean)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DocumentWriter:
    """Writes one document's triples; IRIs under the minter's base."""

    def __init__(self, minter: Minter, slug: str, found: Extraction, gazetteer: Gazetteer):
        self.m = minter
        self.found = found
        self.norm: NormalizedText = found.text
        self.gazetteer = gazetteer
        self.doc = ox.NamedNode(minter.document(slug))
        self.triples: dict[ox.Triple, None] = {}  # ordered and without repeats
        self.about: dict[ox.NamedNode, dict[ox.NamedNode, list]] = defaultdict(lambda: defaultdict(list))  # the same by subject
        self.passages: dict[tuple[int, int], ox.NamedNode] = {}
        self.passage_iris: set[str] = set()
        self.observations: dict[str, ox.NamedNode] = {}  # key -> observation, one per key in the Data Cube

    def write(self, source_text: str, original=None) -> list[ox.Triple]:
        self.document(content_hash(source_text))
        if original is not None:
            self.original(original)
        self.parts()
        self.dataset()
        self.units()
        self.citations()
        self.responsibilities()
        return list(self.triples)

    def add(self, s, p, o) -> None:
        if o is not None:
            triple = ox.Triple(s, p, o)
            if triple not in self.triples:
                self.triples[triple] = None
                self.about[s][p].append(o)

    def node(self, path: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.doc.value}/{path}")

    def concept(self, path: str) -> ox.NamedNode:
        return ox.NamedNode(self.m(path))

    # provenance ------------------------------------------------------------------
    def passage(self, span: Span) -> ox.NamedNode:
        """The passage of a span: a Web Annotation text position selector. Its IRI is minted from its
        text, so that an edit elsewhere leaves it unchanged; the same text at a second place also says
        how often the text occurs before it (counted only then: a document's cost stays linear)."""
        start, end = self.norm.original_span(span.start, span.end)
        if (start, end) in self.passages:
            return self.passages[start, end]
        exact = self.norm.original[start:end]
        name = f"passage/{content_hash(exact)[:10]}"
        if name in self.passage_iris:
            name += f"-{self.norm.original.count(exact, 0, start) + 1}"
        if name in self.passage_iris:  # overlapping repeats of one text
            name += f"-at{start}"
        self.passage_iris.add(name)
        self.passages[start, end] = iri = self.node(name)
        self.add(iri, RDF.type, M.Passage)
        self.add(iri, RDF.type, OA.TextPositionSelector)
        self.add(iri, M.inDocument, self.doc)
        self.add(iri, M.startOffset, integer(start))
        self.add(iri, M.endOffset, integer(end))
        self.add(iri, OA.start, integer(start))
        self.add(iri, OA.end, integer(end))
        self.add(iri, M.exactText, ox.Literal(exact))
        return iri

    # the document ----------------------------------------------------------------
    def document(self, digest: str) -> None:
        d, meta = self.doc, self.found.metadata
        self.add(d, RDF.type, getattr(M, meta.kind))
        self.add(d, RDF.type, M.PolicyDocument)
        self.add(d, RDF.type, ELI.LegalResource)
        self.add(d, ELI.type_document, ox.NamedNode(self.m.document_type(meta.kind)))
        self.add(d, DCTERMS.title, zh(meta.title))
        self.add(d, RDFS.label, zh(meta.title))
        self.add(d, M.titleInferred, ox.Literal("true" if meta.title_inferred else "false", datatype=XSD.boolean))
        for note in meta.notes:
            self.add(d, M.inferenceNote, ox.Literal(note))
        if meta.jurisdiction:
            self.add(d, M.jurisdiction, ox.NamedNode(self.m.unit(meta.jurisdiction.code)))
        for name in meta.issuers:
            org = ox.NamedNode(self.m.organisation(name))
            self.add(d, M.issuedBy, org)
            self.add(d, ELI.passed_by, org)
            self.add(org, RDF.type, M.GovernmentBody)
            self.add(org, RDF.type, ORG.Organization)
            self.add(org, RDFS.label, zh(name))
            unit = meta.jurisdiction
            if unit and name.startswith(unit.name) and name != government_name(unit):  # 西宁市民政局, of 西宁市
                self.add(org, ORG.subOrganizationOf, self.government(unit))
        if meta.period_start is not None:
            self.add(d, M.periodStart, integer(meta.period_start))
            self.add(d, M.periodEnd, integer(meta.period_end))
            self.period(meta.period_start, meta.period_end)
        if meta.issued:
            self.add(d, DCTERMS.issued, _date(meta.issued))
            self.add(d, ELI.date_document, _date(meta.issued))
        if meta.published:
            self.add(d, M.published, _date(meta.published))
            self.add(d, ELI.date_publication, _date(meta.published))
        if meta.document_number:
            self.add(d, M.documentNumber, ox.Literal(meta.document_number))
            self.add(d, ELI.id_local, ox.Literal(meta.document_number))
        self.add(d, M.fullText, ox.Literal(self.norm.original))
        self.add(d, M.contentHash, ox.Literal(digest))
        self.add(d, M.sourceScript, ox.Literal(self.norm.script))
        for area in self.found.areas:
            self.add(d, M.policyArea, self.concept(area))
            self.add(d, ELI.is_about, self.concept(area))

    def period(self, start: int, end: int) -> None:
        """The years a plan covers, as a DCMI period of time shared by every document covering them."""
        period = ox.NamedNode(self.m.period(start, end))
        self.add(self.doc, DCTERMS.temporal, period)
        self.add(period, RDF.type, DCTERMS.PeriodOfTime)
        self.add(period, RDFS.label, zh(f"{start}—{end}年" if end != start else f"{start}年"))
        self.add(period, DCAT.startDate, _year(start))
        self.add(period, DCAT.endDate, _year(end))

    def original(self, original) -> None:
        """The file the document was read from (a loaders.Original), kept by the store under its digest."""
        f = self.node("source")
        self.add(self.doc, M.originalFile, f)
        self.add(f, RDF.type, M.SourceFile)
        self.add(f, RDF.type, PROV.Entity)
        self.add(f, M.fileName, ox.Literal(original.name))
        self.add(f, M.sha256, ox.Literal(original.sha256))
        self.add(f, DCAT.mediaType, ox.NamedNode(MEDIA_TYPES + original.media_type))
        self.add(f, DCAT.byteSize, integer(original.size))
        self.add(f, DCAT.downloadURL, ox.NamedNode(self.m.original(original.sha256)))
        if original.url:
            self.add(self.doc, DCTERMS.source, ox.NamedNode(original.url))

    # the parts -------------------------------------------------------------------
    def parts(self) -> None:
        for part in self.found.parts:
            iri = self.node(part.path)
            cls = M.Chapter if part.kind == "section" and part.record.depth == 1 else getattr(M, _CLASSES.get(part.kind, "Section"))
            self.add(iri, RDF.type, cls)
            self.add(iri, RDFS.label, zh(part.label))
            self.add(iri, M.inDocument, self.doc)
            self.add(iri, M.source, self.passage(part.span))
            whole = self.node(part.parent) if part.parent else self.doc
            if part.in_section:
                self.add(iri, M.partOfSection, whole)
            self.add(iri, ELI.is_part_of, whole)
            self.add(whole, ELI.has_part, iri)
            if self.norm.script == "Hant":
                original = _original_of(part.label, self.norm, part.span)
                if original != part.label:
                    self.add(iri, SKOS.altLabel, ox.Literal(original, language="zh-Hant"))
            for group in part.groups:
                self.add(iri, M.serves, self.concept(group))
            if part.area:
                self.add(iri, M.policyArea, self.concept(part.area))
            getattr(self, part.kind)(iri, part.record, part)

    def toc(self, iri, toc, part) -> None:
        self.add(iri, DCTERMS.description, zh("\n".join(toc.entries)))

    def section(self, iri, section, part) -> None:
        if section.number:
            self.add(iri, M.number, ox.Literal(section.number))
        self.add(iri, M.depth, integer(section.depth))
        self.add(iri, M.ordinal, integer(section.ordinal))

    def measure(self, iri, measure, part) -> None:
        self.add(iri, M.ordinal, integer(measure.ordinal))
        if measure.number:
            self.add(iri, M.number, ox.Literal(measure.number))
        self.described(iri, measure.description)

    def goal(self, iri, goal, part) -> None:
        self.add(iri, M.ordinal, integer(goal.ordinal))
        self.described(iri, goal.description)

    def box(self, iri, box, part) -> None:
        self.add(iri, RDF.type, M.Project)
        if part.programme:
            self.add(iri, RDF.type, M.Programme)
        self.add(iri, M.ordinal, integer(box.ordinal))
        if box.number is not None:
            self.add(iri, M.boxNumber, integer(box.number))
        self.described(iri, box.description)

    def item(self, iri, item, part) -> None:
        box = self.node(part.parent)
        self.add(iri, RDF.type, M.Project)
        if part.programme:
            self.add(iri, RDF.type, M.Programme)
        self.add(iri, M.inBox, box)
        self.add(box, M.hasItem, iri)
        self.add(iri, M.ordinal, integer(item.ordinal))
        if item.number:
            self.add(iri, M.number, ox.Literal(item.number))
        self.described(iri, item.description)

    def table(self, iri, table, part) -> None:
        self.add(iri, M.ordinal, integer(table.ordinal))

    def target(self, iri, t, part) -> None:
        self.add(iri, M.ordinal, integer(part.ordinal))
        self.add(iri, M.indicatorLabel, zh(t.indicator_label))
        self.indicator(iri, part.indicator)
        for prop, value in (("targetValue", t.value), ("rangeMax", t.range_max), ("baselineValue", t.baseline_value),
                            ("actualValue", t.actual_value),
                            ("normalizedValue", t.normalized_value if t.value is not None else None)):
            if value is not None:
                self.add(iri, getattr(M, prop), _decimal(value))
        for prop, year in (("targetYear", t.year), ("baselineYear", t.baseline_year), ("actualYear", t.actual_year)):
            if year is not None:
                self.add(iri, getattr(M, prop), integer(year))
        for prop, text in (("targetText", t.text), ("unit", t.unit), ("comparator", t.comparator),
                           ("reference", t.reference), ("completionStatus", t.status), ("rowNumber", t.row_number)):
            if text:
                self.add(iri, getattr(M, prop), ox.Literal(text))
        if t.achievement:
            self.add(iri, M.isAchievement, _true())
        if t.split_ambiguous:
            self.add(iri, M.splitAmbiguous, _true())
        if t.cumulative:
            self.add(iri, M.cumulative, _true())
        if t.bindingness in BINDINGNESS:
            self.add(iri, M.bindingness, getattr(M, BINDINGNESS[t.bindingness]))
        if t.table:
            self.add(iri, M.fromTable, self.node(f"table/{t.table.ordinal}"))
        self.observe(iri, t, part)

    # the Data Cube ----------------------------------------------------------------
    def dataset_node(self) -> ox.NamedNode:
        return self.node("dataset")

    def observe(self, iri, t, part) -> None:
        """Each value a target states with its year, in a document with a jurisdiction, is an observation
        of the document's dataset. One observation for each key (indicator, year, kind of value): the
        first statement of a value is kept, and a restatement is one more source of it."""
        jurisdiction = self.found.metadata.jurisdiction
        if jurisdiction is None:
            return
        indicator = self.concept(part.indicator.path)
        for kind, level, value_field, year_field in OBSERVED:
            value, year = getattr(t, value_field), getattr(t, year_field)
            if value is None or year is None or (kind == "target" and t.achievement):
                continue
            key = f"{kind}-{year}-{content_hash(part.indicator.path)[:10]}"
            if key not in self.observations:
                self.observations[key] = obs = self.node(f"observation/{key}")
                self.add(obs, RDF.type, QB.Observation)
                self.add(obs, QB.dataSet, self.dataset_node())
                self.add(obs, M.refArea, ox.NamedNode(self.m.unit(jurisdiction.code)))
                self.add(obs, M.refIndicator, indicator)
                self.add(obs, M.refYear, integer(year))
                self.add(obs, M.valueKind, getattr(M, level))
                self.add(obs, M.value, _decimal(value))
                if t.unit:
                    self.add(obs, M.unitOfMeasure, self.unit_of_measure(t.unit))
                if kind == "target":
                    if t.comparator:
                        self.add(obs, M.comparator, ox.Literal(t.comparator))
                    if t.bindingness in BINDINGNESS:
                        self.add(obs, M.bindingness, getattr(M, BINDINGNESS[t.bindingness]))
                    if t.cumulative:
                        self.add(obs, M.cumulative, _true())
            self.add(self.observations[key], M.observationOf, iri)

    def dataset(self) -> None:
        """The document's qb:DataSet, when it has observations; part of the dataset of all documents."""
        if not self.observations:
            return
        ds = self.dataset_node()
        self.add(ds, RDF.type, QB.DataSet)
        self.add(ds, QB.structure, M.TargetStructure)
        self.add(ds, RDFS.label, zh(f"{self.found.metadata.title}:指标数值"))
        self.add(ds, M.inDocument, self.doc)
        self.add(ds, DCTERMS.isPartOf, ox.NamedNode(self.m("dataset")))  # the whole dataset (server/dataset.py)

    def unit_of_measure(self, written: str) -> ox.NamedNode:
        unit = unit_of_measure(written)
        iri = ox.NamedNode(self.m.measure_unit(unit.slug))
        self.add(iri, RDF.type, M.UnitOfMeasure)
        self.add(iri, SKOS.prefLabel, zh(unit.label))
        self.add(iri, SKOS.inScheme, M.UnitScheme)
        if unit.ucum:
            self.add(iri, QUDT.ucumCode, ox.Literal(unit.ucum))
        return iri

    def indicator(self, iri, alignment) -> None:
        concept = self.concept(alignment.path)
        self.add(iri, M.indicator, concept)
        if alignment.minted is not None:  # a concept of the document's own wording: described where it is used
            self.add(concept, RDF.type, M.Indicator)
            self.add(concept, SKOS.prefLabel, zh(alignment.minted))
            self.add(concept, SKOS.inScheme, M.IndicatorScheme)

    def unread(self, iri, row, part) -> None:
        pass

    def described(self, iri, description: str) -> None:
        if description:
            self.add(iri, DCTERMS.description, zh(description))

    # who carries out each task ---------------------------------------------------------
    def responsibilities(self) -> None:
        paths = {id(part.record): part.path for part in self.found.parts}
        jurisdiction = self.found.metadata.jurisdiction
        for entry in self.found.responsibilities:
            task = self.node(paths[id(entry.task)])
            for role, names in (("responsibleBody", entry.responsible), ("leadBody", entry.lead),
                                ("cooperatingBody", entry.cooperating)):
                for name in names:
                    self.add(task, getattr(M, role), self.body(name, jurisdiction))

    def body(self, name: str, jurisdiction) -> ox.NamedNode:
        """A body named by a task's note, one node for every document that names it in full."""
        full = full_name(name, jurisdiction)
        iri = ox.NamedNode(self.m.organisation(full))
        self.add(iri, RDF.type, M.GovernmentBody)
        self.add(iri, RDFS.label, zh(full))
        self.add(iri, RDF.type, ORG.Organization)
        if full != name:
            self.add(iri, M.bodyOf, ox.NamedNode(self.m.unit(jurisdiction.code)))
            self.add(iri, ORG.subOrganizationOf, self.government(jurisdiction))
        return iri

    def government(self, unit) -> ox.NamedNode:
        name = government_name(unit)
        iri = ox.NamedNode(self.m.organisation(name))
        self.add(iri, RDF.type, M.GovernmentBody)
        self.add(iri, RDF.type, ORG.Organization)
        self.add(iri, RDFS.label, zh(name))
        self.add(iri, M.bodyOf, ox.NamedNode(self.m.unit(unit.code)))
        return iri

    # what the text names: places and cited instruments ----------------------------
    def units(self) -> None:
        # Townships are not in the gazetteer's graph: the graphs of the documents that name them describe
        # them, with every unit they are part of (a document's graph is reasoned about on its own, so the
        # transitive chain through the gazetteer's graph is stated rather than left to be entailed).
        mentions = self.found.mentions
        for unit in sorted({m.unit for m in mentions if m.unit.level == "township"}, key=lambda u: u.code):
            iri = ox.NamedNode(self.m.unit(unit.code))
            self.add(iri, RDF.type, M.Township)
            self.add(iri, RDF.type, M.AdministrativeUnit)
            self.add(iri, RDFS.label, zh(unit.name))
            self.add(iri, M.adminCode, ox.Literal(unit.code))
            self.add(iri, M.divisionCode, ox.Literal(self.gazetteer.division_code(unit)))
            self.add(iri, M.adminLevel, ox.Literal(unit.level))
            for ancestor in self.gazetteer.ancestors(unit):
                self.add(iri, M.partOf, ox.NamedNode(self.m.unit(ancestor.code)))
        self.link([(m.span, M.mentionsUnit, ox.NamedNode(self.m.unit(m.unit.code))) for m in mentions])

    def citations(self) -> None:
        found = []
        for c in self.found.citations:
            iri = ox.NamedNode(self.m.instrument(c.key))
            self.add(iri, RDF.type, M.PolicyInstrument)
            self.add(iri, RDFS.label, zh(c.key))
            self.add(iri, M.citedTitle, ox.Literal(self.norm.original_text(c.span.start + 1, c.span.end - 1)))
            found.append((c.span, M.cites, iri))
        self.link(found)

    def link(self, found: list[tuple[Span, ox.NamedNode, ox.NamedNode]]) -> None:
        """Attach each (span, predicate, object) to the document, to the line (as a passage) it occurs
        in, and to every part whose span contains it."""
        lines = [line.span for line in lines_of(self.norm.text)]
        starts = [line.start for line in lines]
        parts = sorted(((p.span.start, p.span.end, self.node(p.path)) for p in self.found.parts), key=lambda p: p[0])
        part_starts = [start for start, _, _ in parts]
        for span, predicate, obj in found:
            self.add(self.doc, predicate, obj)
            if predicate == M.cites:
                self.add(self.doc, ELI.cites, obj)
            k = bisect_right(starts, span.start) - 1
            if k >= 0 and lines[k].end >= span.end:
                self.add(self.passage(lines[k]), predicate, obj)
            for start, end, node in parts[:bisect_right(part_starts, span.start)]:
                if span.end <= end:
                    self.add(node, predicate, obj)


def _original_of(label: str, norm: NormalizedText, span: Span) -> str:
    position = norm.text.find(label, span.start, span.end)
    return norm.original_text(position, position + len(label)) if position >= 0 else label
