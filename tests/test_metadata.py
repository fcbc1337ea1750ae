"""Metadata of the five bundled documents, read from their content alone."""
import pytest
from rdflib import URIRef

from mzkg.ontology import MZ

EXPECTED = {
    "南平市": dict(title="南平市民政事业发展“十四五”规划", inferred=True, kind="FiveYearPlan", province="福建省",
                period=(2021, 2025), issued=None, number=None, issuers=["南平市民政局"]),
    "景德镇市": dict(title="景德镇市民政事业发展“十四五”规划", inferred=False, kind="FiveYearPlan", province="江西省",
                 period=(2021, 2025), issued="2021-10-28", number="景民字〔2021〕71号",
                 issuers=["景德镇市民政局", "景德镇市发展和改革委员会"]),
    "东莞市": dict(title="关于全面加强民政工作的意见", inferred=False, kind="PolicyOpinion", province="广东省",
                period=(2020, 2022), issued="2020-10-29", number="东府办〔2020〕67号",  # period: from its issue to its furthest target year
                issuers=["东莞市人民政府办公室"]),
    "十堰市": dict(title="十堰市2025年民政工作要点", inferred=True, kind="AnnualWorkPlan", province="湖北省",
                period=(2025, 2025), issued=None, number=None, issuers=[]),
    "武汉市": dict(title="武汉市民政事业发展“十四五”规划", inferred=False, kind="FiveYearPlan", province="湖北省",
                period=(2021, 2025), issued=None, number=None, issuers=["武汉市民政局"]),  # it gives only the day it was posted
}


def test_every_bundled_document_is_recognised(docs):
    assert sorted(docs) == sorted(EXPECTED)


@pytest.mark.parametrize("place", sorted(EXPECTED))
def test_metadata(docs, place):
    meta, expected = docs[place].metadata, EXPECTED[place]
    assert meta.title == expected["title"]
    assert meta.title_inferred is expected["inferred"]
    assert meta.kind == expected["kind"]
    assert meta.province.name == expected["province"]
    assert (meta.period_start, meta.period_end) == expected["period"]
    assert meta.issued == expected["issued"]
    assert meta.document_number == expected["number"]
    assert meta.issuers == expected["issuers"]


def test_inferred_titles_say_so_and_why(docs):
    for place in ("南平市", "十堰市"):
        notes = " ".join(docs[place].metadata.notes)
        assert "states no title" in notes and place in notes


def test_publication_date_is_kept_apart_from_issue_date(docs):
    assert docs["景德镇市"].metadata.published == "2021-12-31" and docs["景德镇市"].metadata.issued == "2021-10-28"
    assert docs["武汉市"].metadata.published == "2021-12-30" and docs["武汉市"].metadata.issued is None


def test_traditional_document_is_labelled_in_simplified(docs):
    doc = docs["东莞市"]
    assert doc.metadata.title == "关于全面加强民政工作的意见"  # the original reads 關(guān)于全面加強民政工作的意見
    assert "關(guān)于全面" in doc.graph.value(URIRef(doc.iri), MZ.fullText)
    assert str(doc.graph.value(URIRef(doc.iri), MZ.sourceScript)) == "Hant"


@pytest.mark.parametrize("title, period", [("某县社会救助能力提升实施方案", "（2024—2026年）"),
                                           ("某市养老服务体系建设规划", "(2021-2025年)")])
def test_a_title_broken_before_its_period_is_one_title(title, period):
    from mzkg.loaders import extract

    text = f"{title}\n{period}\n为提升服务能力，制定本方案。\n一、总体要求\n到2025年，基本建成服务体系。\n"
    assert extract(text).metadata.title == (title + period).replace("（", "(").replace("）", ")")
