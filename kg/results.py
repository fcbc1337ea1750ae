"""Result types shared by the query processes and the remote store."""
from __future__ import annotations

import pyoxigraph as ox


class GraphResult(list):
    """The triples of a CONSTRUCT or DESCRIBE, serialisable like pyoxigraph's own result."""

    def serialize(self, output=None, format=ox.RdfFormat.N_TRIPLES):
        data = ox.serialize(self, format=format)
        if output is None:
            return data
        output.write(data)


def is_graph(result) -> bool:
    return isinstance(result, (ox.QueryTriples, GraphResult))
