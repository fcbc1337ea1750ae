"""`kg serve` for real: Granian on loopback, queried by SPARQLWrapper (a real client) and driven in
Debian's Chromium by Playwright for the editor, a saved query, an entity page and the indicator chart.
Screenshots are kept in test-artifacts/."""
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from SPARQLWrapper import CSV, JSON, TURTLE, SPARQLWrapper

from mzkg.kg.build import Builder

from helpers import CHROMIUM_ARGS, ensure_chromium, free_port, part_path, wait_for

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def start(store, port, workers=2, output=subprocess.PIPE, **env):
    """`kg serve`; its output in a pipe read after it ends, so a test making many requests (one log line
    each) passes output=subprocess.DEVNULL: a full pipe would stop the server."""
    return subprocess.Popen([sys.executable, "-m", "mzkg.kg.cli", "serve", "--store", str(store), "--port", str(port),
                             "--workers", str(workers)], stdout=output, stderr=subprocess.STDOUT,
                            env=dict(os.environ, **env))


@pytest.fixture(scope="module")
def server(built):
    port = free_port()
    process = start(built[0], port, KG_QUERY_TIMEOUT="4")
    url = f"http://127.0.0.1:{port}"
    wait_for(url + "/sparql", process, "kg serve")
    yield url
    process.terminate()
    process.wait(timeout=20)


def test_serve_prints_its_url_and_answers_sparqlwrapper(server):
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery("SELECT ?plan ?title WHERE { ?plan a <https://w3id.org/mzkg/ontology#PolicyDocument> ; "
                    "<http://purl.org/dc/terms/title> ?title }")
    client.setReturnFormat(JSON)
    bindings = client.queryAndConvert()["results"]["bindings"]
    assert {b["title"]["value"] for b in bindings} >= {"武汉市民政事业发展“十四五”规划", "关于全面加强民政工作的意见"}
    client.setMethod("POST")
    client.setReturnFormat(CSV)
    assert b"plan,title" in client.queryAndConvert()


def test_sparqlwrapper_construct_and_ask(server):
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery("CONSTRUCT { ?u ?p ?o } WHERE { ?u ?p ?o FILTER(?u = <https://w3id.org/mzkg/id/unit/420100000000>) }")
    client.setReturnFormat(TURTLE)
    graph_text = client.queryAndConvert()
    assert b"420100000000" in graph_text
    client.setQuery("ASK { ?s a <https://w3id.org/mzkg/ontology#IndicatorTarget> }")
    client.setReturnFormat(JSON)
    assert client.queryAndConvert()["boolean"] is True


def test_a_runaway_query_does_not_hold_up_other_requests(server):
    import threading
    import urllib.error
    import urllib.parse

    runaway = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    outcome = {}

    def slow():
        try:
            urllib.request.urlopen(f"{server}/sparql?query={runaway}", timeout=30)
            outcome["status"] = 200
        except urllib.error.HTTPError as error:
            outcome["status"] = error.code

    thread = threading.Thread(target=slow)
    started = time.monotonic()
    thread.start()
    time.sleep(0.5)
    quick = urllib.request.urlopen(server + "/sparql?query=ASK%7B%7D", timeout=10)
    assert quick.status == 200 and time.monotonic() - started < 3.5   # answered while the runaway runs
    thread.join(timeout=30)
    assert outcome["status"] == 503
    assert urllib.request.urlopen(server + "/healthz", timeout=10).status == 200   # and afterwards


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _open_slow_body(port: int):
    """A client that announces a POST body of 1,000 bytes and sends it a byte a second."""
    import socket

    connection = socket.create_connection(("127.0.0.1", port))
    connection.sendall(b"POST /sparql HTTP/1.1\r\nHost: t\r\nContent-Type: application/sparql-query\r\n"
                       b"Content-Length: 1000\r\n\r\n")
    return connection


def test_static_files_and_cached_pages_answer_under_runaway_queries_and_slow_bodies(built):
    import threading
    import urllib.error
    import urllib.parse

    port = free_port()
    process = start(built[0], port, workers=1, output=subprocess.DEVNULL, KG_QUERY_TIMEOUT="8", KG_CLIENT_QUERIES="0",
                    KG_BODY_TIMEOUT="5")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/sparql", process, "kg serve")
        cached = url + "/queries/indicator-targets"
        assert urllib.request.urlopen(cached, timeout=30).status == 200   # now in the (one) worker's answer cache
        stop = threading.Event()
        statuses = []

        def runaway():
            while not stop.is_set():
                try:
                    urllib.request.urlopen(f"{url}/sparql?query={urllib.parse.quote(RUNAWAY)}", timeout=60)
                    statuses.append(200)
                except urllib.error.HTTPError as error:
                    statuses.append(error.code)

        def slow_body():
            connection = _open_slow_body(port)
            try:
                while not stop.wait(1):
                    connection.sendall(b"A")
            except OSError:  # cut off at the body deadline: come back
                connection.close()
                if not stop.is_set():
                    slow_body()

        threads = [threading.Thread(target=runaway) for _ in range(20)] + \
                  [threading.Thread(target=slow_body) for _ in range(10)]
        for thread in threads:
            thread.start()
        time.sleep(2)
        times = []
        for k in range(30):
            started = time.monotonic()
            with urllib.request.urlopen(url + ("/static/style.css" if k % 2 else "/queries/indicator-targets"), timeout=30):
                times.append(time.monotonic() - started)
            time.sleep(0.2)
        stop.set()
        for thread in threads:
            thread.join(timeout=70)
        times.sort()
        assert times[int(len(times) * 0.9)] < 1.0, times
        assert statuses and set(statuses) <= {503}, set(statuses)   # the runaways were stopped, not answered
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_client_has_a_bounded_number_of_queries_at_once(built):
    import threading
    import urllib.error
    import urllib.parse

    port = free_port()
    process = start(built[0], port, workers=1, output=subprocess.DEVNULL, KG_QUERY_TIMEOUT="3", KG_CLIENT_QUERIES="2")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/sparql", process, "kg serve")
        statuses = []

        def runaway():
            try:
                urllib.request.urlopen(f"{url}/sparql?query={urllib.parse.quote(RUNAWAY)}", timeout=30)
                statuses.append(200)
            except urllib.error.HTTPError as error:
                statuses.append((error.code, error.headers.get("Retry-After")))

        threads = [threading.Thread(target=runaway) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(statuses, key=str) == [(429, "5")] * 3 + [(503, None)] * 2, statuses
    finally:
        process.terminate()
        process.wait(timeout=30)


def children(pid: int) -> set[int]:
    """The processes whose parent is pid (read from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def test_a_worker_that_dies_is_replaced(built):
    import signal

    port = free_port()
    process = start(built[0], port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/sparql", process, "kg serve")
        workers = lambda: children(process.pid)
        before = workers()
        assert len(before) == 2
        os.kill(min(before), signal.SIGKILL)
        deadline = time.time() + 30
        while time.time() < deadline and not (len(workers()) == 2 and workers() != before):
            time.sleep(0.5)
        wait_for(url + "/sparql", process, "kg serve after the replacement", seconds=30)  # the new worker may still be starting
        after = workers()
        assert len(after) == 2 and after != before and process.poll() is None, after
    except AssertionError as failure:
        process.terminate()
        raise AssertionError(f"{failure}\nkg serve said:\n{process.communicate(timeout=30)[0].decode()[-3000:]}") from None
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_sigterm_shuts_down_cleanly_and_requests_are_logged(built):
    import json
    import signal

    port = free_port()
    process = start(built[0], port)
    url = f"http://127.0.0.1:{port}"
    wait_for(url + "/sparql", process, "kg serve")
    urllib.request.urlopen(url + "/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%207", timeout=10)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    lines = [json.loads(line) for line in process.stdout.read().decode().splitlines() if line.startswith("{")]
    logged = [l for l in lines if l["path"] == "/sparql" and l["rows"] == 7]
    assert logged and logged[0]["status"] == 200 and logged[0]["queries"] == 1 and logged[0]["query_ms"] >= 0


def test_serve_builds_the_bundled_corpus_when_there_is_no_store(tmp_path):
    import json
    import signal

    port = free_port()
    process = start(tmp_path / "new-store", port)
    url = f"http://127.0.0.1:{port}"
    wait_for(url + "/sparql", process, "kg serve", seconds=180)
    health = json.loads(urllib.request.urlopen(url + "/healthz", timeout=10).read())
    assert health["generation"] == 1 and health["triples"] > 40000
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    output = process.stdout.read().decode()
    assert "building it from the bundled corpus" in output and f"Serving {tmp_path / 'new-store'} at {url}/" in output


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=ensure_chromium(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.failed = []
        page.on("requestfailed", lambda r: page.failed.append(r.url))
        page.on("response", lambda r: page.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        yield page
        browser.close()


@pytest.mark.browser
def test_editor_runs_a_typed_query(server, page):
    page.goto(server + "/editor")
    page.wait_for_selector(".CodeMirror")
    query = ("PREFIX mz: <https://w3id.org/mzkg/ontology#>\nSELECT ?target ?v WHERE { ?target mz:indicatorLabel ?l ; "
             "mz:targetValue ?v FILTER(CONTAINS(?l, \"护理型床位\")) }")
    page.evaluate("q => window.mzkgEditor.getTab().getYasqe().setValue(q)", query)
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table tbody tr")
    assert page.locator(".yasr table tbody tr").count() >= 8
    page.screenshot(path=str(ARTIFACTS / "editor.png"))
    assert not [u for u in page.failed if not u.startswith(server)]  # nothing fetched from outside


@pytest.mark.browser
def test_editor_loads_an_example(server, page):
    page.goto(server + "/editor")
    page.wait_for_selector(".CodeMirror")
    page.select_option("#examples", "citations")
    assert "mz:cites" in page.evaluate("() => window.mzkgEditor.getTab().getYasqe().getValue()")


@pytest.mark.browser
def test_saved_query_with_a_parameter(server, page):
    page.goto(server + "/queries/measures-by-group")
    page.fill("input[name=group]", "https://w3id.org/mzkg/id/group/orphans")
    page.click("form.params button")
    page.wait_for_selector("table.results tbody tr")
    rows = page.locator("table.results tbody tr")
    assert rows.count() >= 3
    assert "孤儿" in page.locator("table.results").inner_text()
    page.screenshot(path=str(ARTIFACTS / "saved-query.png"), full_page=True)


@pytest.mark.browser
def test_entity_page_links_to_its_passage(server, page, built):
    page.goto(server + part_path(built[0], "/doc/420100-plan-2021-2025-173a49595f5e3d4ffa06bcb94dd98e86", "Measure", 3))
    assert page.locator("section.passage mark").inner_text().startswith("完善")
    page.click("section.passage a")
    page.wait_for_load_state()
    assert "/doc/420100-plan-2021-2025-173a49595f5e3d4ffa06bcb94dd98e86#o" in page.url
    assert page.locator(".fulltext").is_visible()
    page.screenshot(path=str(ARTIFACTS / "document.png"))


@pytest.mark.browser
def test_indicator_chart_draws_every_plan(server, page):
    page.goto(server + "/indicator/nursing-bed-share")
    page.wait_for_selector("#charts[data-ready=true]")
    panels = page.locator("canvas.chart-panel")
    bars = sum(int(panels.nth(k).get_attribute("data-bars")) for k in range(panels.count()))
    assert bars >= 6
    drawn = page.evaluate("() => [...document.querySelectorAll('canvas.chart-panel')].flatMap(c => Chart.getChart(c).data.labels)")
    assert len(set(drawn)) == len(drawn) == bars
    assert any(label.startswith("武汉市 2025") for label in drawn) and any(label.startswith("景德镇市 2025") for label in drawn)
    units = page.evaluate("() => [...document.querySelectorAll('canvas.chart-panel')].map(c => Chart.getChart(c).options.scales.y.title.text)")
    assert len(set(units)) == len(units)  # one panel per unit, named on its axis
    page.locator("#comparison").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "indicator-comparison.png"))
    year = page.locator("#comparison thead th").nth(4)
    year.click()
    years = page.evaluate("() => [...document.querySelectorAll('#comparison tbody tr')].map(r => r.cells[4].textContent)")
    assert years == sorted(years, key=lambda y: int(y or 0))
    page.locator("#charts").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "indicator-chart.png"))
    box = page.locator("canvas.chart-panel").first.bounding_box()
    first = page.evaluate("() => { const c = Chart.getChart(document.querySelector('canvas.chart-panel'));"
                          " const m = c.getDatasetMeta(1).data.find(e => e && !e.skip && e.height > 0); return [m.x, m.y + 2]; }")
    page.mouse.click(box["x"] + first[0], box["y"] + first[1])
    page.wait_for_url("**/doc/**")
    assert "#o" in page.url  # a bar leads to the passage its value was read from


@pytest.mark.browser
def test_a_document_page_downloads_its_original_file(server, page, corpus_paths):
    page.goto(server + "/doc/420100-plan-2021-2025-173a49595f5e3d4ffa06bcb94dd98e86")
    link = page.locator("p.original a")
    assert link.is_visible() and link.inner_text() == corpus_paths["武汉市"].name
    page.locator("p.original").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "document-original.png"))
    with page.expect_download() as download:
        link.click()
    saved = download.value.path()
    assert open(saved, "rb").read() == corpus_paths["武汉市"].read_bytes()


@pytest.mark.browser
def test_a_phrase_is_found_in_every_document_and_read_in_place(server, page):
    page.goto(server + "/search")
    page.fill("form.search #q", "时间银行")
    page.click("form.search button")
    page.wait_for_selector("article.hit-document")
    assert page.locator("article.hit-document").count() == 3
    assert page.locator("ol.kwic mark").first.inner_text() == "时间银行"
    page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)
    page.locator("ol.kwic a").first.click()
    page.wait_for_load_state()
    anchor = page.url.rsplit("#", 1)[1]
    assert "时间银行" in page.locator(f"p#{anchor}").inner_text()
    assert not [u for u in page.failed if not u.startswith(server)]


@pytest.fixture(scope="module")
def city_and_province(tmp_path_factory, corpus_paths):
    """kg serve on a store holding a city's plan and its province's (one of the test corpus)."""
    corpus = tmp_path_factory.mktemp("levels")
    shutil.copy(corpus_paths["武汉市"], corpus / "city.txt")
    shutil.copy(Path(__file__).parent / "corpus" / "t01_hubei_province_five_year_plan.txt", corpus / "province.txt")
    store = corpus.parent / f"{corpus.name}-store"
    Builder(progress=False).build(corpus, store)
    port = free_port()
    process = start(store, port, output=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_for(url + "/sparql", process, "kg serve")
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.mark.browser
def test_a_citys_target_is_shown_beside_its_provinces(city_and_province, page):
    page.goto(city_and_province + "/indicator/nursing-bed-share")
    rows = page.locator("#comparison tbody tr")
    city = next(k for k in range(rows.count()) if rows.nth(k).locator("td").first.inner_text() == "武汉市"
                and rows.nth(k).locator("td").nth(10).inner_text().strip())
    assert "湖北省" in rows.nth(city).locator("td").nth(10).inner_text()  # the level above, in the table
    page.locator("#comparison").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "indicator-level-above.png"))
    rows.nth(city).locator("td").nth(3).locator("a").click()  # the city's target
    page.wait_for_load_state()
    above = page.locator("section.above tbody tr")
    assert above.count() >= 1 and "湖北省" in above.first.inner_text()
    assert any(word in above.first.inner_text() for word in ("高于上级", "低于上级", "与上级相同"))
    page.locator("section.above").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "target-level-above.png"))
    above.first.locator("td").nth(1).locator("a").click()  # to the province's target
    page.wait_for_load_state()
    assert page.locator("section.passage").is_visible() and "湖北" in page.locator("section.passage").inner_text()



@pytest.mark.browser
def test_a_saved_query_takes_a_city_by_its_name(server, page):
    page.goto(server + "/queries/binding-targets")
    field = page.locator("input[name=city]")
    field.click()
    page.keyboard.type("武汉")
    page.wait_for_selector("input[name=city][data-offered]")
    offered = page.evaluate("() => [...document.querySelectorAll('#choices-city option')].map(o => o.value)")
    assert "武汉市" in offered  # offered as the reader types
    field.fill("武汉市")
    page.click("form.params button")
    page.wait_for_load_state()
    assert int(page.locator("p.count").inner_text().split()[0]) > 0
    page.screenshot(path=str(ARTIFACTS / "picker-by-name.png"))
    page.goto(server + "/queries/binding-targets?city=" + "不存在")
    assert page.locator("p.error").is_visible() and page.locator("input[name=city]").input_value() == "不存在"


@pytest.mark.browser
def test_a_target_read_from_a_table_leads_to_its_row(server, page):
    page.goto(server + "/indicator/nursing-bed-share")
    rows = page.locator("#comparison tbody tr")
    k = next(k for k in range(rows.count()) if rows.nth(k).locator("td").first.inner_text() == "景德镇市"
             and rows.nth(k).locator("td").nth(9).inner_text().strip())  # a binding target: from the indicator table
    rows.nth(k).locator("td").nth(11).locator("a").click()
    page.wait_for_load_state()
    assert page.evaluate("() => document.querySelector(':target').tagName") == "TR"  # the row, in a table
    cells = page.evaluate("() => document.querySelector(':target').cells.length")
    assert cells >= 4
    page.screenshot(path=str(ARTIFACTS / "document-table-row.png"))
