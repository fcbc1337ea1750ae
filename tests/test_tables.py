"""Every row of the four indicator tables in the bundled corpus, rebuilt from the flattened scrape.

Columns: row number as written, indicator as written, unit, baseline, comparator, target value,
target as written, actual value, bindingness, completion status. Values were checked by hand
against the source text.
"""
from decimal import Decimal

import pytest
from rdflib import URIRef

from mzkg.loaders.normalize import NormalizedText
from mzkg.loaders.structure import parse_structure
from mzkg.loaders.tables import parse_value, table_targets
from mzkg.ontology import MZ

TABLES = {
    ('景德镇市', '十三五时期民政事业主要指标完成情况'): [
        (None, '城市最低生活保障平均标准', '元/人、月', None, '=', '720', '720', '720', None, '实现目标'),
        (None, '农村最低生活保障平均标准', '元/人、月', None, '=', '470', '470', '470', None, '实现目标'),
        (None, '社会集中供养孤儿基本生活最低养育标准', '元/人、月', None, '=', '1600', '1600', '1600', None, '实现目标'),
        (None, '社会散居孤儿基本生活最低养育标准', '元/人、月', None, '=', '900', '900', '950', None, '超过50(元/人、月)'),
        (None, '生活不能自理特困人员集中供养率', '%', None, '=', '50', '50', '65.32', None, '超过15.32个百分点'),
        (None, '养老机构护理型床位占比', '%', None, '=', '30', '30', '47', None, '超过17个百分点'),
        (None, '每万人拥有社会组织数', '个', None, '=', '6.7', '6.7', '7.6', None, '超过0.9%'),
        (None, '城市社区综合服务设施覆盖率', '%', None, '=', '100', '100', '100', None, '实现目标'),
        (None, '农村社区综合服务设施覆盖率', '%', None, '=', '70', '70', '75', None, '超过5个百分点'),
        (None, '城市社区公共服务综合信息平台覆盖率', '%', None, '=', '60', '60', '65', None, '超过5个百分点'),
        (None, '农村社区公共服务综合信息平台覆盖率', '%', None, '=', '30', '30', '31', None, '超过1个百分点'),
        (None, '社会工作专业人才占总人口比例', '千人比', None, '=', '1', '1', '1', None, '实现目标'),
        (None, '节地生态葬占比', '%', None, '=', '65', '65', '85.9', None, '超过20.9个百分点'),
    ],
    ('景德镇市', '景德镇市十四五时期民政事业发展主要指'): [
        ('1', '城乡低保标准年度增速', '%', None, '>=', None, '不低于居民上年度人均消费支出增速', None, '预期性', None),
        ('2', '农村低保标准占城市低保标准比例', '%', None, '=', '75', '75', None, '预期性', None),
        ('3', '城市特困人员和农村特困失能半失能人员供养标准', '元/人、月', None, '>=', None, '不低于低保标准的1.3', None, '预期性', None),
        ('4', '农村特困全自理人员供养标准', '元/人、月', None, '>=', None, '不低于低保标准的1.3', None, '预期性', None),
        ('5', '特困失能人员照料护理标准', '元/人、月', None, '>=', None, '不低于最低工资标准的80%', None, '预期性', None),
        ('6', '特困半失能人员照料护理标准', '元/人、月', None, '>=', None, '不低于最低工资标准的20%', None, '预期性', None),
        ('7', '特困全自理人员照料护理标准', '元/人、月', None, '>=', None, '不低于重度残疾人护理补贴标准', None, '预期性', None),
        ('8', '设区市儿童福利机构独立设置率', '%', None, '=', '100', '100', None, '约束性', None),
        ('9', '儿童福利机构养治教康”+社工服务覆盖率', '%', None, '=', '100', '100', None, '预期性', None),
        ('10', '建设精神卫生福利机构的设区市个数', None, None, '=', '1', '1', None, '约束性', None),
        ('11', '困难残疾人生活补贴覆盖率', '%', None, '=', '100', '100', None, '约束性', None),
        ('12', '重度残疾人护理补贴覆盖率', '%', None, '=', '100', '100', None, '约束性', None),
        ('13', '查明身份信息流浪乞讨受助人员接送返回率', '%', None, '=', '100', '100', None, '约束性', None),
        ('14', '福利彩票销售网点数', '万个', None, '=', '0.0260', '0.0260', None, '预期性', None),
        ('15', '每百户居民拥有的城乡社区综合服务设施建筑面积', '平方米', None, '>', '30', '>30', None, '预期性', None),
        ('16', '社会组织专职工作人员数量', '万人', None, '=', '0.2', '0.2', None, '预期性', None),
        ('17', '示范性社会组织培育发展基地', None, None, '=', '3', '3', None, '预期性', None),
        ('18', '社会工作专业人才总量', '万人', None, '=', '0.35', '0.35', None, '预期性', None),
        ('19', '志愿服务站点在社区综合服务设施中的覆盖率', '%', None, '=', '80', '80', None, '预期性', None),
        ('20', '养老机构护理型床位占比', '%', None, '=', '60', '60', None, '约束性', None),
        ('21', '乡镇(街道)范围具备综合功能的养老服务机构覆盖率', '%', None, '=', '60', '60', None, '预期性', None),
        ('22', '社区日间照料机构覆盖率', '%', None, '=', '100', '100', None, '预期性', None),
        ('23', '农村互助养老服务设施覆盖率', '%', None, '=', '100', '100', None, '预期性', None),
        ('24', '乡镇(街道)未成年人保护工作站覆盖率', '%', None, '=', '50', '50', None, '预期性', None),
        ('25', '县级城乡公益性安葬(放)设施覆盖率', '%', None, '=', '100', '100', None, '约束性', None),
        ('26', '婚姻登记跨省通办实施率', '%', None, '=', '100', '100', None, '约束性', None),
        ('27', '集中供养孤儿保障最低标准', '元/人、月', None, '=', '2000', '2000', None, '预期性', None),
        ('28', '社会散居孤儿保障最低标准', '元/人、月', None, '=', '1600', '1600', None, '预期性', None),
        ('29', '事实无人抚养儿童保障最低标准', '元/人、月', None, '=', '1600', '1600', None, '预期性', None),
        ('31', '乡镇殡葬服务站建设数', None, None, '=', '10', '10', None, '约束性', None),
    ],
    ('武汉市', '表1  “十三五”时期武汉市民政事业主要指标执行情况'): [
        (None, '申请社会救助家庭经济情况信息核对率', '%', '99', '=', '100', '100', '100', '约束性', '完成'),
        (None, '城乡低保救助精准率', '%', '93', '>=', '99', '≥99', '99.9', '约束性', '完成'),
        (None, '城乡低保标准占上年度城乡居民平均消费支出的比重', '%', '32', 'range', '30', '30-40', None, '约束性', '城市30农村43完成'),
        (None, '综合减灾示范社区覆盖率', '%', '40', '=', '60', '60', None, '预期性', '机构调整'),
        (None, '街道社区服务中心覆盖率', '%', '100', '=', '100', '100', '100', '约束性', '完成'),
        (None, '平均每百户居民拥有社区服务设施面积', '平方米', '26', '=', '30', '30', '30', '预期性', '完成'),
        (None, '每个城市社区拥有社区社会组织数', '个', '10', '=', '15', '15', '15', '预期性', '完成'),
        (None, '每个农村社区拥有社会社区组织数', '个', '2', '=', '5', '5', '5', '预期性', '完成'),
        (None, '年均新增登记和备案社会组织数', '家', '2000', '=', '2200', '2200', '2200', '预期性', '完成'),
        (None, '登记社会组织总数', '个', '5200', '=', '8000', '8000', '8000', '预期性', '完成'),
        (None, '每万人拥有登记社会组织数', '个', '5.2', '=', '8', '8', '8', '预期性', '完成'),
        (None, '区级社会组织孵化基地覆盖率', '%', '30', '=', '100', '100', '100', '约束性', '完成'),
        (None, '登记注册社区志愿者占常住人口比重', '%', '12', '=', '15', '15', '16.9', '预期性', '完成'),
        (None, '每万名常住人口拥有社会工作者人数', '个', '3', '=', '10', '10', '11.4', '预期性', '完成'),
        (None, '平均每个城市社区配备专业社会工作者人数', '人', '1', '=', '2', '2', '2.1', '约束性', '完成'),
        (None, '平均每个农村社区配备专业社会工作者人数', '人', '0.5', '=', '1', '1', '1.1', '约束性', '完成'),
        (None, '养老床位数', '万张', '6.1', '=', '10', '10', '10.6', '预期性', '完成'),
        (None, '每千名老年人口养老床位数', '张', '37', '=', '50', '50', '50', '约束性', '完成'),
        (None, '护理型床位占养老床位总数的比例', '%', '15', '>=', '39', '≥39', '54', '预期性', '完成'),
        (None, '城市社区居家养老服务设施覆盖率', '%', '95', '=', '100', '100', '100', '约束性', '完成'),
        (None, '农村社区建立养老服务站点覆盖率', '%', '35', '=', '60', '60', '64', '预期性', '完成'),
        (None, '新婚婚姻登记颁证率', '%', None, '>=', '90', '≥90', '95', '约束性', '完成'),
        (None, '收养登记合格率', '%', '100', '=', '100', '100', '100', '约束性', '完成'),
    ],
    ('武汉市', '2 “十四五”时期武汉市民政事业发展主要指标'): [
        ('1', '农村低保标准占城市低保标准比例', '%', '82', '=', '90', '90', None, '预期性', None),
        ('2', '城乡低保标准年度增速', '%', '6', '>=', None, '不低于居民上年度人均消费支出增速', None, '预期性', None),
        ('3', '街道(乡镇)儿童督导员、居(村)儿童主任覆盖率', '%', None, '=', '100', '100', None, '预期性', None),
        ('4', '国际化社区创建', None, None, '=', '50', '50', None, '预期性', None),
        ('5', '社会工作专业人才占全市常住人口比例', None, '1.14', '=', '1.5', '1.5', None, '预期性', None),
        ('6', '街道(乡镇)社会工作服务站覆盖率', '%', '62.4', '=', '100', '100', None, '预期性', None),
        ('7', '社会组织专职工作人员数量', '万人', '5', '=', '6', '6', None, '预期性', None),
        ('8', '养老机构护理型床位占比', '%', '54', '=', '65', '65', None, '约束性', None),
        ('9', '乡镇(街道)范围具备综合功能的养老服务机构覆盖率', '%', '75', '=', '100', '100', None, '预期性', None),
        ('10', '结婚登记“跨省通办”实施率', '%', None, '=', '100', '100', None, '预期性', None),
        ('11', '新城区街道(乡镇)公益性骨灰安放设施覆盖率', '%', '40', '=', '60', '60', None, '约束性', None),
        ('12', '开展精神障碍康复服务的区比例', '%', '73.33', '=', '85', '85', None, '预期性', None),
        ('13', '残疾人两项补贴“跨省通办”实施率', '%', None, '=', '100', '100', None, '预期性', None),
        ('14', '各区民政部门拥有行政执法资格人员占在职在编人员比例', '%', None, '=', '50', '50', None, '预期性', None),
    ],
}

BINDING = {"binding": "约束性", "expected": "预期性", None: None}


def rows_of(doc, caption):
    text = NormalizedText.of(str(doc.graph.value(URIRef(doc.iri), MZ.fullText))).text
    table = next(t for t in parse_structure(text).tables if t.caption == caption)
    return table, table_targets(table, text, doc.metadata.period_end)


def as_row(t):
    s = lambda v: None if v is None else str(v)
    return (t.row_number, t.indicator_label, t.unit, s(t.baseline_value), t.comparator, s(t.value), t.text,
            s(t.actual_value), BINDING[t.bindingness], t.status)


@pytest.mark.parametrize("place, caption", sorted(TABLES))
def test_every_row(docs, place, caption):
    _, targets = rows_of(docs[place], caption)
    assert [as_row(t) for t in targets] == TABLES[place, caption]
    assert not any(t.split_ambiguous for t in targets)


def test_years_come_from_the_headers(docs):
    table, targets = rows_of(docs["武汉市"], "表1  “十三五”时期武汉市民政事业主要指标执行情况")
    assert (table.baseline_year, table.target_year) == (2015, 2020)
    assert {(t.baseline_year, t.year, t.actual_year) for t in targets if t.baseline_value is not None and t.actual_value is not None} == {(2015, 2020, 2020)}
    table, targets = rows_of(docs["武汉市"], "2 “十四五”时期武汉市民政事业发展主要指标")
    assert (table.baseline_year, table.target_year) == (2020, 2025)
    table, targets = rows_of(docs["景德镇市"], "十三五时期民政事业主要指标完成情况")
    assert {(t.year, t.actual_year) for t in targets} == {(2020, 2020)}


def test_relative_targets_keep_their_reference(docs):
    _, targets = rows_of(docs["景德镇市"], "景德镇市十四五时期民政事业发展主要指")
    references = {t.row_number: t.reference for t in targets}
    assert references["1"] == "居民上年度人均消费支出增速"
    assert references["3"] == "低保标准"
    assert references["5"] == "最低工资标准"
    assert references["7"] == "重度残疾人护理补贴标准"


def test_multipliers_give_a_normalised_value(docs):
    _, targets = rows_of(docs["景德镇市"], "景德镇市十四五时期民政事业发展主要指")
    by_row = {t.row_number: t for t in targets}
    assert by_row["14"].normalized_value == Decimal("260")        # 0.0260 万个
    assert by_row["18"].normalized_value == Decimal("3500")       # 0.35 万人


def run_together(*rows):
    text = "表1 主要指标执行情况\n指标类别指标内容(单位)指标属性基期目标值实际值完成情况\n201520202020\n" + "\n".join(rows) + "\n"
    table = parse_structure(text).tables[0]
    return table_targets(table, text, 2025)


def test_a_split_the_table_decides_is_not_marked():
    (t,) = run_together("养老服务某设施覆盖率(%)约束性99100100完成")
    assert (t.baseline_value, t.value, t.actual_value, t.split_ambiguous) == (99, 100, 100, False)


def test_a_split_with_several_readings_is_marked():
    (t,) = run_together("某项工作数(个)预期性12345完成")
    assert t.split_ambiguous is True


def test_the_narrative_decides_between_readings():
    rows = "某项工作数(个)预期性12345完成"
    text = "表1 主要指标执行情况\n指标类别指标内容(单位)指标属性基期目标值实际值完成情况\n201520202020\n" + rows + "\n某项工作数达到45个。\n"
    table = parse_structure(text).tables[0]
    (t,) = table_targets(table, text, 2025)
    assert t.actual_value == 45


@pytest.mark.parametrize("cell, expected", [
    ("≥99", (">=", Decimal(99), None, None)),
    (">30", (">", Decimal(30), None, None)),
    ("30-40", ("range", Decimal(30), Decimal(40), None)),
    ("不低于低保标准的1.3", (">=", None, None, "低保标准")),
    ("不低于95%", (">=", Decimal(95), None, None)),
    ("不低于居民上年度人均消费支出增速", (">=", None, None, "居民上年度人均消费支出增速")),
    ("0.0260", ("=", Decimal("0.0260"), None, None)),
])
def test_parse_value(cell, expected):
    assert parse_value(cell) == expected
