"""A query's answer as bytes, how it is written, and the cache of answers of one snapshot."""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import pyoxigraph as ox

from mzkg.kg import formats
from mzkg.kg.results import GraphResult, is_graph

# What an answer is written in when no format is asked for: one solution or triple a line, so rows
# are counted and cut without parsing, and pyoxigraph reads it back losslessly.
TRANSPORT = {"solutions": formats.BY_KEY["tsv"], "triples": formats.BY_KEY["nt"], "boolean": formats.BY_KEY["json"]}


class QueryTimeout(Exception):
    pass


class QueryFailed(Exception):
    pass


RETRY_AFTER = 5  # seconds a client turned away while every query process is busy is asked to wait


class QueryBusy(Exception):
    """Every query process of the worker stayed busy for as long as a query may wait for one."""


class QueryOutOfMemory(Exception):
    """The query needed more memory than a query process may have (the query_memory setting)."""


class SnapshotGone(QueryFailed):
    """The snapshot a query process was to open was removed: newer ones were published meanwhile."""


@dataclass(frozen=True)
class Limits:
    """What one answer may cost: solutions or triples, bytes, and the address space of the process
    computing it (0: unbounded)."""
    rows: int
    bytes: int
    memory: int = 0


@dataclass(frozen=True)
class Answer:
    """A query's answer as bytes: in the format asked for, or in the transport formats above."""
    kind: str  # "solutions", "triples" or "boolean"
    body: bytes
    media_type: str | None
    rows: int
    truncated: bool

    def result(self):
        """The answer as pyoxigraph objects (only for answers in the transport formats)."""
        if self.kind == "triples":
            return GraphResult(ox.parse(self.body, TRANSPORT["triples"].oxigraph))
        return ox.parse_query_results(self.body, TRANSPORT[self.kind].oxigraph)


def evaluate(store, sparql: str, options: dict, wanted: dict | None, limits: Limits) -> Answer:
    """Run a query and write its answer, at most limits.rows solutions or triples and limits.bytes,
    in the format `wanted` names for its kind ("solutions", "triples", "boolean": a format key), else
    for transport. Rows are counted and measured as they come, so an answer is never made whole first."""
    result = store.query(sparql, **options)
    kind = "boolean" if isinstance(result, ox.QueryBoolean) else "triples" if is_graph(result) else "solutions"
    fmt = formats.BY_KEY[wanted[kind]] if wanted and kind in wanted else None
    target = (fmt or TRANSPORT[kind]).oxigraph
    if kind == "boolean":
        return Answer(kind, result.serialize(format=target), fmt.media_type if fmt else None, 1, False)
    if kind == "triples":
        rows, truncated = _first(result, limits.rows, limits.bytes, lambda t: len(str(t).encode("utf-8")))
        body = ox.serialize(rows, format=target)
    else:  # written as TSV line by line, then in the format asked for
        lines, truncated = _first((_tsv_line(s, result.variables) for s in result), limits.rows, limits.bytes, len)
        body = ("\t".join(str(v) for v in result.variables) + "\n").encode("utf-8") + b"".join(lines)
        rows = lines
        if target != TRANSPORT[kind].oxigraph:
            body = ox.parse_query_results(body, TRANSPORT[kind].oxigraph).serialize(format=target)
    return Answer(kind, body, fmt.media_type if fmt else None, len(rows), truncated)


def _first(items, max_rows: int, max_bytes: int, size) -> tuple[list, bool]:
    """The first items, up to max_rows of them and max_bytes of their sizes, and whether some were left."""
    kept, total = [], 0
    for item in items:
        total += size(item)
        if len(kept) == max_rows or total > max_bytes:
            return kept, True
        kept.append(item)
    return kept, False


def _tsv_line(solution, variables) -> bytes:
    """One solution as a line of SPARQL TSV: each term in N-Triples syntax, empty when unbound."""
    return ("\t".join("" if (term := solution[v]) is None else str(term) for v in variables) + "\n").encode("utf-8")


def cache_key(sparql: str, options: dict, wanted: dict | None = None) -> tuple[str, str, str]:
    return sparql, repr(sorted(options.items(), key=lambda item: item[0])), repr(sorted((wanted or {}).items()))


class ResultCache:
    """Answers of one snapshot: the graph changes only when a new generation is published, so a
    query's answer stays right until the snapshot changes (clear). An answer computed before a clear
    is not kept after it: put takes the generation read before the query ran. Thread-safe."""

    def __init__(self, entries: int, largest: int, budget: int):
        self.entries, self.largest, self.budget = entries, largest, budget
        self.answers: OrderedDict = OrderedDict()
        self.bytes = 0  # of the answers kept
        self.generation = 0  # counted by clear()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            answer = self.answers.get(key)
            if answer is not None:
                self.answers.move_to_end(key)
            return answer

    def put(self, key, answer: Answer, generation: int) -> None:
        with self.lock:
            if generation != self.generation or len(answer.body) > self.largest or key in self.answers:
                return
            self.answers[key] = answer
            self.bytes += len(answer.body)
            while len(self.answers) > self.entries or self.bytes > self.budget:
                self.bytes -= len(self.answers.popitem(last=False)[1].body)

    def clear(self) -> None:
        with self.lock:
            self.generation += 1
            self.answers.clear()
            self.bytes = 0
