"""The graphs every build starts from: the ontology, the national gazetteer and the SKOS vocabularies."""
from __future__ import annotations

from rdflib import RDF, RDFS, Graph, Literal, URIRef

from loaders.gazetteer import Gazetteer
from loaders.iris import Minter
from ontology import MZ, ontology_file, shapes_file, vocabulary_files

LEVEL_CLASSES = {"province": MZ.Province, "prefecture": MZ.PrefectureLevelCity, "county": MZ.CountyLevelUnit}


def ontology_graph() -> Graph:
    return Graph().parse(data=ontology_file().read_text("utf-8"), format="turtle")


def shapes_graph() -> Graph:
    return Graph().parse(data=shapes_file().read_text("utf-8"), format="turtle")


def gazetteer_graph(minter: Minter, gazetteer: Gazetteer | None = None) -> Graph:
    graph = Graph()
    for unit in (gazetteer or Gazetteer.default()).units.values():
        iri = URIRef(minter.unit(unit.code))
        graph.add((iri, RDF.type, LEVEL_CLASSES[unit.level]))
        graph.add((iri, RDF.type, MZ.AdministrativeUnit))
        graph.add((iri, RDFS.label, Literal(unit.name, lang="zh")))
        graph.add((iri, MZ.adminCode, Literal(unit.code)))
        graph.add((iri, MZ.adminLevel, Literal(unit.level)))
        if unit.parent:
            graph.add((iri, MZ.partOf, URIRef(minter.unit(unit.parent))))
    return graph


def vocabulary_graph(minter: Minter) -> Graph:
    """Target groups, policy areas and indicators; their Turtle uses IRIs relative to the data base."""
    graph = Graph()
    for file in vocabulary_files():
        graph.parse(data=file.read_text("utf-8"), format="turtle", publicID=minter.base)
    return graph


def sources() -> list[bytes]:
    """The bytes every reference graph is made from (ontology, vocabularies, gazetteer table)."""
    from loaders.gazetteer import table_path

    return [ontology_file().read_bytes(), *(f.read_bytes() for f in vocabulary_files()), table_path().read_bytes()]
