"""The store as the web front end sees it: every read goes through the answer cache and the
deadline and is counted for the access log; a newly published generation is picked up on the next
request. Any store of kg.interface.Store will do: one with a snapshot directory is queried by the
worker's query processes (server/processes.py), a remote one by HTTP with its own request timeout."""
from __future__ import annotations

import os
import tempfile
import time

from rdflib import Graph

from mzkg.kg.client import RemoteError, RemoteTimeout
from mzkg.kg.export import write_quads
from mzkg.kg.interface import Store
from mzkg.loaders.iris import Minter

from .answers import Answer, Limits, QueryFailed, QueryTimeout, ResultCache, SnapshotGone, cache_key, evaluate
from .processes import ProcessPool, query_memory


_MOVES = 3  # how many times a job follows the writers to a newer snapshot before it fails


class RemoteQueries:
    """Queries of a remote store, in the calling thread, bounded by the server's request timeout."""

    def __init__(self, store: Store, timeout: float, limits: Limits):
        self.timeout, self.limits = timeout, limits
        self.switch(store)

    def switch(self, store: Store) -> None:
        store.timeout = self.timeout
        self.store = store

    def answer(self, sparql: str, wanted: dict | None, options: dict) -> Answer:
        return self._call(evaluate, self.store, sparql, options, wanted, self.limits)

    def dump(self, graph: str | None, key: str, target: str) -> None:
        def write():
            with open(target, "wb") as out:
                write_quads(self.store.quads(graph), out, key)
        self._call(write)

    @staticmethod
    def _call(function, *args):
        try:
            return function(*args)
        except RemoteTimeout as error:
            raise QueryTimeout(str(error)) from error
        except RemoteError as error:
            raise QueryFailed(str(error)) from error

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass


class Serving:
    def __init__(self, store: Store, config: dict):
        self.store = store
        self.minter = Minter(store.base)
        self.cache = ResultCache(config["cache_entries"], config["cache_answer_bytes"], config["cache_bytes"])
        limits = Limits(config["max_rows"], config["max_answer_bytes"], query_memory(config))
        if store.snapshot:
            self.queries = ProcessPool(store.snapshot, config["query_timeout"], limits,
                                       config["query_processes"], config["query_process_start"], config["query_wait"],
                                       max(0, config["threads"] - config["query_processes"] - 1))
            self.poll_seconds = 0.0  # a look at the manifest file's time stamp: cheap on every request
        else:
            self.queries = RemoteQueries(store, config["query_timeout"], limits)
            self.poll_seconds = config["remote_poll"]
        self.checked = time.monotonic()

    @property
    def base(self) -> str:
        return self.store.base

    @property
    def generation(self) -> int:
        return self.store.generation

    def start(self) -> None:
        self.queries.start()

    def close(self) -> None:
        self.queries.close()

    def refresh(self, now: bool = False) -> None:
        """Move to the store's newest generation, if one was published since the last look."""
        if not now and self.poll_seconds and time.monotonic() - self.checked < self.poll_seconds:
            return
        self.checked = time.monotonic()
        if self.store.changed_since(self.store.generation):
            self.store = self.store.reopen()
            self.minter = Minter(self.store.base)
            self.cache.clear()
            self.queries.switch(self.store.snapshot or self.store)

    def answer(self, sparql: str, wanted: dict | None, **options) -> Answer:
        """The answer written in the format `wanted` names for its kind (see answers.evaluate)."""
        options.setdefault("use_default_graph_as_union", not ("default_graph" in options or "named_graphs" in options))
        key, generation = cache_key(sparql, options, wanted), self.cache.generation
        started, answer = time.monotonic(), None
        try:
            answer = self.cache.get(key)
            if answer is None:
                answer = self._current(self.queries.answer, sparql, wanted, options)
                self.cache.put(key, answer, generation)
            return answer
        finally:
            _account(time.monotonic() - started, answer)

    def _current(self, job, *args):
        """Run a job; when its snapshot was removed before a query process could open it (writers
        published newer ones meanwhile), move to the newest and run it there."""
        for _ in range(_MOVES):
            try:
                return job(*args)
            except SnapshotGone:
                self.refresh(now=True)
        return job(*args)

    def query(self, sparql: str, **options):
        return self.answer(sparql, None, **options).result()

    def graph_names(self) -> list[str]:
        """The knowledge graph's named graphs."""
        rows = self.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self.minter.graph_filter('?g')} }}")
        return sorted(row["g"].value for row in rows)

    def graph(self, graph_iri: str) -> Graph:
        """One named graph, for reading with rdflib."""
        answer = self.answer(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}", None)
        return Graph().parse(data=answer.body.decode("utf-8"), format="nt")

    def dump(self, key: str, graph: str | None = None):
        """Yield one graph, or the whole knowledge graph, in the format `key`, in pieces; it is
        written first, with the deadline, to a temporary file."""
        handle, target = tempfile.mkstemp(prefix="mzkg-dump-", suffix="." + key)
        os.close(handle)
        try:
            started = time.monotonic()
            try:
                self._current(self.queries.dump, graph, key, target)
            finally:
                _account(time.monotonic() - started, None)
        except BaseException:
            os.unlink(target)
            raise
        return _chunks(target)


def _chunks(path: str, size: int = 1 << 20):
    try:
        with open(path, "rb") as data:
            while chunk := data.read(size):
                yield chunk
    finally:
        os.unlink(path)


def _account(seconds: float, answer: Answer | None) -> None:
    """Add a query's time and rows to the request's totals, for the access log."""
    from flask import g, has_request_context

    if has_request_context():
        g.query_seconds = getattr(g, "query_seconds", 0.0) + seconds
        g.query_rows = answer.rows if answer else None
        g.truncated = getattr(g, "truncated", False) or bool(answer and answer.truncated)
        g.queries = getattr(g, "queries", 0) + 1

