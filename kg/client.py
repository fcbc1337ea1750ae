"""HTTP to a remote SPARQL server: credentials taken from the URLs given (`user:password@host`),
and errors that name the URL and quote the server's message, cut short.

Credentials go with every request itself, by the scheme the server's challenge names (Basic or
Digest), rather than after a 401 as urllib's handlers send them: a server that refuses a large
upload before reading it closes the connection on it, and the client sees a broken pipe, not the
401 it would have answered.
"""
from __future__ import annotations

import base64
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message

from .store import StoreError


class RemoteError(StoreError):
    pass


class RemoteTimeout(RemoteError):
    pass


class Refused(RemoteError):
    """The server answered with an error status."""

    def __init__(self, url: str, status: int, message: str, headers: Message | None = None):
        super().__init__(f"{url}: {status} {message}")
        self.url, self.status, self.message, self.headers = url, status, message, headers


def brief(message: str, limit: int = 600) -> str:
    """A server's error message, cut short: some servers quote the whole request back."""
    message = message.strip()
    return message if len(message) <= limit else message[:limit].rstrip() + f" … ({len(message) - limit} more characters)"


def without_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """The URL without its user:password@, and those credentials."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None:
        return url, None
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    credentials = (urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""))
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc)), credentials


def parse_challenge(header: str) -> tuple[str, dict]:
    """`Digest realm="x", nonce="y"` → ("digest", {"realm": "x", "nonce": "y"})."""
    scheme, _, rest = header.strip().partition(" ")
    return scheme.lower(), urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))


class Client:
    def __init__(self):
        self.passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        self.digest = urllib.request.HTTPDigestAuthHandler(self.passwords)
        self.credentials: dict[str, tuple[str, str]] = {}  # endpoint → user and password
        self.challenges: dict[str, tuple[str, dict] | None] = {}  # endpoint → its server's last challenge

    def endpoint(self, url: str) -> str:
        """The URL to send requests to; credentials in it are kept for it and taken out of it."""
        url, credentials = without_credentials(url)
        if credentials:
            self.passwords.add_password(None, url, *credentials)
            self.credentials[url], self.challenges[url] = credentials, None
        return url

    def send(self, method: str, url: str, data: bytes | None, headers: dict, timeout: float) -> tuple[bytes, Message]:
        protected = next((endpoint for endpoint in self.challenges if url.startswith(endpoint)), None)
        for attempt in (1, 2):
            request = urllib.request.Request(url, data=data, headers=headers, method=method)
            if protected:
                self._authorize(request, protected, timeout)
            try:
                return self._open(request, timeout)
            except Refused as refusal:
                if refusal.status != 401 or not protected or attempt == 2:
                    raise
                self.challenges[protected] = None  # a stale nonce: ask for a new challenge once

    def _authorize(self, request: urllib.request.Request, endpoint: str, timeout: float) -> None:
        if self.challenges[endpoint] is None:
            self.challenges[endpoint] = self._challenge(endpoint, timeout)
        scheme, challenge = self.challenges[endpoint]
        if scheme == "basic":
            pair = ":".join(self.credentials[endpoint]).encode()
            request.add_unredirected_header("Authorization", "Basic " + base64.b64encode(pair).decode())
        elif scheme == "digest":
            authorization = self.digest.get_authorization(request, challenge)
            if authorization is None:
                raise RemoteError(f"{endpoint}: the server's Digest challenge cannot be answered: {challenge}")
            request.add_unredirected_header("Authorization", "Digest " + authorization)

    def _challenge(self, endpoint: str, timeout: float) -> tuple[str, dict]:
        """The scheme and parameters the server asks credentials by (none if it asks for none)."""
        try:
            self._open(urllib.request.Request(endpoint, method="HEAD"), timeout)
        except Refused as refusal:
            header = refusal.headers.get("WWW-Authenticate") if refusal.status == 401 else None
            if header:
                return parse_challenge(header)
        return "none", {}

    @staticmethod
    def _open(request: urllib.request.Request, timeout: float) -> tuple[bytes, Message]:
        url = request.full_url
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.read(), response.headers
        except urllib.error.HTTPError as error:
            raise Refused(url, error.code, brief(error.read().decode("utf-8", "replace")), error.headers) from error
        except TimeoutError as error:
            raise RemoteTimeout(f"{url}: no answer within {timeout:g} s") from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise RemoteTimeout(f"{url}: no answer within {timeout:g} s") from error
            raise RemoteError(f"{url}: {error.reason}") from error
