"""Helpers the test modules share: a free port, and waiting for a server they started."""
from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request

ASK = "?query=ASK%7B%7D"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(endpoint: str, process: subprocess.Popen, name: str, seconds: float = 60) -> None:
    """Wait until the SPARQL endpoint answers `ASK {}`; fail with the server's last output if it
    ends or does not answer in time."""
    deadline = time.time() + seconds
    while True:
        try:
            urllib.request.urlopen(endpoint + ASK, timeout=2)
            return
        except OSError:
            if time.time() > deadline or process.poll() is not None:
                process.terminate()
                output = process.stdout.read().decode(errors="replace")[-2000:] if process.stdout else ""
                raise AssertionError(f"{name} did not start within {seconds:g} s: {output}")
            time.sleep(0.2)


def what_it_says(doc):
    """A loaded document's graph without the description of the file it was read from (its name, size
    and digest): what two files of the same document must agree on."""
    from mzkg.loaders.writer import M

    source = next(t.object for t in doc.triples if t.predicate == M.originalFile)
    return doc.without({source.value}).graph


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def ensure_chromium() -> str:
    """Debian's Chromium; installed with apt-get when missing (the machine's package registry)."""
    if not os.path.exists(CHROMIUM):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium", "fonts-wqy-zenhei"], check=True, env=env)
    return CHROMIUM


def part_path(store_path, document: str, cls: str, ordinal: int) -> str:
    """The path (under the data base) of a document's part of class `cls` at `ordinal`: parts are named
    by what they say, so tests find them by their place."""
    from mzkg.kg.store import KnowledgeStore

    store = KnowledgeStore.open(store_path, read_only=True)
    query = (f"PREFIX mz: <https://w3id.org/mzkg/ontology#> SELECT ?p WHERE {{ ?p a mz:{cls} ; "
             f"mz:inDocument <https://w3id.org/mzkg/id{document}> ; mz:ordinal {ordinal} }}")
    found = [row["p"].value for row in store.query(query)]
    assert len(found) == 1, (document, cls, ordinal, found)
    return "/" + found[0].split("/id/", 1)[1]
