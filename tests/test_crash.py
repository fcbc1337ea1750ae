"""Writes happen whole or not at all, whatever instant the process dies: `kg build` and `kg load` are
killed (strace's fault injection, SIGKILL) at each rename that publishes their work and at points spread
over every call that writes to disk, and the store must then hold the old content or the new, whole,
take the next write, and never publish what the killed command left unpublished. Two writers never
interleave."""
from __future__ import annotations

import os
import re
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


RENAMES = "rename,renameat,renameat2"
# every system call by which a write changes what is on disk
WRITES = "write,pwrite64,writev,pwritev,pwritev2,fsync,fdatasync,ftruncate,unlink,unlinkat,mkdir,mkdirat," + RENAMES
_CALL = re.compile(r"^(\d+) +(\w+)\((?:\d+<([^>]*)>|\"([^\"]*)\")")


def kg(*args, kill_at: Path | None = None, kill_call: tuple[str, int] | None = None, wait: bool = True, **env):
    """Run `kg`; with kill_at, SIGKILL it at its first rename that touches that path; with
    kill_call = (system call, n), at the n-th time a thread makes that call."""
    command = [sys.executable, "-m", "mzkg.kg.cli", *map(str, args)]
    if kill_at is not None:
        command = [STRACE, "-f", "-qq", "-o", "/dev/null", "-P", str(kill_at), "-e", f"trace={RENAMES}",
                   "-e", f"inject={RENAMES}:signal=KILL:when=1", *command]
    if kill_call is not None:
        call, n = kill_call
        command = [STRACE, "-f", "-qq", "-o", "/dev/null", "-e", f"trace={call}", "-e", f"inject={call}:signal=KILL:when={n}",
                   *command]
    if not wait:
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**ENV, **env})
    return subprocess.run(command, capture_output=True, env={**ENV, **env})


def write_steps(args: list, store: Path, begins: str, log: Path) -> list[tuple[str, int]]:
    """Where to kill a `kg` command so as to stop it once at every step of its writing: it is traced
    once (on a copy of the store) and, from the first call of its main thread that touches a path
    containing `begins` to the end, each run of calls of one kind on one file is a step; a step is
    named by its first call, as (system call, how many times the thread had made it)."""
    copy = store.parent / f"{store.name}-traced"
    shutil.copytree(store, copy)
    command = [STRACE, "-f", "-qq", "-y", "-o", str(log), "-e", f"trace={WRITES}", sys.executable, "-m", "mzkg.kg.cli",
               *[str(copy) if a == store else str(a) for a in args]]
    assert subprocess.run(command, capture_output=True, env=ENV).returncode == 0
    lines = log.read_text("utf-8", "replace").splitlines()
    main = lines[0].split()[0]
    seen: dict[str, int] = {}
    steps, previous, started = [], None, False
    for line in lines:
        match = _CALL.match(line)
        if not match or match.group(1) != main:
            continue
        call, path = match.group(2), match.group(3) or match.group(4)
        seen[call] = seen.get(call, 0) + 1
        started = started or begins in path
        if started and (call, path) != previous and not path.startswith("/dev/"):
            steps.append((call, seen[call]))
        previous = (call, path)
    shutil.rmtree(copy)
    return steps


def spread(steps: list, n: int) -> list:
    """n of the steps, evenly spread, the first and the last among them (all of them: n = len(steps))."""
    if len(steps) <= n:
        return steps
    return [steps[round(i * (len(steps) - 1) / (n - 1))] for i in range(n)]


# How many of the write steps each test kills at: all of a load's (some 35) take five minutes, so the
# suite takes an even spread of them; set n to len(steps) to take every one.
LOAD_STEPS, BUILD_STEPS = 16, 6


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
    assert documents(store) == 7  # the next write undid what the killed load had changed in the primary
    assert not (store / "kg-undo.json").exists()


def test_a_load_killed_at_any_write_step_publishes_it_whole_or_not_at_all(store, tmp_path):
    load = ["load", CORPUS / "t04_xiamen_elderly_care_special_plan.txt", "--store", store]
    steps = write_steps(load, store, "kg-undo", tmp_path / "trace")
    assert len(steps) > 15  # the undo record, the update, the snapshot, the text index, the manifest, the clean-up
    pristine = tmp_path / "pristine"
    shutil.copytree(store, pristine)
    outcomes = set()
    for step in spread(steps, LOAD_STEPS):
        shutil.rmtree(store)
        shutil.copytree(pristine, store)
        killed = kg(*load, kill_call=step)
        seen = documents(store)
        outcomes.add((killed.returncode, seen))
        assert seen in (6, 7), f"killed at {step}: {seen} documents"
        again = kg("load", CORPUS / "t05_luoyang_city_work_points_2024.txt", "--store", store)
        assert again.returncode == 0, f"killed at {step}: {again.stderr.decode()[-300:]}"
        assert documents(store) == seen + 1, f"killed at {step}: what readers did not see was published"
    assert (-9, 6) in outcomes and (-9, 7) in outcomes  # killed both before and after its generation was published


def test_a_build_killed_at_any_write_step_leaves_the_old_store_or_the_new(store, corpus, tmp_path):
    build = ["build", "--corpus", corpus, "--store", store, "--quiet"]
    steps = write_steps(build, store, "snapshots", tmp_path / "trace")
    pristine = tmp_path / "pristine"
    shutil.copytree(store, pristine)
    outcomes = set()
    for step in spread(steps, BUILD_STEPS):
        shutil.rmtree(store)
        shutil.copytree(pristine, store)
        killed = kg(*build, kill_call=step)
        seen = documents(store)
        outcomes.add((killed.returncode, seen))
        assert seen in (6, 2), f"killed at {step}: {seen} documents"
        again = kg("load", CORPUS / "t05_luoyang_city_work_points_2024.txt", "--store", store)
        assert again.returncode == 0, f"killed at {step}: {again.stderr.decode()[-300:]}"
        assert documents(store) == seen + 1
    assert (-9, 6) in outcomes and (-9, 2) in outcomes


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
