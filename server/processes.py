"""Queries run in a child process, so a runaway query can be stopped at its deadline.

pyoxigraph releases the GIL while it evaluates, but a running query cannot be cancelled from
Python, and an aggregate yields nothing until it is done; only a process can be stopped. Each
worker therefore keeps a few children (the query_processes setting) that have the snapshot open
read-only and answer queries and dumps over a pipe, one at a time each. At the deadline the child is
killed (a fresh one is started for the next job) and the request gets 503.
"""
from __future__ import annotations

import multiprocessing
import os
import resource
import select
import signal
import threading
import time

import pyoxigraph as ox

from mzkg.kg.children import end_with_parent
from mzkg.kg.export import write_quads

from .answers import Answer, Limits, QueryBusy, QueryFailed, QueryOutOfMemory, QueryTimeout, SnapshotGone, evaluate

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


_MISSING_FILE = "No such file or directory"  # how RocksDB reports a file of a removed snapshot


def query_memory(config: dict) -> int:
    """Bytes of address space a query process may use: the query_memory setting (megabytes), else a
    quarter of the machine's memory shared by every worker's query processes."""
    if config["query_memory"]:
        return config["query_memory"] * 1024 * 1024
    machine = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return machine // 4 // max(1, config["workers"] * config["query_processes"])


def _open(path: str, limits: Limits, conn):
    """The snapshot at `path`, opened read-only, with the address-space limit set above what the
    process then holds; None (the reason sent to the parent) if it cannot be opened."""
    try:
        store = ox.Store.read_only(path)
    except Exception as error:  # removed since it was named (RocksDB says so in several ways): the caller moves on
        conn.send(("gone" if not os.path.exists(os.path.join(path, "CURRENT")) else "failed", str(error)))
        return None
    if limits.memory:  # beyond what the process holds with the store open; the store's code aborts past it
        resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        held = int(open("/proc/self/statm").read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (held + limits.memory, resource.RLIM_INFINITY))
    conn.send(("ready", None))
    return store


def _serve_jobs(path: str, limits: Limits, conn) -> None:
    """The child: answer ("query", sparql, options, wanted) and ("dump", graph, format key, file) jobs,
    and move to another snapshot on ("open", path)."""
    end_with_parent()
    store = _open(path, limits, conn)
    if store is None:
        return
    readable = select.poll()
    readable.register(conn.fileno(), select.POLLIN)
    while True:
        try:
            spin(readable, SPIN_SECONDS)
            job, *args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if job == "open":
                del store
                store = _open(args[0], limits, conn)
                if store is None:
                    return
            elif job == "query":
                sparql, options, wanted = args
                conn.send(("answer", evaluate(store, sparql, options, wanted, limits)))
            else:
                graph, key, target = args
                with open(target, "wb") as out:
                    write_quads(store.quads_for_pattern(None, None, None, ox.NamedNode(graph) if graph else None), out, key)
                conn.send(("answer", target))
        except SyntaxError as error:
            conn.send(("syntax", str(error)))
        except MemoryError:
            conn.send(("memory", None))
            return
        except Exception as error:  # the parent turns it into a 400 with this message
            if _MISSING_FILE in str(error):  # the snapshot was removed under it: the parent moves to the newest
                conn.send(("gone", str(error)))
                return
            conn.send(("error", f"{type(error).__name__}: {error}"))


class QueryProcess:
    """A child process with a snapshot open read-only, doing one job at a time over a pipe."""

    def __init__(self, context, path: str, limits: Limits, generation: int, start_seconds: float):
        self.generation = generation  # the snapshot generation it serves
        self.limits = limits
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve_jobs, args=(path, limits, child), daemon=True)
        self.process.start()
        child.close()
        # One poller for the life of the pipe: Connection.poll builds a new selector on every call.
        self.readable = select.poll()
        self.readable.register(self.conn.fileno(), select.POLLIN)
        self._opened(path, start_seconds)

    def reopen(self, path: str, generation: int, seconds: float) -> None:
        """Serve another snapshot: the process closes its store and opens that one, which costs far
        less than starting a process (an interpreter and its imports)."""
        self.conn.send(("open", path))
        self.generation = generation
        self._opened(path, seconds)

    def _opened(self, path: str, seconds: float) -> None:
        try:
            reply, message = self.conn.recv() if self._wait(seconds) else (None, None)
        except EOFError:
            reply, message = "failed", "it ended at once"
        if reply != "ready":
            self.close()
            if reply == "gone":
                raise SnapshotGone(f"snapshot {path} was removed")
            if reply == "failed":
                raise QueryFailed(f"the query process could not open {path}: {message}")
            raise QueryFailed(f"the query process did not open the store within {seconds:g} s")

    def ask(self, job: tuple, timeout: float):
        self.conn.send(job)
        if not self._wait(timeout):
            self.close()
            raise QueryTimeout(f"The query ran longer than {timeout:g} s and was stopped.")
        try:
            kind, payload = self.conn.recv()
        except EOFError:
            self.close()
            if self.limits.memory and self.process.exitcode in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS):
                kind = "memory"  # the store's code aborts when an allocation beyond the limit fails
            else:
                raise QueryFailed("the query process ended without answering") from None
        if kind == "memory":
            self.close()
            raise QueryOutOfMemory(f"The query needed more than the {self.limits.memory // 2**20} MiB of memory a query "
                                   "may use (KG_QUERY_MEMORY) and was stopped.")
        if kind == "syntax":
            raise SyntaxError(payload)
        if kind == "gone":
            self.close()
            raise SnapshotGone(payload)
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


class ProcessPool:
    """A worker's query processes over one snapshot: at most `processes` jobs of the worker run at
    once, each stopped at the deadline. Safe to call from several threads."""

    def __init__(self, snapshot: str, timeout: float, limits: Limits, processes: int, start_seconds: float,
                 wait: float, max_waiting: int = 1_000_000):
        self.path = snapshot
        self.timeout = timeout
        self.wait = wait  # for a free query process
        # Queries waiting for a process hold request threads; past this many a query is turned away at
        # once, so that a thread or more stays free for pages, static files and cached answers.
        self.max_waiting = max_waiting
        self.waiting = 0
        self.limits = limits
        self.start_seconds = start_seconds
        self.context = multiprocessing.get_context("spawn")
        self.lock = threading.Lock()  # guards path, generation and idle
        self.generation = 0  # counted by switch()
        self.processes = processes
        self.slots = threading.BoundedSemaphore(processes)
        self.idle: list[QueryProcess] = []

    def start(self) -> None:
        """Start the query processes now, rather than when the first queries arrive."""
        started = [self._take() for _ in range(self.processes)]
        for process in started:
            self._give_back(process)

    def answer(self, sparql: str, wanted: dict | None, options: dict) -> Answer:
        return self._run(("query", sparql, options, wanted))

    def dump(self, graph: str | None, key: str, target: str) -> None:
        self._run(("dump", graph, key, target))

    def _run(self, job: tuple):
        if not self.slots.acquire(blocking=False):
            with self.lock:
                crowded = self.waiting >= self.max_waiting
                self.waiting += not crowded
            if crowded:
                raise QueryBusy(f"All {self.processes} query processes of this worker are busy and "
                                f"{self.max_waiting} queries wait for them; try again shortly.")
            try:
                free = self.slots.acquire(timeout=self.wait)
            finally:
                with self.lock:
                    self.waiting -= 1
            if not free:
                raise QueryBusy(f"All {self.processes} query processes of this worker stayed busy for "
                                f"{self.wait:g} s; try again shortly.")
        try:
            process = self._take()
            try:
                return process.ask(job, self.timeout)
            finally:
                self._give_back(process)
        finally:
            self.slots.release()

    def _take(self) -> QueryProcess:
        """An idle process on the current snapshot (one on an older snapshot moves to it), else a new one."""
        with self.lock:
            process = None
            while self.idle and process is None:
                process = self.idle.pop()
                if not process.process.is_alive():
                    process.close()
                    process = None
            path, generation = self.path, self.generation
        if process is None:
            return QueryProcess(self.context, path, self.limits, generation, self.start_seconds)
        if process.generation != generation:
            process.reopen(path, generation, self.start_seconds)
        return process

    def _give_back(self, process: QueryProcess) -> None:
        """Keep the process for the next job, unless it was stopped."""
        with self.lock:
            if process.process.is_alive():
                self.idle.append(process)
                return
        process.close()

    def switch(self, snapshot: str) -> None:
        """Serve another snapshot from the next job on; each process moves to it when it next takes a job."""
        with self.lock:
            self.path = snapshot
            self.generation += 1

    def close(self) -> None:
        with self.lock:
            idle, self.idle = self.idle, []
        for process in idle:
            process.close()
