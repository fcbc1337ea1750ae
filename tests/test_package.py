"""The installed distribution is one import name, mzkg, with the bundled data inside it."""
from importlib import metadata

from mzkg.kg.build import bundled_corpus, corpus_files


def test_the_distribution_installs_one_top_level_package():
    files = metadata.distribution("mzkg").files
    top = {f.parts[0] for f in files if f.suffix == ".py" and not f.parts[0].startswith("..")}
    editable_finders = {name for name in top if name.startswith("__editable__")}  # `pip install -e`
    assert top - editable_finders == {"mzkg"} or (editable_finders and top == editable_finders), top


def test_the_kg_command_is_the_one_cli_module():
    (entry,) = [e for e in metadata.distribution("mzkg").entry_points if e.name == "kg"]
    assert entry.value == "mzkg.kg.cli:main"


def test_the_bundled_corpus_is_package_data():
    assert len(corpus_files(bundled_corpus())) == 5
