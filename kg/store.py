"""The on-disk store: a writable pyoxigraph store, read-only snapshots of it, and a manifest.

    kg-store/
      kg-manifest.json        base IRI, generation, the primary and the current snapshot
      oxigraph-000007/        the primary store the manifest names; only `kg build` and `kg load` write it
      snapshots/000007/       what readers open: an immutable copy (Store.backup) per generation
      snapshots/000007.search its text index (kg/search.py), written before the manifest names it
      originals/<sha256>      the files documents were read from, as they were
      .write-lock             held by the one writer at a time
      kg-undo.json            while a load is publishing: what the graphs it replaces held before

Opening a store read-only while another process writes it is undefined behaviour in Oxigraph,
so readers never open the primary: every write ends by publishing a new snapshot and then
switching the manifest to it in one atomic rename. Readers see the old generation or the new
one, never a half-written one. A build writes a fresh primary beside the old one, gives it its
final name once it is whole, and the manifest switch that publishes its snapshot names it as the
primary too: killed at any instant, the manifest names the old primary and snapshot or the new
ones. A load replaces a document's graphs in the primary with a single SPARQL update, which
Oxigraph applies as one transaction, and then publishes. Before the update it writes what those
graphs held to kg-undo.json, and removes it once the manifest names the new generation: a load that
fails, or is killed, before its generation is published has its change to the primary undone, there
and then or by the next writer that opens the store, so no later write publishes it.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from mzkg import settings

from . import search
from .interface import Graphs

MANIFEST = "kg-manifest.json"
ORIGINALS = "originals"  # the source files, each under its SHA-256 digest
LOCK = ".write-lock"
UNDO = "kg-undo.json"
PRIMARY = "oxigraph"
SNAPSHOTS = "snapshots"


class StoreError(Exception):
    pass

# About this many characters of N-Triples go to the bulk loader at a time: it is quickest with some
# 100,000 quads a call (bench/run.py), and what is left to write once the documents are done is small.
BULK_CHUNK = 16 * 1024 * 1024


def to_ntriples(triples: Iterable[tuple]) -> str:
    """N-Triples for a graph or any collection of rdflib triples, written by pyoxigraph."""
    return ox.serialize((ox.Triple(ox_term(s), ox_term(p), ox_term(o)) for s, p, o in triples), format=ox.RdfFormat.N_TRIPLES).decode("utf-8")


def ox_term(term):
    """An rdflib term as pyoxigraph's."""
    if isinstance(term, URIRef):
        return ox.NamedNode(term)
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(term, language=term.language)
        return ox.Literal(term, datatype=ox.NamedNode(term.datatype) if term.datatype else None)
    if isinstance(term, BNode):
        return ox.BlankNode(term)
    raise TypeError(f"not an RDF term: {term!r}")


def rdflib_graph(quads) -> Graph:
    """Triples of some quads as an rdflib graph (for pySHACL)."""
    data = ox.serialize((quad.triple for quad in quads), format=ox.RdfFormat.N_TRIPLES)
    return Graph().parse(data=data.decode("utf-8"), format="nt")


def replace_update(graphs: Graphs) -> str:
    """One SPARQL update that drops and rewrites the given named graphs."""
    drops = "".join(f"DROP SILENT GRAPH <{iri}> ;\n" for iri in graphs)
    return f"{drops}INSERT DATA {{\n{graph_blocks(graphs)}}}"


def graph_blocks(graphs: Graphs) -> str:
    return "".join(f"GRAPH <{iri}> {{\n{triples}}}\n" for iri, triples in graphs.items())


def load_graphs(store: ox.Store, graphs: Graphs) -> None:
    """Bulk-load named graphs into a pyoxigraph store, as N-Quads. The N-Triples are pyoxigraph's own
    (the loaders' and the reference data's), so the parser need not check them again."""
    # an N-Triples line ends in " .\n" and a newline inside a literal is escaped, so this names the
    # graph on every line and nowhere else
    quads = "".join(triples.replace(" .\n", f" <{iri}> .\n") for iri, triples in graphs.items())
    if quads:
        store.bulk_load(quads.encode("utf-8"), ox.RdfFormat.N_QUADS, lenient=True)


class GraphBuffer:
    """Collects graphs and hands them on to write in batches of about BULK_CHUNK characters, so
    a large build writes while it parses without holding everything in memory."""

    def __init__(self, write, limit: int | None = None):
        self.write, self.limit = write, limit or BULK_CHUNK
        self.pending: Graphs = {}
        self.size = 0
        self.seconds = 0.0  # spent writing

    def __call__(self, graphs: Graphs) -> None:
        self.pending.update(graphs)
        self.size += sum(len(triples) for triples in graphs.values())
        if self.size >= self.limit:
            self.flush()

    def flush(self) -> None:
        started = time.perf_counter()
        if self.pending:
            self.write(self.pending)
        self.pending, self.size = {}, 0
        self.seconds += time.perf_counter() - started


def read_manifest(path: Path) -> dict:
    manifest_file = Path(path) / MANIFEST
    if not manifest_file.exists():
        raise StoreError(f"{path}: no knowledge graph store here (run `kg build` first)")
    return json.loads(manifest_file.read_text("utf-8"))


def write_manifest(path: Path, manifest: dict) -> None:
    _write_json(Path(path) / MANIFEST, manifest)


def _write_json(target: Path, value: dict) -> None:
    """Write a file whole or not at all: a temporary file, made durable, renamed over the target."""
    temporary = target.with_suffix(".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(value, indent=2, ensure_ascii=False))
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(target)
    _sync_directory(target.parent)


def _sync_directory(path: Path) -> None:
    """Make a rename in the directory durable."""
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


class KnowledgeStore:
    """The embedded store (see kg.interface.Store): opened read-only, it is the current snapshot."""

    def __init__(self, path: Path, store: ox.Store, manifest: dict, opened: Path, read_only: bool = False):
        self.path = path
        self.store = store
        self.manifest = manifest
        self.opened = opened  # the directory pyoxigraph has open: the primary or a snapshot
        self.lock: WriteLock | None = None  # a writer's (see open)
        self.read_only = read_only
        self.snapshot = str(opened) if read_only else None
        self.manifest_file = os.fspath(path / MANIFEST)  # looked at on every request: no Path arithmetic then
        self.manifest_stamp = self._stamp()

    # opening -------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, read_only: bool = False) -> "KnowledgeStore":
        """Writers get the primary store; readers get the current snapshot."""
        path = Path(path)
        manifest = read_manifest(path)
        if read_only:
            opened = path / manifest.get("snapshot", manifest.get("primary", PRIMARY))
            return cls(path, ox.Store.read_only(str(opened)), manifest, opened, read_only=True)
        lock = WriteLock(path).__enter__()  # held as long as this writer lives
        primary = path / manifest.get("primary", PRIMARY)
        try:
            writer = cls(path, ox.Store(str(primary)), manifest, primary)
            writer.lock = lock
            writer._undo_unpublished()
        except BaseException:
            lock.release()
            raise
        return writer

    def reopen(self) -> "KnowledgeStore":
        return KnowledgeStore.open(self.path, self.read_only)

    def changed_since(self, generation: int) -> bool:
        """Whether the manifest names another generation; the file is read only when its time stamp changed."""
        stamp = self._stamp()
        if stamp == self.manifest_stamp:
            return False
        self.manifest_stamp = stamp
        try:
            return read_manifest(self.path).get("generation") != generation
        except (OSError, ValueError, StoreError):
            return False

    def _stamp(self) -> int:
        try:
            return os.stat(self.manifest_file).st_mtime_ns
        except OSError:
            return 0

    @classmethod
    def exists(cls, path: str | Path) -> bool:
        return (Path(path) / MANIFEST).exists()

    @property
    def base(self) -> str:
        return self.manifest["base"]

    @property
    def generation(self) -> int:
        return self.manifest.get("generation", 0)

    def publish(self) -> None:
        """Make what the primary holds visible to readers as the next generation."""
        self.store.flush()
        generation = self.generation + 1
        snapshots = self.path / SNAPSHOTS
        snapshots.mkdir(exist_ok=True)
        name = f"{generation:06d}"
        staging = snapshots / f".{name}.partial"
        shutil.rmtree(staging, ignore_errors=True)
        self.store.backup(str(staging))
        shutil.rmtree(snapshots / name, ignore_errors=True)  # left by a publish killed before its manifest named it
        staging.rename(snapshots / name)
        previous = self.path / self.manifest["snapshot"] if "snapshot" in self.manifest else None
        search.build(self.store, search.index_of(snapshots / name), self.base, search.index_of(previous) if previous else None)
        self.manifest = {**self.manifest, "generation": generation, "snapshot": f"{SNAPSHOTS}/{name}"}
        write_manifest(self.path, self.manifest)
        for old in sorted(p for p in snapshots.iterdir() if p.name.isdigit())[:-max(1, settings.value("snapshots_kept"))]:
            shutil.rmtree(old, ignore_errors=True)
            search.index_of(old).unlink(missing_ok=True)

    # writing -------------------------------------------------------------------
    def bulk_put(self, graphs: Graphs) -> None:
        """Fast load into empty graphs (used while building a fresh store)."""
        load_graphs(self.store, graphs)

    def replace_graphs(self, graphs: Graphs) -> None:
        """Drop and rewrite several named graphs in one transaction."""
        self.store.update(replace_update(graphs))
        self.store.flush()

    def replace_and_publish(self, graphs: Graphs) -> None:
        """Replace graphs and publish them as the next generation, or, failing or killed at any
        point before the manifest names it, leave what readers and the next writer see as it was."""
        undo = self.path / UNDO
        _write_json(undo, {"generation": self.generation, "graphs": self.graphs(list(graphs))})
        try:
            self.replace_graphs(graphs)
            self.publish()
        except BaseException:
            self._undo_unpublished()
            raise
        undo.unlink()
        _sync_directory(self.path)

    def _undo_unpublished(self) -> None:
        """Put back the graphs of a load whose generation was never published."""
        undo = self.path / UNDO
        if not undo.exists():
            return
        record = json.loads(undo.read_text("utf-8"))
        if record["generation"] == read_manifest(self.path).get("generation"):
            self.replace_graphs(record["graphs"])
        undo.unlink()
        _sync_directory(self.path)

    def graphs(self, names: list[str]) -> Graphs:
        """The named graphs' content now, as N-Triples ("" for a graph the store does not hold)."""
        return {name: ox.serialize((q.triple for q in self.quads(name)), format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
                for name in names}

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs())

    def keep_original(self, data: bytes, sha256: str) -> None:
        """Keep a source file's bytes under its digest: written whole or not at all, and never
        rewritten (the same digest is the same file)."""
        folder = self.path / ORIGINALS
        folder.mkdir(exist_ok=True)
        final = folder / sha256
        if final.exists():
            return
        partial = folder / f".{sha256}.{os.getpid()}.partial"
        with open(partial, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, final)
        _sync_directory(folder)

    def original(self, sha256: str) -> Path | None:
        """The kept bytes of a source file, by its digest (64 lowercase hexadecimal digits)."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            return None
        path = self.path / ORIGINALS / sha256
        return path if path.is_file() else None

    # reading -------------------------------------------------------------------
    def query(self, sparql: str, **options):
        options.setdefault("use_default_graph_as_union", True)
        return self.store.query(sparql, **options)

    def quads(self, graph: str | None = None):
        return self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph) if graph else None)

    def backup(self, target: str | Path) -> Path:
        """Write a consistent, self-contained copy of this store to target."""
        target = Path(target)
        target.mkdir(parents=True, exist_ok=False)
        self.store.backup(str(target / PRIMARY))
        if (self.path / ORIGINALS).is_dir():
            shutil.copytree(self.path / ORIGINALS, target / ORIGINALS, ignore=shutil.ignore_patterns(".*"))
        manifest = {k: v for k, v in self.manifest.items() if k not in ("snapshot", "primary")}
        write_manifest(target, manifest)
        return target


@contextmanager
def fresh_store(target: str | Path, base: str):
    """Yield a new, empty primary store beside target's; on success it is published as the next
    generation, the manifest naming the new primary and its snapshot in one atomic rename, and only
    then is the old primary removed. On failure, or killed at any instant, target is left as it was."""
    target = Path(target).resolve()
    if target.exists() and not KnowledgeStore.exists(target) and any(target.iterdir()):
        raise StoreError(f"{target}: exists and is not a knowledge graph store; not replacing it")
    target.mkdir(parents=True, exist_ok=True)
    with WriteLock(target):
        previous = read_manifest(target) if KnowledgeStore.exists(target) else {}
        manifest = {"base": base, "generation": previous.get("generation", 0)}
        if "snapshot" in previous:
            manifest["snapshot"] = previous["snapshot"]
        name = f"{PRIMARY}-{manifest['generation'] + 1:06d}"
        staging = target / f"{name}.partial"
        shutil.rmtree(staging, ignore_errors=True)
        store = None
        try:
            store = KnowledgeStore(target, ox.Store(str(staging)), manifest, staging)
            yield store
            store.store.flush()
            store.store = None  # closed before the directory is renamed
        except BaseException:
            if store is not None:  # closed first: RocksDB's own threads could still write into the staging directory
                store.store = None
            shutil.rmtree(staging, ignore_errors=True)
            raise
        shutil.rmtree(target / name, ignore_errors=True)  # left by a build killed before its manifest named it
        staging.rename(target / name)  # complete: a primary's directory has its final name only once it is whole
        KnowledgeStore(target, ox.Store(str(target / name)), {**manifest, "primary": name}, target / name).publish()
        _remove_unnamed_primaries(target, name)


def _remove_unnamed_primaries(target: Path, current: str) -> None:
    """Primaries the manifest no longer names (the one a build replaced, ones a killed build left)."""
    for path in target.iterdir():
        if path.is_dir() and path.name.startswith(PRIMARY) and path.name != current:
            shutil.rmtree(path, ignore_errors=True)


class WriteLock:
    """One writer at a time: `kg build` and `kg load` hold an advisory lock (flock) on a file in the
    store for as long as they write; a second writer waits for it (KG_WRITE_WAIT seconds), then gives up
    with a message. Readers take no lock. The lock goes with the process, however it ends."""

    def __init__(self, path: Path):
        self.path = Path(path) / LOCK
        self.handle = None

    def __enter__(self) -> "WriteLock":
        import fcntl

        self.handle = open(self.path, "a+")
        deadline = time.monotonic() + settings.value("write_wait")
        while True:
            try:
                fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    self.handle.seek(0)
                    holder = self.handle.read().strip() or "another process"
                    self.handle.close()
                    raise StoreError(f"{self.path.parent}: another kg build or kg load is writing this store "
                                     f"({holder}); not writing") from None
                time.sleep(0.1)
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(f"pid {os.getpid()}")
        self.handle.flush()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()  # closing the file releases the lock
            self.handle = None
