"""Content negotiation: the Accept header (with q-values) or a `format` parameter picks a format."""
from __future__ import annotations

from mzkg.kg.formats import Format, named  # noqa: F401  (Format: what choose() returns)

# Media types clients send for the formats of kg.formats.
ALIASES = {"application/json": "json", "application/xml": "xml", "text/xml": "xml", "text/plain": "nt",
           "application/x-turtle": "ttl", "application/turtle": "ttl"}


class NotAcceptable(Exception):
    pass


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges with their q-values, best first (stable for equal q)."""
    if not header:
        return [("*/*", 1.0)]
    ranges = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            if param.lower().startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        ranges.append((media, q, position))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(m, q) for m, q, _ in ranges]


def choose(offered: list[Format], accept: str | None, requested: str | None = None, default: Format | None = None) -> Format:
    """The format to answer with: an explicit `format` parameter wins, then the best Accept match."""
    if requested:
        fmt = named(requested, offered)
        if fmt is not None:
            return fmt
        # an unknown format name: fall back on the Accept header
    best, best_q = None, 0.0
    for media, q in parse_accept(accept):
        if q <= 0:
            continue
        media = ALIASES.get(media, media)
        for fmt in offered:
            if media in (fmt.media_type, fmt.key) or media == "*/*" or (media.endswith("/*") and fmt.media_type.startswith(media[:-1])):
                candidate = default if media == "*/*" and default in offered else fmt
                if q > best_q:
                    best, best_q = candidate, q
                break
    if best is None:
        raise NotAcceptable(f"none of the requested types ({accept}) is available; this resource offers "
                            + ", ".join(f.media_type for f in offered))
    return best


def prefers_html(accept: str | None) -> bool:
    """A browser's Accept header puts text/html first."""
    for media, q in parse_accept(accept):
        if q > 0:
            return media in ("text/html", "application/xhtml+xml")
    return False
