"""The targets' values as a Data Cube: the integrity constraints of the W3C Data Cube vocabulary
(tests/data_cube/ic-*.rq, each an ASK that is true when the constraint is broken) hold on the bundled
corpus and on the test corpus, and each of them fires on a cube that breaks it.

The constraints about slices (IC-7 to IC-10, IC-18), about a measure dimension (IC-15 to IC-17) and about
hierarchical code lists (IC-20, IC-21) have nothing to apply to: the structure (mz:TargetStructure) has
none of these."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from mzkg.kg.store import KnowledgeStore

CHECKS = sorted((Path(__file__).parent / "data_cube").glob("ic-*.rq"))
VIOLATIONS = Path(__file__).parent / "data_cube" / "violations.ttl"
QB = "http://purl.org/linked-data/cube#"
MZ = "https://w3id.org/mzkg/ontology#"


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_the_bundled_cube_keeps_the_constraint(built, check):
    store = KnowledgeStore.open(built[0], read_only=True)
    assert not bool(store.query(check.read_text("utf-8"))), check.stem


@pytest.mark.slow
@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_the_test_corpus_cube_keeps_the_constraint(test_corpus_built, check):
    store = KnowledgeStore.open(test_corpus_built, read_only=True)
    assert not bool(store.query(check.read_text("utf-8"))), check.stem


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_each_constraint_fires_on_a_cube_that_breaks_it(check):
    store = ox.Store()
    store.load(VIOLATIONS.read_bytes(), ox.RdfFormat.TURTLE)
    assert bool(store.query(check.read_text("utf-8"))), check.stem


def test_every_stated_value_with_a_year_is_an_observation(built):
    """Each target value, baseline and achieved value that has its year is in the cube, with its unit."""
    store = KnowledgeStore.open(built[0], read_only=True)
    rows = list(store.query(f"""PREFIX mz: <{MZ}> PREFIX qb: <{QB}>
        SELECT ?t ?v ?year ?obs ?value ?unit WHERE {{
          ?t a mz:IndicatorTarget ; mz:targetValue ?v ; mz:targetYear ?year ; mz:inDocument/mz:jurisdiction ?area .
          FILTER NOT EXISTS {{ ?t mz:isAchievement true }}
          OPTIONAL {{ ?obs mz:observationOf ?t ; mz:valueKind mz:TargetLevel ; mz:value ?value .
                      OPTIONAL {{ ?obs mz:unitOfMeasure ?unit }} }}
        }}"""))
    assert len(rows) > 200
    assert all(row["obs"] is not None for row in rows)
    # the first statement of a key gives the observation its value: a restatement agrees with it or is another source
    agreeing = sum(Decimal(row["v"].value) == Decimal(row["value"].value) for row in rows)
    assert agreeing / len(rows) > 0.95
    datasets = {row["d"].value for row in store.query(f"PREFIX qb: <{QB}> SELECT DISTINCT ?d WHERE {{ ?o qb:dataSet ?d }}")}
    assert len(datasets) == 5


def test_units_are_one_concept_however_they_are_written(built):
    store = KnowledgeStore.open(built[0], read_only=True)
    units = {row["label"].value: row["ucum"].value if row["ucum"] else None for row in store.query(
        f"""PREFIX mz: <{MZ}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT DISTINCT ?label ?ucum WHERE {{ ?u a mz:UnitOfMeasure ; skos:prefLabel ?label .
        OPTIONAL {{ ?u <http://qudt.org/schema/qudt/ucumCode> ?ucum }} }}""")}
    assert units["%"] == "%" and units["元/人·月"] == "{yuan}/{person}/mo" and units["万元"] == "10*4.{yuan}"
    assert not any("、" in label or label.count("/") > 1 for label in units)
