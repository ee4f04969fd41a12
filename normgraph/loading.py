"""Loading a user's table (NORMLEX-style CSV) over the bundled data, into a named graph of its own."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .graph.build import USER_GRAPH_PREFIX, load_user_graphs
from .ids import GRAPH
from .loaders import programmes, ratifications, supervision
from .loaders.countries import PYCOUNTRY_AS_OF

PARSERS = {"ratifications": (ratifications.from_file, ratifications.triples),
           "comments": (supervision.from_file, supervision.triples),
           "programmes": (programmes.from_file, programmes.triples)}


def states_mentioned(rows: list, kind: str) -> set[str]:
    if kind == "ratifications":
        return {r.state for r in rows}
    if kind == "comments":
        return {r["state"] for r in rows if r["state"]}
    return {code for r in rows for code in r["countries"]}


def new_state_triples(store, codes: set[str]) -> Iterator:
    """A minimal node for each state the bundled graph does not know yet, named by ISO 3166."""
    import pycountry
    from pyoxigraph import Literal

    from .loaders.rdf import RDF_TYPE, RDFS_LABEL, facts, ng, node, provenance

    for code in sorted(codes):
        if next(store.quads_for_pattern(None, ng("iso3"), Literal(code), None), None) is None:
            country = pycountry.countries.get(alpha_3=code)
            subject = node("country", code)
            yield from facts(subject, [(RDF_TYPE, ng("State")), (ng("iso3"), code), (ng("iso2"), country.alpha_2),
                                       (RDFS_LABEL, getattr(country, "common_name", country.name))])
            yield from provenance(subject, "PYCOUNTRY", PYCOUNTRY_AS_OF)


def superseded_triples(store, rows: list, graph: str) -> Iterator:
    """Each earlier record of the same state and instrument is superseded by the loaded one."""
    from pyoxigraph import Triple

    from .loaders.rdf import ng, node

    for row in rows:
        new = ratifications.ratification_node(row.instrument, row.state, graph)
        parties = {q.subject for q in store.quads_for_pattern(None, ng("party"), node("country", row.state), None)}
        for quad in store.quads_for_pattern(None, ng("instrument"), node("instrument", row.instrument), None):
            if quad.subject in parties and quad.subject != new:
                yield Triple(quad.subject, ng("supersededBy"), new)


def load_table(store_path: Path, file: Path, kind: str, name: str) -> int:
    """Check the whole file (TableError lists every bad row), then load it atomically; returns the quad count."""
    parse, to_triples = PARSERS[kind]
    rows = parse(file)
    graph = USER_GRAPH_PREFIX + name

    def triples_for(store) -> Iterator:
        yield from new_state_triples(store, states_mentioned(rows, kind))
        yield from to_triples(rows, graph=graph)
        if kind == "ratifications":
            yield from superseded_triples(store, rows, graph)
    return load_user_graphs(store_path, {GRAPH + graph: triples_for})[GRAPH + graph]


def ingest_documents(graph, files: list[Path]) -> dict[str, dict]:
    """Read every file first (any unreadable one stops all), then put each document in its own named graph."""
    from .loaders.documents import Recogniser, document_iri, document_text, document_triples
    from .reports import run_named

    recogniser = Recogniser(run_named(graph, "profiles", "surface-forms"))
    documents = {}
    for path in files:
        text, media_type = document_text(path)
        documents[document_iri(path)] = (path, text, media_type, list(recogniser.mentions(text)))
    counts = load_user_graphs(graph.path, {iri: (lambda store, document=document: document_triples(*document))
                                           for iri, document in documents.items()})
    return {str(path): {"graph": iri, "quads": counts[iri], "mentions": len(found)}
            for iri, (path, _, _, found) in documents.items()}
