"""The on-disk store: a pyoxigraph Store plus a small manifest (base IRI, generation).

Builds write a fresh store beside the old one and swap it in, so a failed build leaves the
existing store untouched. Replacing one document is a single SPARQL update, which Oxigraph
applies as one transaction.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

MANIFEST = "kg-manifest.json"
DEFAULT_STORE = "kg-store"


def default_store_path() -> Path:
    return Path(os.environ.get("KG_STORE", DEFAULT_STORE))


class StoreError(Exception):
    pass


def to_ntriples(graph: Graph) -> str:
    return graph.serialize(format="nt", encoding="utf-8").decode("utf-8")


class KnowledgeStore:
    def __init__(self, path: Path, store: ox.Store, manifest: dict):
        self.path = path
        self.store = store
        self.manifest = manifest

    # opening -------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, read_only: bool = False) -> "KnowledgeStore":
        path = Path(path)
        manifest_file = path / MANIFEST
        if not manifest_file.exists():
            raise StoreError(f"{path}: no knowledge graph store here (run `kg build` first)")
        manifest = json.loads(manifest_file.read_text("utf-8"))
        store = ox.Store.read_only(str(path / "oxigraph")) if read_only else ox.Store(str(path / "oxigraph"))
        return cls(path, store, manifest)

    @classmethod
    def exists(cls, path: str | Path) -> bool:
        return (Path(path) / MANIFEST).exists()

    @property
    def base(self) -> str:
        return self.manifest["base"]

    def save_manifest(self) -> None:
        target = self.path / MANIFEST
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.manifest, indent=2, ensure_ascii=False), "utf-8")
        temporary.replace(target)

    # writing -------------------------------------------------------------------
    def bulk_put(self, graph_iri: str, graph: Graph) -> None:
        """Fast load into an empty graph (used while building a fresh store)."""
        self.store.bulk_load(to_ntriples(graph).encode("utf-8"), ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph_iri))

    def replace_graphs(self, graphs: dict[str, Graph]) -> None:
        """Drop and rewrite several named graphs in one transaction."""
        drops = "".join(f"DROP SILENT GRAPH <{iri}> ;\n" for iri in graphs)
        blocks = "".join(f"GRAPH <{iri}> {{\n{to_ntriples(g)}}}\n" for iri, g in graphs.items())
        self.store.update(f"{drops}INSERT DATA {{\n{blocks}}}")
        self.store.flush()

    def backup(self, target: str | Path) -> Path:
        """Write a consistent copy of this store to target (works on a read-only store too)."""
        target = Path(target)
        target.mkdir(parents=True, exist_ok=False)
        self.store.backup(str(target / "oxigraph"))
        (target / MANIFEST).write_text(json.dumps(self.manifest, indent=2, ensure_ascii=False), "utf-8")
        return target

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs())

    # reading -------------------------------------------------------------------
    def query(self, sparql: str, **options):
        options.setdefault("use_default_graph_as_union", True)
        return self.store.query(sparql, **options)

    def graph(self, graph_iri: str) -> Graph:
        data = self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph_iri))
        return Graph().parse(data=data.decode("utf-8"), format="nt")


@contextmanager
def fresh_store(target: str | Path, base: str):
    """Yield a new, empty store in a temporary directory; on success swap it in for target."""
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        manifest = {"base": base, "generation": _next_generation(target)}
        store = KnowledgeStore(staging, ox.Store(str(staging / "oxigraph")), manifest)
        yield store
        store.store.flush()
        store.save_manifest()
        del store
        _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _next_generation(target: Path) -> int:
    try:
        return json.loads((target / MANIFEST).read_text("utf-8"))["generation"] + 1
    except (OSError, ValueError, KeyError):
        return 1


def _swap(staging: Path, target: Path) -> None:
    if target.exists() and not (target / MANIFEST).exists() and any(target.iterdir()):
        raise StoreError(f"{target}: exists and is not a knowledge graph store; not replacing it")
    retired = target.with_name(f".{target.name}.old")
    shutil.rmtree(retired, ignore_errors=True)
    if target.exists():
        target.rename(retired)
    staging.rename(target)
    shutil.rmtree(retired, ignore_errors=True)
