"""Indicators aligned across plans; target groups and policy areas; both scripts on the same concepts."""
import pytest
from rdflib import RDF, RDFS, URIRef

from mzkg import queries
from mzkg.kg.query import bind
from mzkg.kg.store import KnowledgeStore
from mzkg.ontology import MZ

BASE = "https://w3id.org/mzkg/id/"


def concepts_used(doc):
    g = doc.graph
    return {str(g.value(t, MZ.indicatorLabel)): g.value(t, MZ.indicator) for t in g.subjects(RDF.type, MZ.IndicatorTarget)}


def plans_for(docs, indicator):
    return {place for place, doc in docs.items() if URIRef(BASE + indicator) in concepts_used(doc).values()}


@pytest.mark.parametrize("indicator, places", [
    ("indicator/nursing-bed-share", {"南平市", "景德镇市", "十堰市", "武汉市"}),
])
def test_the_same_indicator_in_four_plans_is_one_concept(docs, indicator, places):
    assert plans_for(docs, indicator) == places


def test_named_alignments(docs):
    by_label = {}
    for doc in docs.values():
        for label, concept in concepts_used(doc).items():
            by_label.setdefault(label, set()).add(concept)
    # 农村低保标准占城市低保标准比例: Jingdezhen's and Wuhan's tables
    (rural_share,) = by_label["农村低保标准占城市低保标准比例"]
    assert {p for p, d in docs.items() if rural_share in concepts_used(d).values()} == {"景德镇市", "武汉市"}
    # 社会工作专业人才占常住人口比例, worded four ways in three plans
    wordings = ["社会工作专业人才占常住人口的比例", "社会工作专业人才占总人口比例",
                "社会工作专业人才占常住人口比例", "社会工作专业人才占全市常住人口比例"]
    concepts = set().union(*(by_label[w] for w in wordings))
    assert len(concepts) == 1
    (social_work,) = concepts
    assert {p for p, d in docs.items() if social_work in concepts_used(d).values()} == {"南平市", "景德镇市", "武汉市"}


def test_different_indicators_stay_apart(docs):
    used = concepts_used(docs["景德镇市"])
    assert used["城市社区综合服务设施覆盖率"] != used["农村社区综合服务设施覆盖率"]
    assert used["社会工作专业人才总量"] != used["社会工作专业人才占总人口比例"]


def test_targets_keep_the_label_as_written(docs):
    labels = set(concepts_used(docs["武汉市"]))
    assert "护理型床位占养老床位总数的比例" in labels and "养老机构护理型床位占比" in labels


def served(doc, measure_label):
    g = doc.graph
    measure = next(m for m in g.subjects(RDF.type, MZ.Measure) if str(g.value(m, RDFS.label)) == measure_label)
    return {str(o).removeprefix(BASE) for o in g.objects(measure, MZ.serves)}, g.value(measure, MZ.policyArea)


def test_measures_link_to_groups_and_areas(docs):
    groups, area = served(docs["南平市"], "加强孤儿和事实无人抚养儿童保障")
    assert {"group/orphans", "group/de-facto-unsupported-children"} <= groups
    assert area == URIRef(BASE + "area/child-welfare")
    groups, area = served(docs["十堰市"], "持续深化殡葬改革")
    assert area == URIRef(BASE + "area/funeral-services")


def test_traditional_and_simplified_documents_meet_on_the_same_concepts(docs):
    groups, area = served(docs["东莞市"], "不断加大残疾人保障力度")   # 不斷加大殘疾人保障力度
    assert {"group/persons-with-disabilities", "group/persons-with-severe-disabilities"} <= groups
    assert area == URIRef(BASE + "area/disability-welfare")
    simplified, _ = served(docs["南平市"], "落实残疾人“两项补贴”动态调整机制")
    assert "group/persons-with-disabilities" in simplified
    assert served(docs["东莞市"], "深化殡葬管理服务改革")[1] == served(docs["十堰市"], "持续深化殡葬改革")[1]


def test_every_measure_has_a_policy_area(docs):
    for doc in docs.values():
        g = doc.graph
        measures = list(g.subjects(RDF.type, MZ.Measure))
        with_area = [m for m in measures if g.value(m, MZ.policyArea) is not None]
        assert len(with_area) >= 0.9 * len(measures), doc.metadata.title


def test_group_expansion_through_narrower_concepts(built):
    store = KnowledgeStore.open(built[0], read_only=True)
    saved = queries.get("measures-by-group")
    rows = lambda group: list(store.query(saved.text, substitutions=bind(saved, {"group": BASE + group})))
    children = rows("group/children")
    orphans = rows("group/orphans")
    assert orphans and {r["measure"] for r in orphans} <= {r["measure"] for r in children}
    named = {g for r in children for g in r["groupsNamed"].value.split(" / ")}
    assert "孤儿" in named and "儿童" in named
    assert any(r["jurisdictionLabel"].value == "东莞市" for r in children)


def test_compare_indicator_across_cities(built):
    store = KnowledgeStore.open(built[0], read_only=True)
    saved = queries.get("compare-indicator")
    rows = list(store.query(saved.text, substitutions=bind(saved, {"indicator": BASE + "indicator/nursing-bed-share"})))
    targets_2025 = {(r["jurisdictionLabel"].value, r["targetValue"].value) for r in rows
                    if r["targetYear"] is not None and r["targetYear"].value == "2025" and r["targetValue"] is not None}
    assert {("景德镇市", "60"), ("武汉市", "65"), ("南平市", "60"), ("十堰市", "60")} <= targets_2025
    wuhan_table = [r for r in rows if r["jurisdictionLabel"].value == "武汉市" and r["baselineValue"] is not None]
    assert any(r["baselineValue"].value == "54" and r["bindingness"].value == "约束性" for r in wuhan_table)


def test_indicator_targets_contract(built):
    store = KnowledgeStore.open(built[0], read_only=True)
    rows = list(store.query(queries.get("indicator-targets").text))
    assert len(rows) > 200
    comparators = {r["comparator"].value for r in rows if r["comparator"] is not None}
    assert comparators <= {"=", ">=", ">", "<=", "<", "about", "range"}
    decimals = {r[v].datatype.value for r in rows for v in ("targetValue", "baselineValue", "actualValue") if r[v] is not None}
    assert decimals == {"http://www.w3.org/2001/XMLSchema#decimal"}
    assert {r["bindingness"].value for r in rows if r["bindingness"] is not None} == {"约束性", "预期性"}
    assert all(r["source"].value for r in rows)


def test_admin_units_and_citations_queries(built):
    store = KnowledgeStore.open(built[0], read_only=True)
    units = list(store.query(queries.get("admin-units").text))
    zhushan = [r for r in units if r["unitLabel"].value == "珠山区"]
    assert zhushan and zhushan[0]["parentLabel"].value == "景德镇市" and zhushan[0]["level"].value == "county"
    cited = {r["instrumentLabel"].value: int(r["plans"].value) for r in store.query(queries.get("citations").text)}
    assert cited["地名管理条例"] == 3


def test_groups_and_areas_are_mapped_both_ways(built):
    store = KnowledgeStore.open(built[0], read_only=True)
    pairs = {(row["a"].value, row["b"].value) for row in store.query(
        "SELECT ?a ?b WHERE { ?a <http://www.w3.org/2004/02/skos/core#relatedMatch> ?b }")}
    assert len(pairs) >= 10 and all((b, a) in pairs for a, b in pairs)
    kinds = {row["t"].value.rsplit("#", 1)[-1] for a, _ in pairs for row in store.query(
        f"SELECT ?t WHERE {{ <{a}> a ?t FILTER(STRSTARTS(STR(?t), 'https://w3id.org/mzkg/ontology#')) }}")}
    assert kinds == {"TargetGroup", "PolicyArea"}
