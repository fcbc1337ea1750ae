"""What makes a document one document, and what no document is refused for: distinct IRIs for
distinct texts, a duplicate or a non-policy text skipped by --keep-going, an unreadable table row kept
as text."""
import shutil

import pytest
from rdflib import RDF, URIRef

from mzkg.kg.build import BuildError, Builder
from mzkg.loaders import DocumentError, load_bytes
from mzkg.ontology import MZ

from scoring import CORPUS

UNTITLED = "各区民政局:\n一、工作任务\n(一)完善救助制度。{detail}\n(二)发展养老服务。建设设施。\n\n武汉市民政局\n2024年3月1日\n"
UNREADABLE_TABLE = ("武汉市民政局2024年工作要点\n一、主要指标\n序号 指标 单位 目标值\n1 城乡低保 元 ????\n"
                    "二、工作任务\n(一)完善救助制度。健全机制。\n")


def test_untitled_documents_of_one_city_kind_and_year_do_not_collide():
    first = load_bytes(UNTITLED.format(detail="健全机制。").encode(), "a.txt")
    second = load_bytes(UNTITLED.format(detail="完善标准。").encode(), "b.txt")
    assert first.metadata.title_inferred and second.metadata.title_inferred
    assert first.metadata.title == second.metadata.title and first.iri != second.iri


@pytest.mark.slow
def test_keep_going_skips_a_duplicate_and_a_news_report_and_builds_the_rest(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    plan = next(CORPUS.glob("t02_*.txt"))
    shutil.copy(plan, corpus / "a.txt")
    shutil.copy(plan, corpus / "b.txt")
    news = next(CORPUS.glob("s09_*.txt"))
    shutil.copy(news, corpus / "c.txt")
    with pytest.raises(BuildError, match="same document"):
        Builder(progress=False).build(corpus, tmp_path / "refused")
    report = Builder(progress=False).build(corpus, tmp_path / "store", keep_going=True)
    assert len(report.documents) == 1
    reasons = sorted(str(failure) for failure in report.failures)
    assert "is the same document as" in reasons[0] and "is not a policy document: it reads as a news report" in reasons[1]


def test_a_news_report_is_refused_with_the_reason():
    with pytest.raises(DocumentError, match=r"^news.txt: is not a policy document: it reads as a news report; not loaded \(kg load --force loads it anyway\)$"):
        load_bytes(next(CORPUS.glob("s09_*.txt")).read_bytes(), "news.txt")


@pytest.mark.slow
def test_an_unreadable_table_row_is_kept_as_text_and_the_document_loads(tmp_path):
    doc = load_bytes(UNREADABLE_TABLE.encode(), "table.txt")
    rows = list(doc.graph.subjects(RDF.type, MZ.UnreadRow))
    assert len(rows) == 1 and doc.warnings and doc.warnings[0][0] == str(rows[0])
    passage = doc.graph.value(rows[0], MZ.source)
    assert "????" in str(doc.graph.value(passage, MZ.exactText))
    assert not any(doc.graph.subjects(RDF.type, MZ.IndicatorTarget)) or all(
        doc.graph.value(t, MZ.targetValue) or doc.graph.value(t, MZ.targetText) for t in doc.graph.subjects(RDF.type, MZ.IndicatorTarget))
    source = tmp_path / "corpus"
    source.mkdir()
    (source / "table.txt").write_bytes(UNREADABLE_TABLE.encode())
    report = Builder(progress=False).build(source, tmp_path / "store")
    assert [w.focus for w in report.warnings if "could not interpret" in w.message] == [str(rows[0])]
    assert isinstance(rows[0], URIRef)
