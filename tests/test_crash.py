"""Writes happen whole or not at all, whatever instant the process dies: `kg build` and `kg load` are
killed (strace's fault injection, SIGKILL) at each rename that publishes their work, and the store must
then hold the old content, whole, and take the next write. Two writers never interleave."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mzkg.kg.store import KnowledgeStore

STRACE = shutil.which("strace")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(STRACE is None, reason="needs strace")]
CORPUS = Path(__file__).resolve().parent / "corpus"
ENV = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")


def kg(*args, kill_at: Path | None = None, wait: bool = True, **env):
    """Run `kg`; with kill_at, SIGKILL it at its first rename that touches that path."""
    command = [sys.executable, "-m", "mzkg.kg.cli", *map(str, args)]
    if kill_at is not None:
        command = [STRACE, "-f", "-qq", "-o", "/dev/null", "-P", str(kill_at), "-e", "trace=rename,renameat,renameat2",
                   "-e", "inject=rename,renameat,renameat2:signal=KILL:when=1", *command]
    if not wait:
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**ENV, **env})
    return subprocess.run(command, capture_output=True, env={**ENV, **env})


def documents(store: Path) -> int:
    opened = KnowledgeStore.open(store, read_only=True)
    rows = opened.query("SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a <https://w3id.org/mzkg/ontology#PolicyDocument> }")
    return int(next(iter(rows))["n"].value)


@pytest.fixture
def store(tmp_path, built) -> Path:
    """A copy of the store built from the bundled corpus (five documents), as written by a load."""
    target = tmp_path / "store"
    KnowledgeStore.open(built[0], read_only=True).backup(target)
    assert kg("load", CORPUS / "t01_hubei_province_five_year_plan.txt", "--store", target).returncode == 0
    return target


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in ("t02_weifang_city_five_year_plan.txt", "t03_anji_county_five_year_plan.txt"):
        shutil.copy(CORPUS / name, folder / name)
    return folder


def _renames(store: Path, build: bool) -> dict[str, Path]:
    """What a write renames to publish its work: the new primary made whole (a build), its snapshot made
    whole, the manifest switched to them."""
    generation = KnowledgeStore.open(store, read_only=True).generation
    points = {"snapshot": store / "snapshots" / f".{generation + 1:06d}.partial", "manifest": store / "kg-manifest.tmp"}
    return {"primary": store / f"oxigraph-{generation + 1:06d}.partial", **points} if build else points


@pytest.mark.parametrize("point", ["primary", "snapshot", "manifest"])
def test_a_build_killed_at_any_rename_leaves_the_old_store_whole(store, corpus, point):
    killed = kg("build", "--corpus", corpus, "--store", store, kill_at=_renames(store, build=True)[point])
    assert killed.returncode == -9, f"not killed at the {point} rename: {killed.stderr.decode()[-300:]}"
    assert documents(store) == 6
    loaded = kg("load", CORPUS / "t04_xiamen_elderly_care_special_plan.txt", "--store", store)
    assert loaded.returncode == 0, loaded.stderr.decode()
    assert documents(store) == 7  # the next write keeps everything the store held
    rebuilt = kg("build", "--corpus", corpus, "--store", store)
    assert rebuilt.returncode == 0, rebuilt.stderr.decode()
    assert documents(store) == 2
    assert sorted(p.name for p in store.iterdir() if p.name.startswith("oxigraph")) == [
        KnowledgeStore.open(store, read_only=True).manifest["primary"]]  # what killed builds left is gone


@pytest.mark.parametrize("point", ["snapshot", "manifest"])
def test_a_load_killed_at_any_rename_does_not_wedge_the_store(store, point):
    killed = kg("load", CORPUS / "t04_xiamen_elderly_care_special_plan.txt", "--store", store,
                kill_at=_renames(store, build=False)[point])
    assert killed.returncode == -9, f"not killed at the {point} rename: {killed.stderr.decode()[-300:]}"
    assert documents(store) == 6  # readers still see the last published generation
    again = kg("load", CORPUS / "t05_luoyang_city_work_points_2024.txt", "--store", store)
    assert again.returncode == 0, again.stderr.decode()
    assert documents(store) in (7, 8)  # the killed load's document, committed to the primary, may be published now


def test_a_second_writer_waits_its_turn_and_then_says_why_it_gave_up(store, corpus):
    first = kg("build", "--corpus", corpus, "--store", store, wait=False)
    deadline = time.monotonic() + 30
    while f"pid {first.pid}" not in ((store / ".write-lock").read_text() if (store / ".write-lock").exists() else ""):
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.05)
    second = kg("load", CORPUS / "t04_xiamen_elderly_care_special_plan.txt", "--store", store, KG_WRITE_WAIT="0")
    first.wait(120)
    assert first.returncode == 0, first.stderr.read().decode()
    message = second.stderr.decode()
    assert second.returncode != 0 and "another kg build or kg load is writing this store" in message
    assert message.count("\n") == 1
    assert documents(store) == 2  # the build's result, whole; the refused load changed nothing
