"""mzkg: a knowledge graph of Chinese civil-affairs (民政) policy documents.

The installed package holds the repository's top-level folders as its subpackages: mzkg.ontology,
mzkg.loaders, mzkg.kg, mzkg.queries, mzkg.server and mzkg.corpus (see pyproject.toml). In a checkout
they sit beside this folder, so the package's search path takes in the checkout's root as well:
`python -m pytest` or `python -m mzkg.kg.cli` from the root then import the checkout's code.
"""
from pathlib import Path

__version__ = "0.1.0"

_checkout = Path(__file__).resolve().parent.parent
if (_checkout / "pyproject.toml").is_file() and (_checkout / "kg" / "__init__.py").is_file():
    __path__.append(str(_checkout))
