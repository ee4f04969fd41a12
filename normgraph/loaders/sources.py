"""The named sources every fact points to with dct:source (graph `sources`)."""
from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from pyoxigraph import NamedNode, Triple

from ..rdf import DCT_LICENSE, DCT_TITLE, RDF_TYPE, RDFS_LABEL, RDFS_SEE_ALSO, facts, ng, node
from .table import Row, read_bundled

GRAPH = "sources"


def parse_source(row: Row) -> dict:
    return {"source": row.text("source", True), "title": row.text("title", True), "url": row.url("url"),
            "as_of": row.text("as_of"), "licence": row.text("licence")}


def bundled() -> list[dict]:
    return read_bundled("sources.csv", ["source", "title", "url", "as_of"], parse_source)


@lru_cache(maxsize=1)
def bundled_source_ids() -> frozenset[str]:
    return frozenset(source["source"] for source in bundled())


def source_triples(source_id: str, title: str, url: str = "", as_of: str = "", licence: str = "") -> Iterator[Triple]:
    subject = node("source", source_id)
    yield Triple(subject, RDF_TYPE, ng("Source"))
    yield from facts(subject, [(RDFS_LABEL, source_id), (DCT_TITLE, title),
                               (RDFS_SEE_ALSO, NamedNode(url) if url else None), (ng("asOf"), as_of),
                               (DCT_LICENSE, NamedNode(licence) if licence else None)])


def triples() -> Iterator[Triple]:
    for source in bundled():
        yield from source_triples(source["source"], source["title"], source["url"], source["as_of"], source["licence"])
