"""The named sources every fact points to with dct:source (graph `sources`)."""
from __future__ import annotations

from collections.abc import Iterator

from pyoxigraph import NamedNode, Triple

from .rdf import DCT_LICENSE, DCT_TITLE, RDF_TYPE, RDFS_LABEL, RDFS_SEE_ALSO, facts, ng, node
from .table import Row, read_bundled

GRAPH = "sources"


def parse_source(row: Row) -> dict:
    return {"source": row.text("source", True), "title": row.text("title", True), "url": row.text("url"),
            "as_of": row.text("as_of"), "licence": row.text("licence")}


def triples() -> Iterator[Triple]:
    for source in read_bundled("sources.csv", ["source", "title", "url", "as_of"], parse_source):
        subject = node("source", source["source"])
        yield Triple(subject, RDF_TYPE, ng("Source"))
        yield from facts(subject, [(RDFS_LABEL, source["source"]), (DCT_TITLE, source["title"]),
                                   (RDFS_SEE_ALSO, NamedNode(source["url"]) if source["url"] else None),
                                   (ng("asOf"), source["as_of"]),
                                   (DCT_LICENSE, NamedNode(source["licence"]) if source["licence"] else None)])
