"""Document metadata, read from the content alone: title, kind, period, issuer, number, dates,
jurisdiction. Where the text states no title, one is inferred and the data says so.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from .gazetteer import Gazetteer, Unit
from .structure import Line, lines_of

FIVE_YEAR_PERIODS = {"十一五": 2006, "十二五": 2011, "十三五": 2016, "十四五": 2021, "十五五": 2026, "十六五": 2031}
_PERIOD_NAMES = {start: name for name, start in FIVE_YEAR_PERIODS.items()}
_HEADER_LINES = 30
_NOTICE = re.compile(r"^(?P<issuers>.*?)关于(?:印发|转发)《(?P<title>[^》]{2,80})》的通知")
_TITLE_LINE = re.compile(r"^[^。,;:!?]{4,60}(规划|意见|要点|方案|计划|办法|纲要|决定|通知)(\(\d{4}[-—]\d{4}年\))?$")
_DOC_NUMBER = re.compile(r"^(?:文\s*号[::\s]*)?([\u4e00-\u9fff]{1,10}[〔\[(]\d{4}[〕\])]\d{1,4}号)$")
_CN_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_PUBLISHED = re.compile(r"(?:发布时间|发布日期|发文日期)[::\s]*(\d{4})-(\d{1,2})-(\d{1,2})")
_WRITTEN = re.compile(r"成文日期[::\s]*(\d{4})-(\d{1,2})-(\d{1,2})")
_ISSUER_FIELD = re.compile(r"发布机构[::\s]+(\S+)")
_CREDIT = re.compile(r"内容来自([\u4e00-\u9fff]{2,30}?(?:局|厅|办公室|政府|委员会|部))")
_ORG = re.compile(r"^[\u4e00-\u9fff]{2,30}(局|厅|办公室|人民政府|委员会|部)$")
_TARGET_YEAR = re.compile(r"(?:到|至|在)(20\d\d)年")
_YEAR = re.compile(r"(?<![\d—\-~至到])(20\d\d)年(?![\d—\-~])")
_PERIOD_SPAN = re.compile(r"(20\d\d)\s*[-—~至]\s*(20\d\d)年")


@dataclass
class Metadata:
    title: str
    title_inferred: bool
    kind: str                      # FiveYearPlan | AnnualWorkPlan | PolicyOpinion | PolicyDocument
    jurisdiction: Unit | None
    province: Unit | None
    period_start: int | None = None
    period_end: int | None = None
    issued: date | None = None
    published: date | None = None
    document_number: str | None = None
    issuers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_metadata(text: str, gazetteer: Gazetteer) -> Metadata:
    lines = lines_of(text)
    header = lines[:_HEADER_LINES]
    notes: list[str] = []
    title, notice_issuers = _title(header)
    kind = _kind(title, text)
    issuers = notice_issuers or _issuers(header, lines, notes)
    jurisdiction, evidence = _jurisdiction(title, issuers, text, gazetteer)
    period_start, period_end = _period(kind, title, text, header)
    issued, published = _dates(header)
    if issued is None and published:
        notes.append("The text gives no issue date; the publication date stands for it.")
    meta = Metadata(
        title=title or "",
        title_inferred=title is None,
        kind=kind,
        jurisdiction=jurisdiction,
        province=gazetteer.province_of(jurisdiction) if jurisdiction else None,
        period_start=period_start,
        period_end=period_end,
        issued=issued or published,
        published=published,
        document_number=_document_number(header),
        issuers=issuers,
        notes=notes,
    )
    if title is None:
        meta.title = _inferred_title(meta, text)
        meta.notes.insert(0, f"The text states no title; “{meta.title}” is inferred from its content: " + _evidence(meta, evidence))
    return meta


def _title(header: list[Line]) -> tuple[str | None, list[str]]:
    for line, following in zip(header, header[1:] + [Line(0, 0, "")]):
        if not re.search(r"关于(?:印发|转发)《", line.text):
            continue
        m = _NOTICE.match(line.text if "》" in line.text else line.text + following.text)
        if m:
            return m.group("title"), _split_issuers(m.group("issuers"))
    for line in header:
        if _TITLE_LINE.match(line.text) and not line.text.startswith(("关于印发", "各")):
            return line.text, []
    return None, []


def _split_issuers(text: str) -> list[str]:
    return [part for part in re.split(r"[\s、,]+", text.strip()) if len(part) >= 3]


def _kind(title: str | None, text: str) -> str:
    if title:
        if "规划" in title or "纲要" in title:
            return "FiveYearPlan"
        if re.search(r"要点|工作计划|工作安排|年度", title):
            return "AnnualWorkPlan"
        if "意见" in title:
            return "PolicyOpinion"
    if "本规划" in text:
        return "FiveYearPlan"
    if "本意见" in text:
        return "PolicyOpinion"
    if re.search(r"全年|年度目标|今年", text):
        return "AnnualWorkPlan"
    return "PolicyDocument"


def _issuers(header: list[Line], lines: list[Line], notes: list[str]) -> list[str]:
    for line in header:
        m = _ISSUER_FIELD.search(line.text)
        if m:
            return [m.group(1)]
    for line, following in zip(header, header[1:]):
        if _ORG.match(line.text) and (_CN_DATE.match(following.text) or _COMPACT_DATE.match(following.text)):
            return [line.text]
    for line in lines[-5:]:
        m = _CREDIT.search(line.text)
        if m:
            notes.append(f"Issuer {m.group(1)} taken from the page's credit line “{line.text[:40]}…”.")
            return [m.group(1)]
    return []


def _jurisdiction(title, issuers, text, gazetteer: Gazetteer) -> tuple[Unit | None, str]:
    for what, source in [("title", title), *(("issuer", issuer) for issuer in issuers)]:
        units = _units_in(source or "", gazetteer, text)
        if units:
            return units[0], f"named in the {what} {source}"
    counts = Counter()
    for start, end, form in gazetteer.mentions(text):
        for unit in gazetteer.named(form):
            if unit.level in ("prefecture", "county"):
                counts[unit.code] += 1
    if not counts:
        return None, "no place named"
    prefectures = Counter({code: n for code, n in counts.items() if gazetteer.units[code].level == "prefecture"})
    code, n = (prefectures or counts).most_common(1)[0]
    return gazetteer.units[code], f"the unit the text names most often ({n} times)"


def _units_in(source: str, gazetteer: Gazetteer, text: str) -> list[Unit]:
    for start, end, form in gazetteer.mentions(source):
        candidates = gazetteer.named(form)
        if len(candidates) > 1:
            candidates.sort(key=lambda u: (-text.count(_province_name(u, gazetteer)), u.level != "prefecture"))
        if candidates:
            return candidates[:1]
    return []


def _province_name(unit: Unit, gazetteer: Gazetteer) -> str:
    province = gazetteer.province_of(unit)
    return province.short_names[0] if province and province.short_names else (province.name if province else "\0")


def _period(kind: str, title: str | None, text: str, header: list[Line]) -> tuple[int | None, int | None]:
    if kind == "FiveYearPlan":
        for name, start in FIVE_YEAR_PERIODS.items():
            if title and name in title:
                return start, start + 4
        spans = Counter((int(a), int(b)) for a, b in _PERIOD_SPAN.findall(text) if int(b) - int(a) == 4)
        if spans:
            return spans.most_common(1)[0][0]
        years = Counter(int(y) for y in _TARGET_YEAR.findall(text))
        if years:
            end = years.most_common(1)[0][0]
            start = end - ((end - 2021) % 5)
            return start, start + 4
    if kind == "AnnualWorkPlan":
        m = re.search(r"(20\d\d)年", title or "")
        years = Counter(int(y) for y in _YEAR.findall(text))
        year = int(m.group(1)) if m else (years.most_common(1)[0][0] if years else None)
        return year, year
    return None, None


def _dates(header: list[Line]) -> tuple[date | None, date | None]:
    issued = published = None
    for line in header:
        m = _WRITTEN.search(line.text) or _CN_DATE.match(line.text) or _COMPACT_DATE.match(line.text)
        if m and issued is None:
            issued = _date(*m.groups())
        m = _PUBLISHED.search(line.text)
        if m and published is None:
            published = _date(*m.groups())
    return issued, published


def _date(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def _document_number(header: list[Line]) -> str | None:
    for line in header:
        m = _DOC_NUMBER.match(line.text.replace(" ", ""))
        if m:
            return m.group(1)
    return None


def _inferred_title(meta: Metadata, text: str) -> str:
    place = meta.jurisdiction.name if meta.jurisdiction else ""
    field_ = "民政" if "民政" in text else ""
    if meta.kind == "FiveYearPlan" and meta.period_start in _PERIOD_NAMES:
        return f"{place}{field_}事业发展“{_PERIOD_NAMES[meta.period_start]}”规划"
    if meta.kind == "AnnualWorkPlan" and meta.period_start:
        return f"{place}{meta.period_start}年{field_}工作要点"
    if meta.kind == "PolicyOpinion":
        return f"{place}关于{field_}工作的意见"
    return f"{place}{field_}政策文件"


def _evidence(meta: Metadata, jurisdiction_evidence: str) -> str:
    kinds = {
        "FiveYearPlan": "it calls itself 本规划",
        "AnnualWorkPlan": "it sets tasks for the year (全年…)",
        "PolicyOpinion": "it calls itself 本意见",
        "PolicyDocument": "its kind could not be determined",
    }
    parts = [f"kind: {kinds[meta.kind]}"]
    if meta.kind == "AnnualWorkPlan" and meta.period_start:
        parts.append(f"year {meta.period_start}, the year it names most")
    elif meta.period_start:
        parts.append(f"period {meta.period_start}–{meta.period_end} from the target years it names")
    if meta.jurisdiction:
        parts.append(f"jurisdiction {meta.jurisdiction.name}, {jurisdiction_evidence}")
    return "; ".join(parts) + "."
