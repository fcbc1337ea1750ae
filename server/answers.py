"""A query's answer as bytes, how it is written, and the cache of answers of one snapshot."""
from __future__ import annotations

import itertools
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


class SnapshotGone(QueryFailed):
    """The snapshot a query process was to open was removed: newer ones were published meanwhile."""


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


def evaluate(store, sparql: str, options: dict, wanted: dict | None, max_rows: int) -> Answer:
    """Run a query and write its answer, at most max_rows solutions or triples, in the format
    `wanted` names for its kind ("solutions", "triples", "boolean": a format key), else for transport."""
    result = store.query(sparql, **options)
    kind = "boolean" if isinstance(result, ox.QueryBoolean) else "triples" if is_graph(result) else "solutions"
    fmt = formats.BY_KEY[wanted[kind]] if wanted and kind in wanted else None
    target = (fmt or TRANSPORT[kind]).oxigraph
    if kind == "boolean":
        body, rows, truncated = result.serialize(format=target), 1, False
    elif kind == "triples":  # collected, so they are counted and written once, in the format asked for
        triples = list(itertools.islice(result, max_rows + 1))
        rows, truncated = min(len(triples), max_rows), len(triples) > max_rows
        body = ox.serialize(triples[:max_rows], format=target)
    else:  # solutions are many small objects: cut in the line-based transport format instead
        transport = TRANSPORT[kind].oxigraph
        body, rows, truncated = _first_rows(result.serialize(format=transport), max_rows)
        if target != transport:
            body = ox.parse_query_results(body, transport).serialize(format=target)
    return Answer(kind, body, fmt.media_type if fmt else None, rows, truncated)


def _first_rows(data: bytes, max_rows: int) -> tuple[bytes, int, bool]:
    """The header line and at most max_rows lines after it, how many there are, and whether some were cut."""
    rows = data.count(b"\n") - 1
    if rows <= max_rows:
        return data, rows, False
    kept = data.split(b"\n", max_rows + 1)[:-1]  # the last part is the rest
    return b"\n".join(kept) + b"\n", max_rows, True


def cache_key(sparql: str, options: dict, wanted: dict | None = None) -> tuple[str, str, str]:
    return sparql, repr(sorted(options.items(), key=lambda item: item[0])), repr(sorted((wanted or {}).items()))


class ResultCache:
    """Answers of one snapshot: the graph changes only when a new generation is published, so a
    query's answer stays right until the snapshot changes (clear). An answer computed before a clear
    is not kept after it: put takes the generation read before the query ran. Thread-safe."""

    def __init__(self, entries: int, largest: int):
        self.entries, self.largest = entries, largest
        self.answers: OrderedDict = OrderedDict()
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
            if generation != self.generation or len(answer.body) > self.largest:
                return
            self.answers[key] = answer
            while len(self.answers) > self.entries:
                self.answers.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.generation += 1
            self.answers.clear()
