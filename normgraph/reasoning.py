"""OWL reasoning with owlready2 and HermiT over the ontology and the data: is the whole graph consistent?"""
from __future__ import annotations

import tempfile
from pathlib import Path

from .terms import XSD

XSD_DATE = XSD + "date"
XSD_DATETIME = XSD + "dateTime"


def reasoning_copy(union):
    """The union graph in a form HermiT accepts.

    HermiT supports only the OWL 2 datatype map, which has no xsd:date. The copy renames the
    datatype to xsd:dateTime everywhere (literals at midnight UTC, and the ranges that name it):
    order and equality of dates are kept, so consistency is unchanged.
    """
    from rdflib import Graph, Literal, URIRef

    copy = Graph()
    for subject, predicate, obj in union:
        if isinstance(obj, Literal) and obj.datatype == URIRef(XSD_DATE):
            obj = Literal(f"{obj}T00:00:00Z", datatype=URIRef(XSD_DATETIME))
        elif obj == URIRef(XSD_DATE):
            obj = URIRef(XSD_DATETIME)
        copy.add((subject, predicate, obj))
    return copy


def is_consistent(union) -> bool:
    """Run HermiT (Java) on an rdflib graph of ontology + data; False when it finds the graph inconsistent."""
    import owlready2

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "normgraph.nt"
        reasoning_copy(union).serialize(str(path), format="nt", encoding="utf-8")
        world = owlready2.World()
        ontology = world.get_ontology(path.as_uri()).load()
        try:
            with ontology:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            return False
    return True
