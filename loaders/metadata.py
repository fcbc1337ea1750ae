"""Document metadata, read from the content alone: title, kind, period, issuers, number, dates,
jurisdiction, each with the evidence it was read from.

Where the metadata comes from, in order of trust:
- the portal's labelled fields (header.py) and the wrapper notice ("X关于印发《Y》的通知": Y is the
  document, X its issuers), whose own signature (a body's name over a date line) dates it;
- the document's own title line and closing signature;
- for the jurisdiction, the units the issuers and the title name in full (the most specific one wins),
  and only then the units the text names most often. Short forms never decide it.
Page furniture never becomes a value. Where the text states no title, one is inferred and says so.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from . import rules
from .datafiles import read_json
from .dates import is_date_line, parse_date
from .gazetteer import Gazetteer, Unit
from .header import Field, is_chrome, is_field_line, page_fields
from .structure import Line, lines_of, match_numbered

LEXICON = read_json("lexicon.json")
FIVE_YEAR_PERIODS: dict[str, int] = LEXICON["five_year_periods"]
_PERIOD_NAMES = {start: name for name, start in FIVE_YEAR_PERIODS.items() if len(name) == 3}  # 十四五
_TITLE_LINES = 15  # a title stands among the first lines after the page's furniture
_WRAPPER = re.compile(r"^(?P<issuers>.*?)关于(?:印发|转发|下发|公布)(?P<title>.{4,120}?)的通知$")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[(【]\s*(?:19|20)\d\d\s*[〕\])】]\s*第?\d{1,4}\s*号")
_SITE_PREFIX = re.compile(r"^[(\[【]([\u4e00-\u9fff]{1,12})[)\]】]\s*")
_SPAN = re.compile(r"(20\d\d)\s*(?:年\s*)?[-—~至到]+\s*(20\d\d)\s*年")
_PLAN_SPAN = re.compile(r"规划期(?:限)?(?:为|是|:)?\s*(20\d\d)\s*(?:年\s*)?[-—~至到]+\s*(20\d\d)\s*年")
_TARGET_YEAR = re.compile(r"(?:到|至|在|力争到|力争在)(20\d\d)年")
_YEAR = re.compile(r"(?<![\d—\-~至到])(20\d\d)年(?![\d—\-~])")
_PERIOD_LINE = re.compile(r"\((?:19|20)\d\d\s*年?\s*[-—–~至到]+\s*(?:19|20)\d\d\s*年?\)")
_ADDRESSEE = re.compile(r"^各.{1,80}[:]$")
NATIONAL = "national"


@dataclass
class Metadata:
    title: str
    title_inferred: bool
    kind: str                      # a class name of the ontology: FiveYearPlan, AnnualWorkPlan, … PolicyDocument
    jurisdiction: Unit | None
    province: Unit | None
    period_start: int | None = None
    period_end: int | None = None
    issued: str | None = None      # signed: "YYYY-MM-DD", or "YYYY-MM" when only the month is given
    published: str | None = None   # posted on the web
    document_number: str | None = None
    index_number: str | None = None
    issuers: list[str] = field(default_factory=list)
    policy_document: bool = True   # False for news reports and drafting explanations
    notes: list[str] = field(default_factory=list)
    evidence: dict[str, str] = field(default_factory=dict)  # field -> where its value was read


@dataclass
class _Reading:
    """What the first lines of a document say, before any field is decided."""
    lines: list[Line]
    fields: dict[str, Field]
    content: list[Line]                                  # the first lines that are neither furniture nor fields
    wrapper: tuple[str, list[str], str] | None = None   # title, issuers, evidence
    title_line: str | None = None
    signature: tuple[list[str], str] | None = None     # bodies, date


def read_metadata(text: str, gazetteer: Gazetteer, file_title: str | None = None) -> Metadata:
    """The metadata the text gives; file_title (a page's <title>, a Word file's title property) is the
    title only when the text states none."""
    lines = lines_of(text)
    reading = _Reading(lines, page_fields(lines), _content_lines(lines))
    reading.wrapper = _wrapper(reading)
    reading.title_line = _title_line(reading)
    reading.signature = _signature(lines)
    evidence: dict[str, str] = {}
    title = _title(reading, evidence) or _file_title(file_title, evidence)
    kind, policy = _kind(title, text)
    issuers = _issuers(reading, title, evidence)
    jurisdiction, why = _jurisdiction(title, issuers, text, lines, gazetteer)
    evidence["jurisdiction"] = why
    issued, published = _dates(reading, evidence)
    start, end = _period(kind, title, text, issued)
    meta = Metadata(
        title=title or "",
        title_inferred=title is None,
        kind=kind,
        jurisdiction=jurisdiction,
        province=gazetteer.province_of(jurisdiction) if jurisdiction else None,
        period_start=start,
        period_end=end,
        issued=issued,
        published=published,
        document_number=_document_number(reading),
        index_number=_value(reading.fields, "index_number"),
        issuers=issuers,
        policy_document=policy,
        evidence=evidence,
    )
    if not policy:
        meta.notes.append(f"Not a policy document: {_not_policy_reason(title, text)}.")
    if title is None:
        meta.title = _inferred_title(meta, text)
        meta.notes.insert(0, f"The text states no title; “{meta.title}” is inferred from its content: " + _evidence_note(meta))
    return meta


# the first lines -------------------------------------------------------------------
def _value(fields: dict[str, Field], key: str) -> str | None:
    found = fields.get(key)
    return found.value or None if found else None


def _content_lines(lines: list[Line]) -> list[Line]:
    """The first lines that are neither page furniture nor metadata fields."""
    return [line for line in lines[:40] if not is_chrome(line) and not is_field_line(line)]


def _strip_site_prefix(text: str) -> str:
    """"(长阳)关于…", "【番禺区】…": a portal's own bracketed prefix before a title."""
    m = _SITE_PREFIX.match(text)
    return text[m.end():] if m and len(text) - m.end() >= 6 else text


def _wrapper(reading: _Reading) -> tuple[str, list[str], str] | None:
    """A notice that encloses the document: in a title field, or in the first lines (possibly split in two)."""
    if not rules.on("wrapper-titles"):
        return None
    candidates = []
    for key in ("title",):
        value = _value(reading.fields, key)
        if value:
            candidates.append((value, f"the page's {reading.fields[key].label} field"))
    content = reading.content[:_TITLE_LINES]
    candidates += [(line.text, "the wrapper notice") for line in content]
    candidates += [(line.text + following.text, "the wrapper notice (over two lines)")
                   for line, following in zip(content, content[1:]) if not line.text.endswith("通知")]
    for text, where in candidates:
        m = _WRAPPER.match(_strip_site_prefix(text))
        if m and "。" not in text:
            title = m.group("title").strip()
            if title.startswith("《") and title.endswith("》"):
                title = title[1:-1]
            return title, _bodies(m.group("issuers")), where
    return None


def _title_line(reading: _Reading) -> str | None:
    """The first line that reads as a title: short, no full stop, not an addressee, a number or a date;
    with the line under it when that is only the title's period in brackets ("(2024—2026年)")."""
    for k, line in enumerate(reading.content[:_TITLE_LINES]):
        text = _strip_site_prefix(line.text)
        if "。" in text or len(text) > 90 or text.endswith(":") or _ADDRESSEE.match(text):
            break
        if (len(text) < 5 or _DOC_NUMBER.fullmatch(text) or is_date_line(text) or _bodies(text)
                or match_numbered(text) or text.startswith("目录") or text == "目 录"):
            continue
        following = reading.content[k + 1].text if k + 1 < len(reading.content) else ""
        return text + following if _PERIOD_LINE.fullmatch(following) else text
    return None


def _signature(lines: list[Line]) -> tuple[list[str], str] | None:
    """The first body name (or names) standing over a date line."""
    if not rules.on("closing-signature"):
        return None
    for previous, line in zip(lines, lines[1:]):
        if is_date_line(line.text):
            bodies = _bodies(previous.text)
            if bodies:
                return bodies, parse_date(line.text)
    return None


def _wrapper_date(reading: _Reading) -> str | None:
    """A date line of its own below a wrapper notice, where the page lost the body's name above it."""
    return next((parse_date(line.text) for line in reading.content[:_TITLE_LINES * 2] if is_date_line(line.text)), None)


# fields ----------------------------------------------------------------------------
def _title(reading: _Reading, evidence: dict) -> str | None:
    if reading.wrapper:
        title, _, where = reading.wrapper
        evidence["title"] = where
        return title
    value = _value(reading.fields, "title")
    if value:
        evidence["title"] = f"the page's {reading.fields['title'].label} field"
        return _strip_site_prefix(value)
    if reading.title_line:
        evidence["title"] = "the title line"
        return reading.title_line
    return None


_TITLE_SEPARATORS = re.compile(r"\s*(?:[_|｜]|\s-\s|——|--)\s*")


def _file_title(title: str | None, evidence: dict) -> str | None:
    """A file's title field without the site's name portals join to it ("标题_某某市人民政府"): the
    longest of its parts."""
    if not title or not title.strip():
        return None
    title = max(_TITLE_SEPARATORS.split(title.strip()), key=len)
    if not any(word in title for _, words in LEXICON["kinds"] for word in words):
        return None  # a site's name, not a document's title
    evidence["title"] = "the file's title field"
    return title


def _kind(title: str | None, text: str) -> tuple[str, bool]:
    """The document's kind from its title (else from what it calls itself), and whether it is a policy document."""
    if title and rules.on("not-a-policy-document") and (any(word in title for word in LEXICON["not_policy"])
                                                        or _reads_as_news(title, text)):
        return "PolicyDocument", False
    if title:
        span = _SPAN.search(title)
        if re.search("规划|纲要", title) and ((span and int(span.group(2)) - int(span.group(1)) >= 9)
                                           or any(word in title for word in LEXICON["long_range_words"])):
            return "LongRangePlan", True
        for kind, words in LEXICON["kinds"]:
            if any(word in title for word in words):
                if kind == "FiveYearPlan" and not any(word in title for word in LEXICON["general_plan_words"]):
                    return "SpecialPlan", True  # a plan for one field (养老服务体系, 社区服务 …)
                return kind, True
    for kind, words in LEXICON["self_reference"].items():
        if any(word in text for word in words):
            return kind, True
    if re.search(r"全年|年度目标|今年", text):
        return "AnnualWorkPlan", True
    return "PolicyDocument", True


def _reads_as_news(title: str, text: str) -> bool:
    """A news report: a title that names no kind of document but an event, or a text that says it is news."""
    names_a_kind = any(word in title for _, words in LEXICON["kinds"] for word in words)
    return not names_a_kind and any(word in title or word in text[-300:] for word in LEXICON["news"])


def _not_policy_reason(title: str | None, text: str) -> str:
    if title and any(word in title for word in LEXICON["not_policy"]):
        return f"its title “{title}” names an explanation or commentary"
    return "it reads as a news report"


def _issuers(reading: _Reading, title: str | None, evidence: dict) -> list[str]:
    sources = []
    if reading.wrapper and reading.wrapper[1]:
        sources.append((reading.wrapper[1], "the wrapper notice"))
    if reading.signature:
        sources.append((reading.signature[0], "the signature"))
    if title and "关于" in title:
        prefix = _bodies(title.split("关于")[0])
        if prefix:
            sources.append((prefix, "the title"))
    elif title:
        head = _leading_body(title)
        if head:
            sources.append(([head], "the title"))
    for key in ("issuer", "source"):
        value = _value(reading.fields, key)
        if value and _bodies(value):
            sources.append((_bodies(value), f"the page's {reading.fields[key].label} field"))
    for line in reading.lines[-5:]:
        for marker in LEXICON["credit"]:
            credited = line.text.partition(marker)[2]
            m = _org_pattern().match(credited)
            if marker in line.text and m:
                sources.append(([m.group(0)], f"the page's credit line “{line.text[:30]}…”"))
    if not sources:
        return []
    bodies, where = sources[0]
    evidence["issuers"] = where
    return bodies


@lru_cache(maxsize=1)
def _org_pattern() -> re.Pattern:
    suffixes = "|".join(sorted(map(re.escape, LEXICON["org_suffixes"]), key=len, reverse=True))
    return re.compile(rf"[\u4e00-\u9fff()]{{2,30}}?(?:{suffixes})")


def _bodies(text: str) -> list[str]:
    """The government bodies a string names and nothing else ("X市民政局 X市发展和改革委员会",
    "X局、Y委", or run together "X局Y委"); [] when it holds anything else."""
    found = []
    for part in re.split(r"[\s、,]+", text.strip()):
        if not part:
            continue
        names = _split_run_together(part)
        if names is None:
            return []
        found.extend(names)
    return found


def _split_run_together(text: str) -> list[str] | None:
    if not text:
        return []
    for end in range(len(text), 1, -1):
        head = text[:end]
        if _org_pattern().fullmatch(head):
            rest = _split_run_together(text[end:])
            if rest is not None:
                return [head] + rest
    return None


def _leading_body(title: str) -> str | None:
    """A body named at the start of a title ("X市民政局2024年工作要点")."""
    m = re.match(_org_pattern().pattern + r"(?=20\d\d|“|关于)", title)
    return m.group(0) if m else None


def _dates(reading: _Reading, evidence: dict) -> tuple[str | None, str | None]:
    issued = parse_date(_value(reading.fields, "signed") or "")
    if issued:
        evidence["issued"] = f"the page's {reading.fields['signed'].label} field"
    elif reading.signature and reading.signature[1]:
        issued = reading.signature[1]
        evidence["issued"] = "the signature"
    elif reading.wrapper and _wrapper_date(reading):
        issued = _wrapper_date(reading)
        evidence["issued"] = "the date below the wrapper notice"
    published = parse_date(_value(reading.fields, "published") or "")
    if published:
        evidence["published"] = f"the page's {reading.fields['published'].label} field"
    return issued, published


def _document_number(reading: _Reading) -> str | None:
    value = _value(reading.fields, "document_number")
    candidates = [value] if value else [line.text for line in reading.content[:_TITLE_LINES]]
    for text in candidates:
        m = _DOC_NUMBER.search(text.replace(" ", ""))
        if m and (value or m.group(0) == text.replace(" ", "")):
            number = m.group(0)
            return re.sub(r"[\[(【](\d{4})[\])】]", r"〔\1〕", number)
    return None


def _period(kind: str, title: str | None, text: str, issued: str | None) -> tuple[int | None, int | None]:
    title = title or ""
    span = _SPAN.search(title)
    if span:
        return int(span.group(1)), int(span.group(2))
    for name, start in FIVE_YEAR_PERIODS.items():
        if name in title:
            return start, start + 4
    if kind in ("Notice", "PolicyDocument"):
        return None, None
    if kind in ("FiveYearPlan", "SpecialPlan", "LongRangePlan"):
        stated = _PLAN_SPAN.search(text)
        if stated:
            return int(stated.group(1)), int(stated.group(2))
        spans = Counter((int(a), int(b)) for a, b in _SPAN.findall(text) if int(b) - int(a) == 4)
        if spans:
            return spans.most_common(1)[0][0]
        years = Counter(int(y) for y in _TARGET_YEAR.findall(text))
        if years:
            end = years.most_common(1)[0][0]
            start = end - ((end - 2021) % 5)
            return start, start + 4
        return None, None
    if kind == "AnnualWorkPlan":
        m = re.search(r"(20\d\d)年", title)
        years = Counter(int(y) for y in _YEAR.findall(text))
        year = int(m.group(1)) if m else (years.most_common(1)[0][0] if years else None)
        return year, year
    # opinions, implementation and action plans: from their issue to their furthest target year
    start = int(issued[:4]) if issued else None
    targets = [int(y) for y in _TARGET_YEAR.findall(text) if start is None or int(y) >= start]
    return start, max(targets) if targets else None


def _jurisdiction(title, issuers, text, lines, gazetteer: Gazetteer) -> tuple[Unit | None, str]:
    national = [body for body in issuers if body in LEXICON["national_bodies"]]
    if national:
        return gazetteer.nation, f"issued by {national[0]}"
    for what, source in [*(("issuer", body) for body in issuers), ("title", title)]:
        unit = _most_specific(_full_names(source or "", gazetteer, text), gazetteer)
        if unit:
            return unit, f"named in the {what} {source}"
    if not issuers and any(line.text.startswith(tuple(LEXICON["national_addressees"])) for line in lines[:40]):
        return gazetteer.nation, "addressed to every province"
    counts = Counter()
    for start, end, form in gazetteer.mentions(text):
        for unit in gazetteer.named(form):
            if unit.name == form and unit.level in ("province", "prefecture", "county"):
                counts[unit.code] += 1
    if not counts:
        return None, "no place named"
    code, n = counts.most_common(1)[0]
    return gazetteer.units[code], f"the unit the text names most often ({n} times)"


def _full_names(source: str, gazetteer: Gazetteer, text: str) -> list[Unit]:
    """Units named in full in source, one per name; a name several units share is read as the one whose
    province or parent the source or the text names."""
    units = []
    for start, end, form in gazetteer.mentions(source):
        candidates = [u for u in gazetteer.named(form) if u.name == form]
        if len(candidates) > 1:
            def support(unit):
                ancestors = gazetteer.ancestors(unit)
                return (sum(a.name in source for a in ancestors), sum(text.count(a.name) for a in ancestors))
            candidates.sort(key=support, reverse=True)
            if support(candidates[0]) == support(candidates[1]):
                continue
        if candidates:
            units.append(candidates[0])
    return units


def _most_specific(units: list[Unit], gazetteer: Gazetteer) -> Unit | None:
    """Of the units named, the deepest one, provided the others are its ancestors (X市Y区 → Y区)."""
    if not units:
        return None
    order = {"province": 0, "prefecture": 1, "county": 2, "township": 3}
    deepest = max(units, key=lambda u: order.get(u.level, 0))
    ancestors = {a.code for a in gazetteer.ancestors(deepest)} | {deepest.code}
    return deepest if all(u.code in ancestors for u in units) else units[0]


def _inferred_title(meta: Metadata, text: str) -> str:
    place = meta.jurisdiction.name if meta.jurisdiction and meta.jurisdiction.level != NATIONAL else ""
    field_ = "民政" if "民政" in text else ""
    if meta.kind == "FiveYearPlan" and meta.period_start in _PERIOD_NAMES:
        return f"{place}{field_}事业发展“{_PERIOD_NAMES[meta.period_start]}”规划"
    if meta.kind == "AnnualWorkPlan" and meta.period_start:
        return f"{place}{meta.period_start}年{field_}工作要点"
    if meta.kind == "PolicyOpinion":
        return f"{(meta.issuers or [place])[0]}关于{field_}工作的意见"
    if meta.kind == "Notice":
        return f"{(meta.issuers or [place])[0]}{field_}工作通知" + (f"({meta.issued[:4]}年)" if meta.issued else "")
    return f"{place}{field_}政策文件" + (f"({meta.issued})" if meta.issued else "")


def _evidence_note(meta: Metadata) -> str:
    parts = [f"kind {meta.kind}"]
    if meta.period_start:
        parts.append(f"period {meta.period_start}–{meta.period_end}")
    if meta.jurisdiction:
        parts.append(f"jurisdiction {meta.jurisdiction.name}, {meta.evidence.get('jurisdiction', '')}")
    if meta.issuers:
        parts.append(f"issuers {'、'.join(meta.issuers)} from {meta.evidence.get('issuers', '')}")
    return "; ".join(parts) + "."
