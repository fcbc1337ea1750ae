"""Structure of the bundled documents: numbered measures, lead-sentence measures, 专栏 boxes."""
import re

import pytest
from rdflib import RDF, RDFS, URIRef

from mzkg.loaders.structure import number_value, parse_structure
from mzkg.ontology import MZ


def numbers_of(doc):
    return [m.number for m in doc_structure(doc).measures if m.number]


def doc_structure(doc):
    return parse_structure(_norm(doc))


def _norm(doc):
    from mzkg.loaders.normalize import NormalizedText

    return NormalizedText.of(str(doc.graph.value(URIRef(doc.iri), MZ.fullText))).text


@pytest.mark.parametrize("place, count", [("东莞市", 25), ("十堰市", 33)])
def test_numbered_measures_are_all_found_in_order(docs, place, count):
    numbers = numbers_of(docs[place])
    assert len(numbers) == count
    assert [number_value(n.strip("()")) for n in numbers] == list(range(1, count + 1))
    assert numbers[-1] == f"({'二十五' if count == 25 else '三十三'})"


def test_numbered_headings_are_sections_not_measures(docs):
    titles = [s.title for s in doc_structure(docs["东莞市"]).sections]
    assert "指导思想" in titles and "工作目标" in titles
    labels = {m.label for m in doc_structure(docs["东莞市"]).measures}
    assert "指导思想" not in labels


@pytest.mark.parametrize("place", ["南平市", "景德镇市", "武汉市"])
def test_plans_do_not_number_their_measures(docs, place):
    assert numbers_of(docs[place]) == []


def test_lead_sentence_paragraphs_are_measures(docs):
    labels = [m.label for m in doc_structure(docs["南平市"]).measures]
    assert labels[:3] == ["健全完善新时代社会救助体系", "夯实城乡低保制度", "健全特困人员救助供养制度"]
    assert "实施“福康工程”项目" in labels


def test_background_and_goal_paragraphs_are_not_measures(docs):
    structure = doc_structure(docs["南平市"])
    labels = {m.label for m in structure.measures}
    assert "民政兜底保障坚实有力" not in labels  # an achievement in 发展基础
    assert "基本民生保障更加有力" in {g.label for g in structure.goals}


BOXES = {
    "南平市": {2: ("社会救助提升工程", 2), 3: ("福蕾行动计划", 0), 4: ("构建基层社会治理新格局重点工程", 2),
             5: ("优化基本社会服务工程", 2), 6: ("养老服务重大工程", 5), 7: ("助推老区振兴发展工程", 3)},
    "景德镇市": {1: ("基层社会救助能力提升工程", 2), 2: ("儿童福利机构服务提升工程", 2), 3: ("民政精神卫生福利设施建设", 0),
              4: ("福利彩票健康发展工程", 2), 5: ("社会治理体系和治理能力提升工程", 3), 6: ("未成年人救助保护能力提升工程", 0),
              7: ("地名服务工程", 3), 8: ("殡葬服务设施建设工程", 3), 9: ("养老服务保障工程", 8)},
    "武汉市": {1: ("实施兜底保障体系的“精准提标工程”", 4), 2: ("实施社区治理体系的“创新提升工程”", 2),
             3: ("实施社会组织体系的“协同提效工程”", 2), 4: ("实施养老服务体系的“增量提质工程”", 3),
             5: ("实施专项服务体系的“便民提速工程”", 3), 6: ("实施基层民政工作体系的“经办提能工程”", 2)},
}


@pytest.mark.parametrize("place", sorted(BOXES))
def test_boxes_and_their_items(docs, place):
    found = {b.number: (b.title, len(b.items)) for b in doc_structure(docs[place]).boxes}
    assert found == BOXES[place]


def test_box_items_keep_their_names(docs):
    boxes = {b.number: b for b in doc_structure(docs["景德镇市"]).boxes}
    assert [i.label for i in boxes[5].items] == ["城乡社区服务提质增效", "社会组织孵化基地建设", "行政区划变更效果评估"]
    nanping = {b.number: b for b in doc_structure(docs["南平市"]).boxes}
    assert [i.label for i in nanping[7].items] == ["“阳光1+1”牵手计划", "非文物保护单位革命遗址建设", "助力老区乡村振兴"]


def test_named_programmes_are_typed(docs):
    g = docs["南平市"].graph
    programmes = {str(g.value(s, RDFS.label)) for s in g.subjects(RDF.type, MZ.Programme)}
    assert {"福蕾行动计划", "“阳光1+1”牵手计划"} <= programmes


def test_heading_styles_nest_in_order_of_appearance(docs):
    sections = {s.key: s for s in doc_structure(docs["武汉市"]).sections}
    assert sections["3"].title == "着力提高基本民生保障能力" and sections["3"].depth == 1
    assert sections["3.1"].title == "持续加强社会救助能力" and sections["3.1"].depth == 2
    assert sections["3.1.1"].title == "构建综合救助格局" and sections["3.1.1"].depth == 3
    # "4加强养老服务质量监督管理" lost its separator; it still follows 3、 as a sibling
    assert sections["5.1.4"].title == "加强养老服务质量监督管理"


def test_every_section_heading_matches_a_numbering_style(docs):
    for doc in docs.values():
        for section in doc_structure(doc).sections:
            assert re.match(r"^(第.+[章节]|.+、|\(.+\)|\d+[.、]?)$", section.number)


def test_small_document_structure():
    text = "一、总体要求\n(一)指导思想\n坚持人民至上,推进工作。\n二、主要任务\n(一)完善救助制度。健全机制。\n(二)发展养老服务。建设设施。\n专栏1 重点工程\n1.养老设施建设\n建设养老院10所。\n2.救助平台\n建成平台。\n三、保障措施\n加强组织领导。明确责任。\n"
    s = parse_structure(text)
    assert [(x.key, x.title, x.kind) for x in s.sections] == [
        ("1", "总体要求", "guidance"), ("1.1", "指导思想", "guidance"), ("2", "主要任务", "tasks"), ("3", "保障措施", "safeguards")]
    # what the safeguards section asks is how the plan is carried out, not one of its measures
    assert [(m.number, m.label) for m in s.measures] == [("(一)", "完善救助制度"), ("(二)", "发展养老服务")]
    assert [(b.number, b.title, [(i.label, i.description) for i in b.items]) for b in s.boxes] == [
        (1, "重点工程", [("养老设施建设", "建设养老院10所。"), ("救助平台", "建成平台。")])]
