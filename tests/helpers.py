"""Helpers the test modules share: a free port, and waiting for a server they started."""
from __future__ import annotations

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
