"""What a worker holds: the store it serves, opened read-only, and its configuration."""
from __future__ import annotations

from flask import current_app

from kg.store import KnowledgeStore


def kg() -> KnowledgeStore:
    return current_app.extensions["mzkg.store"]


def base() -> str:
    return kg().base
