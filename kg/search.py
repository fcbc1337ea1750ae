"""Full-text search over the documents' text: an SQLite FTS5 index beside each published snapshot.

Every character of a document's normalised text (Simplified, half-width, pinyin glosses left out) is
one token of the index, so a word or phrase of any length, one character up, is a phrase query, and a
query in Traditional script finds the Simplified text and the other way round. The index tells which
documents hold the words; the occurrences are then found in each document's normalised text and
mapped back to offsets in its original text, which the document page's anchors use.

A write publishes the index with its snapshot (snapshots/000007.search): written whole beside it
before the manifest names the snapshot, so readers find the index of the generation they read. It is
built from the previous generation's, re-reading only the documents whose text changed.
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from mzkg.loaders.gazetteer import Gazetteer
from mzkg.loaders.iris import Minter
from mzkg.loaders.normalize import NormalizedText, normalized_view
from mzkg.ontology import MZ

SUFFIX = ".search"
_SCHEMA = """
CREATE TABLE docs (id INTEGER PRIMARY KEY, iri TEXT UNIQUE, hash TEXT, title TEXT, place TEXT, province TEXT,
                   level TEXT, kind TEXT, year INTEGER, areas TEXT, original TEXT, normalized TEXT, glossed INTEGER);
CREATE VIRTUAL TABLE chars USING fts5(spaced, tokenize = 'unicode61 remove_diacritics 0');
"""
_DOCUMENTS = f"""SELECT ?d ?hash ?title ?kind ?start ?issued ?unit ?place ?level WHERE {{
    GRAPH ?g {{ ?d a <{MZ.PolicyDocument}> ; a ?kind ; <{MZ.contentHash}> ?hash ; <http://purl.org/dc/terms/title> ?title
                FILTER(STRSTARTS(STR(?kind), "{MZ}") && ?kind != <{MZ.PolicyDocument}>)
                OPTIONAL {{ ?d <{MZ.periodStart}> ?start }} OPTIONAL {{ ?d <http://purl.org/dc/terms/issued> ?issued }}
                OPTIONAL {{ ?d <{MZ.jurisdiction}> ?unit }} }}
    FILTER(!STRSTARTS(STR(?g), ?entailed))
    OPTIONAL {{ ?unit <http://www.w3.org/2000/01/rdf-schema#label> ?place ; <{MZ.adminLevel}> ?level }}
}}"""
_AREAS = f"SELECT ?d ?area WHERE {{ ?d a <{MZ.PolicyDocument}> ; <{MZ.policyArea}> ?area }}"
_TEXT = f"SELECT ?d ?text WHERE {{ ?d <{MZ.fullText}> ?text }}"
FACETS = ("province", "place", "level", "kind", "year", "areas")
_LINE_BREAK = re.compile(r"\s+")


def index_of(snapshot: Path) -> Path:
    return snapshot.with_name(snapshot.name + SUFFIX)


def spaced(text: str) -> str:
    """One token per character: the text with a space after each character that is not a space."""
    return " ".join(ch for ch in text if not ch.isspace())


def build(store: ox.Store, target: Path, base: str, previous: Path | None = None) -> None:
    """The index of what the store holds, written whole to target (through a partial file)."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    if previous is not None and previous.exists():
        shutil.copyfile(previous, partial)
    connection = sqlite3.connect(partial)
    try:
        if previous is None or not previous.exists():
            connection.executescript(_SCHEMA)
        _update(connection, store, Minter(base))
        connection.commit()
    finally:
        connection.close()
    with open(partial, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)


def _update(connection: sqlite3.Connection, store: ox.Store, minter: Minter) -> None:
    """Index the documents that are new or whose text changed; drop the ones gone or changed."""
    query = _DOCUMENTS.replace("?entailed", str(ox.Literal(minter.entailments_prefix)))
    documents = {row["d"].value: row for row in store.query(query, use_default_graph_as_union=True)}
    indexed = {iri: (rowid, digest) for rowid, iri, digest in connection.execute("SELECT id, iri, hash FROM docs")}
    for iri, (rowid, digest) in indexed.items():
        if iri not in documents or documents[iri]["hash"].value != digest:
            connection.execute("DELETE FROM docs WHERE id = ?", (rowid,))
            connection.execute("DELETE FROM chars WHERE rowid = ?", (rowid,))
    changed = [iri for iri, row in documents.items() if indexed.get(iri, (None, None))[1] != row["hash"].value]
    if not changed:
        return
    areas: dict[str, list[str]] = {}
    for row in store.query(_AREAS, use_default_graph_as_union=True):
        areas.setdefault(row["d"].value, []).append(row["area"].value)
    gazetteer = Gazetteer.default()
    for iri in changed:
        row = documents[iri]
        text = next(iter(store.query(_TEXT, substitutions={ox.Variable("d"): ox.NamedNode(iri)}, use_default_graph_as_union=True)))
        original = text["text"].value
        normalized, shifted = normalized_view(original)
        unit = gazetteer.unit(row["unit"].value.rsplit("/", 1)[-1]) if row["unit"] else None
        province = gazetteer.province_of(unit) if unit else None
        year = row["start"].value if row["start"] else (row["issued"].value[:4] if row["issued"] else None)
        cursor = connection.execute(
            "INSERT INTO docs (iri, hash, title, place, province, level, kind, year, areas, original, normalized, glossed)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (iri, row["hash"].value, row["title"].value, _value(row["place"]), province.name if province else None,
             _value(row["level"]), row["kind"].value.rsplit("#", 1)[-1], int(year) if year else None,
             " ".join(sorted(set(areas.get(iri, [])))), original, normalized, int(shifted)))
        connection.execute("INSERT INTO chars (rowid, spaced) VALUES (?, ?)", (cursor.lastrowid, spaced(normalized)))


def _value(term) -> str | None:
    return term.value if term is not None else None


# querying ------------------------------------------------------------------------------
class QueryError(ValueError):
    pass


@dataclass
class Query:
    """A query as a researcher writes it: words and "exact phrases", AND between them unless OR
    stands between two, NOT or a leading - before a word to leave it out."""
    text: str
    expression: str = ""                     # the FTS5 MATCH expression
    wanted: list[str] = field(default_factory=list)  # what to mark in the text (normalised)

    @classmethod
    def parse(cls, text: str) -> "Query":
        tokens = re.findall(r'"[^"]*"|\S+', text.strip())
        parts, wanted, pending = [], [], "AND"
        for token in tokens:
            if token in ("OR", "AND", "NOT"):
                pending = token
                continue
            negated = token.startswith("-") and len(token) > 1
            word = NormalizedText.of(token.strip('"').lstrip("-") if negated else token.strip('"')).text
            word = "".join(word.split())
            if not word or not spaced(word).strip():
                continue
            phrase = '"' + spaced(word).replace('"', '""') + '"'
            operator = "NOT" if negated else pending
            if parts:
                parts.append(operator)
            elif operator == "NOT":
                raise QueryError("a query cannot begin by leaving a word out; give a word to find first")
            parts.append(phrase)
            if operator != "NOT":
                wanted.append(word)
            pending = "AND"
        if not parts:
            raise QueryError("give a word or phrase to find")
        return cls(text, " ".join(parts), sorted(set(wanted), key=len, reverse=True))


@dataclass
class Hit:
    start: int   # offsets in the original text
    end: int
    before: str
    text: str
    after: str
    line: int    # where the line holding the hit starts (the document page's anchor)


@dataclass
class DocumentHits:
    iri: str
    title: str
    place: str | None
    province: str | None
    level: str | None
    kind: str
    year: int | None
    count: int
    hits: list[Hit]


@dataclass
class Results:
    query: str
    documents: int                      # documents that match, in all (the facets' filters applied)
    page: list[DocumentHits]            # each with its number of occurrences and the first of them
    facets: dict[str, list[tuple[str, int]]]
    filters: dict[str, str]


class Index:
    """One generation's index, opened read-only."""

    def __init__(self, path: Path):
        self.path = path
        self.connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)

    def search(self, text: str, filters: dict[str, str] | None = None, page: int = 1, per_page: int = 20,
               context: int = 30, hits_per_document: int = 5) -> Results:
        """The documents that hold the query, best first (FTS5's bm25), with the facets of all of them;
        the occurrences, marked in context, for the documents of the page asked for."""
        query = Query.parse(text)
        filters = {k: v for k, v in (filters or {}).items() if k in FACETS and v}
        try:
            rows = self.connection.execute(
                "SELECT d.id, d.province, d.place, d.level, d.kind, d.year, d.areas FROM chars JOIN docs d ON d.id = chars.rowid"
                " WHERE chars MATCH ? ORDER BY chars.rank", (query.expression,)).fetchall()
        except sqlite3.OperationalError as error:
            raise QueryError(f"the query cannot be read: {error}") from None
        facets: dict[str, Counter] = {name: Counter() for name in FACETS}
        kept = []
        for rowid, *columns in rows:
            values = dict(zip(FACETS, (columns[0], columns[1], columns[2], columns[3], str(columns[4]) if columns[4] else None,
                                       columns[5])))
            for name in FACETS:
                for value in (values[name] or "").split() if name == "areas" else [values[name]]:
                    if value:
                        facets[name][value] += 1
            if all(value in ((values[name] or "").split() if name == "areas" else [values[name]]) for name, value in filters.items()):
                kept.append(rowid)
        first = (max(1, page) - 1) * per_page
        shown = [self._hits(rowid, query, context, hits_per_document) for rowid in kept[first:first + per_page]]
        return Results(text, len(kept), shown, {name: counter.most_common() for name, counter in facets.items()}, filters)

    def _hits(self, rowid: int, query: Query, context: int, limit: int) -> DocumentHits:
        iri, title, place, province, level, kind, year, original, normalized, glossed = self.connection.execute(
            "SELECT iri, title, place, province, level, kind, year, original, normalized, glossed FROM docs WHERE id = ?",
            (rowid,)).fetchone()
        norm = NormalizedText.of(original) if glossed else None
        spans = []
        for word in query.wanted:
            position = normalized.find(word)
            while position >= 0:
                spans.append((position, position + len(word)))
                position = normalized.find(word, position + len(word))
        spans = _without_overlaps(spans)
        hits = []
        for start, end in spans[:limit]:
            a, b = norm.original_span(start, end) if norm else (start, end)
            line = original.rfind("\n", 0, a) + 1
            hits.append(Hit(a, b, _LINE_BREAK.sub(" ", original[max(0, a - context):a]), original[a:b],
                            _LINE_BREAK.sub(" ", original[b:b + context]), line))
        return DocumentHits(iri, title, place, province, level, kind, year, len(spans), hits)


def _without_overlaps(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            continue
        out.append((start, end))
    return out


def results_json(results: Results, href) -> dict:
    """The results as the JSON API gives them; href maps an IRI to its local page."""
    return {
        "query": results.query, "documents": results.documents,
        "filters": results.filters, "facets": {k: [{"value": v, "documents": n} for v, n in items] for k, items in results.facets.items()},
        "results": [{"document": d.iri, "page": href(d.iri), "title": d.title, "place": d.place, "province": d.province,
                     "level": d.level, "kind": d.kind, "year": d.year, "occurrences": d.count,
                     "hits": [{"start": h.start, "end": h.end, "before": h.before, "text": h.text, "after": h.after,
                               "link": f"{href(d.iri)}#o{h.line}"} for h in d.hits]} for d in results.page],
    }
