"""Reading a SPARQL query's text without parsing it: its tokens, with strings, IRIs, comments and
variables set apart, so that a keyword or a brace inside them is not mistaken for one."""
from __future__ import annotations

import re
from collections.abc import Iterator

TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*"
    r"|[?$][^\s{}().,;]+"
    r"|[A-Za-z_][\w\-]*(?::[\w\-.]*)?"
    r"|\S",
    re.S,
)
FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}


def tokens(query: str) -> Iterator[re.Match]:
    """The query's tokens, comments left out."""
    return (m for m in TOKENS.finditer(query) if not m.group().startswith("#"))


def form(query: str) -> str | None:
    """SELECT, CONSTRUCT, DESCRIBE or ASK: the query's form, its first keyword after the prologue."""
    return next((upper for upper in (m.group().upper() for m in tokens(query)) if upper in FORMS), None)


def pattern_start(query: str) -> int | None:
    """Where the query's outermost group graph pattern opens (just after its "{"), or None when it
    has none (a DESCRIBE of IRIs). A CONSTRUCT's template is not it, unless the template is the
    pattern (CONSTRUCT WHERE { … })."""
    form, where, template, depth = None, False, False, 0
    for match in tokens(query):
        token = match.group()
        upper = token.upper()
        if form is None and upper in FORMS:
            form = upper
        elif depth == 0 and upper == "WHERE":
            where = True
        elif token == "{":
            if depth == 0:
                if form == "CONSTRUCT" and not where and not template:
                    template = True
                else:
                    return match.end()
            depth += 1
        elif token == "}":
            depth -= 1
    return None
