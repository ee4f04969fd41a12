"""A remote SPARQL 1.1 Protocol endpoint (Oxigraph server, Virtuoso, ...) read like the embedded store.

The catalogue's parameters are bound as RDF terms written by pyoxigraph (quotes and escapes are the library's,
never the user's text); `substitute` says how. The named graphs normgraph wrote form the default graph,
through the protocol's default-graph-uri / named-graph-uri parameters, so other data on the server stays out.
"""
from __future__ import annotations

import json
import os
import re
import socket
from urllib.error import HTTPError, URLError

from ..errors import QueryError, StoreError
from ..terms import DOCUMENTS, GRAPH, NG
from .sparql_text import query_form, substitute
from .store import GraphSizes, Results, typed_value

USER_ENV, PASSWORD_ENV = "NORMGRAPH_ENDPOINT_USER", "NORMGRAPH_ENDPOINT_PASSWORD"
def normgraph_graph(iri: str) -> bool:
    """Whether a named graph is one normgraph writes (bundled, a loaded table, an ingested document)."""
    return iri.startswith((GRAPH, DOCUMENTS))


class RemoteGraph(GraphSizes):
    """Reads a SPARQL endpoint through SPARQLWrapper, answering like LocalGraph (select, construct, quads)."""

    path = None

    def __init__(self, endpoint: str, timeout: float = 60.0):
        if not re.match(r"https?://", endpoint):
            raise StoreError(f"the endpoint must be an http(s) URL, not {endpoint!r}")
        self.endpoint, self.timeout = endpoint, timeout
        self._graphs: list[str] | None = None
        self.union_default = False
        self.server = ""

    def wrapper(self, query: str, return_format: str, dataset: bool = True):
        sparql = prepared(self.endpoint, query, self.timeout, "CONSTRUCT" if return_format == "turtle" else "SELECT")
        sparql.setReturnFormat(return_format)
        if dataset:
            graphs = self.graphs()
            for graph in [] if self.union_default else graphs:
                sparql.addDefaultGraph(graph)
                sparql.addNamedGraph(graph)
        return sparql

    def request(self, query: str, return_format: str, dataset: bool = True) -> tuple[bytes, str]:
        """The raw answer and its media type; every way an endpoint can fail becomes one StoreError line."""
        answer = perform(self.wrapper(query, return_format, dataset), self.endpoint, self.timeout)
        if answer[1] in ("text/html", "application/xhtml+xml"):
            raise StoreError(f"{self.endpoint} answered with an HTML page, not SPARQL results; "
                             f"is it the query endpoint of a SPARQL server?")
        self.server = self.server or answer.server
        return answer

    def graphs(self) -> list[str]:
        """The named graphs normgraph wrote on the server (bundled, loaded tables, ingested documents)."""
        if self._graphs is None:
            body, _ = self.request("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "json", dataset=False)
            found = [row["g"]["value"] for row in self.json_rows(body)]
            self._graphs = sorted(g for g in found if normgraph_graph(g))
            if not self._graphs:
                raise StoreError(f"{self.endpoint} holds no normgraph graph; run `normgraph push --endpoint "
                                 f"{self.endpoint}` first")
            # A server that holds only normgraph's graphs and answers from all of them by default (Oxigraph server
            # --union-default-graph) is asked as it is: naming every graph in each request costs it 100 times more.
            self.union_default = len(found) == len(self._graphs) and self.answers_by_default()
        return self._graphs

    def answers_by_default(self) -> bool:
        """Whether the server's default graph holds normgraph's data without naming any graph."""
        body, _ = self.request(f"ASK {{ ?s <{NG}iso3> ?o }}", "json", dataset=False)
        try:
            return json.loads(body)["boolean"] is True
        except (ValueError, KeyError, TypeError):
            return False

    def json_rows(self, body: bytes) -> list[dict]:
        try:
            return json.loads(body)["results"]["bindings"]
        except (ValueError, KeyError, TypeError):
            raise StoreError(f"{self.endpoint} did not answer with SPARQL JSON results") from None

    def select(self, query: str, bindings: dict | None = None) -> Results:
        self.graphs()  # which also tells the server's software
        # Virtuoso 7.2 fails to compile some aggregating subqueries whose subject is a constant: it gets the IRI
        # parameters as VALUES. Every other engine gets constants, which Oxigraph plans around.
        body, _ = self.request(substitute(query, bindings or {}, write_iris=not self.server.startswith("Virtuoso")), "json")
        try:
            document = json.loads(body)
            variables = document["head"]["vars"]
        except (ValueError, KeyError, TypeError):
            raise QueryError("this is not a SELECT query; run it with `normgraph sparql`, which takes every query form") from None
        rows = document.get("results", {}).get("bindings", [])
        return Results(variables, [{name: plain_value(row.get(name)) for name in variables} for row in rows])

    def query(self, query: str):
        """Any query form, as LocalGraph.query answers it: solutions, a boolean, or triples."""
        from pyoxigraph import QueryResultsFormat, parse_query_results

        if query_form(query) == "GRAPH":
            return self.construct(query)
        body, _ = self.request(query, "json")
        try:
            return parse_query_results(body, format=QueryResultsFormat.JSON)
        except SyntaxError as error:
            raise StoreError(f"{self.endpoint} sent results that do not parse: {error}") from None

    def construct(self, query: str) -> list:
        from pyoxigraph import RdfFormat, parse

        body, media_type = self.request(query, "turtle")
        rdf_format = RdfFormat.from_media_type(media_type) or RdfFormat.TURTLE
        try:
            return list(parse(body, format=rdf_format))
        except SyntaxError as error:
            raise StoreError(f"{self.endpoint} sent RDF that does not parse: {error}") from None

    def quads(self, graph_iri: str | None = None):
        from pyoxigraph import NamedNode, Quad

        graphs = [graph_iri] if graph_iri else self.graphs()
        for graph in graphs:
            body, _ = self.request(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", "json")
            for row in self.json_rows(body):
                yield Quad(rdf_term(row["s"]), rdf_term(row["p"]), rdf_term(row["o"]), NamedNode(graph))


def prepared(endpoint: str, text: str, timeout: float, kind: str = "SELECT"):
    """A SPARQLWrapper POST request for a query or an update, with basic auth from the environment.

    `kind` (SELECT, CONSTRUCT, INSERT) is stated, not guessed: SPARQLWrapper's guess reads a `#` inside
    an IRI as a comment and can take a query for an update."""
    from SPARQLWrapper import POST, SPARQLWrapper

    sparql = SPARQLWrapper(endpoint)
    sparql.setMethod(POST)
    sparql.setTimeout(int(max(1, timeout)))
    sparql.setQuery(text)
    sparql.queryType = kind
    if os.environ.get(USER_ENV):
        sparql.setCredentials(os.environ[USER_ENV], os.environ.get(PASSWORD_ENV, ""))
    return sparql


class Answer(tuple):
    """An endpoint's answer: (body, media type), and the software the server names itself (its Server header)."""

    def __new__(cls, body: bytes, media_type: str, server: str = ""):
        answer = super().__new__(cls, (body, media_type))
        answer.server = server
        return answer


def perform(sparql, endpoint: str, timeout: float) -> Answer:
    """Send a prepared SPARQLWrapper request; a failure of any kind is one clear StoreError (QueryError if
    the server rejected the query text)."""
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    try:
        response = sparql.query().response
        if response.headers.get("X-SQL-State") == "S1TAT":
            raise StoreError(f"{endpoint} stopped the query at its own time limit and sent partial results; "
                             f"raise the server's MaxQueryExecutionTime or narrow the query")
        return Answer(response.read(), response.headers.get("Content-Type", "").split(";")[0].strip(),
                      response.headers.get("Server", ""))
    except SPARQLWrapperException as error:
        detail = " ".join(str(error).split())
        if type(error).__name__ == "QueryBadFormed":
            raise QueryError(f"{endpoint} rejected the query: {detail[:300]}") from None
        if type(error).__name__ == "Unauthorized":
            raise StoreError(f"{endpoint} refused access; set {USER_ENV} and {PASSWORD_ENV} for basic auth") from None
        raise StoreError(f"{endpoint} failed: {detail[:300]}") from None
    except HTTPError as error:
        if error.code in (401, 403):
            raise StoreError(f"{endpoint} refused access (HTTP {error.code}); set {USER_ENV} and "
                             f"{PASSWORD_ENV} for basic auth") from None
        raise StoreError(f"{endpoint} answered HTTP {error.code} {error.reason}") from None
    except (socket.timeout, TimeoutError):
        raise StoreError(f"{endpoint} gave no answer within {timeout:g} s (--timeout)") from None
    except URLError as error:
        if isinstance(error.reason, (socket.timeout, TimeoutError)):
            raise StoreError(f"{endpoint} gave no answer within {timeout:g} s (--timeout)") from None
        raise StoreError(f"cannot reach {endpoint}: {error.reason}") from None
    except OSError as error:
        raise StoreError(f"cannot reach {endpoint}: {error}") from None


def plain_value(binding: dict | None):
    """A JSON result term as LocalGraph gives it."""
    return None if binding is None else typed_value(binding["value"], binding.get("datatype"))


def rdf_term(binding: dict):
    from pyoxigraph import BlankNode, Literal, NamedNode

    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return NamedNode(value)
    if kind == "bnode":
        return BlankNode(re.sub(r"[^A-Za-z0-9]", "", value) or None)
    if binding.get("xml:lang"):
        return Literal(value, language=binding["xml:lang"])
    return Literal(value, datatype=NamedNode(binding["datatype"])) if binding.get("datatype") else Literal(value)
