"""The saved queries' contracts: names, variables, datatypes."""

import pytest

from mzkg import queries
from mzkg.kg.query import QueryError, bind
from mzkg.kg.store import KnowledgeStore

XSD = "http://www.w3.org/2001/XMLSchema#"


def rows(built, name, **params):
    store = KnowledgeStore.open(built[0], read_only=True)
    saved = queries.get(name)
    return list(store.query(saved.text, substitutions=bind(saved, params))), saved


def value(row, name):
    term = row[name]
    return None if term is None else term.value


def test_every_saved_query_has_a_title_and_description():
    for q in queries.all_queries():
        assert q.title != q.name and q.description, q.name


def test_plans(built):
    result, _ = rows(built, "plans")
    assert len(result) == 5
    by_place = {value(r, "jurisdictionLabel"): r for r in result}
    wuhan = by_place["武汉市"]
    assert value(wuhan, "title") == "武汉市民政事业发展“十四五”规划"
    assert value(wuhan, "provinceLabel") == "湖北省"
    assert wuhan["kind"].value.endswith("#FiveYearPlan")
    assert wuhan["periodStart"].datatype.value == XSD + "integer" and value(wuhan, "periodStart") == "2021"
    assert wuhan["issued"] is None  # the page gives only the day it was posted
    jdz = by_place["景德镇市"]
    assert jdz["issued"].datatype.value == XSD + "date" and value(jdz, "issued") == "2021-10-28"
    assert value(jdz, "docNumber") == "景民字〔2021〕71号"
    assert set(value(jdz, "issuerLabel").split(" / ")) == {"景德镇市民政局", "景德镇市发展和改革委员会"}
    assert by_place["十堰市"]["kind"].value.endswith("#AnnualWorkPlan")
    assert value(by_place["东莞市"], "periodEnd") == "2022"  # an opinion runs to its furthest target year
    assert by_place["东莞市"]["title"].language == "zh"


def test_measures(built):
    result, _ = rows(built, "measures")
    dongguan = [r for r in result if value(r, "jurisdictionLabel") == "东莞市"]
    assert len(dongguan) == 25
    assert value(dongguan[-1], "number") == "(二十五)"
    assert value(dongguan[-1], "measureLabel") == "推进民政队伍建设"
    assert value(dongguan[0], "sectionLabel") == "加大社会救助力度,提升底线民生保障水平"
    nanping = [r for r in result if value(r, "jurisdictionLabel") == "南平市"]
    assert nanping and all(r["number"] is None for r in nanping)


def test_projects(built):
    result, _ = rows(built, "projects")
    nanping = [r for r in result if value(r, "jurisdictionLabel") == "南平市"]
    fulei = [r for r in nanping if value(r, "boxLabel") == "福蕾行动计划"]
    assert len(fulei) == 1 and fulei[0]["item"] is None
    assert value(fulei[0], "boxNumber") == "3"
    jdz_items = [r for r in result if value(r, "jurisdictionLabel") == "景德镇市" and r["item"] is not None]
    assert len(jdz_items) == 23  # boxes 1–9 hold 2+2+0+2+3+0+3+3+8 items


def test_unknown_parameter_is_refused():
    with pytest.raises(QueryError, match="unknown parameter"):
        bind(queries.get("plans"), {"nope": "x"})


@pytest.mark.parametrize("name, params, check", [
    ("binding-targets", {"city": "https://w3id.org/mzkg/id/unit/420100000000"},
     lambda rows: any(value(r, "indicatorLabel") == "养老机构护理型床位占比" and value(r, "targetValue") == "65" for r in rows)),
    ("projects-by-area", {"area": "https://w3id.org/mzkg/id/area/elderly-care"},
     lambda rows: {value(r, "jurisdictionLabel") for r in rows} >= {"南平市", "景德镇市", "武汉市"}),
    ("pilot-units", {}, lambda rows: {value(r, "unitLabel") for r in rows} >= {"江汉区", "武昌区"}),
    ("planned-change", {}, lambda rows: any(value(r, "indicatorLabel") == "养老机构护理型床位占比"
                                            and value(r, "change") == "11" for r in rows)),
])
def test_research_queries(built, name, params, check):
    result, _ = rows(built, name, **params)
    assert result and check(result)


def test_at_least_ten_saved_queries():
    assert len(queries.all_queries()) >= 10


def test_tasks_of_a_body_across_documents(tmp_path):
    """Two test documents naming their city's civil-affairs bureau in their tasks' notes: the bureau is
    one node per city, named in full, with its tasks and its role in each."""
    import shutil

    from mzkg.kg.build import Builder
    from mzkg.loaders.iris import Minter

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    here = __import__("pathlib").Path(__file__).resolve().parent / "corpus"
    for prefix in ("h06_", "s06_"):
        shutil.copy(next(here.glob(prefix + "*.txt")), corpus)
    Builder(progress=False).build(corpus, tmp_path / "store")
    store = KnowledgeStore.open(tmp_path / "store", read_only=True)
    bureau = next(iter(store.query(
        'SELECT ?b WHERE { ?b a <https://w3id.org/mzkg/ontology#GovernmentBody> ; '
        '<http://www.w3.org/2000/01/rdf-schema#label> "西宁市民政局"@zh }')))["b"].value
    assert bureau == Minter().organisation("西宁市民政局")
    saved = queries.get("tasks-by-body")
    found = list(store.query(saved.text, substitutions=bind(saved, {"body": bureau})))
    assert found and {value(r, "role") for r in found} >= {"lead", "cooperating"}
    assert {value(r, "jurisdictionLabel") for r in found} == {"西宁市"}
