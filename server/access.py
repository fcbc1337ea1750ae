"""The access log: one JSON line per request (path, status, time, queries, query time, rows, bytes)."""
from __future__ import annotations

import json
import logging

LOG = logging.getLogger("mzkg.access")


def log(method: str, path: str, status: int, seconds: float, size: int | None, queries: int = 0,
        query_seconds: float = 0.0, rows: int | None = None) -> None:
    if not LOG.isEnabledFor(logging.INFO):
        return
    LOG.info(json.dumps({"method": method, "path": path, "status": status, "ms": round(seconds * 1000, 1),
                         "queries": queries, "query_ms": round(query_seconds * 1000, 1), "rows": rows, "bytes": size},
                        ensure_ascii=False))
