"""The writing side of normgraph's data: the bundled sources and their fingerprint, the store built from them and
opened for reading (`open_graph`), a user's tables (NORMLEX-style CSV) and documents loaded over them, each into a
named graph of its own. The store itself (graph/) knows no loader: it is handed the sources."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import InputError, TableError
from .graph.build import (
    USER_GRAPH_PREFIX,
    USER_GRAPHS,
    Report,
    Sources,
    load_user_graphs,
)
from .graph.store import LocalGraph, default_store_path
from .terms import DERIVED, DOCUMENTS, GRAPH, NG

# The kinds of table `load` takes, and the loader module that reads each (imported when a table is loaded, so
# that the CLI can offer the kinds without loading the RDF engine).
TABLE_LOADERS = {"ratifications": "ratifications", "comments": "supervision", "programmes": "programmes"}


def table_loader(kind: str):
    """The loader module for a kind of table: its from_file (rows as read) and triples."""
    import importlib

    return importlib.import_module(f"{__package__}.loaders.{TABLE_LOADERS[kind]}")


def bundled_sources() -> Sources:
    """Each named graph of the bundled store and the loader that fills it."""
    from .loaders import (
        countries,
        estimates,
        instruments,
        programmes,
        ratifications,
        sources,
        supervision,
        territories,
        un_treaties,
    )

    return [
        ("ontology", turtle_triples("normgraph.ttl")),
        ("topics", turtle_triples("topics.ttl")),
        ("situations", turtle_triples("situations.ttl")),
        ("case-vocabulary", turtle_triples("cases.ttl")),
        (sources.GRAPH, sources.triples),
        (instruments.GRAPH, instruments.triples),
        (countries.GRAPH, countries.triples),
        (ratifications.GRAPH, lambda: ratifications.triples(ratifications.bundled(), declared_ages=ratifications.bundled_declared_ages())),
        (un_treaties.GRAPH, un_treaties.triples),
        (territories.GRAPH, territories.triples),
        (supervision.GRAPH, lambda: supervision.triples(supervision.bundled())),
        (programmes.GRAPH, lambda: programmes.triples(programmes.bundled())),
        (estimates.GRAPH, estimates.triples),
    ]


def turtle_triples(file_name: str) -> Callable[[], Iterable]:
    def triples() -> Iterable:
        from pyoxigraph import RdfFormat, parse

        return parse(resources.files("normgraph.ontology").joinpath(file_name).read_bytes(), format=RdfFormat.TURTLE)
    return triples


def bundled_fingerprint() -> str:
    """A digest of everything a build reads and the loaders that read it, so a store built from older bundled
    data, or by older loaders (legal time, say), can be recognised."""
    import hashlib

    digest = hashlib.sha256()
    for package in ("normgraph.data", "normgraph.ontology", "normgraph.loaders"):
        for entry in sorted(resources.files(package).iterdir(), key=lambda e: e.name):
            if entry.name.endswith((".csv", ".ttl", ".py")):
                digest.update(entry.name.encode() + entry.read_bytes())
    # The terms the loaders write (how a literal is typed) and the tables derived at build are part of what a build
    # produces.
    digest.update(resources.files("normgraph").joinpath("rdf.py").read_bytes())
    digest.update(resources.files("normgraph").joinpath("derived.py").read_bytes())
    for entry in sorted(resources.files("normgraph.queries").joinpath("derived").iterdir(), key=lambda e: e.name):
        digest.update(entry.name.encode() + entry.read_bytes())
    return digest.hexdigest()[:16]


def build(path: Path, report: Report = lambda name, count: None) -> dict[str, int]:
    """Build the store at `path` from the bundled data, keeping the user's graphs; quads per named graph."""
    from .derived import derive
    from .graph.build import build as build_store

    return build_store(path, bundled_sources(), bundled_fingerprint(), derive, report)


def load_graphs(path: Path, graphs: dict[str, Callable[[object], Iterable] | None]) -> dict[str, int]:
    """Add, replace or (for None) remove user graphs, by IRI, with the tables each derives (graph/build.py
    `load_user_graphs`); quads per graph."""
    from .derived import derive

    return load_user_graphs(path, graphs, derive)


def open_graph(store: Path | str | None = None, on_build=None, in_memory: bool = False) -> LocalGraph:
    """The embedded store at `store` (default location if None), built from the bundled data on first use
    and rebuilt (keeping user-loaded graphs) when it was built from older bundled data; `in_memory` for a
    long-lived reader (LocalGraph says when it pays)."""
    path = Path(store).expanduser() if store else default_store_path()
    if path.exists():
        graph = LocalGraph(path, in_memory)
        query = f"SELECT ?f WHERE {{ GRAPH <{GRAPH}meta> {{ <{GRAPH}meta> <{NG}dataFingerprint> ?f }} }}"
        built_from = [row["f"] for row in graph.select(query).rows]
        if built_from == [bundled_fingerprint()]:
            return graph
        if on_build:
            on_build(path, "was built from other bundled data")
    elif on_build:
        on_build(path, "does not exist")
    build(path)
    return LocalGraph(path, in_memory)




def states_of(row, kind: str) -> set[str]:
    if kind == "ratifications":
        return {row.state}
    if kind == "comments":
        return {row["state"]} if row["state"] else set()
    return set(row["countries"])


def new_state_triples(store, codes: set[str]) -> Iterator:
    """A minimal node for each state the bundled graph does not know yet, named by ISO 3166."""
    import pycountry
    from pyoxigraph import Literal

    from .loaders.countries import PYCOUNTRY_AS_OF
    from .rdf import RDF_TYPE, RDFS_LABEL, facts, ng, node, provenance

    for code in sorted(codes):
        if next(store.quads_for_pattern(None, ng("iso3"), Literal(code), None), None) is None:
            country = pycountry.countries.get(alpha_3=code)
            subject = node("country", code)
            yield from facts(subject, [(RDF_TYPE, ng("State")), (ng("iso3"), code), (ng("iso2"), country.alpha_2),
                                       (RDFS_LABEL, getattr(country, "common_name", country.name))])
            yield from provenance(subject, "PYCOUNTRY", PYCOUNTRY_AS_OF)


def superseded_triples(store, rows: list, graph: str) -> list:
    """Each earlier record of the same state and instrument is superseded by the loaded one. Read from the store
    once, before anything of the new graph is written."""
    from pyoxigraph import Triple

    from .loaders import ratifications
    from .rdf import ng

    loaded = {(row.instrument, row.state) for row in rows}
    records: dict[tuple, list] = {}
    states = {quad.subject: quad.object for quad in store.quads_for_pattern(None, ng("party"), None, None)}
    for quad in store.quads_for_pattern(None, ng("instrument"), None, None):
        state = states.get(quad.subject)
        if state is not None:
            key = (quad.object.value.rsplit("/", 1)[-1], state.value.rsplit("/", 1)[-1])
            if key in loaded:
                records.setdefault(key, []).append(quad.subject)
    triples = []
    for instrument, state in sorted(loaded):
        new = ratifications.ratification_node(instrument, state, graph)
        triples += [Triple(old, ng("supersededBy"), new) for old in records.get((instrument, state), []) if old != new]
    return triples


SOURCE_ID = re.compile(r"^[A-Za-z0-9_.-]+$")


def graph_key(name: str) -> str:
    """A graph name fit for an IRI: "my table" is user/my-table."""
    key = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
    if not key:
        raise InputError(f"{name!r} cannot name a graph: use letters, digits, '_', '-' or '.' (--name)")
    return key


@dataclass(frozen=True)
class DeclaredSource:
    """The source of a loaded table, declared by the user: its facts cite it like any bundled source."""
    id: str
    title: str = ""
    url: str = ""
    as_of: str = ""


def sources_of(row, kind: str) -> set[str]:
    cited = row.source if kind == "ratifications" else row["source"]
    return {source_id for source_id in cited.split(";") if source_id}


def check_source(file: Path, declared: DeclaredSource | None) -> set[str]:
    """The source ids a row may cite (the bundled ones and the declared one), once the declared one is sound."""
    from .links import web_address
    from .loaders.sources import bundled_source_ids
    from .loaders.table import as_of_problem

    if declared and not SOURCE_ID.match(declared.id):
        raise TableError([f"{file}: --source {declared.id!r}: a source id is letters, digits, '_', '-' and '.'"])
    if declared and declared.id not in bundled_source_ids() and not declared.title:
        raise TableError([f"{file}: --source {declared.id} is a new source: give its --source-title too"])
    if declared and declared.url and not web_address(declared.url):
        raise TableError([f"{file}: --source-url {declared.url[:60]!r} is not an http(s) address"])
    if declared and declared.as_of and as_of_problem(declared.as_of):
        raise TableError([f"{file}: --as-of {as_of_problem(declared.as_of)}"])
    return bundled_source_ids() | ({declared.id} if declared else set())


def checked(file: Path, rows: Iterable, kind: str, known: set[str], states: set[str]) -> Iterator:
    """The rows, each noting the states it names; at the end, TableError if any row cited an unknown source."""
    unknown: set[str] = set()
    for row in rows:
        unknown |= sources_of(row, kind) - known
        states |= states_of(row, kind)
        yield row
    if unknown:
        raise TableError([f"{file}: unknown source id(s) {', '.join(sorted(unknown))}: declare the table's source "
                          "with --source ID --source-title TITLE [--source-url URL] [--as-of DATE], or cite a source "
                          "`normgraph graphs` lists"])


def load_table(store_path: Path, file: Path, kind: str, name: str, source: DeclaredSource | None = None,
               instrument: str | None = None) -> int:
    """Load the file, with the declared source, into its own graph, in a new version of the store swapped in only
    if every row is sound (otherwise TableError lists every bad row and nothing changes); returns the quad count.
    Comments and programmes stream from the file into the version; ratifications, whose records supersede
    earlier ones, are read whole first (a table of them is at most a few thousand rows)."""
    loader = table_loader(kind)
    parse, to_triples = loader.from_file, loader.triples
    defaults = {**({"source": source.id, "as_of": source.as_of} if source else {}),
                **({"instrument": instrument} if instrument else {})}
    known = check_source(file, source)
    graph = USER_GRAPH_PREFIX + graph_key(name)

    def triples_for(store) -> Iterator:
        states: set[str] = set()
        rows = checked(file, parse(file, defaults), kind, known, states)
        # What depends on the store is read before any of the new graph is written.
        superseded = []
        if kind == "ratifications":
            rows = list(rows)
            superseded = superseded_triples(store, rows, graph)
        if source and source.title:
            from .loaders.sources import source_triples

            yield from source_triples(source.id, source.title, source.url, source.as_of)
        yield from superseded
        yield from to_triples(rows, graph=graph)
        yield from new_state_triples(store, states)
    return load_graphs(store_path, {GRAPH + graph: triples_for})[GRAPH + graph]


def ingest_documents(graph, files: list[Path]) -> dict[str, dict]:
    """Read every file first (any unreadable one stops all), then put each document in its own named graph."""
    from .loaders.documents import (
        Recogniser,
        document_iri,
        document_text,
        document_triples,
    )
    from .queries.catalogue import run_named

    recogniser = Recogniser(run_named(graph, "profiles", "surface-forms"))
    documents = {}
    for path in files:
        text, media_type = document_text(path)
        documents[document_iri(path)] = (path, text, media_type, list(recogniser.mentions(text)))
    counts = load_graphs(graph.path, {iri: (lambda store, document=document: document_triples(*document))
                                           for iri, document in documents.items()})
    return {str(path): {"graph": iri, "quads": counts[iri], "mentions": len(found)}
            for iri, (path, _, _, found) in documents.items()}


def graph_kind(iri: str) -> str:
    return "loaded table" if iri.startswith(GRAPH + USER_GRAPH_PREFIX) else "document" if iri.startswith(DOCUMENTS) \
        else "derived" if iri.startswith(DERIVED) else "bundled"


def list_graphs(graph) -> list[dict]:
    """Every named graph with its kind, size, sources and latest as-of date."""
    from .queries.catalogue import run_named

    return [{"graph": row["g"].removeprefix(GRAPH), "kind": graph_kind(row["g"]), "quads": row["quads"],
             "sources": row["sources"], "as_of": row["asOf"]} for row in run_named(graph, "profiles", "graphs")]


def drop_graph(graph, name: str) -> int:
    """Remove a loaded table or an ingested document by its name (as `graphs` lists it); returns its quad count."""
    listed = {row["graph"]: row for row in list_graphs(graph)}
    row = listed.get(name) or listed.get(USER_GRAPH_PREFIX + name)
    if row is None:
        raise InputError(f"no graph named {name!r}; `normgraph graphs` lists them")
    if row["kind"] == "bundled":
        raise InputError(f"{row['graph']} is bundled data, rebuilt from normgraph/data by every build; "
                         "only loaded tables and documents can be dropped")
    if row["kind"] == "derived":
        raise InputError(f"{row['graph']} is derived from {row['graph'].removeprefix('derived/')} each time the store "
                         "is written, and goes with it; drop that graph instead")
    iri = row["graph"] if row["graph"].startswith(USER_GRAPHS) else GRAPH + row["graph"]
    load_graphs(graph.path, {iri: None})
    return row["quads"]
