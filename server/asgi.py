"""The worker's front: an ASGI app on Granian's event loop, in front of the Flask (WSGI) app.

Granian's own WSGI interface reads a request body while holding the whole worker, so one client
sending a body a byte at a time stalled every request of that worker. Here the body is read on the
event loop, within a deadline and a size limit, before any thread is taken; only then does the Flask
app run, in one of two thread pools: one for SPARQL queries at /sparql, one for everything else
(pages and cached answers), so that queries running to their deadline never queue a page behind
them. A client has at most `client_queries` queries of a worker running or waiting at once.
Static files never reach Python: Granian serves them (see serve.py).
"""
from __future__ import annotations

import asyncio
import time

from a2wsgi import WSGIMiddleware

from . import access
from .answers import RETRY_AFTER
from .protocol import COMMON, PATH


class TooLarge(Exception):
    pass


class Front:
    def __init__(self, wsgi_app, config: dict):
        self.pages = WSGIMiddleware(wsgi_app, workers=config["threads"])
        self.queries = WSGIMiddleware(wsgi_app, workers=config["threads"])
        self.max_body, self.body_timeout = config["max_body"], config["body_timeout"]
        self.per_client = config["client_queries"]
        self.running: dict[str, int] = {}  # the event loop is one thread: no lock needed

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.pages(scope, receive, send)
        started = time.monotonic()
        query = scope["path"] == PATH
        client = (scope.get("client") or ("",))[0]
        if query and self.per_client and self.running.get(client, 0) >= self.per_client:
            return await _refuse(scope, send, started, 429, f"This client already has {self.per_client} queries running "
                                 "or waiting here (KG_CLIENT_QUERIES); send the next when one is answered.",
                                 [("Retry-After", str(RETRY_AFTER))])
        if query:
            self.running[client] = self.running.get(client, 0) + 1
        try:
            try:
                body = await asyncio.wait_for(self._body(scope, receive), self.body_timeout)
            except TimeoutError:
                return await _refuse(scope, send, started, 408, f"The request body did not arrive within "
                                     f"{self.body_timeout:g} s (KG_BODY_TIMEOUT).")
            except TooLarge:
                return await _refuse(scope, send, started, 413, "413 Request Entity Too Large: this server accepts "
                                     f"request bodies of at most {self.max_body} bytes")
            await (self.queries if query else self.pages)(scope, _replay(body, receive), send)
        finally:
            if query:
                self.running[client] -= 1
                if not self.running[client]:
                    del self.running[client]

    async def _body(self, scope, receive) -> bytes:
        """The whole request body, refused as soon as it is known to pass the limit."""
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_body:
            raise TooLarge
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            body += message.get("body", b"")
            if len(body) > self.max_body:
                raise TooLarge
            if not message.get("more_body", False):
                break
        return bytes(body)


def _replay(body: bytes, receive):
    """A receive() that hands over the body already read, then waits for the disconnect."""
    given = False

    async def replayed():
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


async def _refuse(scope, send, started: float, status: int, message: str, headers: list | None = None) -> None:
    body = (message + "\n").encode()
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))), ("Connection", "close"),
               *(headers or []), *COMMON]
    await send({"type": "http.response.start", "status": status,
                "headers": [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]})
    await send({"type": "http.response.body", "body": body})
    access.log(scope["method"], scope["path"], status, time.monotonic() - started, len(body))

