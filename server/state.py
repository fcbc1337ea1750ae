"""What a worker serves: the store behind its answer cache and query deadline."""
from __future__ import annotations

from flask import current_app

from .serving import Serving


def kg() -> Serving:
    return current_app.extensions["mzkg.store"]
