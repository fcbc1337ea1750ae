"""The saved queries: a gallery, a form per query, results as a table, JSON and CSV downloads."""
from __future__ import annotations

from urllib.parse import unquote, urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, abort, g, render_template, request

from mzkg import queries
from mzkg.kg.query import QueryError, bind

from .comparison import chart_data, solutions
from . import label_search
from .labels import iri_for_path, links
from .state import kg

bp = Blueprint("gallery", __name__)
DOWNLOADS = {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV}


@bp.route("/queries")
def index():
    return render_template("queries.html", title="Saved queries", saved=queries.all_queries())


@bp.route("/queries/<name>")
@bp.route("/queries/<name>.<fmt>")
def show(name: str, fmt: str | None = None):
    try:
        saved = queries.get(name)
    except queries.QueryNotFound:
        abort(404)
    values = {k: v for k, v in request.args.items() if v != ""}
    try:
        substitutions = bind(saved, resolved(saved, values))
    except (QueryError, Unresolved) as error:
        if fmt is not None:
            return Response(f"{error}\n", status=400, mimetype="text/plain")
        return render_template("query.html", title=saved.title, saved=saved, values=values, table=None, error=str(error),
                               choices=getattr(error, "choices", []), query_string="",
                               editor_query=urlencode({"query": saved.text})), 400
    ready = all(p.name in values for p in saved.parameters)
    if fmt is not None:
        if fmt not in DOWNLOADS:
            abort(404)
        if not ready:
            return Response("missing parameter(s): " + ", ".join(p.name for p in saved.parameters if p.name not in values) + "\n",
                            status=400, mimetype="text/plain")
        result = kg().query(saved.text, substitutions=substitutions)
        body = result.serialize(format=DOWNLOADS[fmt])
        if fmt == "csv":  # a byte-order mark, so that Excel reads the file as UTF-8
            body = "\ufeff".encode("utf-8") + body
        return Response(body, content_type=DOWNLOADS[fmt].media_type + ("; charset=utf-8" if fmt == "csv" else ""),
                        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
    table = _table(kg().query(saved.text, substitutions=substitutions)) if ready else None
    return render_template("query.html", title=saved.title, saved=saved, values=values, table=table,
                           query_string=urlencode(values), editor_query=urlencode({"query": saved.text}))


class Unresolved(ValueError):
    """A parameter's value names no resource, or several (its `choices`: label and IRI)."""

    def __init__(self, message: str, choices: list | None = None):
        super().__init__(message)
        self.choices = choices or []


def resolved(saved, values: dict[str, str]) -> dict[str, str]:
    """The values with every IRI parameter given as a label or as a page of this site replaced by
    the IRI it names; an IRI is kept as it is."""
    out = dict(values)
    for p in saved.parameters:
        value = values.get(p.name, "").strip()
        if p.kind != "iri" or not value or value.startswith("<"):
            continue
        host = request.host_url
        if value.startswith(host) or value.startswith("/"):  # a page of this site
            path = value[len(host):] if value.startswith(host) else value[1:]
            out[p.name] = iri_for_path(unquote(path.split("#", 1)[0].split("?", 1)[0]))
        elif not value.startswith(("http://", "https://", "urn:")):
            out[p.name] = _by_label(p, value)
    return out


def _by_label(p, label: str) -> str:
    found = label_search.exact(label, p.classes or None)
    if len(found) == 1:
        return found[0]
    expected = f" ({', '.join(sorted(p.classes))})" if p.classes else ""
    if not found:
        raise Unresolved(f"{p.name}: nothing{expected} is labelled “{label}”; give a label as pages show it "
                         "(e.g. 武汉市), the address of its page, or its IRI")
    names = links(set(found))
    raise Unresolved(f"{p.name}: several resources{expected} are labelled “{label}”; choose one",
                     [(names[iri].label, iri) for iri in found])


def _table(result) -> dict:
    variables = [v.value for v in result.variables]
    rows = solutions(result)
    iris = {row[v].value for row in rows for v in variables if isinstance(row[v], ox.NamedNode)}
    names = links(iris)
    cells = [[_cell(row[v], names) for v in variables] for row in rows]
    return {"variables": variables, "rows": cells, "chart": chart_data(rows) if _chartable(variables) else None,
            "truncated": g.get("truncated", False)}


def _cell(term, names) -> dict:
    if term is None:
        return {"text": ""}
    if isinstance(term, ox.NamedNode):
        return {"text": names[term.value].label, "link": names[term.value]}
    return {"text": term.value, "numeric": isinstance(term, ox.Literal) and term.datatype.value.endswith(("decimal", "integer"))}


def _chartable(variables: list[str]) -> bool:
    return "jurisdictionLabel" in variables and ("targetValue" in variables or "baselineValue" in variables) \
        and "targetYear" in variables and "unit" in variables
