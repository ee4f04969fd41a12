"""The embedded store: where it lives, opening it for reading, and running SPARQL on it."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import QueryError, StoreError
from ..terms import GRAPH
from .sparql_text import substitute

STORE_ENV = "NORMGRAPH_STORE"
# Each store version writes a manifest beside its database once it is whole: its quads and named graphs.
MANIFEST = "manifest.json"
# In each version: a file its readers hold a shared lock on while they read it; a writer removes a version only
# once it holds that lock alone (graph/build.remove_version).
READERS_LOCK = "readers.lock"
# How often a reader tries the newest version when writers replace the one it found before it could hold it.
HOLD_TRIES = 20
# Up to this size a long-lived reader copies the store into memory (about 0.5 GB at the limit).
IN_MEMORY_MAX_QUADS = 1_000_000


def default_store_path() -> Path:
    if os.environ.get(STORE_ENV):
        return Path(os.environ[STORE_ENV]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("normgraph")) / "store"


@dataclass
class Results:
    variables: list[str]
    rows: list[dict]


def typed_value(lexical: str, datatype: str | None):
    """A literal as the plain value a user reads: integers and booleans typed, the rest as text."""
    kind = literal_kind(datatype or "")
    if kind == "boolean":
        return lexical in ("true", "1")
    if kind == "integer":
        return int(lexical)
    return lexical


@lru_cache(maxsize=256)
def literal_kind(datatype: str) -> str:
    local = datatype.rsplit("#", 1)[-1]
    return "integer" if local in ("integer", "int", "long", "nonNegativeInteger") else local


def term_values():
    """A function giving an RDF term as the plain value a user reads: IRIs as text, literals typed by typed_value
    (made once for many terms: pyoxigraph is imported once, not once a term)."""
    from pyoxigraph import Literal, NamedNode

    def value(term):
        kind = type(term)
        if kind is NamedNode:
            return term.value
        if kind is Literal:
            return typed_value(term.value, term.datatype.value)
        return None if term is None else str(term)
    return value


def rows_of(solutions, variables: list[str]) -> list[dict]:
    """Solutions as plain rows, one dict a solution."""
    value = term_values()
    return [dict(zip(variables, map(value, solution))) for solution in solutions]


class GraphSizes:
    """Triples per named graph, for any graph that answers `select` (the embedded store or an endpoint)."""

    def triples_per_graph(self) -> dict[str, int]:
        """By graph IRI."""
        query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        return dict(sorted((row["g"], int(row["n"])) for row in self.select(query).rows))

    def graph_counts(self) -> dict[str, int]:
        """By name: normgraph's own graphs without their common prefix."""
        return {iri.removeprefix(GRAPH): count for iri, count in self.triples_per_graph().items()}


def held_version(path: Path):
    """(database, open lock file) of the version the store path names, held for reading: no writer removes it
    while the file is open. A version a writer was removing as it was found is passed over for the newest."""
    import fcntl

    for _ in range(HOLD_TRIES):
        database = path.resolve()
        if not path.is_symlink() and not database.exists():
            raise StoreError(f"cannot open the store at {path}: there is none; run `normgraph build`")
        lock = database.parent / READERS_LOCK
        try:
            handle = open(lock, "rb")
        except FileNotFoundError:
            if (database.parent / MANIFEST).exists():  # a version written before readers held their version
                lock.touch()
            continue  # else the version is gone: the link names a newer one now
        fcntl.flock(handle, fcntl.LOCK_SH)
        try:
            if os.path.samestat(os.fstat(handle.fileno()), os.stat(lock)) and database.exists():
                return database, handle
        except FileNotFoundError:
            pass
        handle.close()
    raise StoreError(f"the store at {path} was replaced {HOLD_TRIES} times while this command opened it; try again")


class LocalGraph(GraphSizes):
    """A read-only view of the embedded Oxigraph store; every named graph is part of the default graph.

    A command opens the version's database read-only and queries it on disk: that takes 10 ms at any size, where
    loading it into memory takes 2 µs a quad. A long-lived reader (`serve`, a test session) asks for `in_memory`:
    it pays the copy once, and a small store in memory answers a whole-catalogue query about twice as fast."""

    def __init__(self, path: Path, in_memory: bool = False):
        from pyoxigraph import Store

        self.path = path
        try:
            self.database, self.held = held_version(path)
            self.store = Store.read_only(str(self.database))
            written = self.manifest()
            self.check_whole(written)
            if in_memory and written["quads"] <= IN_MEMORY_MAX_QUADS:
                memory = Store()
                memory.bulk_extend(self.store)
                self.store = memory
                self.held.close()  # the copy no longer needs the version on disk
        except (OSError, RuntimeError) as error:
            raise StoreError(f"cannot open the store at {path}: {error}; run `normgraph build` to repair it "
                             "(your loaded graphs are kept)") from None

    def manifest(self) -> dict:
        import json

        manifest = self.database.parent / MANIFEST
        if not manifest.exists():
            raise StoreError(f"the store at {self.path} is damaged: its version has no manifest; run `normgraph build` "
                             "to repair it (your loaded graphs are kept)")
        return json.loads(manifest.read_text(encoding="utf-8"))

    def check_whole(self, manifest: dict) -> None:
        """Refuse a database whose named graphs are not the ones its version wrote (RocksDB's own checksums
        refuse damaged files); counting every quad would cost 0.4 s a million."""
        written = manifest.get("graphs")
        present = sorted(graph.value for graph in self.store.named_graphs())
        if written is not None and present != written:
            raise StoreError(f"the store at {self.path} is damaged: it holds {len(present)} named graphs where its "
                             f"version wrote {len(written)}; run `normgraph build` to repair it (your loaded graphs "
                             "are kept)")

    @classmethod
    def over(cls, store) -> "LocalGraph":
        """A graph over a pyoxigraph store already in memory (a synthetic graph in the benchmarks)."""
        graph = cls.__new__(cls)
        graph.path, graph.store = None, store
        return graph

    def select(self, query: str, bindings: dict | None = None) -> Results:
        from pyoxigraph import QuerySolutions

        # Bound terms are written into the text: Oxigraph then plans each pattern around the constant, where a
        # substitution (like VALUES) is joined after the subqueries are evaluated for every state.
        try:
            solutions = self.store.query(substitute(query, bindings) if bindings else query,
                                         use_default_graph_as_union=True)
        except SyntaxError as error:
            raise QueryError(f"SPARQL syntax error: {error}") from None
        except (OSError, RuntimeError, ValueError) as error:
            raise QueryError(f"the query failed: {error}") from None
        if not isinstance(solutions, QuerySolutions):
            raise QueryError("this is not a SELECT query; run it with `normgraph sparql`, which takes every query form")
        variables = [v.value for v in solutions.variables]
        return Results(variables, rows_of(solutions, variables))

    def query(self, query: str):
        """Any query form, streamed: solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT, DESCRIBE)."""
        try:
            return self.store.query(query, use_default_graph_as_union=True)
        except SyntaxError as error:
            raise QueryError(f"SPARQL syntax error: {error}") from None
        except (OSError, RuntimeError, ValueError) as error:
            raise QueryError(f"the query failed: {error}") from None

    def quads(self, graph_iri: str | None = None):
        """Every quad of the store, or of one named graph."""
        from pyoxigraph import NamedNode

        return self.store.quads_for_pattern(None, None, None, NamedNode(graph_iri) if graph_iri else None)

    def construct(self, query: str) -> list:
        """The triples a CONSTRUCT query builds."""
        from pyoxigraph import QueryTriples

        triples = self.query(query)
        if not isinstance(triples, QueryTriples):
            raise QueryError("expected a CONSTRUCT query")
        return list(triples)
