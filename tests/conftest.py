"""Shared fixtures: the bundled corpus loaded once, and a store built from it once per session."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

import mzkg

# The checkout's root is on sys.path under `python -m pytest`; mzkg found it already. Taking it off means
# nothing can import a subpackage by its folder's name (`import loaders`) and pass here while it fails
# when installed.
ROOT = Path(mzkg.__file__).resolve().parent.parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT]

from mzkg.kg.build import Builder, bundled_corpus, corpus_files
from mzkg.loaders import load_file

CORPUS = bundled_corpus()


def by_place(documents):
    return {doc.metadata.jurisdiction.name: doc for doc in documents}


@pytest.fixture(scope="session")
def corpus_paths() -> dict[str, Path]:
    """Corpus files keyed by the jurisdiction their content names (never by file name)."""
    return {load_file(p).metadata.jurisdiction.name: p for p in corpus_files(CORPUS)}


@pytest.fixture(scope="session")
def docs():
    return by_place(load_file(p) for p in corpus_files(CORPUS))


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """A store built from the bundled corpus, with the build report."""
    store = tmp_path_factory.mktemp("store") / "kg"
    report = Builder(progress=False).build(CORPUS, store)
    return store, report


@pytest.fixture(scope="session")
def test_corpus_built(tmp_path_factory):
    """A store built from the test corpus (tests/corpus), documents that are not policy documents left out."""
    store = tmp_path_factory.mktemp("test-corpus") / "kg"
    Builder(progress=False).build(Path(__file__).parent / "corpus", store, keep_going=True)
    return store
