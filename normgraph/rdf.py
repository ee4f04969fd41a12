"""RDF terms made from the vocabulary: typed literals, and the provenance every fact carries (used by the loaders, the
case facts and the writing side)."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import lru_cache

from pyoxigraph import Literal, NamedNode, Triple

from .ids import iri
from .terms import DCT, ELI, ID, NG, PROV, RDF, RDFS, SKOS, SKOSXL, XSD

RDF_TYPE = NamedNode(RDF + "type")
RDFS_LABEL = NamedNode(RDFS + "label")
RDFS_SEE_ALSO = NamedNode(RDFS + "seeAlso")
DCT_SOURCE = NamedNode(DCT + "source")
DCT_TITLE = NamedNode(DCT + "title")
DCT_LICENSE = NamedNode(DCT + "license")
DCT_SUBJECT = NamedNode(DCT + "subject")
DCT_FORMAT = NamedNode(DCT + "format")
SKOS_ALT_LABEL = NamedNode(SKOS + "altLabel")
SKOS_NOTATION = NamedNode(SKOS + "notation")
SKOSXL_ALT_LABEL = NamedNode(SKOSXL + "altLabel")
SKOSXL_LABEL = NamedNode(SKOSXL + "Label")
SKOSXL_LITERAL_FORM = NamedNode(SKOSXL + "literalForm")
ELI_DATE_DOCUMENT = NamedNode(ELI + "date_document")
PROV_GENERATED = NamedNode(PROV + "generatedAtTime")


# Terms are immutable, and a large table names the same few thousand (properties, states, instruments, sources,
# dates) a million times: each is made once.
@lru_cache(maxsize=None)
def ng(local: str) -> NamedNode:
    return NamedNode(NG + local)


@lru_cache(maxsize=65536)
def node(kind: str, *keys: str) -> NamedNode:
    return NamedNode(iri(kind, *keys))


@lru_cache(maxsize=65536, typed=True)
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


def alternative_name(subject: NamedNode, name: str, sources: str, as_of: str) -> Iterator[Triple]:
    """A name a source uses for the node, as a SKOS-XL label of its own so it can carry that source;
    the plain skos:altLabel is stated too, for tools that read only SKOS."""
    label = NamedNode(subject.value.replace(ID, ID + "label/", 1) + "/" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"))
    yield Triple(subject, SKOS_ALT_LABEL, literal(name))
    yield Triple(subject, SKOSXL_ALT_LABEL, label)
    yield from facts(label, [(RDF_TYPE, SKOSXL_LABEL), (SKOSXL_LITERAL_FORM, name)])
    yield from provenance(label, sources, as_of)


def provenance(subject: NamedNode, sources: str, as_of: str) -> Iterator[Triple]:
    """dct:source for each source id the row names (primary first), and the as-of date it states."""
    for source_id in filter(None, sources.split(";")):
        yield Triple(subject, DCT_SOURCE, node("source", source_id))
    yield Triple(subject, ng("asOf"), literal(as_of))
