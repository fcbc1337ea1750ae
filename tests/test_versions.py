"""A different text of a document the store holds is a new version: the document's IRI stays, the text
it replaces is kept in a graph of its own and shown on the document page, and queries by class see only
the latest text. The same text loaded again is no new version."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mzkg.kg.build import Builder
from mzkg.kg.store import KnowledgeStore
from mzkg.server import create_app

CORPUS = Path(__file__).resolve().parent / "corpus"
MZ = "https://w3id.org/mzkg/ontology#"
PROV = "http://www.w3.org/ns/prov#"
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def revised(original: Path, folder: Path, n: int) -> Path:
    """The same document with one sentence of its text changed (a corrected republication)."""
    text = original.read_text("utf-8")
    lines = text.splitlines(keepends=True)
    longest = max(range(len(lines)), key=lambda i: len(lines[i]))
    lines[longest] = lines[longest].rstrip("\n") + "（修订）" * n + "\n"
    path = folder / f"{original.stem}-rev{n}.txt"
    path.write_text("".join(lines), "utf-8")
    return path


def count(store: KnowledgeStore, sparql: str) -> int:
    return int(next(iter(store.query(sparql)))["n"].value)


def load(store_path: Path, path: Path):
    store = KnowledgeStore.open(store_path)
    try:
        return Builder(store.base, progress=False).load([path], store)
    finally:
        store.lock.release()


@pytest.fixture
def store(tmp_path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("t02_weifang_city_five_year_plan.txt", "t03_anji_county_five_year_plan.txt"):
        shutil.copy(CORPUS / name, corpus / name)
    Builder(progress=False).build(corpus, tmp_path / "store")
    return tmp_path / "store"


def test_a_new_text_is_a_new_version_and_the_old_one_is_kept(store, tmp_path):
    original = CORPUS / "t02_weifang_city_five_year_plan.txt"
    opened = KnowledgeStore.open(store, read_only=True)
    targets = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?t a <{MZ}IndicatorTarget> }}"
    documents = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?d a <{MZ}PolicyDocument> }}"
    before = count(opened, targets), count(opened, documents)

    same = load(store, original)
    assert same.revisions == []  # the same file again replaces its graph in place

    first, second = load(store, revised(original, tmp_path, 1)), load(store, revised(original, tmp_path, 2))
    assert len(first.revisions) == len(second.revisions) == 1
    revision = second.revisions[0]
    assert revision.document == first.revisions[0].document and revision.number == 2
    assert str(revision).startswith("new version of ") and "→" in str(revision) and "triples" in str(revision)

    opened = KnowledgeStore.open(store, read_only=True)
    assert (count(opened, targets), count(opened, documents)) == before  # old texts are not counted again
    doc = revision.document
    chain = [row["v"].value for row in opened.query(
        f"SELECT ?v WHERE {{ <{doc}> <{PROV}wasRevisionOf>+ ?v }}")]
    assert sorted(chain) == [f"{doc}/version/1", f"{doc}/version/2"]
    assert count(opened, f"""SELECT (COUNT(*) AS ?n) WHERE {{ ?v a <{MZ}DocumentVersion> ;
        <http://purl.org/dc/terms/isVersionOf> <{doc}> ; <{MZ}versionNumber> ?k ; <{MZ}fullText> ?text }}""") == 2
    # each old text keeps its parts, under its own IRIs, and the file it was read from
    for number in (1, 2):
        version = f"{doc}/version/{number}"
        parts = count(opened, f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p <{MZ}inDocument> <{version}> }}")
        assert parts > 50
        sha = next(iter(opened.query(f"SELECT ?s WHERE {{ <{version}> <{MZ}originalFile>/<{MZ}sha256> ?s }}")))["s"].value
        assert opened.original(sha) is not None
    # the current text is the latest file
    assert "（修订）（修订）" in next(iter(opened.query(f"SELECT ?t WHERE {{ <{doc}> <{MZ}fullText> ?t }}")))["t"].value


def test_the_document_page_shows_its_history(store, tmp_path):
    original = CORPUS / "t02_weifang_city_five_year_plan.txt"
    doc = load(store, revised(original, tmp_path, 1)).revisions[0].document
    client = create_app(store).test_client()
    path = "/" + doc.split("/id/", 1)[1]
    page = client.get(path, headers=HTML).get_data(as_text=True)
    assert "History" in page and f'href="{path}/version/1"' in page and "version 1" in page
    old = client.get(path + "/version/1", headers=HTML)
    assert old.status_code == 200
    text = old.get_data(as_text=True)
    assert "History" in text and 'class="shown"' in text and "（修订）" not in text


def test_a_killed_or_failed_load_of_a_new_version_keeps_the_old_text(store, tmp_path, monkeypatch):
    original = CORPUS / "t02_weifang_city_five_year_plan.txt"

    def fail(self):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(KnowledgeStore, "publish", fail)
    with pytest.raises(OSError):
        load(store, revised(original, tmp_path, 1))
    monkeypatch.undo()
    writer = KnowledgeStore.open(store)
    try:
        assert not any("/graph/version/" in name for name in writer.graph_names())  # the primary was put back
        assert not (store / "kg-undo.json").exists()
    finally:
        writer.lock.release()
