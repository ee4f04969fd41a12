"""Uploading the embedded store to a SPARQL server, graph by graph, replacing what a previous push put there.

The SPARQL 1.1 Graph Store protocol (a PUT, then POSTs in batches) is used when the server offers it;
otherwise SPARQL Update: DROP SILENT GRAPH, then INSERT DATA in batches. A graph with blank nodes goes in one
request, so each blank node stays one node. Every graph's size is checked on the server afterwards.
"""
from __future__ import annotations

import base64
import os
import urllib.parse
import urllib.request
from collections.abc import Callable
from itertools import islice

from ..errors import StoreError
from .remote import PASSWORD_ENV, USER_ENV, RemoteGraph, perform, prepared

# Virtuoso compiles INSERT DATA to SQL and refuses more than 10,000 lines of it: 2,000 triples are too many.
UPDATE_BATCH = 500
# Virtuoso's Graph Store endpoint stalls on a body of several hundred thousand triples.
STORE_BATCH = 50_000
Report = Callable[[str, int], None]


def ntriples(quads) -> str:
    return "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in quads)


def has_blank_nodes(quads: list) -> bool:
    from pyoxigraph import BlankNode

    return any(isinstance(q.subject, BlankNode) or isinstance(q.object, BlankNode) for q in quads)


def request_size(quads: list, size: int) -> int:
    """A blank node is one node only within one request, so a graph that has any goes in one."""
    return len(quads) if has_blank_nodes(quads) else size


def batches(quads: list, size: int):
    iterator = iter(quads)
    while batch := list(islice(iterator, size)):
        yield batch


def send_graph(graph_store: str, method: str, iri: str, quads: list, timeout: float) -> None:
    """Graph Store protocol: PUT replaces the graph with the body, POST adds the body to it."""
    from urllib.error import HTTPError, URLError

    url = graph_store + ("&" if "?" in graph_store else "?") + urllib.parse.urlencode({"graph": iri})
    request = urllib.request.Request(url, data=ntriples(quads).encode("utf-8"), method=method,
                                     headers={"Content-Type": "application/n-triples"})
    if os.environ.get(USER_ENV):
        token = base64.b64encode(f"{os.environ[USER_ENV]}:{os.environ.get(PASSWORD_ENV, '')}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except HTTPError as error:
        detail = " ".join(error.read().decode("utf-8", "replace").split())[:200]
        raise StoreError(f"{graph_store} refused graph <{iri}>: HTTP {error.code} {detail}") from None
    except (URLError, OSError) as error:
        raise StoreError(f"cannot reach {graph_store}: {getattr(error, 'reason', error)}") from None


def store_graph(graph_store: str, iri: str, quads: list, timeout: float, report: Report) -> None:
    """Graph Store protocol: the first batch replaces the graph, the others are added to it."""
    for number, batch in enumerate(batches(quads, request_size(quads, STORE_BATCH))):
        send_graph(graph_store, "POST" if number else "PUT", iri, batch, timeout)
        report(iri, len(batch))


def update(endpoint: str, text: str, timeout: float) -> None:
    perform(prepared(endpoint, text, timeout, "INSERT"), endpoint, timeout)


def replace_graph(update_endpoint: str, iri: str, quads: list, timeout: float, report: Report) -> None:
    """SPARQL Update: drop the graph, then insert it in batches."""
    update(update_endpoint, f"DROP SILENT GRAPH <{iri}>", timeout)
    if has_blank_nodes(quads):
        # INSERT DATA may not hold blank nodes (Virtuoso refuses them); a template with an empty WHERE
        # inserts them once, as the same nodes throughout the request.
        update(update_endpoint, f"INSERT {{ GRAPH <{iri}> {{\n{ntriples(quads)}}} }} WHERE {{}}", timeout)
        report(iri, len(quads))
        return
    for batch in batches(quads, UPDATE_BATCH):
        update(update_endpoint, f"INSERT DATA {{ GRAPH <{iri}> {{\n{ntriples(batch)}}} }}", timeout)
        report(iri, len(batch))


def push(local, endpoint: str, update_endpoint: str | None = None, graph_store: str | None = None,
         timeout: float = 300.0, report: Report = lambda iri, count: None) -> dict[str, int]:
    """Upload every named graph of the local store; returns triples per graph as the server counts them."""
    from .remote import normgraph_graph

    graphs: dict[str, list] = {}
    for quad in local.quads():
        if normgraph_graph(quad.graph_name.value):
            graphs.setdefault(quad.graph_name.value, []).append(quad)
    for iri, quads in graphs.items():
        if graph_store:
            store_graph(graph_store, iri, quads, timeout, report)
        else:
            replace_graph(update_endpoint or endpoint, iri, quads, timeout, report)
    counted = RemoteGraph(endpoint, timeout).triples_per_graph()
    short = [f"<{iri}> has {counted.get(iri, 0)} of {len(quads)} triples"
             for iri, quads in graphs.items() if counted.get(iri, 0) != len(quads)]
    if short:
        raise StoreError("the push is incomplete: " + "; ".join(short))
    return {iri: counted[iri] for iri in graphs}
