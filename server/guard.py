"""What the endpoint reads off a query's text before it runs: what it refuses, and whether the query
names its own dataset.

pyoxigraph evaluates `SERVICE <url>` by calling that URL, which from a public endpoint is a
server-side request forgery; so SERVICE is refused unless its endpoint is on an allow-list the
operator configured. The query is tokenised (strings, IRIs, comments and variables set apart) so
that the word SERVICE inside a string, an IRI or a variable name is not mistaken for the keyword.
"""
from __future__ import annotations

from mzkg.kg import query_text


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _keywords(query: str) -> list[str]:
    return [match.group() for match in query_text.tokens(query)]


def declares_dataset(tokens: list[str]) -> bool:
    """Whether the query has FROM or FROM NAMED clauses (which then give its dataset)."""
    return any(token.upper() == "FROM" for token in tokens)


def services(tokens: list[str]) -> list[str | None]:
    """The endpoints of the query's SERVICE clauses (None where the endpoint is a variable or a prefixed name)."""
    found = []
    for k, token in enumerate(tokens):
        if token.upper() != "SERVICE":
            continue
        following = tokens[k + 1 : k + 3]
        if following and following[0].upper() == "SILENT":
            following = following[1:]
        endpoint = following[0] if following else ""
        found.append(endpoint[1:-1] if endpoint.startswith("<") and endpoint.endswith(">") else None)
    return found


def check(query: str, allowed_services: frozenset[str], max_length: int) -> bool:
    """Refuse the query if it is too long or calls a SERVICE not allowed; else say whether it
    declares its own dataset."""
    if len(query) > max_length:
        raise Refused(413, f"The query is {len(query)} characters long; this endpoint accepts at most {max_length}.")
    tokens = _keywords(query)
    for endpoint in services(tokens):
        if endpoint is None or endpoint not in allowed_services:
            shown = f"<{endpoint}>" if endpoint else "a variable or prefixed endpoint"
            raise Refused(400, f"SERVICE {shown} is not allowed: this endpoint does not call other endpoints "
                          "(an operator can allow named ones with KG_ALLOWED_SERVICES).")
    return declares_dataset(tokens)
