"""The web front end: SPARQL endpoint, saved queries, entity pages, dumps, ontology and editor.

The app itself is in server.app; it is imported when an app is made, so that the `kg` command,
whose entry point lives in this package, does not load Flask for the commands that do not serve.
"""
from __future__ import annotations


def create_app(*args, **kwargs):
    from .app import create_app as make

    return make(*args, **kwargs)
