"""A WSGI app that answers every request with the same `ASK` result: served by Granian with the
settings of `kg serve`, it measures what the HTTP server alone costs a request."""

BODY = b'{"head":{},"boolean":true}'
HEADERS = [("Content-Type", "application/sparql-results+json"), ("Content-Length", str(len(BODY)))]


def app(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
