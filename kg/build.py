"""Building and updating the store: parse, reason, validate, then write and publish.

Documents are parsed, reasoned about and checked against the shapes in worker processes, one per core,
each sending back its two graphs (asserted and entailed) as N-Triples; the reference data (ontology,
gazetteer, vocabularies) is prepared the same way beside them. The store takes everything through
pyoxigraph's bulk loader and only then replaces the old one, so a bad document leaves it as it was.
"""
from __future__ import annotations

import dataclasses
import gc
import hashlib
import importlib.util
import multiprocessing
import os
import time
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import Graph
from tqdm import tqdm

from mzkg import settings
from mzkg.loaders import DocumentError, Original, load_file, warm_up
from mzkg.loaders.formats import extensions
from mzkg.loaders.iris import Minter
from mzkg.loaders.metadata import Metadata

from . import provenance, reasoning, shapes, vocabulary
from .children import end_with_parent
from .interface import Graphs
from .shape_checks import Reference, ShapeChecker
from .store import GraphBuffer, fresh_store, rdflib_graph
from .versions import Revision, revise
from .validation import DocumentChecker, Finding, ValidationFailed, raise_on_violations, validate, validate_with_pyshacl


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
    original: Original
    seconds: dict[str, float]  # read, parse, triples, reasoning, validation
    ntriples: str
    entailed: str
    entailed_count: int
    warnings: list[Finding]

    def summary_only(self) -> "PreparedDocument":
        """The same without its graphs, once they are written."""
        return dataclasses.replace(self, ntriples="", entailed="")


@dataclass
class BuildReport:
    documents: list[PreparedDocument] = field(default_factory=list)
    failures: list[DocumentError] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    entailed: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # per stage; read/parse/triples/reasoning summed over documents
    revisions: list[Revision] = field(default_factory=list)  # documents a load gave a new version


def bundled_corpus() -> Path:
    """The documents shipped with the package (the repository's corpus/ folder)."""
    spec = importlib.util.find_spec("mzkg.corpus")
    if spec is None or not spec.submodule_search_locations:
        raise BuildError("the bundled corpus is missing from this installation")
    return Path(list(spec.submodule_search_locations)[0])


def corpus_files(corpus: str | Path) -> list[Path]:
    corpus = Path(corpus)
    if not corpus.is_dir():
        raise BuildError(f"{corpus}: not a directory")
    known = extensions()
    files = sorted(p for p in corpus.iterdir() if p.is_file() and p.suffix.lower() in known and not p.name.startswith("."))
    if not files:
        raise BuildError(f"{corpus}: no documents in this directory (text, HTML, Word or PDF files: {', '.join(known)})")
    return files


class Builder:
    def __init__(self, base: str | None = None, progress: bool = True):
        self.minter = Minter(base)
        self.progress = progress

    # whole corpus -----------------------------------------------------------------
    def build(self, corpus: str | Path, store_path: str | Path, keep_going: bool = False) -> BuildReport:
        """Build a fresh embedded store; the old one is replaced only when everything succeeded."""
        with fresh_store(store_path, self.minter.base) as store:
            write = GraphBuffer(store.bulk_put)
            report = self.prepare_corpus(corpus, keep_going, write, store.keep_original)
            write.flush()
            clock = time.perf_counter()
        report.seconds["store"] = write.seconds + time.perf_counter() - clock  # the swap and the first snapshot
        return report

    def build_remote(self, corpus: str | Path, remote, keep_going: bool = False) -> BuildReport:
        """Replace a remote SPARQL server's dataset in one update request."""
        graphs: Graphs = {}
        report = self.prepare_corpus(corpus, keep_going, graphs.update)
        clock = time.perf_counter()
        remote.rebuild(graphs, self.minter.base)
        report.seconds["store"] = time.perf_counter() - clock
        return report

    def prepare_corpus(self, corpus: str | Path, keep_going: bool, write, keep=None) -> BuildReport:
        """Make every graph a store built from this corpus holds and pass them to write as they are
        done: the reference graphs and each document's graphs, parsed, reasoned about and checked
        against the shapes in parallel; keep, when the store keeps source files, is given each
        document's file. Raises BuildError when a document fails (unless keep_going) or two files are
        the same document; what was written is then to be thrown away."""
        activity = provenance.Activity.now("build", self.minter)
        files = sorted(corpus_files(corpus), key=lambda path: -path.stat().st_size)  # the longest first: the cores finish together
        report = BuildReport()
        clock = time.perf_counter()
        warm_up()
        document_checker(self.minter.base)  # before the workers fork, so that they share it
        distinct = _Distinct()
        with _executor(len(files) + 2) as pool:
            reference_job, schema_job = pool.submit(reference_graphs, self.minter.base), pool.submit(schema_entailments)
            reference = None
            prepared = pool.map(_prepare, [(path, self.minter.base) for path in files], chunksize=_chunksize(len(files)))
            for outcome in self._bar(prepared, "parsing, reasoning, validating", total=len(files)):
                if reference is None and reference_job.done() and schema_job.done():  # written while documents are prepared
                    reference = _write_reference(write, reference_job.result(), schema_job.result(), self.minter)
                if not isinstance(outcome, DocumentError):
                    outcome = distinct.refusal(outcome) or outcome
                if not isinstance(outcome, DocumentError) and keep is not None:
                    outcome = _kept(outcome, keep)
                if isinstance(outcome, DocumentError):
                    report.failures.append(outcome)
                    continue
                outcome = activity.record(outcome)
                write(document_graphs([outcome], self.minter))
                report.documents.append(outcome.summary_only())
            if reference is None:
                reference = _write_reference(write, reference_job.result(), schema_job.result(), self.minter)
        if report.failures and not keep_going:
            raise BuildError("not building; these documents failed:\n" + "\n".join(f"  {e}" for e in report.failures))
        report.seconds["parse, reason, validate (wall)"] = time.perf_counter() - clock
        for stage in ("read", "parse", "triples", "reasoning", "validation"):
            report.seconds[stage] = sum(doc.seconds.get(stage, 0.0) for doc in report.documents)
        report.seconds["reference data"] = reference.seconds
        report.documents.sort(key=lambda doc: str(doc.source))
        report.failures.sort(key=lambda error: str(error.source))
        report.warnings = raise_on_violations(reference.findings) + [f for doc in report.documents for f in doc.warnings]
        report.entailed = reference.entailed + sum(doc.entailed_count for doc in report.documents)
        return report

    # some documents into an existing store ----------------------------------------
    def load(self, files: list[Path], store, source_url: str | None = None, force: bool = False) -> BuildReport:
        """Add or replace documents; source_url, for a single file, is the address it was published at;
        force loads texts that are not policy documents too."""
        if store.base != self.minter.base:
            raise BuildError(f"{store.path}: the store was built with base {store.base}, not {self.minter.base}")
        report, distinct = BuildReport(), _Distinct()
        activity = provenance.Activity.now("load", self.minter)
        for path in files:
            outcome = _prepare((path, self.minter.base, source_url, force))
            if isinstance(outcome, DocumentError):
                raise outcome  # any failure stops before writing
            refusal = distinct.refusal(outcome)
            if refusal:
                raise refusal
            report.documents.append(activity.record(outcome))
        keep = getattr(store, "keep_original", None)  # a remote server keeps no files
        for doc in report.documents if keep else ():  # kept before the graphs name them
            if isinstance(kept := _kept(doc, keep), DocumentError):
                raise kept
        versions: Graphs = {}
        for i, doc in enumerate(report.documents):
            report.documents[i], kept, revision = revise(store, self.minter, doc)
            versions.update(kept)
            report.revisions += [revision] if revision else []
        graphs = {**document_graphs(report.documents, self.minter), **versions}
        if hasattr(store, "replace_and_publish"):
            store.replace_and_publish(graphs)
        else:  # a remote store: what it held is put back if publishing fails
            previous = {name: "".join(f"{q.triple} .\n" for q in store.quads(name)) for name in graphs}
            store.replace_graphs(graphs)
            try:
                store.publish()
            except BaseException:
                store.replace_graphs(previous)
                raise
        report.warnings = [f for doc in report.documents for f in doc.warnings]
        report.entailed = sum(doc.entailed_count for doc in report.documents)
        return report

    def check(self, store) -> list[Finding]:
        """Validate what a store holds against the shapes."""
        return validate(store, self.asserted(store), compiled_shapes())

    def check_with_pyshacl(self, store) -> list[Finding]:
        data = Graph()
        for iri in self.asserted(store):
            data += rdflib_graph(store.quads(iri))
        return validate_with_pyshacl(data, vocabulary.shapes_graph(), compiled_ontology().ontology)

    @staticmethod
    def asserted(store) -> list[str]:
        """The names of the store's graphs that hold asserted triples (the shapes speak of those)."""
        minter = Minter(store.base)
        return [iri for iri in store.graph_names() if not minter.is_entailed(iri)]

    def _bar(self, items, stage: str, total: int | None = None):
        return tqdm(items, desc=stage, unit="doc", total=total, disable=not self.progress, leave=False)


@dataclass
class ReferenceGraphs:
    graphs: Graphs
    entailed: int
    findings: list[Finding]
    seconds: float


@lru_cache(maxsize=2)
def reference_data(base: str) -> Graphs:
    """The ontology, the gazetteer and the vocabularies, as N-Triples."""
    minter = Minter(base)
    return {minter.graph("ontology"): compiled_ontology().ntriples,
            minter.graph("gazetteer"): vocabulary.gazetteer_ntriples(minter),
            minter.graph("vocabulary"): vocabulary.vocabulary_ntriples(minter)}


def reference_graphs(base: str) -> ReferenceGraphs:
    """The reference data, what OWL 2 RL entails from it, and what the shapes find in it."""
    started = time.perf_counter()
    minter = Minter(base)
    asserted = reference_data(base)
    entailed = compiled_ontology().entailments(asserted[minter.graph("gazetteer")] + asserted[minter.graph("vocabulary")])
    found = DocumentChecker({}, compiled_shapes()).check(asserted)
    graphs = {**asserted, minter.entailments(minter.graph("vocabulary")): reasoning.lines_of(entailed)}
    return ReferenceGraphs(graphs, len(entailed), found, time.perf_counter() - started)


def _write_reference(write, reference: ReferenceGraphs, schema: str, minter: Minter) -> ReferenceGraphs:
    """Write the reference graphs and the ontology's entailments."""
    write({**reference.graphs, minter.entailments(minter.graph("ontology")): schema})
    return dataclasses.replace(reference, entailed=reference.entailed + schema.count("\n"))


def schema_entailments() -> str:
    return reasoning.lines_of(compiled_ontology().schema_entailments())


def document_graphs(documents: list[PreparedDocument], minter: Minter) -> Graphs:
    graphs = {}
    for doc in documents:
        graphs[doc.graph_iri] = doc.ntriples
        graphs[minter.entailments(doc.graph_iri)] = doc.entailed
    return graphs


class _Distinct(dict):
    """The documents so far, by IRI: a second file that is the same document is refused."""

    def refusal(self, doc: PreparedDocument) -> DocumentError | None:
        if doc.iri in self:
            return DocumentError(str(doc.source), f"is the same document as {self[doc.iri]} ({doc.iri})")
        self[doc.iri] = doc.source
        return None


def prepare_document(path: Path, base: str, tbox: reasoning.TBox, checker: ShapeChecker,
                     url: str | None = None, force: bool = False) -> PreparedDocument | DocumentError:
    """One document's graph and its entailments, as N-Triples, checked against the shapes. A part that
    violates them is left out and reported; only a document whose own node violates them is refused."""
    try:
        doc = load_file(path, base, url, force)
    except DocumentError as error:
        return error
    started = time.perf_counter()
    found = checker.check_by_subject(doc.about)
    left_out: list[Finding] = []
    while (violations := [f for f in found if f.severity == "Violation"]) and all(f.focus != doc.iri for f in violations):
        left_out += violations
        doc = doc.without({f.focus for f in violations})
        found = checker.check_by_subject(doc.about)
    doc.seconds["validation"] = time.perf_counter() - started
    try:
        warnings = raise_on_violations(found)
    except ValidationFailed as failed:
        return DocumentError(doc.source, f"violates the shapes: {failed}")
    warnings += [Finding("Warning", f.focus, f.path, f"left out, as it violates the shapes: {f.message}") for f in left_out]
    started = time.perf_counter()
    ntriples = doc.ntriples
    doc.seconds["triples"] += time.perf_counter() - started
    started = time.perf_counter()
    entailed = tbox.entailments(ntriples)
    doc.seconds["reasoning"] = time.perf_counter() - started
    warnings += [Finding("Warning", focus, "", message) for focus, message in doc.warnings]
    return PreparedDocument(doc.iri, doc.graph_iri, doc.metadata, doc.summary, doc.source, doc.original, doc.seconds,
                            ntriples, reasoning.lines_of(entailed), len(entailed), warnings)


# Compiled once per process; worker processes forked after the parent compiled them inherit them.
@lru_cache(maxsize=1)
def compiled_ontology() -> reasoning.TBox:
    return reasoning.TBox.of(vocabulary.ontology_graph())


@lru_cache(maxsize=1)
def compiled_shapes() -> list[shapes.Check]:
    return shapes.compile_shapes(vocabulary.shapes_graph(), compiled_ontology().ontology)


@lru_cache(maxsize=2)
def document_checker(base: str) -> ShapeChecker:
    return ShapeChecker(vocabulary.shapes_graph(), compiled_ontology().ontology, Reference(reference_data(base)))


def _prepare(job: tuple) -> PreparedDocument | DocumentError:
    path, base, *url = job
    return prepare_document(path, base, compiled_ontology(), document_checker(base), *url)


def _kept(doc: PreparedDocument, keep) -> PreparedDocument | DocumentError:
    """Give the store the document's file, read again and checked to be the file that was loaded."""
    try:
        data = Path(doc.source).read_bytes()
    except OSError as error:
        return DocumentError(doc.source, f"cannot be read again to be kept ({error.strerror or error})")
    if hashlib.sha256(data).hexdigest() != doc.original.sha256:
        return DocumentError(doc.source, "changed while it was being loaded; load it again")
    keep(data, doc.original.sha256)
    return doc


@contextmanager
def _executor(jobs: int):
    """Worker processes, one per core; or, with one core, a stand-in that runs each job at once.
    Leaving early (a failure) cancels the jobs not yet started."""
    size = min(jobs, processes())
    if size == 1:
        yield _InProcess()
        return
    methods = multiprocessing.get_all_start_methods()
    # fork where the platform has it: nothing is open yet that a child could inherit badly
    pool = ProcessPoolExecutor(max_workers=size, mp_context=multiprocessing.get_context("fork" if "fork" in methods else "spawn"),
                               initializer=end_with_parent)
    # The workers share what the parent has read (gazetteer, vocabularies, compiled ontology and shapes).
    # Frozen, it is left out of their garbage collections, which would otherwise walk it and so copy
    # every page it sits on into each worker.
    gc.freeze()
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)
        gc.unfreeze()


def _chunksize(jobs: int) -> int:
    return max(1, jobs // (8 * processes()))


def processes() -> int:
    """Worker processes of a build: the build_processes setting, or one per core."""
    return settings.value("build_processes") or os.cpu_count() or 1


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
