"""Scores what the loaders extract from the test corpus (tests/corpus/) against its gold files, field
by field. `python tests/scoring.py` prints the figures and every miss; the scoring test holds them to
floors. See tests/corpus/README.md for the gold format."""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from mzkg.loaders import extract
from mzkg.loaders.citations import instrument_key
from mzkg.loaders.formats import extensions, read
from mzkg.loaders.normalize import normalize_label

CORPUS = Path(__file__).resolve().parent / "corpus"
METADATA_FIELDS = ("title", "document_number", "issuers", "issued", "published", "period_start", "period_end",
                   "jurisdiction", "level", "kind", "policy_document")


@dataclass
class Tally:
    right: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, ok: bool, what: str) -> None:
        self.total += 1
        self.right += ok
        if not ok:
            self.misses.append(what)

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 1.0


def norm(text) -> str:
    return normalize_label(str(text)).replace("〔", "[").replace("〕", "]").replace("“", "\"").replace("”", "\"") if text else ""


def documents(folder: Path = CORPUS):
    """Each gold file with the document beside it: NAME.txt, or NAME in any format the loaders read."""
    for gold_file in sorted(folder.glob("*.gold.json")):
        gold = json.loads(gold_file.read_text("utf-8"))
        name = gold_file.name.removesuffix(".gold.json")
        yield next(p for ext in extensions() if (p := folder / f"{name}{ext}").exists()), gold


def score(folder: Path = CORPUS) -> dict[str, Tally]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    for path, gold in documents(folder):
        source = read(path.read_bytes(), str(path))
        found = extract(source.text, source=source)
        name = path.stem
        _metadata(found, gold, name, tallies)
        _sections(found, gold, name, tallies)
        _measures(found, gold, name, tallies)
        _boxes(found, gold, name, tallies)
        _places(found, gold, name, tallies)
        _citations(found, gold, name, tallies)
        _table_rows(found, gold, name, tallies)
        _text_targets(found, gold, name, tallies)
        _responsibilities(found, gold, name, tallies)
    return dict(tallies)


def _metadata(found, gold, name, tallies) -> None:
    meta, expected = found.metadata, gold["metadata"]
    got = {
        "title": norm(meta.title),
        "document_number": norm(meta.document_number),
        "issuers": sorted(norm(i) for i in meta.issuers),
        "issued": meta.issued,
        "published": meta.published,
        "period_start": meta.period_start,
        "period_end": meta.period_end,
        "jurisdiction": norm(meta.jurisdiction.name) if meta.jurisdiction else None,
        "level": meta.jurisdiction.level if meta.jurisdiction else None,
        "kind": meta.kind,
        "policy_document": getattr(meta, "policy_document", True),
    }
    want = {
        "title": norm(expected["title"]),
        "document_number": norm(expected["document_number"]),
        "issuers": sorted(norm(i) for i in expected["issuers"]),
        "issued": expected["issued"],
        "published": expected["published"],
        "period_start": expected["period_start"],
        "period_end": expected["period_end"],
        "jurisdiction": norm(expected["jurisdiction"]["name"]) if expected.get("jurisdiction") else None,
        "level": expected["jurisdiction"]["level"] if expected.get("jurisdiction") else None,
        "kind": gold["kind"] if gold["policy_document"] else meta.kind,  # a text that is no policy has no kind
        "policy_document": gold["policy_document"],
    }
    for key in METADATA_FIELDS:
        if key == "title" and expected.get("title_inferred"):
            tallies["title"].add(meta.title_inferred, f"{name}: the title should be marked inferred")
            continue
        if key in ("issued", "published") and want[key] and len(want[key]) == 7 and got[key]:
            got[key] = got[key][:7]  # the gold gives only the month
        tallies[key].add(got[key] == want[key], f"{name}: {key} {got[key]!r}, not {want[key]!r}")


def _sections(found, gold, name, tallies) -> None:
    sections = found.structure.sections
    by_title = defaultdict(list)
    for section in sections:
        by_title[norm(section.title).rstrip("。")].append(section)
    expected = gold["sections"]
    titles = [norm(s["title"]).rstrip("。") for s in expected]
    for entry, title in zip(expected, titles):
        parent = titles[entry["parent"]] if entry["parent"] is not None else None
        matches = by_title.get(title, [])
        ok = len(matches) == 1 and (norm(matches[0].parent.title).rstrip("。") if matches[0].parent else None) == parent
        tallies["headings"].add(ok, f"{name}: heading {entry['title']!r} found {len(matches)}×"
                                    + (f" under {matches[0].parent.title if matches[0].parent else None!r}" if matches else ""))
        if len(matches) == 1:
            tallies["roles"].add(matches[0].kind == entry["role"], f"{name}: {entry['title']!r} is {matches[0].kind}, not {entry['role']}")
    wanted = set(titles)
    for section in sections:
        tallies["headings (precision)"].add(norm(section.title).rstrip("。") in wanted, f"{name}: not a heading: {section.title!r}")
    tallies["table of contents"].add(bool(getattr(found.structure, "toc", None)) == gold["toc"],
                                     f"{name}: table of contents {'missed' if gold['toc'] else 'invented'}")


def _covers(found, span, quote: str) -> bool:
    return norm(quote) in norm(found.text.text[span.start:span.end])


def _measures(found, gold, name, tallies) -> None:
    measures = found.structure.measures
    used = set()
    for entry in gold["measures"]:
        hit = next((m for m in measures if _covers(found, m.span, entry["quote"])), None)
        tallies["measures"].add(hit is not None, f"{name}: measure missed: {entry['quote']!r}")
        if hit is not None:
            used.add(id(hit))
    quotes = [entry["quote"] for entry in gold["measures"]]
    for measure in measures:
        ok = id(measure) in used or any(_covers(found, measure.span, q) for q in quotes)
        tallies["measures (precision)"].add(ok, f"{name}: not a measure: {measure.label!r}")


def _boxes(found, gold, name, tallies) -> None:
    boxes = found.structure.boxes
    for entry in gold["boxes"]:
        title = norm(entry["title"])
        box = next((b for b in boxes if norm(b.title) and (norm(b.title) in title or title.endswith(norm(b.title)))), None)
        tallies["boxes"].add(box is not None, f"{name}: box missed: {entry['title']!r}")
        for item in entry["items"]:
            ok = box is not None and any(_covers(found, i.span, item) for i in box.items)
            tallies["box items"].add(ok, f"{name}: box item missed: {item!r}")


def _places(found, gold, name, tallies) -> None:
    named = {norm(m.unit.name) for m in found.mentions}
    for place in gold["places"]:
        tallies["places"].add(norm(place["name"]) in named, f"{name}: place missed: {place['name']} ({place['level']})")


def _citations(found, gold, name, tallies) -> None:
    got = {c.key for c in found.citations}
    want = {instrument_key(c.strip("《》")) for c in gold["citations"]}
    for title in want:
        tallies["citations"].add(title in got, f"{name}: citation missed: {title}")
    for title in got:
        tallies["citations (precision)"].add(title in want, f"{name}: not an instrument: {title}")


_ROW_FIELDS = ("value", "range_max", "text", "unit", "comparator", "baseline", "baseline_year", "year", "bindingness",
               "cumulative", "achieved")


def _number(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _comparator(written) -> str | None:
    """The loaders' comparator as the gold writes it: a plain value has none."""
    return None if written in (None, "=") else written


def _row_fields(t) -> dict:
    return {"value": t.value, "range_max": t.range_max, "text": (norm(t.text) or None) if t.value is None else None,
            "unit": norm(t.unit) or None,
            "comparator": _comparator(t.comparator), "baseline": t.baseline_value, "baseline_year": t.baseline_year,
            "year": t.year, "bindingness": t.bindingness, "cumulative": bool(getattr(t, "cumulative", False)),
            "achieved": t.actual_value}


def _gold_row(entry: dict) -> dict:
    row = {key: entry.get(key) for key in _ROW_FIELDS if key in entry}
    for key in ("value", "range_max", "baseline", "achieved"):
        if key in row:
            row[key] = _number(row[key])
    for key in ("text", "unit"):
        if key in row:
            row[key] = norm(row[key]) or None
    if "comparator" in row:
        row["comparator"] = _comparator(row["comparator"])
    if "cumulative" in row:
        row["cumulative"] = bool(row["cumulative"])
    return row


def _table_rows(found, gold, name, tallies) -> None:
    """Each row of the gold's indicator tables: a table target with the same label and every field right."""
    rows = [t for t in found.targets if t.table is not None]
    for entry in gold.get("table_rows", []):
        label = norm(entry["label"])
        same = [t for t in rows if norm(t.indicator_label) == label] or \
            [t for t in rows if label in norm(t.indicator_label) or norm(t.indicator_label) in label]
        want = _gold_row(entry)
        # of the rows with this label (a table of the last plan and one of this plan may share one), the closest
        hit = min(same, key=lambda t: sum(_row_fields(t)[k] != want[k] for k in want)) if same else None
        got = _row_fields(hit) if hit is not None else None
        wrong = [key for key in want if got is None or got[key] != want[key]]
        what = "missed" if hit is None else "wrong " + ", ".join(f"{k} {got[k]!r} not {want[k]!r}" for k in wrong)
        tallies["table rows"].add(not wrong, f"{name}: table row {entry['label']!r} {what}")


def _quote_span(found, quote: str) -> tuple[int, int] | None:
    start = found.text.original.find(quote)
    return (start, start + len(quote)) if start >= 0 else None


def _overlaps(found, target, span: tuple[int, int] | None) -> bool:
    if span is None:
        return False
    start, end = found.text.original_span(target.span.start, target.span.end)
    return start < span[1] and span[0] < end


def _text_targets(found, gold, name, tallies) -> None:
    """Targets and achievements in running text: found with the right value, unit and year, where the
    gold's quote stands; and how many of the targets reported are none of the gold's."""
    prose = [t for t in found.targets if t.table is None]
    matched = set()
    for key, achieved in (("text_targets", False), ("achievements", True)):
        for entry in gold.get(key, []):
            span = _quote_span(found, entry["quote"])
            candidates = [t for t in prose if t.achievement == achieved and _overlaps(found, t, span)]
            value = _number(entry.get("value"))
            same = [t for t in candidates if (t.actual_value if achieved and t.value is None else t.value) == value]
            hit = same[0] if same else None
            ok = hit is not None and norm(hit.unit) == norm(entry.get("unit")) and \
                (hit.actual_year if achieved and hit.actual_year else hit.year) == entry.get("year")
            if hit is not None:
                matched.add(id(hit))
            what = "missed" if hit is None else f"found as {hit.value or hit.actual_value} {hit.unit} {hit.year or hit.actual_year}"
            tallies["achievements" if achieved else "text targets"].add(ok, f"{name}: {entry['quote']!r} {what}")
    if "text_targets" in gold:
        quotes = [_quote_span(found, e["quote"]) for e in gold["text_targets"] + gold.get("achievements", [])]
        for t in prose:
            ok = id(t) in matched or any(_overlaps(found, t, span) for span in quotes)
            key = "achievements (precision)" if t.achievement else "text targets (precision)"
            tallies[key].add(ok, f"{name}: not a figure of the gold's: {t.indicator_label!r} {t.value or t.actual_value} {t.unit}")


def _responsibilities(found, gold, name, tallies) -> None:
    """Each task's responsible bodies (all of responsible, lead and cooperating, as one set)."""
    found_bodies = getattr(found, "responsibilities", None) or []
    for entry in gold.get("responsibilities", []):
        want = {norm(b) for key in ("responsible", "lead", "cooperating") for b in entry.get(key, [])}
        got = next((r for r in found_bodies if _covers(found, r.span, entry["quote"])), None)
        bodies = {norm(b) for b in got.bodies} if got is not None else set()
        tallies["responsibilities"].add(bodies == want, f"{name}: {entry['quote']!r}: {sorted(bodies)} not {sorted(want)}")


def report(tallies: dict[str, Tally], misses: bool = True) -> str:
    lines = [f"{'field':24} {'right':>7} {'share':>7}"]
    for key, tally in tallies.items():
        lines.append(f"{key:24} {tally.right:>3}/{tally.total:<3} {tally.share:>7.1%}")
    if misses:
        for key, tally in tallies.items():
            lines.extend(f"  {key}: {miss}" for miss in tally.misses)
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(score(Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS)))
