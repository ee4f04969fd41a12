"""RDF terms the loaders write: namespaces, typed literals, and the provenance every fact carries."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal

from pyoxigraph import Literal, NamedNode, Triple

from ..ids import GRAPH, NG, iri

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDFS_SEE_ALSO = NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
DCT_SOURCE = NamedNode("http://purl.org/dc/terms/source")
DCT_TITLE = NamedNode("http://purl.org/dc/terms/title")
DCT_SUBJECT = NamedNode("http://purl.org/dc/terms/subject")
ELI_DATE_DOCUMENT = NamedNode("http://data.europa.eu/eli/ontology#date_document")
PROV_GENERATED = NamedNode("http://www.w3.org/ns/prov#generatedAtTime")


def ng(local: str) -> NamedNode:
    return NamedNode(NG + local)


def node(kind: str, *keys: str) -> NamedNode:
    return NamedNode(iri(kind, *keys))


def graph_node(name: str) -> NamedNode:
    return NamedNode(GRAPH + name)


def literal(value) -> Literal:
    if isinstance(value, bool):
        return Literal(str(value).lower(), datatype=NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return Literal(str(value), datatype=NamedNode(XSD + "integer"))
    if isinstance(value, (float, Decimal)):
        return Literal(str(value), datatype=NamedNode(XSD + "decimal"))
    if isinstance(value, dt.datetime):
        return Literal(value.isoformat(timespec="seconds"), datatype=NamedNode(XSD + "dateTime"))
    if isinstance(value, dt.date):
        return Literal(value.isoformat(), datatype=NamedNode(XSD + "date"))
    return Literal(str(value))


def facts(subject: NamedNode, pairs: Iterable[tuple[NamedNode, object]]) -> Iterator[Triple]:
    """One triple per (predicate, value) whose value is present; IRIs stay IRIs, the rest become literals."""
    for predicate, value in pairs:
        if value is None or value == "":
            continue
        yield Triple(subject, predicate, value if isinstance(value, NamedNode) else literal(value))


def provenance(subject: NamedNode, sources: str, as_of: str) -> Iterator[Triple]:
    """dct:source for each source id the row names (primary first), and the as-of date it states."""
    for source_id in filter(None, sources.split(";")):
        yield Triple(subject, DCT_SOURCE, node("source", source_id))
    yield Triple(subject, ng("asOf"), literal(as_of))
