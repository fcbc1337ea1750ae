"""Building and updating the store: parse, reason, validate, then write.

Nothing is written until every document has parsed and the data has validated, so a bad
document leaves the store as it was.
"""
from __future__ import annotations

import hashlib
import importlib.util
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import Graph
from tqdm import tqdm

from loaders import DocumentError, LoadedDocument, load_file
from loaders.iris import Minter

from . import reasoning, vocabulary
from .store import fresh_store
from .validation import Finding, validate


class BuildError(Exception):
    pass


@dataclass
class BuildReport:
    documents: list[LoadedDocument] = field(default_factory=list)
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


class Builder:
    def __init__(self, base: str | None = None, progress: bool = True):
        self.minter = Minter(base)
        self.progress = progress
        self.ontology = vocabulary.ontology_graph()
        self.shapes = vocabulary.shapes_graph()
        self.gazetteer = vocabulary.gazetteer_graph(self.minter)
        self.vocabulary = vocabulary.vocabulary_graph(self.minter)

    # whole corpus -----------------------------------------------------------------
    def build(self, corpus: str | Path, store_path: str | Path, keep_going: bool = False) -> BuildReport:
        """Build a fresh embedded store; the old one is replaced only when everything succeeded."""
        report, graphs = self.prepare_corpus(corpus, keep_going)
        clock = time.perf_counter()
        with fresh_store(store_path, self.minter.base) as store:
            for iri, graph in self._bar(graphs.items(), "storing", total=len(graphs)):
                store.bulk_put(iri, graph)
        report.seconds["store"] = time.perf_counter() - clock
        return report

    def build_remote(self, corpus: str | Path, remote, keep_going: bool = False) -> BuildReport:
        """Replace a remote SPARQL server's dataset in one update request."""
        report, graphs = self.prepare_corpus(corpus, keep_going)
        clock = time.perf_counter()
        remote.rebuild(graphs, self.minter.base)
        report.seconds["store"] = time.perf_counter() - clock
        return report

    def prepare_corpus(self, corpus: str | Path, keep_going: bool) -> tuple[BuildReport, dict[str, Graph]]:
        """Every graph a store built from this corpus holds: parsed, reasoned about and validated."""
        files = corpus_files(corpus)
        report = BuildReport()
        clock = time.perf_counter()
        entailments: dict[str, Graph] = {}
        for outcome, entailed in self._bar(self._prepare_all(files), "parsing and reasoning", total=len(files)):
            if isinstance(outcome, DocumentError):
                report.failures.append(outcome)
            else:
                report.documents.append(outcome)
                entailments[outcome.graph_iri] = entailed
        report.documents.sort(key=lambda doc: str(doc.source))
        report.seconds["parse and reason (wall)"] = time.perf_counter() - clock
        for stage in ("read", "parse", "triples", "reasoning"):
            report.seconds[stage] = sum(doc.seconds.get(stage, 0.0) for doc in report.documents)
        if report.failures and not keep_going:
            raise BuildError("not building; these documents failed:\n" + "\n".join(f"  {e}" for e in report.failures))
        self._check_unique(report.documents)
        clock = time.perf_counter()
        report.warnings = self._validate(report.documents)
        report.seconds["validation"] = time.perf_counter() - clock
        clock = time.perf_counter()
        reference = self._reference_closure()
        report.seconds["reference closure"] = time.perf_counter() - clock
        graphs = {self.minter.graph("ontology"): self.ontology, self.minter.graph("gazetteer"): self.gazetteer,
                  self.minter.graph("vocabulary"): self.vocabulary, self.minter.graph("entailments/vocabulary"): reference}
        for doc in report.documents:
            graphs[doc.graph_iri] = doc.graph
            graphs[entailment_graph(doc.graph_iri)] = entailments[doc.graph_iri]
        report.entailed = len(reference) + sum(len(g) for g in entailments.values())
        return report, graphs

    # some documents into an existing store ----------------------------------------
    def load(self, files: list[Path], store) -> BuildReport:
        if store.base != self.minter.base:
            raise BuildError(f"{store.path}: the store was built with base {store.base}, not {self.minter.base}")
        report = BuildReport()
        for path in files:
            report.documents.append(load_file(path, self.minter.base))  # any failure stops before writing
        self._check_unique(report.documents)
        report.warnings = self._validate(report.documents)
        graphs: dict[str, Graph] = {}
        for doc in report.documents:
            graphs[doc.graph_iri] = doc.graph
            graphs[entailment_graph(doc.graph_iri)] = self._entailments(doc)
        store.replace_graphs(graphs)
        store.publish()
        report.entailed = sum(len(g) for iri, g in graphs.items() if "/entailments/" in iri)
        return report

    def check(self, store) -> list[Finding]:
        """Validate what a store holds: every document graph with the gazetteer and vocabularies."""
        data = Graph()
        for iri in store.graph_names():
            if "/graph/doc/" in iri or iri in (self.minter.graph("gazetteer"), self.minter.graph("vocabulary")):
                for triple in store.graph(iri):
                    data.add(triple)
        return validate(data, self.shapes, self.ontology)

    # steps ------------------------------------------------------------------------
    def _validate(self, documents: list[LoadedDocument]) -> list[Finding]:
        data = Graph()
        for graph in (self.gazetteer, self.vocabulary, *(doc.graph for doc in documents)):
            for triple in graph:
                data.add(triple)
        return validate(data, self.shapes, self.ontology)

    def _entailments(self, doc: LoadedDocument) -> Graph:
        return reasoning.entailments(doc.graph, self.ontology)

    def _reference_closure(self) -> Graph:
        """Entailments of the ontology with the gazetteer and vocabularies, computed once and cached."""
        key = hashlib.sha256(self.minter.base.encode())
        for source in vocabulary.sources():
            key.update(source)
        cached = _cache_dir() / f"reference-closure-{key.hexdigest()[:16]}.nt"
        if cached.exists():
            return Graph().parse(cached, format="nt")
        data = Graph()
        for graph in (self.gazetteer, self.vocabulary):
            for triple in graph:
                data.add(triple)
        closure = reasoning.entailments(data, self.ontology)
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_suffix(".tmp")
        closure.serialize(temporary, format="nt", encoding="utf-8")
        temporary.replace(cached)
        return closure

    @staticmethod
    def _check_unique(documents: list[LoadedDocument]) -> None:
        seen: dict[str, str] = {}
        for doc in documents:
            if doc.iri in seen:
                raise BuildError(f"{doc.source}: is the same document as {seen[doc.iri]} ({doc.iri})")
            seen[doc.iri] = doc.source

    def _prepare_all(self, files: list[Path]):
        """Parse and reason about every document, spread over the machine's cores."""
        jobs = [(path, self.minter.base) for path in files]
        if len(files) == 1 or (os.cpu_count() or 1) == 1:
            yield from map(prepare, jobs)
            return
        # fork where the platform has it: nothing is open yet that a child could inherit badly
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        with ProcessPoolExecutor(max_workers=min(len(files), os.cpu_count() or 1), mp_context=context) as pool:
            yield from pool.map(prepare, jobs, chunksize=max(1, len(files) // (8 * (os.cpu_count() or 1))))

    def _bar(self, items, stage: str, total: int | None = None):
        return tqdm(items, desc=stage, unit="doc", total=total, disable=not self.progress, leave=False)


def prepare(job: tuple[Path, str]) -> tuple[LoadedDocument | DocumentError, Graph | None]:
    """One document's graph and its entailments (run in a worker process)."""
    path, base = job
    try:
        doc = load_file(path, base)
    except DocumentError as error:
        return error, None
    started = time.perf_counter()
    entailed = reasoning.entailments(doc.graph, _ontology())
    doc.seconds["reasoning"] = time.perf_counter() - started
    return doc, entailed


@lru_cache(maxsize=1)
def _ontology() -> Graph:
    return vocabulary.ontology_graph()


def entailment_graph(document_graph: str) -> str:
    return document_graph.replace("/graph/doc/", "/graph/entailments/doc/", 1)


def _cache_dir() -> Path:
    root = os.environ.get("KG_CACHE") or os.path.join(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "mzkg")
    return Path(root)

