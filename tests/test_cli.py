"""The `kg` command as a user runs it."""
import csv
import io
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pyoxigraph import Dataset, RdfFormat, parse
from rdflib import Graph


def kg(*args, check=True):
    result = subprocess.run([sys.executable, "-m", "mzkg.kg.cli", *map(str, args)], capture_output=True)
    if check and result.returncode != 0:
        raise AssertionError(result.stderr.decode())
    return result


@pytest.mark.slow
def test_build_prints_a_summary_per_document(tmp_path, corpus_paths):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(corpus_paths["东莞市"], corpus / "x.txt")
    out = kg("build", "--corpus", corpus, "--store", tmp_path / "store").stdout.decode()
    assert "关于全面加强民政工作的意见" in out
    line = next(l for l in out.splitlines() if l.startswith("关于全面加强"))
    assert line.split()[1:4] == ["10", "25", "2"]  # sections, measures, targets
    assert "sections" in out and "triples" in out


@pytest.mark.slow
def test_query_by_saved_name_in_every_result_format(built):
    store = built[0]
    out = kg("query", "plans", "--store", store).stdout.decode()
    assert len(list(csv.DictReader(io.StringIO(out)))) == 5
    data = json.loads(kg("query", "plans", "--store", store, "--format", "json").stdout)
    assert len(data["results"]["bindings"]) == 5
    assert kg("query", "plans", "--store", store, "--format", "tsv").stdout.startswith(b"?plan\t")
    assert b"<sparql" in kg("query", "plans", "--store", store, "--format", "xml").stdout


def test_query_text_and_graph_formats(built):
    store = built[0]
    construct = "CONSTRUCT { ?d ?p ?o } WHERE { ?d a <https://w3id.org/mzkg/ontology#PolicyOpinion> ; ?p ?o }"
    ttl = kg("query", construct, "--store", store).stdout
    assert len(Graph().parse(data=ttl, format="turtle")) > 5
    nt = kg("query", construct, "--store", store, "--format", "nt").stdout
    assert len(Graph().parse(data=nt, format="nt")) == len(Graph().parse(data=ttl, format="turtle"))


def test_query_with_a_parameter(built, tmp_path):
    rq = tmp_path / "doc.rq"
    rq.write_text("# title: One document\n# description: d\n# param: doc iri  a document\n"
                  "SELECT ?doc ?title WHERE { ?doc <http://purl.org/dc/terms/title> ?title }\n", "utf-8")
    store = built[0]
    doc = next(d.iri for d in built[1].documents if d.metadata.jurisdiction.name == "十堰市")
    out = kg("query", rq, "--store", store, "--param", f"doc={doc}").stdout.decode()
    assert out.splitlines() == ["doc,title", f"{doc},十堰市2025年民政工作要点"]
    bad = kg("query", rq, "--store", store, "--param", "doc=not an iri", check=False)
    assert bad.returncode == 1 and b"not a valid iri" in bad.stderr


def test_query_errors_are_one_clear_line(built):
    result = kg("query", "SELECT WHERE {", "--store", built[0], check=False)
    assert result.returncode == 1 and result.stderr.decode().startswith("kg query: SPARQL syntax error")
    missing = kg("query", "plans", "--store", "/nonexistent/store", check=False)
    assert missing.returncode == 1 and b"kg build" in missing.stderr


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["trig", "nq", "jsonld"])
def test_export_parses_back(built, fmt):
    out = kg("export", "--store", built[0], "--format", fmt).stdout
    formats = {"trig": RdfFormat.TRIG, "nq": RdfFormat.N_QUADS, "jsonld": RdfFormat.JSON_LD}
    assert len(Dataset(parse(out, formats[fmt]))) > 40000


@pytest.mark.slow
def test_export_one_graph_as_turtle(built):
    doc = built[1].documents[0]
    out = kg("export", "--store", built[0], "--format", "ttl", "--graph", doc.graph_iri).stdout
    assert len(Graph().parse(data=out, format="turtle")) == doc.summary["triples"]
    assert kg("export", "--store", built[0], "--graph", "https://nope/", check=False).returncode == 1


@pytest.mark.slow
def test_validate(built):
    out = kg("validate", "--store", built[0]).stdout.decode()
    assert "conforms" in out


def test_list_saved_queries():
    out = kg("queries").stdout.decode()
    assert {"plans", "measures", "projects"} <= {line.split()[0] for line in out.splitlines()}


@pytest.mark.slow
def test_load_records_where_a_file_was_published(tmp_path, corpus_paths):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(corpus_paths["东莞市"], corpus / "x.txt")
    store = tmp_path / "store"
    kg("build", "--corpus", corpus, "--store", store)
    bad = kg("load", corpus_paths["南平市"], "--store", store, "--source-url", "not an address", check=False)
    assert bad.returncode != 0 and bad.stderr.decode().count("\n") == 1 and "--source-url" in bad.stderr.decode()
    url = "https://www.example.gov.cn/zwgk/2022/0101.html"
    kg("load", corpus_paths["南平市"], "--store", store, "--source-url", url)
    out = kg("query", f"SELECT ?d WHERE {{ ?d <http://purl.org/dc/terms/source> <{url}> }}", "--store", store).stdout.decode()
    assert len(out.strip().splitlines()) == 2  # the header and the one document
    activities = kg("query", "SELECT DISTINCT ?a ?l WHERE { ?d <http://www.w3.org/ns/prov#wasGeneratedBy> ?a . "
                             "?a <http://www.w3.org/2000/01/rdf-schema#label> ?l }", "--store", store).stdout.decode()
    assert "kg build" in activities and "kg load" in activities


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["kill", "term"])
def test_a_build_that_is_stopped_leaves_no_process_behind(tmp_path, how):
    corpus = Path(__file__).resolve().parent / "corpus"
    build = subprocess.Popen([sys.executable, "-m", "mzkg.kg.cli", "build", "--corpus", str(corpus), "--store",
                              str(tmp_path / "store"), "--keep-going"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children: set[int] = set()
    deadline = time.monotonic() + 60
    while len(children) < 2 and time.monotonic() < deadline and build.poll() is None:
        children = set(_children(build.pid))
        time.sleep(0.05)
    assert len(children) >= 2, "the build's workers never started"
    build.send_signal(how)
    build.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in children if _alive(pid)]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_load_refuses_a_news_report_unless_forced(tmp_path, corpus_paths):
    news = Path(__file__).parent / "corpus" / "s09_binchuan_work_meeting_news.txt"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(corpus_paths["东莞市"], corpus / "x.txt")
    store = tmp_path / "store"
    kg("build", "--corpus", corpus, "--store", store, "--quiet")
    refused = kg("load", news, "--store", store, check=False)
    message = refused.stderr.decode().strip()
    assert refused.returncode != 0 and len(message.splitlines()) == 1, message
    assert news.name in message and "not a policy document" in message and "--force" in message
    documents = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?d <http://purl.org/dc/terms/title> ?t } }"
    before = kg("query", documents, "--store", store).stdout.decode()
    forced = kg("load", news, "--store", store, "--force")
    assert "not a policy document" in forced.stdout.decode() + forced.stderr.decode()
    assert kg("query", documents, "--store", store).stdout.decode() != before
