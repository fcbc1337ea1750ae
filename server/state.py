"""What a worker serves: the current snapshot, read through its query runner."""
from __future__ import annotations

from flask import current_app

from .runner import ServingStore


def kg() -> ServingStore:
    return current_app.extensions["mzkg.store"]
