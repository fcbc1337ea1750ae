"""One indicator compared across documents: a table of every target and a chart per unit, and each
target beside the targets of the levels above.

Rows come from the saved query compare-indicator (queries/compare-indicator.rq), so what the page
shows, the query's form and its CSV download agree. The chart draws one bar per target, labelled so
that no two bars share a label, in one panel per unit (a percentage and a count never share an axis);
each bar links to the passage its value was read from.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict

import pyoxigraph as ox

from mzkg import queries
from mzkg.kg.query import bind

from .labels import href
from .state import kg

COMPARISON_QUERY = "compare-indicator"
LEVEL_ABOVE_QUERY = "level-above"
# how the page writes mz:comparator's values
COMPARATOR_SIGNS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "", "about": "约", "range": "区间"}


def _value(term) -> str:
    return term.value if term is not None else ""


def _sign(term) -> str:
    return COMPARATOR_SIGNS.get(_value(term), _value(term))


def _number(term) -> float | None:
    try:
        return float(term.value) if term is not None else None
    except ValueError:
        return None


def source_href(row: dict) -> str | None:
    """The place in the document page a target was read from."""
    if row.get("plan") is None:
        return None
    start = row.get("sourceStart")
    return href(row["plan"].value) + (f"#o{start.value}" if start is not None else "")


def solutions(result) -> list[dict]:
    """A query's solutions as dictionaries of the variables it selects (None where unbound)."""
    variables = [v.value for v in result.variables]
    return [{name: row[name] for name in variables} for row in result]


def indicator_comparison(iri: str) -> tuple[list[dict], str | None]:
    """Every target stated for the indicator, as the page's table shows them, and the chart's data."""
    saved = queries.get(COMPARISON_QUERY)
    found = solutions(kg().query(saved.text, substitutions=bind(saved, {"indicator": iri})))
    table = [{
        "place": _value(row["jurisdictionLabel"]), "level": _value(row["level"]),
        "document": _value(row["planTitle"]) or _value(row["plan"]), "document_href": href(row["plan"].value),
        "label": _value(row["indicatorLabel"]), "year": _value(row["targetYear"]), "comparator": _sign(row["comparator"]),
        "value": _value(row["targetValue"]) or _value(row["targetText"]), "unit": _value(row["unit"]),
        "baseline": _value(row["baselineValue"]), "baseline_year": _value(row["baselineYear"]),
        "achieved": _value(row["actualValue"]), "achieved_year": _value(row["actualYear"]),
        "bindingness": _value(row["bindingness"]), "target_href": href(row["target"].value), "source": source_href(row),
    } for row in found]
    above = level_above("indicator", iri)
    for row, target in zip(table, found):
        row["above"] = above.get(target["target"].value, [])
    return table, chart_data(found)


def level_above(variable: str, iri: str) -> dict[str, list[dict]]:
    """For the targets of an indicator ("indicator") or for one target ("target"): the targets for the
    same indicator, unit and year in documents of the jurisdictions above, by target IRI."""
    text = queries.get(LEVEL_ABOVE_QUERY).text
    above = defaultdict(list)
    for row in solutions(kg().query(text, substitutions={ox.Variable(variable): ox.NamedNode(iri)})):
        above[row["target"].value].append({
            "place": _value(row["aboveLabel"]), "document_href": href(row["abovePlan"].value),
            "target_href": href(row["aboveTarget"].value), "relation": _value(row["relation"]),
            "value": _sign(row["aboveComparator"]) + _value(row["aboveValue"]),
            "unit": _value(row["unit"]), "year": _value(row["targetYear"]),
        })
    return dict(above)


def chart_data(rows: list[dict]) -> str | None:
    """Bars of a result that has jurisdictionLabel, targetValue or baselineValue, targetYear and unit
    (the compare-indicator query and its kin), one panel per unit, as JSON."""
    bars = []
    for row in rows:
        target, baseline = _number(row.get("targetValue")), _number(row.get("baselineValue"))
        if target is None and baseline is None:
            continue
        place, year = _value(row.get("jurisdictionLabel")) or "?", _value(row.get("targetYear"))
        bars.append({"label": f"{place} {year}".strip(), "target": target, "baseline": baseline,
                     "unit": _value(row.get("unit")), "written": _value(row.get("indicatorLabel")),
                     "document": _value(row.get("planTitle")), "href": source_href(row)})
    if not bars:
        return None
    _distinct_labels(bars)
    panels = defaultdict(list)
    for bar in bars:
        panels[bar["unit"]].append(bar)
    return json.dumps([{"unit": unit, "bars": group} for unit, group in panels.items()], ensure_ascii=False)


def _distinct_labels(bars: list[dict]) -> None:
    """Make every bar's label its own: bars of one place and year get the indicator as each document
    words it, then the document's title, where these tell them apart; then a number."""
    for qualifier in ("written", "document"):
        groups = defaultdict(list)
        for bar in bars:
            groups[bar["label"]].append(bar)
        for group in groups.values():
            if len({bar[qualifier] for bar in group}) > 1:  # only what tells them apart
                for bar in group:
                    bar["label"] = f"{bar['label']} · {bar[qualifier][:16]}"
    seen: Counter = Counter()
    repeated = Counter(bar["label"] for bar in bars)
    for bar in bars:
        if repeated[bar["label"]] > 1:
            seen[bar["label"]] += 1
            bar["label"] = f"{bar['label']} ({seen[bar['label']]})"
