"""Building and updating the store: parse, reason, write, validate, then publish.

Documents are parsed and reasoned about in worker processes, one per core, each sending back its two
graphs (asserted and entailed) as N-Triples; the store takes them through pyoxigraph's bulk loader, the
shapes are checked by SPARQL over what was written, and only then does the new store replace the old
one. A bad document leaves the store as it was.
"""
from __future__ import annotations

import importlib.util
import multiprocessing
import os
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from tqdm import tqdm

from loaders import DocumentError, load_file, warm_up
from loaders.iris import Minter
from loaders.metadata import Metadata

from . import reasoning, shapes, vocabulary
from .store import Graphs, fresh_store, load_graphs, to_ntriples
from .validation import Finding, findings, raise_on_violations, validate, validate_with_pyshacl


class BuildError(Exception):
    pass


@dataclass
class PreparedDocument:
    """One document ready to store: what the report shows, and its graphs as N-Triples."""
    iri: str
    graph_iri: str
    metadata: Metadata
    summary: dict[str, int]
    source: str
    seconds: dict[str, float]  # read, parse, triples, reasoning
    ntriples: str
    entailed: str
    entailed_count: int


@dataclass
class BuildReport:
    documents: list[PreparedDocument] = field(default_factory=list)
    failures: list[DocumentError] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    entailed: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # per stage; read/parse/triples/reasoning summed over documents


def bundled_corpus() -> Path:
    """The documents shipped with the package (the repository's corpus/ folder)."""
    spec = importlib.util.find_spec("corpus")
    if spec is None or not spec.submodule_search_locations:
        raise BuildError("the bundled corpus is missing from this installation")
    return Path(list(spec.submodule_search_locations)[0])


def corpus_files(corpus: str | Path) -> list[Path]:
    corpus = Path(corpus)
    if not corpus.is_dir():
        raise BuildError(f"{corpus}: not a directory")
    files = sorted(p for p in corpus.iterdir() if p.is_file() and p.suffix.lower() == ".txt" and not p.name.startswith("."))
    if not files:
        raise BuildError(f"{corpus}: no .txt documents in this directory")
    return files


def entailment_graph(document_graph: str) -> str:
    return document_graph.replace("/graph/doc/", "/graph/entailments/doc/", 1)


class Builder:
    def __init__(self, base: str | None = None, progress: bool = True):
        self.minter = Minter(base)
        self.progress = progress
        self.ontology = vocabulary.ontology_graph()
        self.tbox = compiled_ontology()
        self.shapes = vocabulary.shapes_graph()
        self.checks = compiled_shapes()

    # whole corpus -----------------------------------------------------------------
    def build(self, corpus: str | Path, store_path: str | Path, keep_going: bool = False) -> BuildReport:
        """Build a fresh embedded store; the old one is replaced only when everything succeeded."""
        report, graphs = self.prepare_corpus(corpus, keep_going)
        clock = time.perf_counter()
        with fresh_store(store_path, self.minter.base) as store:
            store.bulk_put(graphs)
            report.seconds["store"] = time.perf_counter() - clock
            clock = time.perf_counter()
            report.warnings += validate(store, self.asserted(graphs), self.checks, focus=document_graph_names(report))
            report.seconds["validation"] += time.perf_counter() - clock
            clock = time.perf_counter()
        report.seconds["store"] += time.perf_counter() - clock  # the swap and the first snapshot
        return report

    def build_remote(self, corpus: str | Path, remote, keep_going: bool = False) -> BuildReport:
        """Replace a remote SPARQL server's dataset in one update request."""
        report, graphs = self.prepare_corpus(corpus, keep_going)
        clock = time.perf_counter()
        report.warnings += self.validate_apart(graphs, document_graph_names(report))
        report.seconds["validation"] += time.perf_counter() - clock
        clock = time.perf_counter()
        remote.rebuild(graphs, self.minter.base)
        report.seconds["store"] = time.perf_counter() - clock
        return report

    def prepare_corpus(self, corpus: str | Path, keep_going: bool) -> tuple[BuildReport, Graphs]:
        """Every graph a store built from this corpus holds: the reference graphs (checked against the
        shapes) and each document's graphs, made in parallel."""
        files = corpus_files(corpus)
        report = BuildReport()
        clock = time.perf_counter()
        warm_up(self.minter.base)
        with _executor(len(files) + 2) as pool:
            reference = pool.submit(reference_graphs, self.minter.base)
            schema = pool.submit(schema_entailments)
            prepared = pool.map(_prepare, [(path, self.minter.base) for path in files], chunksize=_chunksize(len(files)))
            for outcome in self._bar(prepared, "parsing and reasoning", total=len(files)):
                (report.failures if isinstance(outcome, DocumentError) else report.documents).append(outcome)
            reference, schema = reference.result(), schema.result()
        report.seconds["parse and reason (wall)"] = time.perf_counter() - clock
        for stage in ("read", "parse", "triples", "reasoning"):
            report.seconds[stage] = sum(doc.seconds.get(stage, 0.0) for doc in report.documents)
        report.seconds["validation"] = reference.seconds  # of the reference graphs, in a worker
        if report.failures and not keep_going:
            raise BuildError("not building; these documents failed:\n" + "\n".join(f"  {e}" for e in report.failures))
        report.documents.sort(key=lambda doc: str(doc.source))
        _check_unique(report.documents)
        report.warnings = raise_on_violations(reference.findings)
        graphs = {**reference.graphs, self.minter.graph("entailments/ontology"): schema, **document_graphs(report.documents)}
        report.entailed = reference.entailed + schema.count("\n") + sum(doc.entailed_count for doc in report.documents)
        return report, graphs

    # some documents into an existing store ----------------------------------------
    def load(self, files: list[Path], store) -> BuildReport:
        if store.base != self.minter.base:
            raise BuildError(f"{store.path}: the store was built with base {store.base}, not {self.minter.base}")
        report = BuildReport()
        for path in files:
            outcome = prepare_document(path, self.minter.base, self.tbox)
            if isinstance(outcome, DocumentError):
                raise outcome  # any failure stops before writing
            report.documents.append(outcome)
        _check_unique(report.documents)
        graphs = document_graphs(report.documents)
        report.warnings = self.validate_apart(graphs, document_graph_names(report))
        store.replace_graphs(graphs)
        store.publish()
        report.entailed = sum(doc.entailed_count for doc in report.documents)
        return report

    def check(self, store) -> list[Finding]:
        """Validate what a store holds against the shapes."""
        return validate(store, self.asserted(store.graph_names()), self.checks)

    def check_with_pyshacl(self, store) -> list[Finding]:
        data = Graph()
        for iri in self.asserted(store.graph_names()):
            data += store.graph(iri)
        return validate_with_pyshacl(data, self.shapes, self.ontology)

    def validate_apart(self, graphs: Graphs, focus: list[str]) -> list[Finding]:
        """Validate the nodes of the focus graphs, seen with the reference graphs they point into, in a
        scratch in-memory store before they are written anywhere."""
        scratch = ScratchStore()
        everything = {**reference_graphs(self.minter.base, validated=False).graphs, **graphs}
        scratch.bulk_put(everything)
        return validate(scratch, self.asserted(everything), self.checks, focus=focus)

    @staticmethod
    def asserted(graphs) -> list[str]:
        """The names of the graphs that hold asserted triples (the shapes speak of those)."""
        return [iri for iri in graphs if "/graph/entailments/" not in iri]

    def _bar(self, items, stage: str, total: int | None = None):
        return tqdm(items, desc=stage, unit="doc", total=total, disable=not self.progress, leave=False)


class ScratchStore:
    """An in-memory store for checking graphs before they are written elsewhere."""

    def __init__(self):
        self.store = ox.Store()

    def bulk_put(self, graphs: Graphs) -> None:
        load_graphs(self.store, graphs)

    def query(self, sparql: str, **options):
        return self.store.query(sparql, **options)


@dataclass
class ReferenceGraphs:
    graphs: Graphs
    entailed: int
    findings: list[Finding]
    seconds: float  # spent validating


def reference_graphs(base: str, validated: bool = True) -> ReferenceGraphs:
    """The ontology, the gazetteer and the vocabularies, what OWL 2 RL entails from the last two, and
    what the shapes find in them."""
    minter = Minter(base)
    tbox = compiled_ontology()
    gazetteer = vocabulary.gazetteer_ntriples(minter)
    concepts = vocabulary.vocabulary_ntriples(minter)
    entailed = tbox.entailments(gazetteer + concepts)
    graphs = {minter.graph("ontology"): tbox.ntriples,
              minter.graph("gazetteer"): gazetteer,
              minter.graph("vocabulary"): concepts,
              minter.graph("entailments/vocabulary"): reasoning.lines_of(entailed)}
    clock = time.perf_counter()
    found = []
    if validated:
        scratch = ScratchStore()
        scratch.bulk_put(graphs)
        found = findings(scratch, Builder.asserted(graphs), compiled_shapes())
    return ReferenceGraphs(graphs, len(entailed), found, time.perf_counter() - clock)


def schema_entailments() -> str:
    return reasoning.lines_of(compiled_ontology().schema_entailments())


def document_graphs(documents: list[PreparedDocument]) -> Graphs:
    graphs = {}
    for doc in documents:
        graphs[doc.graph_iri] = doc.ntriples
        graphs[entailment_graph(doc.graph_iri)] = doc.entailed
    return graphs


def document_graph_names(report: BuildReport) -> list[str]:
    return [doc.graph_iri for doc in report.documents]


def _check_unique(documents: list[PreparedDocument]) -> None:
    seen: dict[str, str] = {}
    for doc in documents:
        if doc.iri in seen:
            raise BuildError(f"{doc.source}: is the same document as {seen[doc.iri]} ({doc.iri})")
        seen[doc.iri] = doc.source


def prepare_document(path: Path, base: str, tbox: reasoning.TBox) -> PreparedDocument | DocumentError:
    """One document's graph and its entailments, as N-Triples."""
    try:
        doc = load_file(path, base)
    except DocumentError as error:
        return error
    started = time.perf_counter()
    ntriples = to_ntriples(doc.graph)
    doc.seconds["triples"] += time.perf_counter() - started
    started = time.perf_counter()
    entailed = tbox.entailments(ntriples)
    doc.seconds["reasoning"] = time.perf_counter() - started
    return PreparedDocument(doc.iri, doc.graph_iri, doc.metadata, doc.summary, doc.source, doc.seconds,
                            ntriples, reasoning.lines_of(entailed), len(entailed))


# Compiled once per process; worker processes forked after the parent compiled them inherit them.
@lru_cache(maxsize=1)
def compiled_ontology() -> reasoning.TBox:
    return reasoning.TBox.of(vocabulary.ontology_graph())


@lru_cache(maxsize=1)
def compiled_shapes() -> list[shapes.Check]:
    return shapes.compile_shapes(vocabulary.shapes_graph(), vocabulary.ontology_graph())


def _prepare(job: tuple[Path, str]) -> PreparedDocument | DocumentError:
    path, base = job
    return prepare_document(path, base, compiled_ontology())


def _executor(jobs: int):
    """Worker processes, one per core; or, with one core, a stand-in that runs each job at once."""
    size = min(jobs, os.cpu_count() or 1)
    if size == 1:
        return _InProcess()
    methods = multiprocessing.get_all_start_methods()
    # fork where the platform has it: nothing is open yet that a child could inherit badly
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    return ProcessPoolExecutor(max_workers=size, mp_context=context)


def _chunksize(jobs: int) -> int:
    return max(1, jobs // (8 * (os.cpu_count() or 1)))


class _InProcess:
    def submit(self, fn, *args) -> Future:
        future = Future()
        try:
            future.set_result(fn(*args))
        except BaseException as error:
            future.set_exception(error)
        return future

    def map(self, fn, items, chunksize: int = 1):
        return map(fn, items)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
