"""Every setting an operator may tune, in one registry (in the manner of Datasette's SETTINGS).

A setting is read from its environment variable, else it takes its default; a command-line option
of the same name (`--query-timeout` for `query_timeout`) overrides both for the commands listed in its
`commands`. The README's settings table is `kg settings --markdown`, and a test keeps the two equal.
"""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    type: type
    help: str
    commands: tuple[str, ...] = ()  # the kg subcommands that take it as an option; () for all of them

    @property
    def env(self) -> str:
        return "KG_" + self.name.upper()

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")

    def parse(self, text: str, source: str):
        """The value a string stands for; a bad one is a one-line error naming where it came from."""
        try:
            if self.type is frozenset:
                return frozenset(text.split())
            value = self.type(text)
        except ValueError:
            raise SettingError(f"{source}: {text!r} is not {_TYPE_NAMES[self.type]}") from None
        if self.type in (int, float) and value < 0:
            raise SettingError(f"{source}: {text!r} must not be negative")
        return value


class SettingError(ValueError):
    pass


_TYPE_NAMES = {int: "an integer", float: "a number", str: "a string", frozenset: "a list of words"}
WRITE = ("build", "load")
SERVE = ("serve",)
CLIENT = ("build", "load", "query", "export", "validate")

SETTINGS: tuple[Setting, ...] = (
    Setting("store", "kg-store", str, "directory of the embedded store"),
    Setting("base", "https://w3id.org/mzkg/id/", str, "base IRI under which documents, parts and graphs are minted", ("build",)),
    Setting("endpoint", "", str, "a remote SPARQL 1.1 query endpoint to use instead of the embedded store", CLIENT + SERVE),
    Setting("update_endpoint", "", str, "the remote server's SPARQL 1.1 Update endpoint, for build and load", WRITE),
    Setting("graph_store", "", str, "the remote server's SPARQL 1.1 Graph Store Protocol endpoint: build and load write "
            "through it, graph by graph (credentials as http://user:password@host/…)", WRITE),
    Setting("remote_timeout", 60.0, float, "seconds a remote server may take to answer one request (kg serve: "
            "query_timeout)", CLIENT),
    Setting("max_document_bytes", 20 * 1024 * 1024, int, "largest document file a build or load reads, in bytes", WRITE),
    Setting("max_text_characters", 300_000, int, "longest text a build or load reads from one document, in characters "
            "(reading one costs up to 0.16 ms and 5 KB of memory per character: docs/performance.md)", WRITE),
    Setting("write_wait", 60.0, float, "seconds a build or load waits for another one writing the same store", WRITE),
    Setting("build_processes", 0, int, "worker processes parsing documents in a build (0: one per core)", WRITE),
    Setting("snapshots_kept", 3, int, "read-only snapshots kept after a write, so readers on an older one keep "
            "working while they move on", WRITE),
    Setting("host", "127.0.0.1", str, "address kg serve listens on", SERVE),
    Setting("port", 8000, int, "port kg serve listens on", SERVE),
    Setting("workers", 2, int, "worker processes of kg serve, each opening the store read-only", SERVE),
    Setting("threads", 2 * (os.cpu_count() or 1) + 1, int, "requests each worker answers at once, for pages and for "
            "SPARQL queries each (default: twice the cores plus one)", SERVE),
    Setting("client_queries", 8, int, "SPARQL queries one client (IP address) may have running or waiting in each "
            "worker; more get 429 with Retry-After (0: no limit)", SERVE),
    Setting("query_processes", 2, int, "query processes per worker: at most this many queries of one worker run at once",
            SERVE),
    Setting("query_timeout", 30.0, float, "seconds a query may run before it is stopped and answered with 503", SERVE),
    Setting("query_wait", 10.0, float, "seconds a query waits for one of its worker's query processes to be free; "
            "then it is answered with 503 and Retry-After", SERVE),
    Setting("query_process_start", 60.0, float, "seconds a query process may take to open the store", SERVE),
    Setting("max_rows", 100_000, int, "solutions or triples an answer holds at most; the rest are cut, and the "
            "response says so", SERVE),
    Setting("max_answer_bytes", 64 * 1024 * 1024, int, "bytes an answer holds at most, counted while it is written; "
            "the rest is cut, and the response says so", SERVE),
    Setting("query_memory", 0, int, "megabytes of address space each query process may take beyond what it holds with "
            "the store open; a query needing more is stopped and answered with 503 (0: a quarter of the machine's "
            "memory shared by every worker's query processes)", SERVE),
    Setting("max_query_length", 20_000, int, "characters a query may have (longer: 413)", SERVE),
    Setting("max_body", 1_048_576, int, "bytes a request body may have (larger: 413)", SERVE),
    Setting("body_timeout", 10.0, float, "seconds a request body may take to arrive (slower: 408)", SERVE),
    Setting("allowed_services", frozenset(), frozenset, "SERVICE endpoints a query may call (space-separated IRIs); "
            "all others are refused", SERVE),
    Setting("cache_entries", 512, int, "answers each worker keeps per snapshot generation", SERVE),
    Setting("cache_answer_bytes", 4 * 1024 * 1024, int, "largest answer the cache keeps, in bytes", SERVE),
    Setting("cache_bytes", 128 * 1024 * 1024, int, "bytes of answers each worker's cache holds at most", SERVE),
    Setting("remote_poll", 1.0, float, "seconds between two checks of a remote store's generation", SERVE),
)
BY_NAME = {setting.name: setting for setting in SETTINGS}


def value(name: str, environ=None):
    """A setting's value: its environment variable, else its default."""
    setting = BY_NAME[name]
    text = (os.environ if environ is None else environ).get(setting.env)
    if text is None or (text == "" and setting.type is not frozenset):
        return setting.default
    return setting.parse(text, setting.env)


def for_command(command: str) -> list[Setting]:
    return [s for s in SETTINGS if not s.commands or command in s.commands]


def markdown_table() -> str:
    """The README's table of settings."""
    lines = ["| setting | environment | default | commands | what it is |", "|---|---|---|---|---|"]
    for s in SETTINGS:
        default = " ".join(sorted(s.default)) if s.type is frozenset else s.default
        shown = "cores × 2 + 1" if s.name == "threads" else f"`{default}`" if default != "" else "—"
        commands = ", ".join(s.commands) if s.commands else "all"
        lines.append(f"| `{s.option}` | `{s.env}` | {shown} | {commands} | {s.help} |")
    return "\n".join(lines) + "\n"
