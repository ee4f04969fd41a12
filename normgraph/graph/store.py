"""The embedded store: where it lives, opening it for reading, and running SPARQL on it."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..ids import GRAPH

STORE_ENV = "NORMGRAPH_STORE"
# Each store version keeps an N-Quads snapshot beside its database; readers load it into an
# in-memory Oxigraph store, which answers the catalogue 3-4 times faster than reading from disk.
SNAPSHOT = "snapshot.nq"
MANIFEST = "manifest.json"
UPDATE_KEYWORDS = re.compile(
    r"^\s*(?:(?:PREFIX|BASE)\s+[^\n]*?\s*)*(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.I)


class StoreError(RuntimeError):
    """The store cannot be opened or a query cannot run on it."""


class QueryError(StoreError):
    """A query the engine rejects (syntax or evaluation); the message says where."""


def file_digest(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_store_path() -> Path:
    if os.environ.get(STORE_ENV):
        return Path(os.environ[STORE_ENV]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("normgraph")) / "store"


# The SPARQL parser recurses once per nested group: thousands of levels overflow its stack and kill the process.
MAX_NESTING = 200


TOKEN = re.compile(r'''(?P<long>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\')'''
                   r'''|(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')'''
                   r'''|(?P<iri><[^<>"{}|^`\\\s]*>)|(?P<comment>\#[^\n]*)'''
                   r'''|(?P<variable>[?$][A-Za-z_][A-Za-z0-9_]*)|(?P<word>[A-Za-z]+)|(?P<other>[\s\S])''')


def nesting_depth(query: str) -> int:
    """How deep the query's groups and brackets nest (strings, IRIs and comments do not count)."""
    depth = deepest = 0
    for match in TOKEN.finditer(query):
        if match.lastgroup == "other" and match.group(0) in "{(":
            depth += 1
            deepest = max(deepest, depth)
        elif match.lastgroup == "other" and match.group(0) in "})":
            depth -= 1
    return deepest


def uses_service(query: str) -> bool:
    """Whether the query federates (SERVICE), which would make the engine fetch a URL the query names."""
    return bool(service_targets(query))


def service_targets(query: str) -> list[str]:
    """What each SERVICE names: an IRI (without its brackets) or a variable (with its '?')."""
    targets, after_service = [], False
    for match in TOKEN.finditer(query):
        kind, text = match.lastgroup, match.group(0)
        if kind in ("comment",) or text.isspace():
            continue
        if kind == "word" and text.upper() == "SERVICE":
            after_service = True
        elif after_service and not (kind == "word" and text.upper() == "SILENT"):
            targets.append(text[1:-1] if kind == "iri" else text)
            after_service = False
    return targets


def query_form(query: str) -> str:
    """SELECT, ASK or GRAPH (CONSTRUCT, DESCRIBE), read by parsing the query against an empty store."""
    from pyoxigraph import QueryBoolean, QuerySolutions, Store

    if nesting_depth(query) > MAX_NESTING:
        raise QueryError(f"the query nests groups {nesting_depth(query)} deep; normgraph takes up to {MAX_NESTING}")
    try:
        result = Store().query(query)
    except SyntaxError as error:
        raise QueryError(f"SPARQL syntax error: {error}") from None
    return "SELECT" if isinstance(result, QuerySolutions) else "ASK" if isinstance(result, QueryBoolean) else "GRAPH"


def is_update(query: str) -> bool:
    """Whether the text is a SPARQL Update rather than a query (comments ignored)."""
    text = re.sub(r"(?m)#.*$", "", re.sub(r"<[^>]*>", "<>", query))
    return bool(UPDATE_KEYWORDS.match(text))


@dataclass
class Results:
    variables: list[str]
    rows: list[dict]


def typed_value(lexical: str, datatype: str | None):
    """A literal as the plain value a user reads: integers and booleans typed, the rest as text."""
    local = (datatype or "").rsplit("#", 1)[-1]
    if local == "boolean":
        return lexical in ("true", "1")
    if local in ("integer", "int", "long", "nonNegativeInteger"):
        return int(lexical)
    return lexical


def python_value(term):
    """An RDF term as the plain value a user reads: IRIs as text, literals typed by typed_value."""
    from pyoxigraph import Literal, NamedNode

    if term is None:
        return None
    if isinstance(term, NamedNode):
        return term.value
    if isinstance(term, Literal):
        return typed_value(term.value, term.datatype.value)
    return str(term)


class GraphSizes:
    """Triples per named graph, for any graph that answers `select` (the embedded store or an endpoint)."""

    def triples_per_graph(self) -> dict[str, int]:
        """By graph IRI."""
        query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        return dict(sorted((row["g"], int(row["n"])) for row in self.select(query).rows))

    def graph_counts(self) -> dict[str, int]:
        """By name: normgraph's own graphs without their common prefix."""
        return {iri.removeprefix(GRAPH): count for iri, count in self.triples_per_graph().items()}


class LocalGraph(GraphSizes):
    """A read-only view of the embedded Oxigraph store; every named graph is part of the default graph."""

    def __init__(self, path: Path):
        from pyoxigraph import RdfFormat, Store

        self.path = path
        snapshot = path.resolve().parent / SNAPSHOT
        try:
            if snapshot.exists():
                self.store = Store()
                self.store.load(path=str(snapshot), format=RdfFormat.N_QUADS, lenient=True)
                self.check_whole(snapshot)
            else:
                self.store = Store.read_only(str(path.resolve()))
        except (OSError, SyntaxError) as error:
            raise StoreError(f"cannot open the store at {path}: {error}; run `normgraph build` to repair it "
                             "(your loaded graphs are kept)") from None

    def check_whole(self, snapshot: Path) -> None:
        """Refuse a snapshot that is not the one its version wrote: fewer or other quads answer silently wrong."""
        import json

        manifest = snapshot.with_name(MANIFEST)
        if not manifest.exists():
            return
        expected = json.loads(manifest.read_text(encoding="utf-8"))
        if len(self.store) != expected["quads"] or file_digest(snapshot) != expected["sha256"]:
            raise StoreError(f"the store at {self.path} is damaged: its snapshot is not the one written ({len(self.store)} "
                             f"quads read, {expected['quads']} written); run `normgraph build` to repair it "
                             "(your loaded graphs are kept)")

    @classmethod
    def over(cls, store) -> "LocalGraph":
        """A graph over a pyoxigraph store already in memory (a synthetic graph in the benchmarks)."""
        graph = cls.__new__(cls)
        graph.path, graph.store = None, store
        return graph

    def select(self, query: str, bindings: dict | None = None) -> Results:
        from pyoxigraph import QuerySolutions, Variable

        substitutions = {Variable(name): term for name, term in (bindings or {}).items() if term is not None}
        try:
            solutions = self.store.query(query, use_default_graph_as_union=True, substitutions=substitutions)
        except SyntaxError as error:
            raise QueryError(f"SPARQL syntax error: {error}") from None
        except (OSError, RuntimeError, ValueError) as error:
            raise QueryError(f"the query failed: {error}") from None
        if not isinstance(solutions, QuerySolutions):
            raise QueryError("this is not a SELECT query; run it with `normgraph sparql`, which takes every query form")
        variables = [v.value for v in solutions.variables]
        return Results(variables, [{name: python_value(row[name]) for name in variables} for row in solutions])

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
