"""Targets in running text, places named, and cited instruments, on the bundled corpus."""
from decimal import Decimal

import pytest
from rdflib import RDF, RDFS, URIRef

from mzkg.loaders.citations import instrument_key
from mzkg.loaders.gazetteer import Gazetteer
from mzkg.loaders.places import find_mentions
from mzkg.ontology import MZ


def targets(doc):
    g = doc.graph
    found = []
    for t in g.subjects(RDF.type, MZ.IndicatorTarget):
        if g.value(t, MZ.fromTable) is not None:
            continue
        value = g.value(t, MZ.targetValue) or g.value(t, MZ.actualValue)
        found.append((
            str(g.value(t, MZ.indicatorLabel)),
            None if g.value(t, MZ.comparator) is None else str(g.value(t, MZ.comparator)),
            None if value is None else Decimal(str(value)),
            None if g.value(t, MZ.unit) is None else str(g.value(t, MZ.unit)),
            int(g.value(t, MZ.targetYear) or g.value(t, MZ.actualYear) or 0),
            bool(g.value(t, MZ.isAchievement)),
        ))
    return found


@pytest.mark.parametrize("place, expected", [
    ("南平市", ("城乡最低生活保障标准占当地最低工资标准比例", "=", Decimal("47.5"), "%", 2025, False)),
    ("南平市", ("社会工作专业人才占常住人口的比例", "=", Decimal("1.7"), "‰", 2025, False)),
    ("南平市", ("节地生态安葬率", ">", Decimal(85), "%", 2025, False)),
    ("南平市", ("新增普惠养老床位", ">=", Decimal(1000), "张", 2025, False)),
    ("南平市", ("非文物革命遗址的修缮维护", ">=", Decimal(30), "个", 2025, False)),
    ("南平市", ("建设拥有1000张床位的市老年养护院", "=", Decimal(1), "所", 2025, False)),   # 一所
    ("南平市", ("护理型床位占比", None, Decimal(55), "%", 2020, True)),                 # "十三五" achievement
    ("景德镇市", ("注册志愿者", "=", Decimal(22), "万人", 2025, False)),
    ("景德镇市", ("社工服务机构数量", ">", Decimal(20), "家", 2025, False)),
    ("东莞市", ("特殊困难老年人的月探访率", "=", Decimal(100), "%", 2022, False)),
    ("十堰市", ("每个城市社区拥有社区社会组织数", "=", Decimal(10), "个", 2025, False)),   # 分别达到10个、5个以上
    ("十堰市", ("每个农村社区拥有社区社会组织数", ">=", Decimal(5), "个", 2025, False)),
    ("十堰市", ("全年募集慈善款物", ">=", Decimal(1), "亿元", 2025, False)),
    ("十堰市", ("建设乡镇(街道)养老服务综合体", ">=", Decimal(8), "个", 2025, False)),
    ("武汉市", ("养老机构护理型床位占比", ">=", Decimal(65), "%", 2025, False)),
    ("武汉市", ("新婚颁证率", ">=", Decimal(95), "%", 2025, False)),
    ("武汉市", ("护理型养老床位比例", None, Decimal(54), "%", 2020, True)),
])
def test_targets_in_running_text(docs, place, expected):
    assert expected in targets(docs[place])


def test_multipliers_are_applied_beside_the_written_value(docs):
    g = docs["十堰市"].graph
    t = next(t for t in g.subjects(MZ.indicatorLabel, None) if str(g.value(t, MZ.indicatorLabel)) == "全年募集慈善款物")
    assert Decimal(str(g.value(t, MZ.normalizedValue))) == Decimal(100_000_000)


def test_baseline_from_a_rise(docs):
    g = docs["南平市"].graph
    t = next(t for t in g.subjects(MZ.indicatorLabel, None) if str(g.value(t, MZ.indicatorLabel)) == "每千名老年人拥有养老床位数")
    assert (Decimal(str(g.value(t, MZ.baselineValue))), int(g.value(t, MZ.baselineYear))) == (Decimal(30), 2016)
    assert Decimal(str(g.value(t, MZ.actualValue))) == Decimal("40.8")


def test_every_target_has_a_year_and_a_source(docs):
    for doc in docs.values():
        g = doc.graph
        for t in g.subjects(RDF.type, MZ.IndicatorTarget):
            assert g.value(t, MZ.source) is not None
            if doc.metadata.kind != "PolicyOpinion" and g.value(t, MZ.targetValue) is not None:
                assert g.value(t, MZ.targetYear) is not None


SUB_UNITS = {
    "南平市": {"建阳区", "延平区", "武夷山市", "松溪县", "政和县", "建瓯市", "峡阳镇", "五夫镇"},  # 延平区峡阳镇, 武夷山市五夫镇
    "景德镇市": {"珠山区", "昌江区", "乐平市"},
    "东莞市": set(),
    "十堰市": {"竹山县", "丹江口市", "竹溪县", "房县", "武当山特区"},  # a township-level unit of 丹江口市
    "武汉市": {"江汉区", "武昌区"},
}


@pytest.mark.parametrize("place", sorted(SUB_UNITS))
def test_sub_units_named_in_each_document(docs, place):
    doc = docs[place]
    g = doc.graph
    named = {u for u in g.objects(URIRef(doc.iri), MZ.mentionsUnit)}
    gazetteer = Gazetteer.default()
    names = {gazetteer.unit(str(u).rsplit("/", 1)[1]).name for u in named}
    jurisdiction = doc.metadata.jurisdiction
    inside = {n for n in names for u in gazetteer.named(n) if jurisdiction in gazetteer.ancestors(u)}
    assert inside == SUB_UNITS[place]


def test_short_forms_in_context():
    gazetteer = Gazetteer.default()
    jingdezhen = gazetteer.named("景德镇市")[0]
    found = {m.unit.name for m in find_mentions("珠山、昌江两区社区工作者平均年增加1万元", gazetteer, jingdezhen)}
    assert found == {"珠山区", "昌江区"}  # not 昌江黎族自治县 in Hainan
    wuhan = gazetteer.named("武汉市")[0]
    assert {m.unit.name for m in find_mentions("在江汉、武昌2个试点区", gazetteer, wuhan)} == {"江汉区", "武昌区"}


@pytest.mark.parametrize("phrase", [
    "会同有关部门加强指导", "新建住宅区按建筑面积无偿提供", "发展农村互助养老服务", "推动农民富裕富足",
    "聚焦作示范、勇争先", "被国家评为“千年古县”", "城乡统筹和县级民政部门",
])
def test_no_place_in_ordinary_words(phrase):
    gazetteer = Gazetteer.default()
    assert find_mentions(phrase, gazetteer, gazetteer.named("南平市")[0]) == []


def test_mentions_reach_the_passage_and_measure(docs):
    g = docs["景德镇市"].graph
    zhushan = next(u for u in g.objects(None, MZ.mentionsUnit) if str(u).endswith("/360203000000"))
    holders = set(g.subjects(MZ.mentionsUnit, zhushan))
    assert any((h, RDF.type, MZ.Passage) in g for h in holders)


def instruments(doc):
    g = doc.graph
    return {str(g.value(i, RDFS.label)) for i in g.objects(URIRef(doc.iri), MZ.cites)}


def test_citations_are_shared_across_documents(docs):
    assert all("地名管理条例" in instruments(docs[p]) for p in ("南平市", "景德镇市", "十堰市"))
    assert all("慈善法" in instruments(docs[p]) for p in ("景德镇市", "武汉市"))


def test_traditional_citations_meet_simplified_ones(docs):
    cited = instruments(docs["东莞市"])
    assert "东莞市加快推进养老服务体系建设高质量发展三年行动计划(2020-2022年)" in cited
    g = docs["东莞市"].graph
    written = {str(t) for t in g.objects(None, MZ.citedTitle)}
    assert any(t.startswith("東莞市加快推進養(yǎng)老服務(wù)體系") for t in written)  # as written, glosses and all


def test_instrument_key_normalises_script_and_punctuation():
    assert instrument_key("“十四五”民政事业发展规划") == instrument_key("十四五民政事業發展規劃")
    assert instrument_key("江西省实施<慈善法>办法") == "江西省实施慈善法办法"


def test_citing_passages_are_linked(docs):
    g = docs["武汉市"].graph
    law = next(i for i in g.objects(URIRef(docs["武汉市"].iri), MZ.cites) if str(g.value(i, RDFS.label)) == "慈善法")
    passages = [p for p in g.subjects(MZ.cites, law) if (p, RDF.type, MZ.Passage) in g]
    assert passages and all("《慈善法》" in str(g.value(p, MZ.exactText)) for p in passages)
