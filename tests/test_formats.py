"""Documents as researchers have them: every test document written as a portal page, a Word file and
a printed PDF (tests/document_forms.py) must say what its text says; bad files are refused with the
file and the reason, and change nothing."""
from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path

import pytest

import scoring
from document_forms import CORPUS, write_forms
from helpers import CHROMIUM_ARGS, ensure_chromium
from mzkg.kg.build import Builder
from mzkg.kg.store import KnowledgeStore
from mzkg.loaders import DocumentError, extract, load_bytes
from mzkg.loaders.formats import read, sniff

FORMS = ("html", "docx", "pdf")


@pytest.fixture(scope="module")
def forms(tmp_path_factory) -> dict[str, Path]:
    """A folder per form, each holding every test document in that form beside its gold file."""
    from playwright.sync_api import sync_playwright

    root = tmp_path_factory.mktemp("forms")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=ensure_chromium(), args=CHROMIUM_ARGS)
        written = write_forms(sorted(CORPUS.glob("*.txt")), root / "all", browser)
        browser.close()
    folders = {}
    for form in FORMS:
        folder = root / form
        folder.mkdir()
        for path in written[form]:
            path.rename(folder / path.name)
            gold = CORPUS / f"{path.stem}.gold.json"
            (folder / gold.name).write_bytes(gold.read_bytes())
        folders[form] = folder
    return folders


def said(path: Path) -> dict:
    """What the loaders read from a file: metadata, headings, measures, targets."""
    source = read(path.read_bytes(), str(path))
    found = extract(source.text, source=source)
    m = found.metadata
    return {
        "metadata": (m.title, m.title_inferred, m.kind, m.jurisdiction.code if m.jurisdiction else None, m.period_start,
                     m.period_end, m.issued, m.published, m.document_number, tuple(m.issuers), m.policy_document),
        "sections": [(s.key, s.number, s.title, s.kind) for s in found.structure.sections],
        "measures": [(x.number, x.label) for x in found.structure.measures],
        "targets": Counter((t.indicator_label, t.value, t.unit, t.comparator, t.year, t.baseline_value, t.bindingness,
                            t.cumulative, t.achievement, t.text) for t in found.targets),
    }


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("form", FORMS)
def test_every_form_says_what_the_text_says(forms, form):
    texts = sorted(CORPUS.glob("*.txt"))
    assert len(texts) >= 29
    for text in texts:
        other = forms[form] / f"{text.stem}.{form}"
        expected, got = said(text), said(other)
        for part in expected:
            assert got[part] == expected[part], f"{other.name}: {part} differ"


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("form", FORMS)
def test_tables_read_from_each_form_are_exact(forms, form):
    rows = scoring.score(forms[form])["table rows"]
    assert rows.total >= 79
    assert rows.share == 1.0, rows.misses


@pytest.mark.slow
@pytest.mark.browser
def test_a_folder_of_every_format_builds(forms, tmp_path):
    corpus = tmp_path / "mixed"
    corpus.mkdir()
    names = sorted(p.stem for p in CORPUS.glob("t0*.txt"))
    for k, name in enumerate(names):  # each document once, in turn as text, HTML, Word and PDF
        form = ("txt",) + FORMS
        source = CORPUS / f"{name}.txt" if k % 4 == 0 else forms[form[k % 4]] / f"{name}.{form[k % 4]}"
        (corpus / source.name).write_bytes(source.read_bytes())
    report = Builder(progress=False).build(corpus, tmp_path / "store")
    assert len(report.documents) == len(names) and not report.failures
    store = KnowledgeStore.open(tmp_path / "store", read_only=True)
    rows = list(store.query("""PREFIX mz: <https://w3id.org/mzkg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dcat: <http://www.w3.org/ns/dcat#>
        SELECT DISTINCT ?name ?sha ?type ?activity ?version WHERE { ?d mz:originalFile ?f ; prov:wasGeneratedBy ?activity .
        ?f mz:fileName ?name ; mz:sha256 ?sha ; dcat:mediaType ?type . ?activity prov:used ?f ; mz:loaderVersion ?version ;
        prov:startedAtTime ?started }"""))
    assert sorted(r["name"].value for r in rows) == sorted(p.name for p in corpus.iterdir())
    assert {r["type"].value.rsplit("/", 2)[-2] for r in rows} == {"text", "application"}
    assert len({r["activity"].value for r in rows}) == 1  # one build, one activity
    for r in rows:
        assert store.original(r["sha"].value).read_bytes() == (corpus / r["name"].value).read_bytes()


# bad files ---------------------------------------------------------------------------
def _encrypted_pdf() -> bytes:
    """A PDF whose standard security handler wants a password (its /O and /U match none)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
               b"<< /Filter /Standard /V 1 /R 2 /O <" + b"ab" * 32 + b"> /U <" + b"cd" * 32 + b"> /P -4 >>"]
    return _pdf(objects, b"/Encrypt 4 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]")


def _textless_pdf() -> bytes:
    """A PDF with one page that draws a square and says nothing: a scan without its text layer."""
    drawing = b"0 0 m 100 0 l 100 100 l 0 100 l f"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n" % len(drawing) + drawing + b"\nendstream"]
    return _pdf(objects)


def _pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for k, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % k + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1) + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _corrupt_docx(tmp_path) -> bytes:
    good = tmp_path / "good.docx"
    import docx

    docx.Document().save(good)
    return good.read_bytes()[:300]


def _zip_of_something_else(tmp_path) -> bytes:
    target = tmp_path / "other.zip"
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("readme.txt", "不是文件")
    return target.read_bytes()


BAD = {
    "corrupt.docx": (lambda tmp: _corrupt_docx(tmp), "damaged zip archive"),
    "archive.docx": (lambda tmp: _zip_of_something_else(tmp), "zip archive, not a Word document"),
    "locked.pdf": (lambda tmp: _encrypted_pdf(), "encrypted (password-protected) PDF"),
    "scan.pdf": (lambda tmp: _textless_pdf(), "PDF without a text layer"),
    "broken.pdf": (lambda tmp: b"%PDF-1.4\n" + b"\x00garbage" * 50, "damaged PDF"),
    "chrome.html": (lambda tmp: "<html><body><nav><a href='/'>首页</a></nav><div class='footer'><a href='/'>网站地图</a></div>"
                                "</body></html>".encode(), "HTML page without content"),
    "old.doc": (lambda tmp: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "save it as .docx or PDF"),
    "letter.rtf": (lambda tmp: b"{\\rtf1\\ansi hello}", "RTF file"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_file_gets_one_line_naming_it_and_the_reason(tmp_path, name):
    make, reason = BAD[name]
    with pytest.raises(DocumentError) as raised:
        load_bytes(make(tmp_path), name)
    message = str(raised.value)
    assert message.startswith(f"{name}: ") and reason in message and "\n" not in message


@pytest.mark.slow
def test_a_bad_file_changes_nothing(built, tmp_path):
    store_path = tmp_path / "store"
    KnowledgeStore.open(built[0], read_only=True).backup(store_path)
    store = KnowledgeStore.open(store_path)
    before, generation = len(list(store.quads())), store.generation
    originals = sorted((store_path / "originals").iterdir()) if (store_path / "originals").exists() else []
    good = CORPUS / "t01_hubei_province_five_year_plan.txt"
    bad = tmp_path / "locked.pdf"
    bad.write_bytes(_encrypted_pdf())
    with pytest.raises(DocumentError, match="locked.pdf: is an encrypted"):
        Builder(store.base, progress=False).load([good, bad], store)
    assert len(list(store.quads())) == before and store.generation == generation
    assert (sorted((store_path / "originals").iterdir()) if (store_path / "originals").exists() else []) == originals


# the HTML reader on portal layouts -----------------------------------------------------
PORTAL = """<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>某县民政局关于印发养老服务补贴实施办法的通知_某县人民政府</title></head><body>
<!-- saved from url=(0045)https://www.example.gov.cn/zwgk/2024/0301.html -->
<div class="head"><a href="/">首页</a><a href="/zwgk/">政务公开</a><a href="/bsfw/">办事服务</a></div>
<div class="wrap"><div class="crumb">您所在的位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a></div>
<table class="xxgk"><tr><td>索引号：</td><td>000000000/2024-00012</td><td>发文机关：</td><td>{county}民政局</td></tr>
<tr><td>发文字号：</td><td>{short}民发〔2024〕3号</td><td>成文日期：</td><td>2024年02月26日</td></tr></table>
<h1 class="title">{county}民政局关于印发《{county}困难老年人养老服务补贴实施办法》的通知</h1>
<div class="TRS_Editor"><p>各乡镇人民政府：</p><p>现将《{county}困难老年人养老服务补贴实施办法》印发给你们，请认真执行。</p>
<p style="text-align:right">{county}民政局</p><p style="text-align:right">2024年2月26日</p>
<p>{county}困难老年人养老服务补贴实施办法</p><p>一、补贴对象</p><p>本县户籍的低保、特困家庭中的失能、半失能老年人。</p>
<p>二、补贴标准</p><p>（一）失能老年人每人每月补贴不低于200元。</p><p>（二）半失能老年人每人每月补贴不低于100元。</p>
<p>三、工作要求</p><p>各乡镇要建立补贴对象台账，按月发放，到2025年底实现补贴对象应补尽补。</p></div>
<div class="share">分享：<a href="#">微信</a></div></div>
<div class="footer">主办：{county}人民政府办公室　技术支持：某某公司　<a href="/">网站地图</a></div></body></html>"""


def test_a_portal_page_gives_its_title_fields_and_address():
    page = PORTAL.format(county="安吉县", short="安").encode("gb18030")
    doc = load_bytes(page, "saved-page.htm")
    meta = doc.metadata
    assert meta.title == "安吉县困难老年人养老服务补贴实施办法"
    assert meta.document_number == "安民发〔2024〕3号" and meta.issuers == ["安吉县民政局"]
    assert meta.issued == "2024-02-26" and meta.jurisdiction.code.startswith("330523")
    assert doc.original.media_type == "text/html" and doc.original.url == "https://www.example.gov.cn/zwgk/2024/0301.html"
    text = read(page, "p").text
    assert "网站地图" not in text and "分享" not in text and "政务公开" not in text  # the page's chrome stays out


def test_a_file_is_read_by_what_it_holds_not_by_its_name(tmp_path):
    page = PORTAL.format(county="安吉县", short="安").encode("utf-8")
    assert sniff(page, "x.txt").key == "html"
    assert sniff("一、总体要求\n".encode(), "x.html").key == "text"
    assert load_bytes(page, "misnamed.txt").original.media_type == "text/html"


def test_a_page_laid_out_by_a_table_is_read_as_its_paragraphs():
    paragraphs = "".join(f"<p>（{n}）第{n}项工作要求：各地要按照规定程序做好困难群众的认定、审核和资金发放工作，确保应保尽保。</p>"
                         for n in "一二三四五")
    page = (f"<html><body><table><tr><td><a href='/'>首页</a></td><td><p>某市民政局关于做好困难群众救助工作的通知</p>{paragraphs}</td></tr>"
            "<tr><td><a href='/'>网站地图</a></td><td>版权所有</td></tr></table></body></html>")
    source = read(page.encode(), "layout.html")
    assert not source.tables
    assert "\n（三）第三项工作要求" in source.text


def test_text_pasted_into_a_pre_keeps_its_lines():
    page = ("<html><body><div class='nav'><a href='/'>首页</a></div><pre>某县民政局2024年工作要点\n一、兜牢民生底线\n"
            "1.全年城乡低保标准提高5%以上。\n2.新增养老床位200张。</pre></body></html>")
    assert read(page.encode(), "pasted.html").text.splitlines()[1:3] == ["一、兜牢民生底线", "1.全年城乡低保标准提高5%以上。"]


def test_a_pipe_a_device_or_an_oversized_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    import os

    from mzkg.loaders import load_file

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(DocumentError, match=r"pipe.txt: is not a regular file"):
        load_file(fifo)  # returns at once: nothing is written into the pipe
    with pytest.raises(DocumentError, match=r"zero: is not a regular file"):
        load_file("/dev/zero")
    monkeypatch.setenv("KG_MAX_DOCUMENT_BYTES", "1000")
    big = tmp_path / "big.txt"
    big.write_bytes("一、总体要求\n".encode() * 200)
    with pytest.raises(DocumentError, match=r"big.txt: the file is 0.0 MB \(3,800 bytes\); documents up to 1,000 bytes are read"):
        load_file(big)
    monkeypatch.setenv("KG_MAX_DOCUMENT_BYTES", "100000")
    monkeypatch.setenv("KG_MAX_TEXT_CHARACTERS", "1000")
    with pytest.raises(DocumentError, match=r"big.txt: its text is 1,400 characters long; documents up to 1,000 characters are read"):
        load_file(big)  # a file within its size limit whose text would cost too much to read


def test_a_text_without_chinese_is_not_a_document():
    with pytest.raises(DocumentError, match=r"^passwd: holds 0 Chinese characters; .*not loaded$"):
        load_bytes(b"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n", "passwd")
