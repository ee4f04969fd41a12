"""The embedded store as a read-only SPARQL 1.1 Protocol endpoint, served by graph/http_server.py.

The server bounds what reaches the endpoint (request bodies, idle and slow connections, connections per address).
Each query then runs in one of a few worker processes forked with the store before the server starts
(graph/bounded.py), under a wall-clock limit, a memory limit and a cap on the rows or triples it returns;
past a limit the worker is killed and replaced and the client told so, while the other clients keep their
answers. Updates are refused; so is SERVICE, unless the operator names the endpoints a query may federate to.
"""
from __future__ import annotations

import json
import re
import threading
import urllib.parse
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from http import HTTPStatus

from ..errors import QueryError, StoreError
from ..terms import XSD
from .http_server import ConnectionLimits, Request, Server, plain
from .sparql_text import MAX_NESTING, REMEMBERED_CHARS, UPDATE_FORMS, Reading, query_form, reading

RESULT_TYPES = {"application/sparql-results+json": "JSON", "application/json": "JSON",
                "application/sparql-results+xml": "XML", "application/xml": "XML", "text/csv": "CSV",
                "text/tab-separated-values": "TSV"}
GRAPH_TYPES = {"text/turtle": "TURTLE", "application/n-triples": "N_TRIPLES", "application/rdf+xml": "RDF_XML",
               "application/ld+json": "JSON_LD", "application/n-quads": "N_QUADS"}
READ_ONLY = "this endpoint is read-only: SPARQL Update is refused"
# Limits that keep one client from exhausting the server: the request body, and how long a connection may idle.
MAX_BODY_BYTES = 1_000_000
IDLE_SECONDS = 30
# Set on an answer cut at the row cap (the header Virtuoso uses for the same purpose).
TRUNCATED_HEADER = "X-SPARQL-MaxRows"


@dataclass(frozen=True)
class Limits:
    seconds: float = 30.0
    memory_mb: int = 1024
    max_rows: int = 100_000
    allow_service: tuple[str, ...] = ()
    # A query that federates (to an allowed endpoint) is stopped sooner: a remote that never answers must not
    # hold a worker for the whole query limit.
    service_seconds: float = 10.0
    # How long a client may take to send a whole request (headers and body), and to take a whole answer.
    request_seconds: float = 10.0
    answer_seconds: float = 60.0
    # Bytes of answers the server keeps to answer the same query again (RememberedAnswers); 0 keeps none.
    remembered_bytes: int = 64 * 1024 * 1024


# How many connections one address may hold open; how many connections in all.
CONNECTIONS_PER_ADDRESS = 32
CONNECTIONS = 1000
# Server threads: twice the workers may run or wait for queries (WorkerPool.admitted), the rest serve pages.
THREADS = 16


class Refusal(Exception):
    def __init__(self, status: HTTPStatus, message: str):
        super().__init__(message)
        self.status = status


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


WORKERS = 4


# A `format` parameter names the answer's type where a link cannot send an Accept header (a download).
FORMAT_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv",
                "tsv": "text/tab-separated-values", "ttl": "text/turtle", "nt": "application/n-triples",
                "rdfxml": "application/rdf+xml", "jsonld": "application/ld+json"}
# What the common clients send as `format` or `output` (SPARQLWrapper beside its Accept header, Virtuoso's and
# Fuseki's short names, media types): the types it stands for, for results and for graphs. The SPARQL Protocol
# has no such parameter, so a value normgraph does not know leaves the choice to the Accept header.
FORMAT_NAMES = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv",), "tsv": ("text/tab-separated-values",),
    "ttl": ("text/turtle",), "turtle": ("text/turtle",), "n3": ("text/turtle",), "text/n3": ("text/turtle",),
    "nt": ("application/n-triples",), "ntriples": ("application/n-triples",), "n-triples": ("application/n-triples",),
    "rdfxml": ("application/rdf+xml",), "rdf": ("application/rdf+xml",), "rdf+xml": ("application/rdf+xml",),
    "jsonld": ("application/ld+json",), "json-ld": ("application/ld+json",),
    **{media_type: (media_type,) for media_type in (*RESULT_TYPES, *GRAPH_TYPES)},
}


def format_accept(value: str | None, accept: str) -> str:
    """The Accept header a `format`/`output` value stands for, ahead of the client's own header."""
    wanted = FORMAT_NAMES.get((value or "").strip().lower(), ())
    return ", ".join([*wanted, accept] if accept else wanted) if wanted else accept


class RememberedAnswers:
    """The answers of repeatable queries (sparql_text.Reading.repeatable), by what their worker was sent. The store a
    server holds does not change while it serves, so neither does such an answer: the same query is answered again
    without a worker. Bounded in bytes, the least recently asked going first. An answer larger than an eighth of the
    bound, or to a query text longer than REMEMBERED_QUERY_BYTES, is not kept."""

    # What Python holds for an entry beyond its two byte strings (the strings' headers, the ordered dict's node).
    ENTRY_BYTES = 256
    REMEMBERED_QUERY_BYTES = 64 * 1024

    def __init__(self, max_bytes: int):
        self.max_bytes, self.held = max_bytes, 0
        self.answers: OrderedDict[bytes, bytes] = OrderedDict()
        self.lock = threading.Lock()  # pages ask from their threads

    def get(self, job: QueryJob) -> bytes | None:
        if not job.repeatable:
            return None
        with self.lock:
            answer = self.answers.get(job.payload)
            if answer is not None:
                self.answers.move_to_end(job.payload)
            return answer

    def keep(self, job: QueryJob, answer: bytes) -> bytes:
        size = len(job.payload) + len(answer) + self.ENTRY_BYTES
        if job.repeatable and len(job.payload) <= self.REMEMBERED_QUERY_BYTES and size <= self.max_bytes // 8:
            with self.lock:
                if self.answers.setdefault(job.payload, answer) is answer:
                    self.held += size
                while self.held > self.max_bytes:
                    payload, dropped = self.answers.popitem(last=False)
                    self.held -= len(payload) + len(dropped) + self.ENTRY_BYTES
        return answer


def sparql_app(workers, answers: RememberedAnswers, limits: Limits, site=None):
    """The WSGI application: /query answers, /update and other methods are refused; any other path goes to `site`
    (the web interface, a WSGI application) where there is one, and is 404 otherwise."""
    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if site is not None and path not in ("/query", "/update"):
            return site(environ, start_response)
        try:
            job = query_job(limits, environ)
            status, headers, body = job.answer(result_of(workers, answers, job))
        except Refusal as refusal:
            status, headers, body = plain(refusal.status, str(refusal))
        start_response(f"{status.value} {status.phrase}", headers)
        return [body]
    return app


def result_of(workers, answers: RememberedAnswers, job: QueryJob) -> bytes:
    """The job's result, remembered or from a worker (on the calling thread)."""
    with worker_errors():
        return answers.get(job) or answers.keep(job, workers.run(job.payload, job.seconds))


def query_route(workers, answers: RememberedAnswers, limits: Limits):
    """/query and /update on the server's event loop (graph/http_server.py), with no thread in between: the answer of a
    request to either, or None for any other path."""
    @lru_cache(maxsize=1024)
    def remembered_job(method: str, target: str, body: bytes, content_type: str | None, accept: str | None,
                       server_name: str, server_port: int) -> QueryJob:
        headers = {name: value for name, value in (("content-type", content_type), ("accept", accept)) if value is not None}
        return query_job(limits, Request(method, target, "HTTP/1.1", headers, body).environ(server_name, server_port, ""))

    async def route(request, server_name: str, server_port: int):
        try:
            # A request with a short address and body is checked once and remembered (a client repeats its queries,
            # and nothing else of a request changes its job); any other is checked each time, so that memory stays
            # bounded.
            if len(request.target) + len(request.body) <= REMEMBERED_CHARS:
                job = remembered_job(request.method, request.target, request.body, request.headers.get("content-type"),
                                     request.headers.get("accept"), server_name, server_port)
            else:
                job = query_job(limits, request.environ(server_name, server_port, ""))
            with worker_errors():  # as result_of, with the worker awaited on the loop
                return job.answer(answers.get(job) or answers.keep(job, await workers.run_async(job.payload, job.seconds)))
        except Refusal as refusal:
            return plain(refusal.status, str(refusal))

    def routed(request, server_name: str, server_port: int):
        return route(request, server_name, server_port) if request.path in ("/query", "/update") else None
    return routed


@contextmanager
def worker_errors():
    """A query the engine rejected is the client's error; one stopped at a limit, or refused by a busy pool, is
    the service's."""
    try:
        yield
    except QueryError as error:
        raise Refusal(HTTPStatus.BAD_REQUEST, str(error)) from None
    except StoreError as error:
        raise Refusal(HTTPStatus.SERVICE_UNAVAILABLE, str(error)) from None


@dataclass(frozen=True)
class QueryJob:
    """A checked query, ready for a worker: what to send it, how long it may run, and how to answer with its result."""
    payload: bytes
    seconds: float
    media_type: str
    max_rows: int
    download: str | None  # the file extension to download the answer as, when the request named a `format`
    repeatable: bool  # its answer depends on the store alone

    def answer(self, result: bytes) -> tuple[HTTPStatus, list[tuple[str, str]], bytes]:
        truncated, body = result[:1] == b"T", result[1:]
        headers = [("Content-Type", f"{self.media_type}; charset=utf-8")]
        if truncated:
            headers.append((TRUNCATED_HEADER, str(self.max_rows)))
        if self.download:
            headers.append(("Content-Disposition", f'attachment; filename="results.{self.download}"'))
        return HTTPStatus.OK, headers, body


def query_job(limits: Limits, environ) -> QueryJob:
    """The query a request asks, checked, with the answer's media type; Refusal for what is not a query to run."""
    path, method = environ.get("PATH_INFO", ""), environ["REQUEST_METHOD"]
    if path == "/update":
        raise Refusal(HTTPStatus.METHOD_NOT_ALLOWED, READ_ONLY)
    if path != "/query":
        raise Refusal(HTTPStatus.NOT_FOUND, "normgraph serves SPARQL queries at /query")
    if method not in ("GET", "POST"):
        raise Refusal(HTTPStatus.METHOD_NOT_ALLOWED, READ_ONLY)
    url_params = form_params(environ.get("QUERY_STRING", ""))
    if method == "POST":
        query, body_params = query_of(environ, url_params)
    else:
        if environ.get("CONTENT_LENGTH", "0") not in ("", "0"):
            raise Refusal(HTTPStatus.BAD_REQUEST, "a GET request carries its query in the address, not in a body")
        query, body_params = one_query(url_params), {}
    named = next((values[0] for params in (url_params, body_params) for key in ("format", "output")
                  if (values := params.get(key))), None)
    accept = format_accept(named, environ.get("HTTP_ACCEPT") or "")
    # Relative IRIs in a query resolve against the service's own address (Protocol 2.1: the service's base IRI).
    base = f"http://{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}/query"
    job = planned(limits, query, accept, dataset_of(url_params, body_params), base)
    # Our own download links name a file type: the answer comes as an attachment with that extension.
    return replace(job, download=named) if named in FORMAT_TYPES else job


def one_query(params: dict[str, list[str]]) -> str | None:
    """The `query` parameter; two of them are a malformed request (SPARQL 1.1 Protocol 2.1: exactly one)."""
    queries = params.get("query", [])
    if len(queries) > 1:
        raise Refusal(HTTPStatus.BAD_REQUEST, "give exactly one `query` parameter")
    return queries[0] if queries else None


def dataset_of(*params: dict[str, list[str]]) -> tuple[list[str], list[str]] | None:
    """The RDF dataset a request specifies (SPARQL 1.1 Protocol 2.1.4: default-graph-uri, named-graph-uri; it
    overrides the query's FROM and FROM NAMED), each an absolute IRI; None when it specifies none (every graph
    then forms the default graph)."""
    default = [iri for p in params for iri in p.get("default-graph-uri", [])]
    named = [iri for p in params for iri in p.get("named-graph-uri", [])]
    if not default and not named:
        return None
    for iri in default + named:
        if not ABSOLUTE_IRI.fullmatch(iri):
            raise Refusal(HTTPStatus.BAD_REQUEST, f"a graph is named by an absolute IRI, not {iri[:200]!r}")
    return default, named


ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*")
NO_GRAPH = "urn:normgraph:no-graph"


def query_of(environ, url_params: dict[str, list[str]]) -> tuple[str | None, dict]:
    """The query a POST carries (its body, or its `query` form field) and the form's other fields; an update is
    refused, and so is a body whose media type is neither of the two the protocol defines."""
    length = environ.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_BODY_BYTES:
        raise Refusal(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"a request body is at most {MAX_BODY_BYTES} bytes")
    content_type, *parameters = [part.strip().lower() for part in (environ.get("CONTENT_TYPE") or "").split(";")]
    if content_type == "application/sparql-update":
        raise Refusal(HTTPStatus.FORBIDDEN, READ_ONLY)
    charset = next((p.split("=", 1)[1].strip('"') for p in parameters if p.startswith("charset=")), "utf-8")
    if charset not in ("utf-8", "utf8"):
        raise Refusal(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "a query is sent as UTF-8 (SPARQL 1.1 Protocol 2.1.3)")
    try:
        body = environ["wsgi.input"].read(int(length)).decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(HTTPStatus.BAD_REQUEST, "a query is UTF-8 text") from None
    if content_type == "application/sparql-query":
        if "query" in url_params:
            raise Refusal(HTTPStatus.BAD_REQUEST, "a query sent as the body is not also given as a parameter")
        return body, {}
    if content_type != "application/x-www-form-urlencoded":
        raise Refusal(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "a POSTed query is application/sparql-query, or a form "
                                                         "(application/x-www-form-urlencoded) with a `query` field")
    params = form_params(body)
    if "query" in url_params:
        raise Refusal(HTTPStatus.BAD_REQUEST, "a form's query is in its body, not in the address")
    return one_query(params), params


def form_params(encoded: str) -> dict[str, list[str]]:
    """The parameters of a query string or a form body; an update's parameters, wherever they are, are refused."""
    params = urllib.parse.parse_qs(encoded)
    if params.keys() & {"update", "using-graph-uri", "using-named-graph-uri"}:
        raise Refusal(HTTPStatus.FORBIDDEN, READ_ONLY)
    return params


def checked_form(query: str | None, limits: Limits) -> tuple[str, Reading]:
    """The query's form (SELECT, ASK, GRAPH) once it passes every check made before it runs, and its reading. The
    checks read the query's tokens as the SPARQL grammar defines them; the engine parses it only in
    a worker, where a query that crashes the parser costs that worker and no more."""
    if not query:
        raise Refusal(HTTPStatus.BAD_REQUEST, "give the query as the `query` parameter")
    read = reading(query)
    if read.keyword in UPDATE_FORMS:
        raise Refusal(HTTPStatus.FORBIDDEN, READ_ONLY)
    if read.depth > MAX_NESTING:
        raise Refusal(HTTPStatus.BAD_REQUEST, f"the query nests deeper than {MAX_NESTING} levels")
    # SERVICE makes the engine fetch a URL the query names, from the server's network.
    refused = [target for target in read.services if target not in limits.allow_service]
    if refused:
        allowed = f" (allowed: {', '.join(limits.allow_service)})" if limits.allow_service else ""
        raise Refusal(HTTPStatus.FORBIDDEN,
                      f"federated queries (SERVICE {refused[0][:200]}) are refused on this endpoint{allowed}")
    try:
        return query_form(query, read), read
    except QueryError as error:
        raise Refusal(HTTPStatus.BAD_REQUEST, str(error)) from None


def planned(limits: Limits, query: str | None, accept: str, dataset: tuple[list[str], list[str]] | None = None,
            base: str | None = None) -> QueryJob:
    """A checked query's job: what a worker is sent, the seconds the query may run, the answer's media type."""
    form, read = checked_form(query, limits)
    offered, default = (GRAPH_TYPES, "text/turtle") if form == "GRAPH" else (RESULT_TYPES, "application/sparql-results+json")
    media_type = negotiate(accept, offered, default)
    if not media_type:
        kind = "graphs" if form == "GRAPH" else "results"
        raise Refusal(HTTPStatus.NOT_ACCEPTABLE, f"{kind} come as: {', '.join(offered)}")
    payload = json.dumps([query, offered[media_type], limits.max_rows, dataset, base]).encode()
    return QueryJob(payload, limits.service_seconds if read.services else limits.seconds, media_type, limits.max_rows,
                    None, read.repeatable)


def evaluator(store):
    """What a worker runs on a request [query, format, row cap]."""
    def work(request: bytes) -> bytes:
        return evaluate(store, *json.loads(request))
    return work


def evaluate(store, query: str, format_name: str, max_rows: int, dataset: list | None = None,
             base: str | None = None) -> bytes:
    """Run in a worker: the answer in the format asked, prefixed by T if the row cap cut it, else F. A dataset the
    request specified ([default graphs, named graphs]) replaces the default one, the union of every graph."""
    from itertools import islice

    from pyoxigraph import (
        NamedNode,
        QueryBoolean,
        QueryResultsFormat,
        QuerySolutions,
        RdfFormat,
        serialize,
    )

    try:
        if dataset is None:
            graphs = {"use_default_graph_as_union": True}
        else:
            # The request names its graphs: a part it leaves out is empty (Protocol 2.1.4), which an IRI that no
            # graph has stands for.
            default, named = ([NamedNode(iri) for iri in part] or [NamedNode(NO_GRAPH)] for part in dataset)
            graphs = {"default_graph": default, "named_graphs": named}
        result = store.query(query, base_iri=base, **graphs)
    except SyntaxError as error:
        raise QueryError(f"SPARQL syntax error: {error}") from None
    except (OSError, RuntimeError, ValueError) as error:
        raise QueryError(f"the query failed: {error}") from None
    if isinstance(result, QueryBoolean):
        return b"F" + result.serialize(format=getattr(QueryResultsFormat, format_name))
    rows = list(islice(result, max_rows + 1))
    truncated = len(rows) > max_rows
    rows = rows[:max_rows]
    if isinstance(result, QuerySolutions):
        body = serialize_results(result.variables, rows, getattr(QueryResultsFormat, format_name))
    else:
        body = serialize(rows, format=getattr(RdfFormat, format_name))
    return (b"T" if truncated else b"F") + body


def serialize_results(variables, rows, output_format) -> bytes:
    """SPARQL results in the negotiated format, written by pyoxigraph."""
    import orjson
    from pyoxigraph import QueryResultsFormat, parse_query_results

    # pyoxigraph serialises only a whole QuerySolutions, which cannot be cut at a cap: the rows kept are written
    # as JSON results, parsed back into a QuerySolutions, and serialised in the asked format.
    document = orjson.dumps({"head": {"vars": [v.value for v in variables]},
                             "results": {"bindings": [{v.value: term_json(row[v]) for v in variables if row[v] is not None}
                                                      for row in rows]}})
    if output_format == QueryResultsFormat.JSON:  # already the W3C JSON results: no second pass
        return document
    reparsed = parse_query_results(document, format=QueryResultsFormat.JSON)
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
    if term.datatype.value == XSD + "string":  # a simple literal, written as the W3C format and Oxigraph write it
        return {"type": "literal", "value": term.value}
    return {"type": "literal", "value": term.value, "datatype": term.datatype.value}



def make_server(store, host: str, port: int, limits: Limits, idle: float = IDLE_SECONDS, site_factory=None):
    """A server for the application, bound and ready for `run()` (`effective_port` tells the port), and its worker
    pool, to be closed after it. The workers are forked before the server starts its threads, and are offline (a
    network namespace of their own) unless SERVICE is allowed.
    `site_factory(ask)` makes the WSGI application for every other path; `ask(query, accept)` runs a query as /query
    does (same workers and limits) and gives (media type, body, truncated), or raises Refusal."""
    from .bounded import WorkerPool, can_leave_network

    offline = not limits.allow_service and can_leave_network()
    workers = WorkerPool(evaluator(store), WORKERS, limits.seconds, limits.memory_mb, offline=offline)

    answers = RememberedAnswers(limits.remembered_bytes)

    def ask(query: str, accept: str) -> tuple[str, bytes, bool]:
        job = planned(limits, query, accept)
        result = result_of(workers, answers, job)
        return job.media_type, result[1:], result[:1] == b"T"
    try:
        site = site_factory(ask) if site_factory else None
        connection_limits = ConnectionLimits(idle_seconds=idle, request_seconds=limits.request_seconds,
                                             answer_seconds=limits.answer_seconds, max_body_bytes=MAX_BODY_BYTES,
                                             per_address=CONNECTIONS_PER_ADDRESS, connections=CONNECTIONS)
        server = Server(sparql_app(workers, answers, limits, site), query_route(workers, answers, limits), host, port,
                        connection_limits, THREADS)
    except BaseException:
        workers.close()
        raise
    return server, workers
