"""Benchmarks, run side by side in one run on one machine; medians and ratios, not single times.

    python bench/run.py [--sizes 10,100] [--repeat 20] [--out docs/performance.md] [--serving-only]

Query serving: the same snapshot and the same queries (every saved query with default
parameters, and ad-hoc queries: a label search, a two-hop join, an aggregate over all targets,
a DESCRIBE) through (a) pyoxigraph in process, (b) Oxigraph's own `oxigraph serve-read-only`
(PyPI package `oxigraph`) on the same store files, (c) `kg serve`. (b) and (c) get the same
HTTP client, at concurrency 1 and 16. Ad-hoc queries carry a distinct comment on every request,
so (c)'s answer cache cannot serve them; saved queries are sent as written, as the gallery does.
The fixed cost of a request, with `ASK {}` (no work at all): Oxigraph's server, Granian alone with the
settings of `kg serve` answering a fixed body (bench/bare_app.py), `kg serve` with the answer in its cache,
and `kg serve` with a distinct comment each time, so the query goes to a query process; and the hop to a
query process alone, without HTTP, after pauses of different lengths.

Search: the text index's build time for each synthetic corpus and `/search.json` latencies through
`kg serve` on the largest, at concurrency 1 and 16 (`--search-only`).

Formats: seconds per document to read and load (read, extract, write triples) each test document as
text, as a portal page (HTML), as a Word file and as a PDF printed by Chromium, the forms taking turns
document by document (`--formats-only` measures only this and rewrites its section of the report).

Build: the wall time of `kg build` of the bundled corpus as a user runs it (several runs), and
seconds per stage for the bundled corpus and for synthetic corpora made from it (the same
documents under other prefecture-level cities from the gazetteer, numbers varied), with how the
cost grows with the number of documents and the peak memory of each build (`--build-only` measures only
this and rewrites its section of the report).
"""
from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mzkg import queries  # noqa: E402
from mzkg.kg.build import Builder, bundled_corpus, corpus_files  # noqa: E402
from mzkg.kg.store import KnowledgeStore  # noqa: E402
from mzkg import settings  # noqa: E402
from mzkg.loaders.gazetteer import Gazetteer  # noqa: E402

BASE = "https://w3id.org/mzkg/id/"
DEFAULTS = {"compare-indicator": {"indicator": BASE + "indicator/nursing-bed-share"},
            "measures-by-group": {"group": BASE + "group/children"},
            "binding-targets": {"city": BASE + "unit/420100000000"},
            "projects-by-area": {"area": BASE + "area/elderly-care"}}
AD_HOC = {
    "label search": """SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(CONTAINS(?l, "养老")) }""",
    "two-hop join": """PREFIX mz: <https://w3id.org/mzkg/ontology#>
SELECT ?measure ?group ?plan WHERE { ?measure mz:serves ?group ; mz:inDocument ?plan . ?plan mz:jurisdiction ?unit }""",
    "aggregate over targets": """PREFIX mz: <https://w3id.org/mzkg/ontology#>
SELECT ?indicator (COUNT(?t) AS ?n) (AVG(?v) AS ?mean) WHERE { ?t a mz:IndicatorTarget ; mz:indicator ?indicator .
OPTIONAL { ?t mz:targetValue ?v } } GROUP BY ?indicator ORDER BY DESC(?n)""",
    "describe": f"""PREFIX mz: <https://w3id.org/mzkg/ontology#>
DESCRIBE ?m WHERE {{ ?m a mz:Measure ; mz:ordinal 3 ; mz:inDocument <{BASE}doc/420100-plan-2021-2025-173a49595f5e3d4ffa06bcb94dd98e86> }}""",
}


def saved_queries() -> dict[str, str]:
    texts = {}
    for q in queries.all_queries():
        text = q.text
        for name, value in DEFAULTS.get(q.name, {}).items():
            text += f"\nVALUES ?{name} {{ <{value}> }}"
        texts[q.name] = text
    return texts


# query serving -----------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(url: str, process: subprocess.Popen) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2)
            return
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"server exited: {process.stdout.read().decode()[-2000:]}")
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def http_get(url: str, query: str, accept: str) -> float:
    started = time.perf_counter()
    request = urllib.request.Request(url + "?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=120) as response:
        response.read()
    return time.perf_counter() - started


def measure(calls: dict, texts: list[str], concurrency: int) -> dict[str, dict]:
    """Latencies of one request per text through each of `calls`, with `concurrency` requests in
    flight. The systems take turns (request by request at concurrency 1, in rounds of 4×concurrency
    requests above, the order rotating), so a change in the machine's load falls on all of them alike."""
    latencies = {name: [] for name in calls}
    walls = dict.fromkeys(calls, 0.0)
    names = list(calls)
    step = 1 if concurrency == 1 else 4 * concurrency
    with ThreadPoolExecutor(concurrency) as pool:
        for turn, start in enumerate(range(0, len(texts), step)):
            chunk = texts[start:start + step]
            for name in names[turn % len(names):] + names[:turn % len(names)]:
                started = time.perf_counter()
                latencies[name] += [calls[name](t) for t in chunk] if concurrency == 1 else list(pool.map(calls[name], chunk))
                walls[name] += time.perf_counter() - started
    summary = {}
    for name, values in latencies.items():
        values.sort()
        summary[name] = {"p50": statistics.median(values) * 1000, "p95": values[int(0.95 * (len(values) - 1))] * 1000,
                         "throughput": len(values) / walls[name]}
    return summary


def accept_for(query: str) -> str:
    return "text/turtle" if re.match(r"\s*(DESCRIBE|CONSTRUCT)", query, re.I) else "application/sparql-results+json"


def serving(store_path: Path, repeat: int) -> list[dict]:
    store = KnowledgeStore.open(store_path, read_only=True)
    snapshot = store.opened
    cases = [("saved", name, text) for name, text in saved_queries().items()] + \
            [("ad-hoc", name, text) for name, text in AD_HOC.items()]
    oxi_port, kg_port, bare_port = free_port(), free_port(), free_port()
    workers = str(os.cpu_count() or 2)
    oxigraph = subprocess.Popen([shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph"),
                                 "serve-read-only", "--location", str(snapshot), "--bind", f"127.0.0.1:{oxi_port}",
                                 "--union-default-graph"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    ours = subprocess.Popen([sys.executable, "-m", "mzkg.kg.cli", "serve", "--store", str(store_path), "--port", str(kg_port),
                             "--workers", workers, "--client-queries", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=ROOT)
    bare = subprocess.Popen([sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(bare_port),
                             "--workers", workers, "--blocking-threads", str(settings.value("threads")), "--no-ws", "bench.bare_app:app"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=ROOT)
    endpoints = {"oxigraph": f"http://127.0.0.1:{oxi_port}/query", "kg serve": f"http://127.0.0.1:{kg_port}/sparql",
                 "bare": f"http://127.0.0.1:{bare_port}/"}
    try:
        for name, process in (("oxigraph", oxigraph), ("kg serve", ours), ("bare", bare)):
            wait(endpoints[name], process)
        for url in endpoints.values():  # start every worker's query processes
            measure({"": lambda q: http_get(url, q, "application/sparql-results+json")},
                    [f"ASK {{}} # warm-up {i}" for i in range(64)], 16)
        rows = []
        for kind, name, text in cases:
            accept = accept_for(text)
            def variants(n):  # ad-hoc: a distinct comment each time, so no cache can answer
                return [text + (f"\n# run {i}" if kind != "saved" else "") for i in range(n)]
            calls = {"a": lambda q: _in_process(store.store, q),
                     "b": lambda q: http_get(endpoints["oxigraph"], q, accept),
                     "c": lambda q: http_get(endpoints["kg serve"], q, accept)}
            for call in calls.values():
                call(text)  # warm up
            for concurrency in (1, 16):
                n = repeat if concurrency == 1 else 16 * max(2, repeat // 4)
                row = {"kind": kind, "query": name, "concurrency": concurrency, **measure(calls, variants(n), concurrency)}
                rows.append(row)
                print(f"{kind:7} {name:24} c={concurrency:<3} a={row['a']['p50']:7.2f} b={row['b']['p50']:7.2f} "
                      f"c={row['c']['p50']:7.2f} ms   c/b={row['c']['p50'] / row['b']['p50']:5.2f}", flush=True)
        return rows, fixed_cost(endpoints, repeat), hop_cost(store_path, repeat)
    finally:
        for process in (oxigraph, ours, bare):
            process.terminate()
            process.wait(timeout=30)


FIXED_COST = {"oxigraph": "(b) `oxigraph serve-read-only`",
              "bare": "Granian alone, a fixed body (bench/bare_app.py)",
              "cached": "(c) `kg serve`, the answer in its cache",
              "fresh": "(c) `kg serve`, the query run by a query process"}


def fixed_cost(endpoints: dict, repeat: int) -> list[dict]:
    """p50 latency of `ASK {}` through each of FIXED_COST, at concurrency 1 and 16."""
    accept = "application/sparql-results+json"
    calls = {"oxigraph": lambda q: http_get(endpoints["oxigraph"], q, accept),
             "bare": lambda q: http_get(endpoints["bare"], q, accept),
             "cached": lambda q: http_get(endpoints["kg serve"], "ASK {}", accept),
             "fresh": lambda q: http_get(endpoints["kg serve"], q, accept)}
    rows = []
    for concurrency in (1, 16):
        n = repeat if concurrency == 1 else 16 * max(2, repeat // 4)
        rows.append({"concurrency": concurrency, **measure(calls, [f"ASK {{}} # run {i}" for i in range(n)], concurrency)})
        print("ASK {} c=%d " % concurrency + " ".join(f"{name}={rows[-1][name]['p50']:.2f}" for name in calls), flush=True)
    return rows


HOP_PAUSES = (0.0, 0.001, 0.005)


def hop_cost(store_path: Path, repeat: int) -> dict[float, float]:
    """p50 milliseconds of `ASK {}` sent to a query process of a ProcessPool in this process (no
    HTTP), by the pause before each query: a query process that has gone to sleep has to be woken."""
    from mzkg.server.answers import Limits
    from mzkg.server.processes import ProcessPool

    runner = ProcessPool(KnowledgeStore.open(store_path, read_only=True).snapshot, timeout=30,
                         limits=Limits(rows=100_000, bytes=64 * 2**20), processes=2, start_seconds=60, wait=30)
    runner.start()
    formats = {"boolean": "json"}
    try:
        for i in range(100):  # warm up
            runner.answer(f"ASK {{}} # warm-up {i}", formats, {"use_default_graph_as_union": True})
        result = {}
        for pause in HOP_PAUSES:
            times = []
            for i in range(10 * repeat):
                time.sleep(pause)
                started = time.perf_counter()
                runner.answer(f"ASK {{}} # pause {pause} run {i}", formats, {"use_default_graph_as_union": True})
                times.append(time.perf_counter() - started)
            result[pause] = statistics.median(times) * 1000
        print("query process hop (ms) by pause:", result, flush=True)
        return result
    finally:
        runner.close()


def _in_process(store: ox.Store, query: str) -> float:
    started = time.perf_counter()
    result = store.query(query, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryTriples):
        result.serialize(format=ox.RdfFormat.TURTLE)
    else:
        result.serialize(format=ox.QueryResultsFormat.JSON)
    return time.perf_counter() - started


# build ---------------------------------------------------------------------------------
def synthetic_corpus(size: int, target: Path) -> Path:
    """`size` documents: the bundled ones under the names of other prefecture-level cities from the
    gazetteer, numbers varied. Once every city has had a document, the next round moves the years (and
    the five-year period) by five, so no two documents are the same document."""
    target.mkdir(parents=True, exist_ok=True)
    sources = [p.read_text("utf-8") for p in corpus_files(bundled_corpus())]
    cities = sorted((u for u in Gazetteer.default().units.values() if u.level == "prefecture" and u.short_names),
                    key=lambda u: u.code)
    random.Random(0).shuffle(cities)
    rounds = [0, -5, 5, -10, 10]
    if size > len(cities) * len(rounds):
        raise SystemExit(f"at most {len(cities) * len(rounds)} synthetic documents")
    originals = ["南平", "景德镇", "东莞", "東莞", "十堰", "武汉"]
    for k in range(size):
        text, city, years = sources[k % len(sources)], cities[k % len(cities)], rounds[k // len(cities)]
        for name in originals:
            text = text.replace(name + "市", city.name).replace(name, city.short_names[0])
        text = re.sub(r"(?<![\d.])(20[0-3]\d)(?=年|〕|\)|）|-|—|–)", lambda m: str(int(m.group(1)) + years), text)
        text = text.replace("十四五", f"十{'二三四五六'[2 + years // 5]}五")
        shift = k % 9 + 1
        text = re.sub(r"(?<![\d.])(\d{1,3})(?=%|个|张|家|所|人)", lambda m: str(int(m.group(1)) + shift), text)
        (target / f"synthetic-{k:04d}.txt").write_text(text, "utf-8")
    return target


def build_stages(corpus: Path, work: Path) -> dict:
    store = work / "store"
    started = time.perf_counter()
    report = Builder(progress=False).build(corpus, store, keep_going=True)
    total = time.perf_counter() - started
    shutil.rmtree(store, ignore_errors=True)
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return {"documents": len(report.documents), "failed": len(report.failures), "total": total,
            "stages": report.seconds, "peak_mb": peak / 1024}


def build_in_subprocess(corpus: Path, work: Path) -> dict:
    """Each build in a fresh interpreter, so its peak memory is its own."""
    code = ("import json,sys; sys.path.insert(0, %r); from bench.run import build_stages; from pathlib import Path; "
            "print(json.dumps(build_stages(Path(%r), Path(%r))))") % (str(ROOT), str(corpus), str(work))
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    import json

    return json.loads(output.strip().splitlines()[-1])


def kg_build_command(work: Path, runs: int) -> list[float]:
    """Wall seconds of `kg build` of the bundled corpus as a user runs it: interpreter start to exit."""
    times = []
    for i in range(runs):
        store = work / f"cli-{i}"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mzkg.kg.cli", "build", "--store", str(store), "--quiet"],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
        shutil.rmtree(store, ignore_errors=True)
    return times


# report --------------------------------------------------------------------------------
def write_report(out: Path, command: str, serving_rows: list[dict], fixed_rows: list[dict], hops: dict[float, float],
                 builds: list[tuple[str, dict]], command_runs: list[float]) -> None:
    lines = ["# Performance", "", f"Produced by `{command}` on this machine ({os.cpu_count()} cores), all systems side by side",
             "in one run. Latencies are medians (p50) and 95th percentiles in milliseconds; throughput in requests per",
             "second. (a) pyoxigraph in process, (b) `oxigraph serve-read-only` on the same snapshot, (c) `kg serve`",
             f"({os.cpu_count()} Granian workers, 2 query processes each). The systems take turns request by request",
             "(in rounds of 64 at concurrency 16), so changes in the machine's load fall on all alike. Ratios compare p50s.",
             "", "## Query serving", "",
             "| kind | query | conc. | (a) p50 | (b) p50 | (b) p95 | (b) req/s | (c) p50 | (c) p95 | (c) req/s | (c)/(b) | (c)/(a) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in serving_rows:
        a, b, c = r["a"], r["b"], r["c"]
        lines.append(f"| {r['kind']} | {r['query']} | {r['concurrency']} | {a['p50']:.2f} | {b['p50']:.2f} | {b['p95']:.2f} | "
                     f"{b['throughput']:.0f} | {c['p50']:.2f} | {c['p95']:.2f} | {c['throughput']:.0f} | "
                     f"{c['p50'] / b['p50']:.2f} | {c['p50'] / a['p50']:.2f} |")
    for kind in ("saved", "ad-hoc"):
        for conc in (1, 16):
            ratios = [r["c"]["p50"] / r["b"]["p50"] for r in serving_rows if r["kind"] == kind and r["concurrency"] == conc]
            if ratios:
                lines.append(f"\nMedian (c)/(b) for {kind} queries at concurrency {conc}: **{statistics.median(ratios):.2f}**")
    lines += ["", "## The fixed cost of a request", "",
              "`ASK {}`, which asks nothing of the store: p50 in milliseconds, and the ratio to Oxigraph's server.", "",
              "| through | " + " | ".join(f"c={r['concurrency']} p50 | ratio" for r in fixed_rows) + " |",
              "|---|" + "---|---|" * len(fixed_rows)]
    for name, label in FIXED_COST.items():
        lines.append(f"| {label} | " + " | ".join(f"{r[name]['p50']:.2f} | {r[name]['p50'] / r['oxigraph']['p50']:.2f}"
                                                  for r in fixed_rows) + " |")
    lines += ["", "Of that, the hop to a query process and back (the worker sends the query down a pipe and waits for the",
              "answer), measured without HTTP: `ASK {}` through a query runner in the benchmark's own process, by the pause",
              "before each query. Both sides look for the other's message for half a millisecond before they sleep, so",
              "queries in quick succession find the query process awake; after a pause it has to be woken.", "",
              "| pause before the query | " + " | ".join(f"{pause * 1000:g} ms" for pause in hops) + " |",
              "|---|" + "---|" * len(hops),
              "| hop p50 (ms) | " + " | ".join(f"{ms:.3f}" for ms in hops.values()) + " |"]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines + [""] + build_section(command, builds, command_runs)) + "\n", "utf-8")


BUILD_SECTION = "## Build"


def build_section(command: str, builds: list[tuple[str, dict]], command_runs: list[float]) -> list[str]:
    lines = [BUILD_SECTION, "", f"Produced by `{command}`.",
              f"`kg build` of the bundled corpus from the command line (interpreter start to exit, {len(command_runs)} runs): "
              f"median **{statistics.median(command_runs):.2f} s** (fastest {min(command_runs):.2f} s, slowest {max(command_runs):.2f} s).",
              "", "Seconds per stage. Parsing (with building the triples), reasoning and validation run in worker processes",
              "and are summed over documents; the wall time of that phase is given beside them, and their ratio is how",
              "many cores the phase kept busy. Storing is the bulk loader's time, overlapping the parsing on large corpora.", "",
              "| corpus | docs | total s | s/doc | parse…validate wall | cores busy | parse | triples | reasoning | validation | reference data | store | peak MB |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, b in builds:
        s = b["stages"]
        wall = s.get("parse, reason, validate (wall)", 0)
        worked = sum(s.get(k, 0) for k in ("read", "parse", "triples", "reasoning", "validation", "reference data"))
        lines.append(f"| {name} | {b['documents']} | {b['total']:.2f} | {b['total'] / max(1, b['documents']):.3f} | {wall:.2f} | "
                     f"{worked / wall if wall else 0:.2f} | {s.get('parse', 0):.2f} | {s.get('triples', 0):.2f} | "
                     f"{s.get('reasoning', 0):.2f} | {s.get('validation', 0):.2f} | {s.get('reference data', 0):.2f} | "
                     f"{s.get('store', 0):.2f} | {b['peak_mb']:.0f} |")
    synthetic = [(b["documents"], b["total"]) for name, b in builds if name.startswith("synthetic")]
    for (n1, t1), (n2, t2) in zip(synthetic, synthetic[1:]):
        lines.append(f"\nFrom {n1} to {n2} documents (×{n2 / n1:.0f}): time ×{t2 / t1:.1f}, seconds per document "
                     f"{t1 / n1:.3f} → {t2 / n2:.3f}.")
    return lines


SEARCH_SECTION = "## Full-text search"
SEARCH_QUERIES = ["养老", "护", "时间银行", "社会救助 兜底", "养老 OR 殡葬", '"居家社区养老服务"', "孤儿 -殡葬", "農村",
                  "低保标准", "志愿服务", "适老化改造", "婚姻登记"]


def search_costs(sizes: list[int], repeat: int) -> dict:
    """The text index's build time for synthetic corpora of each size (from scratch, in process), and
    `/search.json` through `kg serve` on the largest, at concurrency 1 and 16."""
    from mzkg.kg import search

    built, largest = {}, None
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for size in sizes:
            store_path = tmp / f"store-{size}"
            Builder(progress=False).build(synthetic_corpus(size, tmp / f"corpus-{size}"), store_path)
            opened = KnowledgeStore.open(store_path, read_only=True)
            started = time.perf_counter()
            search.build(ox.Store.read_only(str(opened.opened)), tmp / f"index-{size}{search.SUFFIX}", opened.base)
            built[size] = time.perf_counter() - started
            largest = store_path
            print(f"search index of {size} documents: {built[size]:.2f} s", flush=True)
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "mzkg.kg.cli", "serve", "--store", str(largest), "--port", str(port),
                                   "--workers", str(os.cpu_count() or 2)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            wait(f"http://127.0.0.1:{port}/sparql", server)
            url = f"http://127.0.0.1:{port}/search.json"

            def get(q: str) -> float:
                started = time.perf_counter()
                with urllib.request.urlopen(url + "?" + urllib.parse.urlencode({"q": q.split("#")[0]}), timeout=120) as response:
                    response.read()
                return time.perf_counter() - started

            texts = [f"{q}#{k}" for k in range(repeat) for q in SEARCH_QUERIES]
            measure({"": get}, texts[:32], 16)  # warm-up
            served = {c: measure({"": get}, texts, c)[""] for c in (1, 16)}
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {"built": built, "served": served, "documents": max(sizes)}


def search_section(command: str, costs: dict) -> list[str]:
    lines = [SEARCH_SECTION, "", f"Produced by `{command}`. The text index (kg/search.py) built from scratch for synthetic",
             "corpora (in process, from the store's snapshot), and `/search.json` through `kg serve` on the largest: the",
             f"queries {', '.join(SEARCH_QUERIES)}, each sent as often as the others, latencies in milliseconds.", "",
             "| documents | index build s | s per document |", "|---|---|---|"]
    for size, seconds in costs["built"].items():
        lines.append(f"| {size} | {seconds:.2f} | {seconds / size:.4f} |")
    lines += ["", f"`/search.json` on {costs['documents']} documents:", "", "| concurrency | p50 ms | p95 ms | req/s |", "|---|---|---|---|"]
    for concurrency, row in costs["served"].items():
        lines.append(f"| {concurrency} | {row['p50']:.1f} | {row['p95']:.1f} | {row['throughput']:.0f} |")
    return lines


FORMAT_SECTION = "## Reading each format"


def format_costs(repeat: int) -> dict[str, list[float]]:
    """Seconds per document for each form of the test corpus: per round, the mean over its documents."""
    sys.path.insert(0, str(ROOT / "tests"))
    from document_forms import CORPUS, write_forms
    from helpers import CHROMIUM_ARGS, ensure_chromium
    from playwright.sync_api import sync_playwright

    from mzkg.loaders import DocumentError, load_file

    def loads(path: Path) -> bool:
        try:
            return bool(load_file(path))
        except DocumentError:  # the news reports and explanations, which are not loaded
            return False

    texts = [path for path in sorted(CORPUS.glob("*.txt")) if loads(path)]
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=ensure_chromium(), args=CHROMIUM_ARGS)
        forms = {"text": texts, **write_forms(texts, Path(tmp), browser)}
        browser.close()
        for paths in forms.values():  # once, unmeasured: the readers' imports
            load_file(paths[0])
        rounds: dict[str, list[float]] = {form: [] for form in forms}
        for _ in range(repeat):
            spent = dict.fromkeys(forms, 0.0)
            for k in range(len(texts)):
                for form, paths in forms.items():
                    started = time.perf_counter()
                    load_file(paths[k])
                    spent[form] += time.perf_counter() - started
            for form in forms:
                rounds[form].append(spent[form] / len(texts))
    return rounds


def format_section(command: str, rounds: dict[str, list[float]]) -> list[str]:
    text = statistics.median(rounds["text"])
    lines = [FORMAT_SECTION, "", f"Produced by `{command}`. Reading and loading one document (read the file, extract, write",
             f"its triples; no reasoning, validation or store) of the test corpus's policy documents in each form, {len(rounds['text'])} rounds,",
             "the forms taking turns document by document. Median over rounds of the mean seconds per document.", "",
             "| form | s/doc (median) | fastest round | slowest round | ratio to text |", "|---|---|---|---|---|"]
    for form, values in rounds.items():
        median = statistics.median(values)
        lines.append(f"| {form} | {median:.3f} | {min(values):.3f} | {max(values):.3f} | {median / text:.2f} |")
    return lines


def replace_section(out: Path, title: str, lines: list[str]) -> None:
    """Put a section into the report, in place of the one with the same title (or at its end)."""
    old = out.read_text("utf-8").split("\n") if out.exists() else ["# Performance", ""]
    start = next((k for k, line in enumerate(old) if line == title), None)
    if start is None:
        new = old + [""] + lines
    else:
        end = next((k for k in range(start + 1, len(old)) if old[k].startswith("## ")), len(old))
        new = old[:start] + lines + [""] + old[end:]
    out.write_text("\n".join(new).rstrip("\n") + "\n", "utf-8")


LOADS_SECTION = "## Serving while documents are loaded"


def throughput_during_loads(seconds: float, rounds: int) -> list[tuple[float, float, int]]:
    """Requests per second of `kg serve` (4 clients, each query distinct so no cache answers it),
    idle and while `kg load` publishes a new generation every 3 s, taking turns `rounds` times."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        Builder(progress=False).build(bundled_corpus(), store)
        files = corpus_files(bundled_corpus())
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "mzkg.kg.cli", "serve", "--store", str(store), "--port", str(port),
                                   "--workers", str(os.cpu_count() or 2)], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.STDOUT, cwd=ROOT)
        url = f"http://127.0.0.1:{port}/sparql"
        served = [0]

        def client(stop, k):
            n = 0
            while not stop.is_set():
                n += 1
                text = f"# {k}-{n}\nSELECT ?t WHERE {{ ?d <http://purl.org/dc/terms/title> ?t }} LIMIT 3"
                with urllib.request.urlopen(f"{url}?query={urllib.parse.quote(text)}", timeout=60) as answer:
                    answer.read()
                served[0] += 1

        def rate(loading: bool) -> tuple[float, int]:
            import threading

            stop, served[0], loads = threading.Event(), 0, 0
            clients = [threading.Thread(target=client, args=(stop, k)) for k in range(4)]
            for thread in clients:
                thread.start()
            started = time.monotonic()
            while time.monotonic() - started < seconds:
                if loading:
                    subprocess.run([sys.executable, "-m", "mzkg.kg.cli", "load", str(files[loads % len(files)]),
                                    "--store", str(store)], capture_output=True, check=True, cwd=ROOT)
                    loads += 1
                time.sleep(3 if loading else 1)
            stop.set()
            for thread in clients:
                thread.join()
            return served[0] / (time.monotonic() - started), loads

        try:
            wait(url, server)
            results = []
            for _ in range(rounds):
                idle, _ = rate(False)
                during, loads = rate(True)
                results.append((idle, during, loads))
                print(f"idle {idle:.0f} req/s, during loads {during:.0f} req/s ({loads} loads)", flush=True)
            return results
        finally:
            server.terminate()
            server.wait(timeout=30)


def loads_section(command: str, results: list[tuple[float, float, int]]) -> list[str]:
    idle = statistics.median(r[0] for r in results)
    during = statistics.median(r[1] for r in results)
    ratio = statistics.median(d / i for i, d, _ in results)
    return [LOADS_SECTION, "", f"Produced by `{command}`. "
            "Distinct small queries (no answer cache) from 4 clients to `kg serve` on the bundled corpus, idle and while "
            "`kg load` publishes a new generation every 3 s (each load also takes a core), taking turns: "
            f"median **{idle:.0f}** req/s idle, **{during:.0f}** req/s during loads; median ratio of a round **{ratio:.2f}**. "
            "Query processes move to each new snapshot instead of being replaced.",
            "", "| round | idle req/s | during loads req/s | ratio | loads |", "|---|---|---|---|---|",
            *[f"| {k + 1} | {i:.0f} | {d:.0f} | {d / i:.2f} | {n} |" for k, (i, d, n) in enumerate(results)]]


LARGE_SECTION = "## Loading one large document"


def large_document(characters: int, target: Path) -> Path:
    """One document of about `characters` characters: synthetic documents (other cities' texts) run
    together under the first one's heading, as an omnibus plan or a compiled volume would be."""
    corpus = synthetic_corpus(min(200, characters // 20_000 + 1), target.parent / f"parts-{characters}")
    text = ""
    for path in sorted(corpus.iterdir()):
        text += path.read_text("utf-8") + "\n"
        if len(text) >= characters:
            break
    target.write_text(text[:characters].rsplit("\n", 1)[0] + "\n", "utf-8")
    return target


def dense_document(characters: int, target: Path) -> Path:
    """One document of about `characters` characters that is nearly all targets: the tasks, boxes and
    indicator table of a plan of the test corpus repeated, its years and figures varied."""
    plan = (ROOT / "tests" / "corpus" / "t02_weifang_city_five_year_plan.txt").read_text("utf-8")
    head, _, body = plan.partition("三、主要任务")
    parts, k = [head], 0
    while sum(map(len, parts)) < characters:
        k += 1
        parts.append(re.sub(r"(?<![\d.])(\d{2,4})(?=个|张|处|人|名|家|户|支)", lambda m: str(int(m.group(1)) + k), body))
    target.write_text("".join(parts)[:characters].rsplit("\n", 1)[0] + "\n", "utf-8")
    return target


def large_loads(sizes: list[int]) -> list[dict]:
    """Wall seconds and peak memory of `kg load` of one document of each size, each in a fresh process,
    into a store of the bundled corpus."""
    code = ("import resource, runpy, sys\nsys.argv = ['kg'] + sys.argv[1:]\ntry:\n"
            "    runpy.run_module('mzkg.kg.cli', run_name='__main__')\nfinally:\n"
            "    print('peak-kb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        store = tmp / "store"
        Builder(progress=False).build(bundled_corpus(), store)
        for (kind, make), size in ((kind, size) for kind in (("plans run together", large_document),
                                                              ("dense: one plan's tasks and tables repeated", dense_document))
                                   for size in sizes):
            document = make(size, tmp / f"large-{size}.txt")
            env = dict(os.environ, KG_MAX_TEXT_CHARACTERS=str(max(size * 2, 1)))
            started = time.perf_counter()
            run = subprocess.run([sys.executable, "-c", code, "load", str(document), "--store", str(store)],
                                 capture_output=True, text=True, cwd=ROOT, env=env)
            seconds = time.perf_counter() - started
            if run.returncode != 0:
                raise SystemExit(f"loading {size} characters failed: {run.stderr[-500:]}")
            peak = int(re.search(r"peak-kb (\d+)", run.stderr).group(1)) / 1024
            triples = sum(int(line.split()[-1]) for line in run.stdout.splitlines() if line.startswith("total ("))
            rows.append({"kind": kind, "characters": size, "bytes": document.stat().st_size, "seconds": seconds, "peak_mb": peak,
                         "triples": triples})
            print(rows[-1], flush=True)
    return rows


def large_section(command: str, rows: list[dict]) -> list[str]:
    from mzkg import settings

    per_char = max(r["seconds"] / r["characters"] for r in rows) * 1e6
    per_char_kb = max(r["peak_mb"] * 1024 / r["characters"] for r in rows)
    return [LARGE_SECTION, "", f"Produced by `{command}`. `kg load` of one document of each kind below "
            "into a store of the bundled corpus, each in a fresh process; peak memory is the process's maximum resident "
            f"size. The highest cost per character: **{per_char:.0f} µs** and **{per_char_kb:.1f} KB**. The setting "
            f"`KG_MAX_TEXT_CHARACTERS` (default {settings.value('max_text_characters'):,}) refuses longer texts, so that one "
            "document stays within about a minute and 2 GB; the file itself may be larger (`KG_MAX_DOCUMENT_BYTES`: "
            "images in a Word file or PDF cost nothing to read).",
            "", "| document | characters | UTF-8 bytes | triples | wall s | peak MB |", "|---|---|---|---|---|---|",
            *[f"| {r['kind']} | {r['characters']:,} | {r['bytes']:,} | {r['triples']:,} | {r['seconds']:.1f} | {r['peak_mb']:.0f} |"
              for r in rows]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,100", help="synthetic corpus sizes, e.g. 10,100,1000")
    parser.add_argument("--repeat", type=int, default=20, help="requests per query at concurrency 1")
    parser.add_argument("--builds", type=int, default=7, help="runs of `kg build` of the bundled corpus")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--serving-only", action="store_true", help="only the query serving part, printed, no report")
    parser.add_argument("--formats-only", action="store_true", help="only the cost of reading each format")
    parser.add_argument("--search-only", action="store_true", help="only the full-text search (on --sizes)")
    parser.add_argument("--build-only", action="store_true", help="only the build (bundled and --sizes)")
    parser.add_argument("--format-rounds", type=int, default=5, help="rounds over the test corpus in each format")
    parser.add_argument("--loads-only", action="store_true", help="only serving throughput idle and during loads")
    parser.add_argument("--large-only", action="store_true", help="only the cost of loading one large document")
    parser.add_argument("--large-sizes", default="75000,150000,300000", help="characters of the large documents")
    args = parser.parse_args()
    command = "python bench/run.py " + " ".join(sys.argv[1:])
    if args.large_only:
        rows = large_loads([int(x) for x in args.large_sizes.split(",") if x])
        replace_section(args.out, LARGE_SECTION, large_section(command, rows))
        print(f"wrote {args.out}")
        return 0
    if args.loads_only:
        replace_section(args.out, LOADS_SECTION, loads_section(command, throughput_during_loads(20, 3)))
        print(f"wrote {args.out}")
        return 0
    if args.search_only:
        costs = search_costs([int(x) for x in args.sizes.split(",") if x], args.repeat)
        replace_section(args.out, SEARCH_SECTION, search_section(command, costs))
        print(f"wrote {args.out}")
        return 0
    if args.formats_only:
        replace_section(args.out, FORMAT_SECTION, format_section(command, format_costs(args.format_rounds)))
        print(f"wrote {args.out}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if not args.serving_only:
            command_runs = kg_build_command(tmp, args.builds)
            print("kg build (s):", " ".join(f"{t:.2f}" for t in command_runs), flush=True)
            builds = [("bundled", build_in_subprocess(bundled_corpus(), tmp / "b0"))]
            print("bundled build:", builds[0], flush=True)
            for size in [int(s) for s in args.sizes.split(",") if s]:
                corpus = synthetic_corpus(size, tmp / f"synthetic-{size}")
                builds.append((f"synthetic {size}", build_in_subprocess(corpus, tmp / f"b{size}")))
                print(f"synthetic {size} build:", builds[-1][1], flush=True)
            if args.build_only:
                replace_section(args.out, BUILD_SECTION, build_section(command, builds, command_runs))
                print(f"wrote {args.out}")
                return 0
        store = tmp / "serving"
        Builder(progress=False).build(bundled_corpus(), store)
        rows, fixed_rows, hops = serving(store, args.repeat)
    if args.serving_only:
        return 0
    write_report(args.out, command, rows, fixed_rows, hops, builds, command_runs)
    replace_section(args.out, FORMAT_SECTION, format_section(command, format_costs(args.format_rounds)))
    replace_section(args.out, SEARCH_SECTION, search_section(command, search_costs([int(x) for x in args.sizes.split(",") if x],
                                                                                   args.repeat)))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
