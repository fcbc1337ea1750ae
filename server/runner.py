"""Queries run in a child process, so a runaway query can be stopped at its deadline.

pyoxigraph releases the GIL while it evaluates, but a running query cannot be cancelled from
Python, and an aggregate yields nothing until it is done; only a process can be stopped. Each
worker therefore keeps one child that has the store open read-only and answers queries over a
pipe. At the deadline the child is killed and a fresh one started; the request gets 503.
"""
from __future__ import annotations

import json
import multiprocessing
import threading
import time
from collections import OrderedDict
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from kg.results import GraphResult
from kg.store import KnowledgeStore, read_manifest

STARTUP_SECONDS = 60
CACHE_ENTRIES = 512
CACHEABLE_BYTES = 4 * 1024 * 1024
RESULTS = ox.QueryResultsFormat.JSON
TRIPLES = ox.RdfFormat.N_TRIPLES


class QueryTimeout(Exception):
    pass


class QueryFailed(Exception):
    pass


def _answer(path: str, max_rows: int, conn) -> None:
    store = ox.Store.read_only(path)
    conn.send(("ready", None, 0))
    while True:
        try:
            sparql, options = conn.recv()
        except (EOFError, OSError):
            return
        try:
            result = store.query(sparql, **options)
            if isinstance(result, ox.QueryTriples):
                triples = list(islice(result, max_rows + 1))
                truncated = len(triples) > max_rows
                data = ox.serialize(triples[:max_rows], format=TRIPLES)
                conn.send(("triples", (data, truncated), min(len(triples), max_rows)))
            else:
                data, rows, truncated = _limited(result.serialize(format=RESULTS), max_rows)
                conn.send(("results", (data, truncated), rows))
        except SyntaxError as error:
            conn.send(("syntax", str(error), 0))
        except Exception as error:  # the parent turns it into a 400 with this message
            conn.send(("error", f"{type(error).__name__}: {error}", 0))


def _limited(results_json: bytes, max_rows: int) -> tuple[bytes, int, bool]:
    """At most max_rows solutions; the cut is made on the parsed result and written again by
    pyoxigraph's serialiser once the parent reads it."""
    parsed = json.loads(results_json)
    if "results" not in parsed:
        return results_json, 1, False
    bindings = parsed["results"]["bindings"]
    if len(bindings) <= max_rows:
        return results_json, len(bindings), False
    parsed["results"]["bindings"] = bindings[:max_rows]
    return json.dumps(parsed, ensure_ascii=False).encode("utf-8"), max_rows, True


def cache_key(sparql: str, options: dict) -> tuple[str, str]:
    return sparql, repr(sorted(options.items(), key=lambda item: item[0]))


class ResultCache:
    """Answers of one snapshot: the graph changes only when a new generation is published, so
    a query's answer stays right until the runner switches snapshots."""

    def __init__(self, entries: int):
        self.entries = entries
        self.answers: OrderedDict = OrderedDict()

    def get(self, key):
        answer = self.answers.get(key)
        if answer is not None:
            self.answers.move_to_end(key)
        return answer

    def put(self, key, answer) -> None:
        self.answers[key] = answer
        while len(self.answers) > self.entries:
            self.answers.popitem(last=False)

    def clear(self) -> None:
        self.answers.clear()


class QueryRunner:
    def __init__(self, store_path: str | Path, timeout: float, max_rows: int = 100_000):
        self.path = str(store_path)
        self.timeout = timeout
        self.max_rows = max_rows
        self.context = multiprocessing.get_context("spawn")
        self.lock = threading.Lock()
        self.process = None
        self.conn = None
        self.stats = {"seconds": 0.0, "rows": 0, "truncated": False}
        self.cache = ResultCache(CACHE_ENTRIES)

    def _start(self) -> None:
        parent, child = self.context.Pipe()
        self.process = self.context.Process(target=_answer, args=(self.path, self.max_rows, child), daemon=True)
        self.process.start()
        child.close()
        if not parent.poll(STARTUP_SECONDS) or parent.recv()[0] != "ready":
            self.process.kill()
            raise QueryFailed(f"the query process did not start within {STARTUP_SECONDS} s")
        self.conn = parent

    def _replace(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.join(timeout=5)
        self._start()

    def query(self, sparql: str, **options):
        key = cache_key(sparql, options)
        with self.lock:
            started = time.monotonic()
            answer = self.cache.get(key)
            if answer is None:
                answer = self._ask(sparql, options)
                if answer[0] in ("results", "triples") and len(answer[1][0]) <= CACHEABLE_BYTES:
                    self.cache.put(key, answer)
            kind, payload, rows = answer
            self.stats = {"seconds": time.monotonic() - started, "rows": rows,
                          "truncated": kind in ("results", "triples") and payload[1]}
        if kind == "results":
            return ox.parse_query_results(payload[0], RESULTS)
        if kind == "triples":
            return GraphResult(ox.parse(payload[0], TRIPLES))
        if kind == "syntax":
            raise SyntaxError(payload)
        raise QueryFailed(payload)

    def _ask(self, sparql: str, options: dict):
        if self.process is None or not self.process.is_alive():
            self._replace()
        self.conn.send((sparql, options))
        if not self.conn.poll(self.timeout):
            self._replace()
            raise QueryTimeout(f"The query ran longer than {self.timeout:g} s and was stopped.")
        return self.conn.recv()

    def switch(self, path: str | Path) -> None:
        """Serve another snapshot from the next query on (and forget the old one's answers)."""
        with self.lock:
            self.cache.clear()
            self.path = str(path)
            if self.process is not None:
                self.process.kill()
                self.process.join(timeout=5)
                self.process = None

    def close(self) -> None:
        if self.process is not None:
            self.process.kill()


def _account(stats: dict) -> None:
    """Add a query's time and rows to the request's totals, for the access log."""
    from flask import g, has_request_context

    if has_request_context():
        g.query_seconds = getattr(g, "query_seconds", 0.0) + stats["seconds"]
        g.query_rows = stats["rows"]
        g.truncated = getattr(g, "truncated", False) or stats["truncated"]
        g.queries = getattr(g, "queries", 0) + 1


class ServingStore:
    """The store as the web pages see it: reads go through the runner, with a deadline, and move
    to a new snapshot when the manifest names a newer generation."""

    def __init__(self, store: KnowledgeStore, runner: QueryRunner):
        self.kg = store
        self.runner = runner
        self.manifest_stamp = self._stamp()

    def _stamp(self) -> int:
        try:
            return (self.kg.path / "kg-manifest.json").stat().st_mtime_ns
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
        options.setdefault("use_default_graph_as_union", not ("default_graph" in options or "named_graphs" in options))
        try:
            return self.runner.query(sparql, **options)
        finally:
            _account(self.runner.stats)

    def __getattr__(self, name):  # base, manifest, graph_names(), graph(), quads()
        return getattr(self.kg, name)


class RemoteServing:
    """A remote SPARQL server as the web pages see it: the same interface as ServingStore, with
    the server's own request timeout as the deadline and answers cached per generation."""

    POLL_SECONDS = 1.0

    def __init__(self, remote, timeout: float):
        self.remote = remote
        self.remote.timeout = timeout
        self.cache = ResultCache(CACHE_ENTRIES)
        self.checked = time.monotonic()
        self.runner = self  # the access log and the tests read .stats and .cache here too
        self.stats = {"seconds": 0.0, "rows": 0, "truncated": False}

    def refresh(self) -> None:
        if time.monotonic() - self.checked < self.POLL_SECONDS:
            return
        self.checked = time.monotonic()
        before = self.remote.generation
        if self.remote.refresh_manifest().get("generation") != before:
            self.cache.clear()

    def query(self, sparql: str, **options):
        from kg.remote import RemoteError, RemoteTimeout

        key = cache_key(sparql, options)
        started = time.monotonic()
        result = self.cache.get(key)
        try:
            if result is None:
                result = self.remote.query(sparql, **options)
                if isinstance(result, GraphResult):
                    self.cache.put(key, result)
                else:
                    data = result.serialize(format=RESULTS)
                    self.cache.put(key, data)
                    result = data
            rows = len(result) if isinstance(result, GraphResult) else _limited(result, 10**12)[1]
            self.stats = {"seconds": time.monotonic() - started, "rows": rows, "truncated": False}
        except RemoteTimeout as error:
            raise QueryTimeout(str(error)) from error
        except RemoteError as error:
            raise QueryFailed(str(error)) from error
        finally:
            _account(self.stats)
        return result if isinstance(result, GraphResult) else ox.parse_query_results(result, RESULTS)

    def __getattr__(self, name):  # base, manifest, graph_names(), graph(), quads()
        return getattr(self.remote, name)
