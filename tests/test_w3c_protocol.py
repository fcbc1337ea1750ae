"""The W3C SPARQL 1.1 Protocol manifest, run against the endpoint (query tests pass; update tests
are refused with a 4xx). The manifest lives outside the project, beside the repository."""
import pytest

from server import create_app

from w3c_protocol import build_store, load_tests, manifest_dir, run

FOLDER = manifest_dir()


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    store = tmp_path_factory.mktemp("w3c") / "store"
    build_store(FOLDER, store)
    return {o.name: o for o in run(create_app(store).test_client(), FOLDER)}


@pytest.mark.skipif(FOLDER is None, reason="the W3C protocol manifest is not beside this checkout")
def test_every_manifest_entry_passes(outcomes):
    _, tests = load_tests(FOLDER)
    assert len(outcomes) == len(tests) == 34
    failed = {name: o.detail for name, o in outcomes.items() if not o.ok}
    assert failed == {}
