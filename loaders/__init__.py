"""Loaders: one document file in (text, HTML, Word or PDF), one document's graph out, with provenance
to the passage.

`formats.read()` turns a file into text and the tables it lays out; `extract()` reads what the
document says into an Extraction; the writer turns it into triples."""
from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import stat
import time
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from mzkg import settings

from .concepts import vocabulary
from .extraction import Extraction, extract
from .formats import DocumentError, SourceText, read
from .gazetteer import Gazetteer
from .iris import Minter
from .metadata import Metadata
from .places import ordinary_words
from .writer import DocumentWriter

__all__ = ["DocumentError", "Extraction", "LoadedDocument", "Original", "extract", "is_web_address", "load_bytes", "load_file", "warm_up"]


@dataclass(frozen=True)
class Original:
    """The file a document was read from, as a store keeps it."""
    name: str
    media_type: str
    sha256: str
    size: int
    url: str | None = None  # where it was published, as the file or the user says

    @classmethod
    def of(cls, data: bytes, name: str, media_type: str, url: str | None = None) -> "Original":
        return cls(Path(name).name, media_type, hashlib.sha256(data).hexdigest(), len(data),
                   url if url and is_web_address(url) else None)


def is_web_address(url: str) -> bool:
    return bool(_WEB_ADDRESS.fullmatch(url))


MIN_CHINESE = 20  # characters of Chinese text a document has at least (a configuration file has none)
_CHINESE = re.compile(r"[\u3400-\u9fff]")
_WEB_ADDRESS = re.compile(r"https?://[^\s<>\"{}|\\^`]+")


@dataclass
class LoadedDocument:
    iri: str
    graph_iri: str
    triples: list[ox.Triple]
    about: dict  # the same triples by subject, then predicate: {subject: {predicate: [objects]}}
    metadata: Metadata
    summary: dict[str, int]
    source: str
    encoding: str | None
    original: Original
    seconds: dict[str, float] = field(default_factory=dict)  # read, parse, triples
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (where, what): parts kept as text

    def without(self, nodes: set[str]) -> "LoadedDocument":
        """The same document with some of its parts left out: every triple about them or pointing to them."""
        kept = [t for t in self.triples if t.subject.value not in nodes and getattr(t.object, "value", None) not in nodes]
        about: dict = defaultdict(lambda: defaultdict(list))
        for t in kept:
            about[t.subject][t.predicate].append(t.object)
        return dataclasses.replace(self, triples=kept, about=about,
                                   summary={**self.summary, "triples": len(kept), "left out": len(nodes)})

    @cached_property
    def ntriples(self) -> str:
        return ox.serialize(self.triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")

    @cached_property
    def graph(self):
        """The triples as an rdflib graph, to inspect them (the build does not use it)."""
        from rdflib import Graph

        return Graph().parse(data=self.ntriples, format="nt")


def warm_up() -> None:
    """Read the gazetteer (and build its search automaton), the word-frequency dictionary and the
    vocabularies now, so that worker processes forked afterwards share them instead of each reading
    them again."""
    gazetteer = Gazetteer.default()
    list(gazetteer.mentions("中华人民共和国"))
    ordinary_words(gazetteer)
    vocabulary()


def load_file(path: str | Path, base: str | None = None, url: str | None = None, force: bool = False) -> LoadedDocument:
    path = Path(path)
    started = time.perf_counter()
    data = _read(path)
    doc = load_bytes(data, str(path), base, url, force)
    doc.seconds["read"] = time.perf_counter() - started - doc.seconds["parse"] - doc.seconds["triples"]
    return doc


def _read(path: Path) -> bytes:
    """A regular file's bytes, refused before reading when it is too large (and never a pipe or a
    device, which could block or never end)."""
    from .formats import check_size, max_document_bytes

    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a pipe opened so does not wait for a writer
        with os.fdopen(descriptor, "rb") as handle:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):
                raise DocumentError(str(path), "is not a regular file (a pipe, a device or a folder); not read")
            check_size(info.st_size, str(path))
            return handle.read(max_document_bytes() + 1)
    except OSError as error:
        raise DocumentError(str(path), f"cannot be read ({error.strerror or error})") from error


def load_bytes(data: bytes, source: str = "<bytes>", base: str | None = None, url: str | None = None,
               force: bool = False) -> LoadedDocument:
    """A document from a file's bytes; url, when given, is where the file was published (else the
    address the file itself gives, if any). A text that is not a policy document (a news report, a
    drafting explanation) is refused, unless `force` says to load it anyway (with a warning)."""
    minter = Minter(base)
    try:
        read_from = read(data, source)
        original = Original.of(data, source, read_from.media_type, url or read_from.url)
        return _build(read_from, original, source, minter, force)
    except DocumentError:
        raise
    except Exception as error:  # a reader's or parser's bug must name the file, not take the build down silently
        raise DocumentError(source, f"could not be parsed ({type(error).__name__}: {error})") from error


def _build(read_from: SourceText, original: Original, source: str, minter: Minter, force: bool = False) -> LoadedDocument:
    started = time.perf_counter()
    text = read_from.text
    limit = settings.value("max_text_characters")
    if len(text) > limit:
        raise DocumentError(source, f"its text is {len(text):,} characters long; documents up to {limit:,} characters "
                                    "are read (KG_MAX_TEXT_CHARACTERS); not loaded")
    chinese = len(_CHINESE.findall(text))
    if chinese < MIN_CHINESE:
        raise DocumentError(source, f"holds {chinese} Chinese characters; a policy document is written in Chinese; not loaded")
    found = extract(text, source=read_from)
    meta, structure = found.metadata, found.structure
    not_policy = None if meta.policy_document else \
        meta.notes[0].rstrip(".").replace("Not a policy document: ", "is not a policy document: ")
    if not_policy and not force:
        raise DocumentError(source, not_policy + "; not loaded (kg load --force loads it anyway)")
    parsed = time.perf_counter()
    identity = text if meta.title_inferred else meta.title
    slug = Minter.document_slug(meta.jurisdiction.code if meta.jurisdiction else None, meta.kind, _period(meta), identity)
    writer = DocumentWriter(minter, slug, found, Gazetteer.default())
    triples = writer.write(text, original)
    summary = {
        "sections": len(structure.sections),
        "measures": len(structure.measures),
        "targets": len(found.targets),
        "projects": sum(1 + len(box.items) for box in structure.boxes),
        "triples": len(triples),
    }
    warnings = [(source, not_policy + "; loaded as --force asked")] if not_policy else []
    warnings += [(str(writer.node(p.path).value), f"a table row the reader could not interpret is kept as text: {p.label}")
                for p in found.parts if p.kind == "unread"]
    seconds = {"parse": parsed - started, "triples": time.perf_counter() - parsed}
    return LoadedDocument(writer.doc.value, minter.document_graph(slug), triples, writer.about, meta, summary, source,
                          read_from.encoding, original, seconds, warnings)


def _period(meta: Metadata) -> str:
    if meta.period_start and meta.period_end and meta.period_start != meta.period_end:
        return f"{meta.period_start}-{meta.period_end}"
    if meta.period_start:
        return str(meta.period_start)
    return meta.issued[:4] if meta.issued else "undated"
