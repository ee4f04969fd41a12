"""The embedded store as a read-only SPARQL 1.1 Protocol endpoint (standard library threading HTTP server).

Queries run in parallel (pyoxigraph releases the GIL while it evaluates); updates are refused; a query
that streams its solutions is stopped at the timeout. One that must finish before its first solution
(ORDER BY, GROUP BY) is answered when done, or not at all if the client has gone.
"""
from __future__ import annotations

import json
import time
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .store import MAX_NESTING, is_update, nesting_depth, uses_service

RESULT_TYPES = {"application/sparql-results+json": "JSON", "application/json": "JSON",
                "application/sparql-results+xml": "XML", "application/xml": "XML", "text/csv": "CSV",
                "text/tab-separated-values": "TSV"}
GRAPH_TYPES = {"text/turtle": "TURTLE", "application/n-triples": "N_TRIPLES", "application/rdf+xml": "RDF_XML",
               "application/ld+json": "JSON_LD", "application/n-quads": "N_QUADS"}
CHECK_EVERY = 256
READ_ONLY = "this endpoint is read-only: SPARQL Update is refused"
# Limits that keep one client from exhausting the server: the request body, and how long a connection may idle.
MAX_BODY_BYTES = 1_000_000
IDLE_SECONDS = 30


class QueryTimeout(Exception):
    pass


def negotiate(accept: str, offered: dict[str, str], default: str) -> str | None:
    """The first media type the client accepts, by q-value; None if it accepts none of ours."""
    ranked = []
    for position, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        quality = next((float(f[2:]) for f in fields[1:] if f.startswith("q=") and f[2:].replace(".", "", 1).isdigit()), 1.0)
        ranked.append((-quality, position, fields[0].lower()))
    for _, _, media_type in sorted(ranked):
        if media_type in offered:
            return media_type
        if media_type in ("*/*", "application/*", "text/*", ""):
            return default
    return None if accept.strip() else default


class SparqlHandler(BaseHTTPRequestHandler):
    server_version = "normgraph-serve"
    store = None
    timeout_s = 30.0
    # The socket timeout of each connection: an idle client is disconnected instead of holding a thread.
    timeout = IDLE_SECONDS

    def log_message(self, format, *args):  # noqa: A002 - the standard library's signature
        pass

    def do_GET(self):
        url = self.query_url()
        if url:
            self.answer_form(url.query)

    def do_POST(self):
        if not self.query_url():
            return
        length = self.headers.get("Content-Length") or "0"
        if not length.isdigit() or int(length) > MAX_BODY_BYTES:
            self.close_connection = True
            return self.refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"a request body is at most {MAX_BODY_BYTES} bytes")
        body = self.rfile.read(int(length)).decode("utf-8", "replace")
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if content_type == "application/sparql-update":
            return self.refuse(HTTPStatus.FORBIDDEN, READ_ONLY)
        if content_type == "application/sparql-query":
            return self.answer(body)
        self.answer_form(body)

    def do_PUT(self):
        self.refuse(HTTPStatus.METHOD_NOT_ALLOWED, READ_ONLY)

    do_DELETE = do_PATCH = do_PUT

    def query_url(self):
        """The request's URL if it is for /query; otherwise the refusal is sent and None returned."""
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/update":
            self.refuse(HTTPStatus.METHOD_NOT_ALLOWED, READ_ONLY)
        elif url.path != "/query":
            self.refuse(HTTPStatus.NOT_FOUND, "normgraph serves SPARQL queries at /query")
        else:
            return url
        return None

    def answer_form(self, encoded: str) -> None:
        """A query given as the `query` parameter (URL or form body); an `update` parameter is refused."""
        params = urllib.parse.parse_qs(encoded)
        if "update" in params:
            return self.refuse(HTTPStatus.FORBIDDEN, READ_ONLY)
        self.answer(params.get("query", [None])[0])

    def refuse(self, status: HTTPStatus, message: str) -> None:
        self.reply(status, "text/plain", (message + "\n").encode())

    def reply(self, status: HTTPStatus, media_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{media_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def answer(self, query: str | None) -> None:
        from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat

        if not query:
            return self.refuse(HTTPStatus.BAD_REQUEST, "give the query as the `query` parameter")
        if is_update(query):
            return self.refuse(HTTPStatus.FORBIDDEN, READ_ONLY)
        if uses_service(query):
            # SERVICE makes the engine fetch any URL the query names, from the server's network.
            return self.refuse(HTTPStatus.FORBIDDEN, "federated queries (SERVICE) are refused on this endpoint")
        if nesting_depth(query) > MAX_NESTING:
            return self.refuse(HTTPStatus.BAD_REQUEST, f"the query nests deeper than {MAX_NESTING} levels")
        deadline = time.monotonic() + self.timeout_s
        try:
            result = self.store.query(query, use_default_graph_as_union=True)
        except SyntaxError as error:
            return self.refuse(HTTPStatus.BAD_REQUEST, f"SPARQL syntax error: {error}")
        except (OSError, RuntimeError, ValueError) as error:
            return self.refuse(HTTPStatus.BAD_REQUEST, f"the query failed: {error}")
        accept = self.headers.get("Accept") or ""
        if isinstance(result, (QuerySolutions, QueryBoolean)):
            media_type = negotiate(accept, RESULT_TYPES, "application/sparql-results+json")
            if not media_type:
                return self.refuse(HTTPStatus.NOT_ACCEPTABLE, f"results come as: {', '.join(RESULT_TYPES)}")
            output_format = getattr(QueryResultsFormat, RESULT_TYPES[media_type])
            if isinstance(result, QuerySolutions):
                try:
                    result = within(result, deadline)
                except QueryTimeout:
                    return self.refuse(HTTPStatus.SERVICE_UNAVAILABLE, f"the query ran past {self.timeout_s:g} s")
            body = serialize_results(result, output_format)
        else:
            media_type = negotiate(accept, GRAPH_TYPES, "text/turtle")
            if not media_type:
                return self.refuse(HTTPStatus.NOT_ACCEPTABLE, f"graphs come as: {', '.join(GRAPH_TYPES)}")
            body = result.serialize(format=getattr(RdfFormat, GRAPH_TYPES[media_type]))
        self.reply(HTTPStatus.OK, media_type, body)


def within(solutions, deadline: float):
    """The solutions, read in full unless the deadline passes first."""
    variables, rows = solutions.variables, []
    for count, solution in enumerate(solutions):
        rows.append(solution)
        if count % CHECK_EVERY == 0 and time.monotonic() > deadline:
            raise QueryTimeout
    return variables, rows


def serialize_results(result, output_format) -> bytes:
    """SPARQL results in the negotiated format, written by pyoxigraph."""
    from pyoxigraph import QueryBoolean, QueryResultsFormat, parse_query_results

    if isinstance(result, QueryBoolean):
        return result.serialize(format=output_format)
    variables, rows = result
    # pyoxigraph serialises only a whole QuerySolutions, which cannot be read under a deadline: the rows read
    # in time are written as JSON results, parsed back into a QuerySolutions, and serialised in the asked format.
    document = {"head": {"vars": [v.value for v in variables]},
                "results": {"bindings": [{v.value: term_json(row[v]) for v in variables if row[v] is not None}
                                         for row in rows]}}
    reparsed = parse_query_results(json.dumps(document).encode(), format=QueryResultsFormat.JSON)
    return reparsed.serialize(format=output_format)


def term_json(term) -> dict:
    from pyoxigraph import BlankNode, Literal, NamedNode

    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    assert isinstance(term, Literal)
    if term.language:
        return {"type": "literal", "value": term.value, "xml:lang": term.language}
    return {"type": "literal", "value": term.value, "datatype": term.datatype.value}


def make_server(store, host: str, port: int, timeout: float, idle: float = IDLE_SECONDS) -> ThreadingHTTPServer:
    handler = type("NormgraphSparqlHandler", (SparqlHandler,), {"store": store, "timeout_s": timeout, "timeout": idle})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
