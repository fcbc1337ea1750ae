"""Queries run in a child process, so a runaway query can be stopped at its deadline.

pyoxigraph releases the GIL while it evaluates, but a running query cannot be cancelled from
Python, and an aggregate yields nothing until it is done; only a process can be stopped. Each
worker therefore keeps a few children (KG_QUERY_PROCESSES) that have the store open read-only and
answer queries over a pipe, one at a time each. At the deadline the child is killed (a fresh one is
started for the next query) and the request gets 503.
"""
from __future__ import annotations

import itertools
import multiprocessing
import os
import select
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.results import GraphResult, is_graph
from kg.store import MANIFEST, KnowledgeStore, read_manifest

from . import negotiation

STARTUP_SECONDS = 60
CACHE_ENTRIES = 512
CACHEABLE_BYTES = 4 * 1024 * 1024
# What the child sends when no format is asked for: one solution or triple a line, so rows are
# counted and cut without parsing, and pyoxigraph reads it back losslessly.
TRANSPORT = {"solutions": ox.QueryResultsFormat.TSV, "triples": ox.RdfFormat.N_TRIPLES, "boolean": ox.QueryResultsFormat.JSON}


# How long each side of the pipe looks for the other's message before it sleeps: a small query is
# answered within this, and a process woken from sleep costs more than the query itself.
SPIN_SECONDS = 0.0005


def spin(readable, seconds: float) -> bool:
    """Whether the pipe became readable within `seconds` of looking, giving the core away between looks."""
    until = time.perf_counter() + seconds
    while not readable.poll(0):
        if time.perf_counter() > until:
            return False
        os.sched_yield()
    return True


class QueryTimeout(Exception):
    pass


class QueryFailed(Exception):
    pass


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
            return GraphResult(ox.parse(self.body, TRANSPORT["triples"]))
        return ox.parse_query_results(self.body, TRANSPORT[self.kind])


def _answer(path: str, max_rows: int, conn) -> None:
    store = ox.Store.read_only(path)
    readable = select.poll()
    readable.register(conn.fileno(), select.POLLIN)
    conn.send(("ready", None))
    while True:
        try:
            spin(readable, SPIN_SECONDS)
            sparql, options, formats = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("answer", evaluate(store, sparql, options, formats, max_rows)))
        except SyntaxError as error:
            conn.send(("syntax", str(error)))
        except Exception as error:  # the parent turns it into a 400 with this message
            conn.send(("error", f"{type(error).__name__}: {error}"))


def evaluate(store: ox.Store, sparql: str, options: dict, formats: dict | None, max_rows: int) -> Answer:
    """Run a query and write its answer, at most max_rows solutions or triples, in the format
    formats names for its kind ("solutions", "triples", "boolean": a Format key), else for transport."""
    result = store.query(sparql, **options)
    kind = "boolean" if isinstance(result, ox.QueryBoolean) else "triples" if is_graph(result) else "solutions"
    fmt = negotiation.BY_KEY[formats[kind]] if formats and kind in formats else None
    target = fmt.oxigraph if fmt else TRANSPORT[kind]
    if kind == "boolean":
        body, rows, truncated = result.serialize(format=target), 1, False
    elif kind == "triples":  # collected, so they are counted and written once, in the format asked for
        triples = list(itertools.islice(result, max_rows + 1))
        rows, truncated = min(len(triples), max_rows), len(triples) > max_rows
        body = ox.serialize(triples[:max_rows], format=target)
    else:  # solutions are many small objects: cut in the line-based transport format instead
        body, rows, truncated = _first_rows(result.serialize(format=TRANSPORT[kind]), max_rows)
        if target != TRANSPORT[kind]:
            body = ox.parse_query_results(body, TRANSPORT[kind]).serialize(format=target)
    return Answer(kind, body, fmt.media_type if fmt else None, rows, truncated)


def _first_rows(data: bytes, max_rows: int) -> tuple[bytes, int, bool]:
    """The header line and at most max_rows lines after it, how many there are, and whether some were cut."""
    rows = data.count(b"\n") - 1
    if rows <= max_rows:
        return data, rows, False
    kept = data.split(b"\n", max_rows + 1)[:-1]  # the last part is the rest
    return b"\n".join(kept) + b"\n", max_rows, True


def cache_key(sparql: str, options: dict, formats: dict | None = None) -> tuple[str, str, str]:
    return sparql, repr(sorted(options.items(), key=lambda item: item[0])), repr(sorted((formats or {}).items()))


class ResultCache:
    """Answers of one snapshot: the graph changes only when a new generation is published, so a
    query's answer stays right until the snapshot changes (clear). An answer computed before a clear
    is not kept after it: put takes the generation read before the query ran. Thread-safe."""

    def __init__(self, entries: int, largest: int = CACHEABLE_BYTES):
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


class QueryProcess:
    """A child process with a snapshot open read-only, answering one query at a time over a pipe."""

    def __init__(self, context, path: str, max_rows: int, generation: int):
        self.generation = generation  # the runner's snapshot generation it serves
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_answer, args=(path, max_rows, child), daemon=True)
        self.process.start()
        child.close()
        # One poller for the life of the pipe: Connection.poll builds a new selector on every call.
        self.readable = select.poll()
        self.readable.register(self.conn.fileno(), select.POLLIN)
        if not self._wait(STARTUP_SECONDS) or self.conn.recv()[0] != "ready":
            self.close()
            raise QueryFailed(f"the query process did not start within {STARTUP_SECONDS} s")

    def ask(self, sparql: str, options: dict, formats: dict | None, timeout: float) -> Answer:
        self.conn.send((sparql, options, formats))
        if not self._wait(timeout):
            self.close()
            raise QueryTimeout(f"The query ran longer than {timeout:g} s and was stopped.")
        try:
            kind, payload = self.conn.recv()
        except EOFError:
            self.close()
            raise QueryFailed("the query process ended without answering") from None
        if kind == "syntax":
            raise SyntaxError(payload)
        if kind == "error":
            raise QueryFailed(payload)
        return payload

    def _wait(self, seconds: float) -> bool:
        """Whether the child has written (or closed its end) within `seconds`."""
        return spin(self.readable, min(seconds, SPIN_SECONDS)) or bool(self.readable.poll(seconds * 1000))

    def close(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class QueryRunner:
    """A worker's query processes (at most `processes` queries of one worker run at once) and its
    answer cache. Safe to call from several threads."""

    def __init__(self, store_path: str | Path, timeout: float, max_rows: int = 100_000, processes: int = 2):
        self.path = str(store_path)
        self.timeout = timeout
        self.max_rows = max_rows
        self.context = multiprocessing.get_context("spawn")
        self.lock = threading.Lock()  # guards path and idle
        self.processes = processes
        self.slots = threading.BoundedSemaphore(processes)
        self.idle: list[QueryProcess] = []
        self.cache = ResultCache(CACHE_ENTRIES)  # its generation is the snapshot's: switch() clears it

    def start(self) -> None:
        """Start the query processes now, rather than when the first queries arrive."""
        started = [self._take() for _ in range(self.processes)]
        for process in started:
            self._give_back(process)

    def answer(self, sparql: str, formats: dict | None, **options) -> Answer:
        """The answer written in the format formats names for its kind (see evaluate)."""
        key, generation = cache_key(sparql, options, formats), self.cache.generation
        answer = self.cache.get(key)
        if answer is not None:
            return answer
        with self.slots:
            process = self._take()
            try:
                answer = process.ask(sparql, options, formats, self.timeout)
            finally:
                self._give_back(process)
        self.cache.put(key, answer, generation)
        return answer

    def _take(self) -> QueryProcess:
        with self.lock:
            while self.idle:
                process = self.idle.pop()
                if process.process.is_alive():
                    return process
                process.close()
            path, generation = self.path, self.cache.generation
        return QueryProcess(self.context, path, self.max_rows, generation)

    def _give_back(self, process: QueryProcess) -> None:
        """Keep the process for the next query, unless it was stopped or serves an old snapshot."""
        with self.lock:
            if process.generation == self.cache.generation and process.process.is_alive():
                self.idle.append(process)
                return
        process.close()

    def switch(self, path: str | Path) -> None:
        """Serve another snapshot from the next query on (and forget the old one's answers);
        processes busy with the old snapshot are stopped when they are done."""
        with self.lock:
            self.path = str(path)
            self.cache.clear()
            idle, self.idle = self.idle, []
        for process in idle:
            process.close()

    def close(self) -> None:
        with self.lock:
            idle, self.idle = self.idle, []
        for process in idle:
            process.close()


def _account(seconds: float, answer: Answer | None) -> None:
    """Add a query's time and rows to the request's totals, for the access log."""
    from flask import g, has_request_context

    if has_request_context():
        g.query_seconds = getattr(g, "query_seconds", 0.0) + seconds
        g.query_rows = answer.rows if answer else None
        g.truncated = getattr(g, "truncated", False) or bool(answer and answer.truncated)
        g.queries = getattr(g, "queries", 0) + 1


class ServingStore:
    """The store as the web pages see it: reads go through the runner, with a deadline, and move
    to a new snapshot when the manifest names a newer generation."""

    def __init__(self, store: KnowledgeStore, runner: QueryRunner):
        self.kg = store
        self.runner = runner
        self.manifest_file = os.fspath(store.path / MANIFEST)  # checked on every request: no Path arithmetic then
        self.manifest_stamp = self._stamp()

    def _stamp(self) -> int:
        try:
            return os.stat(self.manifest_file).st_mtime_ns
        except OSError:
            return 0

    def refresh(self) -> None:
        stamp = self._stamp()
        if stamp == self.manifest_stamp:
            return
        self.manifest_stamp = stamp
        if read_manifest(self.kg.path).get("generation") != self.kg.generation:
            self.kg = KnowledgeStore.open(self.kg.path, read_only=True)
            self.runner.switch(self.kg.opened)

    def query(self, sparql: str, **options):
        return self.answer(sparql, None, **options).result()

    def answer(self, sparql: str, formats: dict | None, **options) -> Answer:
        options.setdefault("use_default_graph_as_union", not ("default_graph" in options or "named_graphs" in options))
        started, answer = time.monotonic(), None
        try:
            answer = self.runner.answer(sparql, formats, **options)
            return answer
        finally:
            _account(time.monotonic() - started, answer)

    def __getattr__(self, name):  # base, manifest, graph_names(), graph(), quads()
        return getattr(self.kg, name)


class RemoteServing:
    """A remote SPARQL server as the web pages see it: the same interface as ServingStore, with
    the server's own request timeout as the deadline and answers cached per generation."""

    POLL_SECONDS = 1.0

    def __init__(self, remote, timeout: float, max_rows: int = 100_000):
        self.remote = remote
        self.remote.timeout = timeout
        self.max_rows = max_rows
        self.cache = ResultCache(CACHE_ENTRIES)
        self.checked = time.monotonic()

    def refresh(self) -> None:
        if time.monotonic() - self.checked < self.POLL_SECONDS:
            return
        self.checked = time.monotonic()
        before = self.remote.generation
        if self.remote.refresh_manifest().get("generation") != before:
            self.cache.clear()

    def query(self, sparql: str, **options):
        return self.answer(sparql, None, **options).result()

    def answer(self, sparql: str, formats: dict | None, **options) -> Answer:
        from kg.client import RemoteError, RemoteTimeout

        key, generation = cache_key(sparql, options, formats), self.cache.generation
        started, answer = time.monotonic(), None
        try:
            answer = self.cache.get(key)
            if answer is None:
                answer = evaluate(self.remote, sparql, options, formats, self.max_rows)
                self.cache.put(key, answer, generation)
            return answer
        except RemoteTimeout as error:
            raise QueryTimeout(str(error)) from error
        except RemoteError as error:
            raise QueryFailed(str(error)) from error
        finally:
            _account(time.monotonic() - started, answer)

    def __getattr__(self, name):  # base, manifest, graph_names(), graph(), quads()
        return getattr(self.remote, name)
