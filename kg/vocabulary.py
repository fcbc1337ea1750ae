"""The graphs every build starts from: the ontology, the national gazetteer and the SKOS vocabularies."""
from __future__ import annotations

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph

from mzkg.loaders.gazetteer import Gazetteer
from mzkg.loaders.iris import Minter
from mzkg.ontology import MZ, ontology_file, shapes_file, vocabulary_files

from .shapes import domain_and_range_shapes

GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
LAT, LONG = ox.NamedNode(GEO + "lat"), ox.NamedNode(GEO + "long")
DECIMAL = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
LEVEL_CLASSES = {"national": MZ.Country, "province": MZ.Province, "prefecture": MZ.PrefectureLevelCity, "county": MZ.CountyLevelUnit}


def ontology_graph() -> Graph:
    return Graph().parse(data=ontology_file().read_text("utf-8"), format="turtle")


def shapes_graph() -> Graph:
    """ontology/shapes.ttl, and a shape for each domain and range the ontology declares."""
    graph = Graph().parse(data=shapes_file().read_text("utf-8"), format="turtle")
    graph += domain_and_range_shapes(ontology_graph())
    return graph


def gazetteer_ntriples(minter: Minter, gazetteer: Gazetteer | None = None) -> str:
    """The national gazetteer's units as N-Triples (written straight from the table: it is large)."""
    unit_type, admin_unit, label = ox.NamedNode(RDF.type), ox.NamedNode(MZ.AdministrativeUnit), ox.NamedNode(RDFS.label)
    code, level, part_of = ox.NamedNode(MZ.adminCode), ox.NamedNode(MZ.adminLevel), ox.NamedNode(MZ.partOf)
    division = ox.NamedNode(MZ.divisionCode)
    classes = {name: ox.NamedNode(iri) for name, iri in LEVEL_CLASSES.items()}
    triples = []
    gazetteer = gazetteer or Gazetteer.default()
    for unit in (gazetteer.nation, *gazetteer.units.values()):
        iri = ox.NamedNode(minter.unit(unit.code))
        triples += [ox.Triple(iri, unit_type, classes[unit.level]), ox.Triple(iri, unit_type, admin_unit),
                    ox.Triple(iri, label, ox.Literal(unit.name, language="zh")), ox.Triple(iri, code, ox.Literal(unit.code)),
                    ox.Triple(iri, level, ox.Literal(unit.level))]
        if unit.parent:
            triples.append(ox.Triple(iri, part_of, ox.NamedNode(minter.unit(unit.parent))))
        if unit.level != "national":
            triples.append(ox.Triple(iri, division, ox.Literal(gazetteer.division_code(unit))))
        if unit.code in gazetteer.coordinates:
            longitude, latitude = gazetteer.coordinates[unit.code]
            triples += [ox.Triple(iri, LAT, ox.Literal(latitude, datatype=DECIMAL)),
                        ox.Triple(iri, LONG, ox.Literal(longitude, datatype=DECIMAL))]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")


def vocabulary_ntriples(minter: Minter) -> str:
    """Target groups, policy areas and indicators as N-Triples; their Turtle uses IRIs relative to the
    data base."""
    triples = (ox.Triple(quad.subject, quad.predicate, quad.object)
               for file in vocabulary_files()
               for quad in ox.parse(file.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=minter.base))
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")

