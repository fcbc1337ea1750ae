"""Quantified goals in running text: "到2025年…覆盖率达到85%", "不少于30个", "1000张以上"…

Each becomes a Target with the indicator as written, the value in the unit as written, a
comparator, and a year (stated, or the plan's end). Statements about the past period
("十三五"末…达到54%) become achieved values rather than targets.
"""
from __future__ import annotations

import re
from decimal import Decimal

from . import rules
from .datafiles import alternatives, lexicon
from .metadata import Metadata
from .model import Section, Span, Target
from .numbers import CN_NUMERAL, normalized, parse_number

_WORDS = lexicon("targets")
_COMPARATORS = [tuple(pair) for pair in lexicon("comparators")["before"]]
_POST_COMPARATORS = lexicon("comparators")["after"]
_COUNT_VERBS = alternatives(_WORDS["count_verbs"])
_QUANTITY = re.compile(
    r"(?P<pre>" + alternatives(c for c, _ in _COMPARATORS) + r"|" + _COUNT_VERBS + r")?"
    r"(?P<num>\d+(?:\.\d+)?|[" + CN_NUMERAL + r"]{1,4})"
    r"(?:\s*[-—~至到]\s*(?P<num2>\d+(?:\.\d+)?))?"
    r"\s*(?P<unit>(?:" + alternatives(lexicon("units")["prose"]) + r")(?:/[\u4e00-\u9fff]{1,2}){0,2})"
    r"(?P<post>" + alternatives(_POST_COMPARATORS) + r")?"
)
_YEAR_WORDS = alternatives(_WORDS["year_words"])
# 到2025年, 2024年底前; not 截至2023年 (a past date)
_YEAR_CONTEXT = re.compile(rf"(?<![截])(?:{_YEAR_WORDS})(20\d\d)年|(20\d\d)年(?:底前|前|内)")
_PAST = re.compile(alternatives(_WORDS["past"]) + r"|从\d{4}年|比20\d\d年")
_LEADING_NOISE = re.compile(rf"^(?:(?:{_YEAR_WORDS})?20\d\d年(?:底|末|前|底前)?|" + alternatives(_WORDS["leading"]) + ")+")
_TRAILING_NOISE = re.compile(f"(?:{alternatives(_WORDS['trailing'])})+$")
_CLAUSE = re.compile(r"[^,;:。!?]+")
_COUNT_UNIT = re.compile(alternatives(lexicon("units")["count"]) + "|人次")
_COUNTING = re.compile(_COUNT_VERBS)
_RECURRENCE = re.compile(f"(?<![人户床])(?:{alternatives(_WORDS['recurrence'])})")
_COMPARATOR_WORDS = {word for word, _ in _COMPARATORS}
_PER = re.compile(f"((?:每[{''.join(lexicon('units')['per'])}])+)")
_COMPARED_TAIL = re.compile(f"(?:分别)?(?:{alternatives(w for w, _ in _COMPARATORS)})(?:每[{''.join(lexicon('units')['per'])}])*$|分别$")
_COMPARED_PER = re.compile(f"({alternatives(w for w, _ in _COMPARATORS)})(?:每[{''.join(lexicon('units')['per'])}])+$")
_FROM = re.compile(r"从(?:20\d\d年(?:的)?)?[^\d,。]{0,6}$")  # "从2016年30张…": where a rise started
_ACTION_END = re.compile(f"(?:{alternatives(_WORDS['action_endings'])})$")


def prose_targets(text: str, spans: list[tuple[Section | None, Span]], meta: Metadata) -> list[Target]:
    targets: list[Target] = []
    for section, span in spans:
        paragraph = text[span.start : span.end]
        background = section is not None and section.kind == "background"
        # what a sentence of the paragraph sets governs the ones after it: a target year ("到2025年,…。…新增300张"),
        # or a past date ("2023年,全区…。全年累计发放…")
        year, past = None, False
        for sentence in re.finditer(r"[^。;!?]+", paragraph):
            start = span.start + sentence.start()
            targets.extend(_sentence_targets(sentence.group(), start, section, meta, background or past, year))
            stated = _YEAR_CONTEXT.search(sentence.group())
            year = int(stated.group(1) or stated.group(2)) if stated else year
            dated = _dated_before(sentence.group(), meta) if rules.on("dated-before") else None
            past = False if stated else (dated if dated is not None else past)
    return targets


def _sentence_targets(sentence: str, offset: int, section, meta: Metadata, background: bool,
                      paragraph_year: int | None = None) -> list[Target]:
    year_match = _YEAR_CONTEXT.search(sentence)
    past = bool(_PAST.search(sentence)) or (rules.on("dated-before") and bool(_dated_before(sentence, meta)))
    achieved = rules.on("past-achievements") and (background or (year_match is None and past))
    year = int(year_match.group(1) or year_match.group(2)) if year_match else paragraph_year
    found: list[Target] = []
    previous = ""
    for clause in _CLAUSE.finditer(sentence):
        # "新建社区老年助餐点,200个": a clause that is only a count takes its object from the clause before
        text = clause.group()
        lead = previous if rules.on("counts-after-object") and _QUANTITY.fullmatch(text.strip()) and _COUNTING.search(previous) else ""
        previous = text
        values = _distributed([m for m in _QUANTITY.finditer(text)], text, lead, achieved)
        if not values:
            continue
        first = None  # of values distributed over subjects (分别不低于1800元、1300元), the comparison is the first's
        for m, indicator in _labelled(values, text, lead):
            target = _target(m, indicator, clause.group(), Span(offset + clause.start(), offset + clause.end()), section)
            if target is None:
                continue
            first = first or target
            if "分别" in text and target.comparator == "=" and first.comparator != "range":
                target.comparator = first.comparator
            _baseline(target, clause.group()[: m.start()])
            if achieved:
                target.achievement = True
                target.actual_value, target.value = target.value, None
                target.actual_year = year or _past_year(sentence, meta)
                target.comparator = None
            else:
                target.year = year or meta.period_end
            found.append(target)
    return found


def _is_target(m: re.Match, clause: str, lead: str = "", achieved: bool = False) -> bool:
    before = lead + clause[: m.start()]
    if before.endswith(("第", "《")) or re.search(r"\d$", before) or m.group("unit") == "个百分点":
        return False
    if not achieved and rules.on("recurring-activities") and _recurring(m, clause):
        return False
    # a figure that describes the noun after it ("拥有1000张床位的…", "四个全面") is no quantity of its own
    ends = not re.match(r"[\u4e00-\u9fff]", clause[m.end():m.end() + 1])
    if achieved and ends and m.group("unit") not in ("%", "‰") and len(before.strip()) >= 2 and not _FROM.search(before):
        return True  # what a past period achieved: every figure counts ("全省共有殡仪馆183个"), not a rise's start
    if m.group("unit") in ("%", "‰", "个百分点"):
        return bool(m.group("pre") or m.group("post")) or bool(re.search(r"率|比例|占比|比重", before))
    # a count of things built, added or trained, the object between the verb and the count ("新增护理型床位3000张")
    counted = rules.on("counts-after-object") and bool(_COUNT_UNIT.fullmatch(m.group("unit")) and _COUNTING.search(before) and ends)
    return bool(m.group("pre") or m.group("post") or _compared_per(before)) or counted


def _recurring(m: re.Match, clause: str) -> bool:
    """A recurring activity ("每季度开展一次督导", "每年培训2000人次"), not a target; a rate or an amount of
    money per person per month stays one."""
    if m.group("unit") in ("%", "‰") or "元" in m.group("unit"):
        return False
    if _RECURRENCE.search(clause):
        return True
    return m.group("unit") in _WORDS["frequency_units"] and not (m.group("pre") in _COMPARATOR_WORDS or m.group("post"))


def _labelled(values: list[re.Match], clause: str, lead: str = "") -> list[tuple[re.Match, str]]:
    """Pair each value with its indicator: its own words before it (the clause before, for a bare count),
    else the first value's."""
    starts = [0] + [m.end() for m in values[:-1]]
    ends = [m.start() for m in values[1:]] + [len(clause)]
    own = [_label((lead if k == 0 else "") + clause[start : m.start()], m, clause[m.end() : end])
           for k, (start, m, end) in enumerate(zip(starts, values, ends))]
    first = own[0]
    if len(values) > 1 and all(own[1:]) and not re.search(r"分别", clause):
        return [(m, label) for m, label in zip(values, own) if label]
    if not first:
        return []
    labels = _spread(first, len(values), clause)
    if len(values) == 1:
        return [(values[0], label) for label in labels]
    return list(zip(values, labels))


def _label(before: str, m: re.Match, after: str = "") -> str:
    label = _LEADING_NOISE.sub("", before.strip())
    label = _TRAILING_NOISE.sub("", label).strip()
    label = _COMPARED_TAIL.sub("", label).strip()  # "…标准分别不低于每人每月" before its values
    label = re.sub(r"从.*$", "", label).strip("、 ")
    pre = m.group("pre") or ""
    if re.fullmatch(_COUNT_VERBS, pre):
        label = pre + (after.strip() or label)
    elif _COUNT_UNIT.fullmatch(m.group("unit")) and len(after.strip("、 ")) >= 2 and (len(label) < 4 or _ACTION_END.search(label)):
        label = after.strip("、 ")
    return label if 3 <= len(label) <= 60 else ""


def _distributed(found: list[re.Match], clause: str, lead: str, achieved: bool) -> list[re.Match]:
    """The quantities of a clause that are targets: each that reads as one, and in a clause that
    distributes values (分别不低于1800元、1300元) every value listed after a target, in its unit."""
    values = [m for m in found if _is_target(m, clause, lead, achieved)]
    if values and "分别" in clause:
        first = values[0]
        values += [m for m in found if m.start() > first.start() and m not in values
                   and clause[m.start() - 1:m.start()] == "、" and m.group("unit") == first.group("unit")]
        values.sort(key=lambda m: m.start())
    return values


def _spread(label: str, count: int, clause: str) -> list[str]:
    """One label per value: "A、B均超过60%" gives A and B; "城乡…分别达到10个、5个" gives 城市… and 农村…."""
    if count == 1:
        parts = re.split(r"、", label)
        return [label] if "均" not in clause or len(parts) == 1 else parts
    if "城乡" in label and count == 2:
        return [label.replace("城乡", "城市", 1), label.replace("城乡", "农村", 1)]
    parts = _SUBJECTS.split(label)
    if len(parts) == count:  # "集中养育孤儿、社会散居孤儿基本生活保障标准分别…": one subject each, the head shared
        head = _shared_head(parts[-1], parts[0])
        return [part if part.endswith(head) else part + head for part in parts]
    return [label] * count


_SUBJECTS = re.compile(r"、")


def _shared_head(last: str, first: str) -> str:
    """What the last of several subjects adds after the first's length: the head they share."""
    return last[len(first):] if len(last) > len(first) else ""


def _target(m: re.Match, label: str, clause: str, span: Span, section) -> Target | None:
    value = parse_number(m.group("num"))
    if value is None:
        return None
    unit = _per(m.group("unit"), clause[: m.start()])
    comparator = _comparator(m.group("pre") or _compared_per(clause[: m.start()]), m.group("post"))
    target = Target(indicator_label=label, span=span, section=section, unit=unit, text=m.group().strip())
    if m.group("num2"):
        target.value, target.range_max, comparator = value, Decimal(m.group("num2")), "range"
    else:
        target.value = value
    target.comparator = comparator
    target.normalized_value = normalized(value, unit)
    return target


def _per(unit: str, before: str) -> str:
    """An amount of money with what it is given per ("每人每月不低于300元" → 元/人·月), as the text says it."""
    if unit != "元" or "/" in unit:
        return unit
    found = _PER.findall(before)
    return f"{unit}/{'·'.join(found[-1][1::2])}" if found else unit


def _compared_per(before: str) -> str | None:
    """The comparator of "不低于每人每月1800元": a comparison word, then what the amount is per."""
    m = _COMPARED_PER.search(before)
    return m.group(1) if m else None


def _baseline(target: Target, before: str) -> None:
    """"从2016年30张增加到40.8张", "从每人每月50元提高到80元": the starting value is a baseline."""
    m = re.search(r"从(?:(20\d\d)年(?:的)?)?[^\d,。]{0,6}?(\d+(?:\.\d+)?)[^\d,。]{0,4}$", before)
    if m:
        target.baseline_value = Decimal(m.group(2))
        target.baseline_year = int(m.group(1)) if m.group(1) else None


def _comparator(pre: str | None, post: str | None) -> str:
    if post in _POST_COMPARATORS:
        return _POST_COMPARATORS[post]
    for word, comparator in _COMPARATORS:
        if pre == word:
            return comparator
    return "="


def _dated_before(sentence: str, meta: Metadata) -> bool | None:
    """Whether a sentence is dated before the document's own time ("2023年,全区…" in a plan for 2024);
    None when it names no year."""
    start = meta.period_start or (int(meta.issued[:4]) if meta.issued else None)
    years = [int(y) for y in re.findall(r"(?<![到至\d])(20\d\d)年(?!以来|起|前)", sentence)]
    if start is None or not years:
        return None
    return max(years) < start


def _past_year(sentence: str, meta: Metadata) -> int | None:
    years = [int(y) for y in re.findall(r"(?<![从比自])(20\d\d)年(?!以来|起)", sentence)]
    if years:
        return max(years)
    if "十三五" in sentence:
        return 2020
    return meta.period_start - 1 if meta.period_start else None
