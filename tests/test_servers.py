"""Issue 7: real SPARQL servers started by the tests (Oxigraph server, Virtuoso), push, remote reads, serve."""
from __future__ import annotations

import json
import os
import subprocess
import urllib.parse
import urllib.request
from urllib.error import HTTPError

import pytest
from conftest import bundled_table, pushed, run_cli
from servers import free_port, stop, wait_until_answering

pytestmark = pytest.mark.servers

EXAMPLE_CASE = "normgraph/cases/examples/nepal-domestic-worker.yaml"
SABAH_CASE = "normgraph/cases/examples/sabah-plantation.yaml"


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def endpoint(request):
    """Each server in turn, filled by `normgraph push`: the tests that take it run on both."""
    return request.getfixturevalue(f"{request.param}_endpoint")


COMMANDS = [["country", "IND", "--as-of", "2016-01-01"], ["gaps", "--country", "NPL"], ["applies", EXAMPLE_CASE],
            ["applies", SABAH_CASE], ["country", "HKG"], ["instrument", "C182"],
            ["gaps", "untoc-without-palermo", "--region", "Africa"]]


def canonical(value):
    """Answers compared regardless of the order rows come in (SPARQL promises none without ORDER BY)."""
    if isinstance(value, dict):
        return {key: canonical(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        return sorted((canonical(item) for item in value), key=lambda item: json.dumps(item, sort_keys=True))
    return value


def same_gap_answers(graph, endpoint, names):
    from normgraph.graph.remote import RemoteGraph
    from normgraph.reports import gaps

    remote = RemoteGraph(endpoint)
    for name in names:
        params = {"origin": "NPL", "destination": "QAT"} if name == "corridor" else {}
        for day in ("2010-01-01", "2024-01-01"):
            assert canonical(gaps(name, day, remote, **params)) == canonical(gaps(name, day, graph, **params)), (name, day)


def catalogue_names():
    from normgraph.queries.catalogue import catalogue

    return list(catalogue())


def test_push_to_oxigraph_twice_replaces_the_graphs(oxigraph_server, oxigraph_endpoint, graph, store_path):
    from normgraph.graph.remote import RemoteGraph

    pushed(store_path, "--endpoint", oxigraph_endpoint, "--update-endpoint", oxigraph_server.update)
    assert RemoteGraph(oxigraph_endpoint).graph_counts() == graph.graph_counts()


def test_only_a_server_that_answers_from_normgraphs_graphs_alone_is_asked_without_naming_them(
        oxigraph_endpoint, virtuoso_endpoint):
    """Oxigraph server --union-default-graph holds only normgraph's graphs: its default graph is asked as it is.
    Virtuoso (near miss) holds graphs of its own besides: every request names normgraph's."""
    from normgraph.graph.remote import RemoteGraph

    oxigraph, virtuoso = RemoteGraph(oxigraph_endpoint), RemoteGraph(virtuoso_endpoint)
    assert oxigraph.graphs() and oxigraph.union_default
    assert virtuoso.graphs() and not virtuoso.union_default
    # Virtuoso, and only Virtuoso, gets IRI parameters as VALUES (its compiler fails on some constants).
    assert virtuoso.server.startswith("Virtuoso") and not oxigraph.server.startswith("Virtuoso")


def test_export_from_an_endpoint_has_every_quad(oxigraph_endpoint, graph, store_path, tmp_path):
    from pyoxigraph import RdfFormat, parse

    target = tmp_path / "remote.nq"
    result = run_cli("export", "--format", "nq", "-o", str(target), "--endpoint", oxigraph_endpoint, store=store_path)
    assert result.returncode == 0, result.stderr
    assert len(list(parse(path=str(target), format=RdfFormat.N_QUADS))) == sum(graph.graph_counts().values())


def test_push_to_virtuoso_twice_by_either_protocol_replaces_the_graphs(virtuoso_server, virtuoso_endpoint, graph,
                                                                       store_path):
    from normgraph.graph.remote import RemoteGraph

    assert RemoteGraph(virtuoso_endpoint).graph_counts() == graph.graph_counts()
    pushed(store_path, "--endpoint", virtuoso_endpoint, "--graph-store", virtuoso_server.graph_store)
    assert RemoteGraph(virtuoso_endpoint).graph_counts() == graph.graph_counts()


@pytest.mark.parametrize("name", catalogue_names())
def test_the_catalogue_on_a_server_gives_the_embedded_answers(endpoint, graph, name):
    same_gap_answers(graph, endpoint, [name])


@pytest.mark.parametrize("command", COMMANDS)
def test_commands_on_a_server_answer_as_the_embedded_store(endpoint, store_path, command):
    local = run_cli(*command, "--format", "json", store=store_path)
    remote = run_cli(*command, "--format", "json", "--endpoint", endpoint, store=store_path)
    assert remote.returncode == 0, remote.stderr
    assert canonical(json.loads(remote.stdout)) == canonical(json.loads(local.stdout))


def same_view_rows(graph, endpoint):
    from normgraph.exports import view_rows
    from normgraph.graph.remote import RemoteGraph

    remote = RemoteGraph(endpoint)
    for view in ("ratifications", "comments", "programmes"):
        for as_of in (None, "2015-01-01"):
            assert canonical(view_rows(remote, view, as_of)) == canonical(view_rows(graph, view, as_of)), (view, as_of)


def same_timelines(graph, endpoint):
    from normgraph.graph.remote import RemoteGraph
    from normgraph.queries.catalogue import run_named

    remote = RemoteGraph(endpoint)
    # C105 has denunciations taking effect (1980-04-19); P029 has parties waiting for its entry into force.
    for code in ("C105", "P029", "UN-TIP"):
        for as_of in ("1990-01-01", "2024-01-01"):
            local = run_named(graph, "figures", "timeline", instrument=code, asOf=as_of)
            assert run_named(remote, "figures", "timeline", instrument=code, asOf=as_of) == local, (code, as_of)


def test_timelines_on_a_server_count_as_the_embedded_store(endpoint, graph):
    same_timelines(graph, endpoint)


def test_export_views_on_a_server_give_the_embedded_rows(endpoint, graph):
    same_view_rows(graph, endpoint)


def test_a_stopped_endpoint_is_one_line_and_exit_1(store_path):
    url = f"http://127.0.0.1:{free_port()}/query"
    for command in (["gaps", "--country", "NPL", "--endpoint", url], ["push", "--endpoint", url]):
        result = run_cli(*command, store=store_path)
        assert result.returncode == 1 and "cannot reach" in result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


# Short, so that the idle-connection test waits seconds rather than the default 30.
IDLE_SECONDS = 3


# The process behind each `served` address.
SERVING: dict[str, subprocess.Popen] = {}


@pytest.fixture(scope="module")
def served(store_path):
    port = free_port()
    process = subprocess.Popen(["python", "-m", "normgraph", "serve", "--store", str(store_path), "--port", str(port),
                                "--idle-timeout", str(IDLE_SECONDS)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    wait_until_answering(url, process, 30)
    SERVING[url] = process
    yield url
    stop(process)


def http(url, data=None, headers=None, method=None):
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("Content-Type"), response.read()
    except HTTPError as error:
        return error.code, error.headers.get("Content-Type"), error.read()


def test_serve_answers_a_select_in_the_negotiated_format(served, graph):
    query = "PREFIX ng: <https://w3id.org/normgraph#> SELECT ?code WHERE { ?i ng:code ?code ; a ng:Convention } ORDER BY ?code"
    expected = [row["code"] for row in graph.select(query).rows]
    status, media_type, body = http(served + "?" + urllib.parse.urlencode({"query": query}),
                                    headers={"Accept": "text/csv"})
    assert status == 200 and media_type.startswith("text/csv")
    assert body.decode().split()[1:] == expected
    status, media_type, body = http(served, data=urllib.parse.urlencode({"query": query}).encode(),
                                    headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and [b["code"]["value"] for b in json.loads(body)["results"]["bindings"]] == expected


def test_serve_refuses_updates(served, graph):
    before = graph.graph_counts()
    update = "DROP ALL"
    assert http(served, data=urllib.parse.urlencode({"update": update}).encode())[0] == 403
    assert http(served, data=update.encode(), headers={"Content-Type": "application/sparql-update"})[0] == 403
    assert http(served, data=urllib.parse.urlencode({"query": update}).encode())[0] == 403
    assert http(served.replace("/query", "/update"), data=b"update=DROP%20ALL")[0] == 405
    assert http(served + "?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}))[2].find(b"true") >= 0
    assert graph.graph_counts() == before


def test_serve_reports_a_syntax_error_as_400(served):
    status, _, body = http(served + "?" + urllib.parse.urlencode({"query": "SELECT * WHERE {"}))
    assert status == 400 and b"syntax error" in body


def test_bound_parameters_stay_terms_and_leave_strings_alone():
    from pyoxigraph import Literal, NamedNode

    from normgraph.graph.sparql_text import substitute

    query = ('SELECT ?asOf ?x WHERE { { SELECT ?asOf ?y WHERE { ?y ?p ?asOf } GROUP BY ?asOf ?y } '
             'BIND("?asOf" AS ?x) FILTER(?asOf > ?y) } # ?asOf')
    text = substitute(query, {"asOf": Literal('2020 "x"')})
    assert text.startswith('SELECT ("2020 \\"x\\"" AS ?asOf) ?x WHERE { { SELECT  ?y WHERE { ?y ?p "2020 \\"x\\"" }')
    assert 'GROUP BY  ?y' in text and 'BIND("?asOf" AS ?x)' in text and text.endswith("# ?asOf")
    grouped = "SELECT ?s ?o WHERE { { SELECT ?s ?o WHERE { ?s ?p ?o } GROUP BY ?s ?o } }"
    assert substitute(grouped, {"s": NamedNode("http://a/b")}, write_iris=False) == \
        "SELECT ?s ?o WHERE { VALUES (?s) { (<http://a/b>) } { SELECT ?s ?o WHERE { ?s ?p ?o } GROUP BY ?s ?o } }"
    assert substitute(grouped, {"s": NamedNode("http://a/b")}) == \
        "SELECT (<http://a/b> AS ?s) ?o WHERE { { SELECT  ?o WHERE { <http://a/b> ?p ?o } GROUP BY  ?o } }"


@pytest.mark.parametrize("query,fmt", [
    ("ASK { <https://w3id.org/normgraph/id/instrument/C029> ?p ?o }", "json"),
    ("PREFIX ng: <https://w3id.org/normgraph#> SELECT ?code WHERE { ?i ng:code ?code ; a ng:UNTreaty } ORDER BY ?code", "json"),
    ("DESCRIBE <https://w3id.org/normgraph/id/instrument/C029>", "nt"),
    ("CONSTRUCT { ?i ?p ?o } WHERE { ?i a <https://w3id.org/normgraph#UNTreaty> ; ?p ?o }", "nt")])
def test_every_query_form_on_oxigraph_server_answers_as_the_embedded_store(oxigraph_endpoint, store_path, query, fmt):
    local = run_cli("sparql", query, "--format", fmt, store=store_path)
    remote = run_cli("sparql", query, "--format", fmt, "--endpoint", oxigraph_endpoint, store=store_path)
    assert remote.returncode == 0, remote.stderr
    if fmt == "nt":
        assert sorted(remote.stdout.splitlines()) == sorted(local.stdout.splitlines())
    else:
        assert json.loads(remote.stdout) == json.loads(local.stdout)


def test_serve_never_fetches_a_service_url(served):
    """SERVICE would make the server contact any address the client names (SSRF): refused, never contacted."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(2)
    port = listener.getsockname()[1]
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/x> {{ ?s ?p ?o }} }}"
    status, _, body = http(served + "?" + urllib.parse.urlencode({"query": query}))
    assert status == 403 and b"SERVICE" in body
    with pytest.raises(socket.timeout):
        listener.accept()
    listener.close()


def test_serve_refuses_a_deep_query_and_a_huge_body_and_keeps_answering(served):
    deep = "SELECT * WHERE " + "{" * 5000 + "?s ?p ?o" + "}" * 5000
    assert http(served, data=deep.encode(), headers={"Content-Type": "application/sparql-query"})[0] == 400
    huge = http(served, data=b"x", headers={"Content-Type": "application/sparql-query", "Content-Length": "2000000000"})
    assert huge[0] == 413
    long_head = http(served, headers={"X-Padding": "x" * 300_000})
    assert long_head[0] == 431
    assert http(served + "?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}))[0] == 200


def test_serve_closes_an_idle_connection(served):
    import socket

    host, port = urllib.parse.urlsplit(served).netloc.split(":")
    connection = socket.create_connection((host, int(port)))
    connection.settimeout(IDLE_SECONDS + 15)
    assert connection.recv(1) == b""  # the server hangs up on a client that sends nothing
    connection.close()


def test_serve_answers_pipelined_requests_in_order_and_refuses_a_chunked_body(served):
    """HTTP/1.1 lets a client send its next request before the answer to the last: each is answered, in order, on
    the same connection. A body without a length is refused with 411, never read as a request."""
    import socket

    host, port = urllib.parse.urlsplit(served).netloc.split(":")
    queries = [f"PREFIX ng: <https://w3id.org/normgraph#> SELECT ?name WHERE {{ ?s ng:iso3 '{code}' ; "
               "<http://www.w3.org/2000/01/rdf-schema#label> ?name }" for code in ("NPL", "QAT", "ITA")]
    names = {row["iso3"]: row["name"] for row in bundled_table("countries.csv")}
    expected = [names[code] for code in ("NPL", "QAT", "ITA")]
    requests = "".join(f"GET /query?{urllib.parse.urlencode({'query': q})} HTTP/1.1\r\nHost: x\r\n"
                       "Accept: text/csv\r\n\r\n" for q in queries)
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(requests.encode())
        received = b""
        while received.count(b"HTTP/1.1 200") < 3 or not received.rstrip().endswith(expected[-1].encode()):
            chunk = connection.recv(65536)
            assert chunk, received
            received += chunk
    answers = [part.split(b"\r\n\r\n", 1)[1].decode().split("\r\n")[1] for part in received.split(b"HTTP/1.1 ")[1:]]
    assert answers == expected
    chunked = http(served, data=iter([b"ASK {}"]), headers={"Content-Type": "application/sparql-query",
                                                            "Transfer-Encoding": "chunked"})
    assert chunked[0] == 411 and b"Content-Length" in chunked[2]


def test_a_refused_request_keeps_its_answer_when_the_client_is_still_sending(served):
    """A chunked body is refused with 411 while urllib is still sending it. Closed at once with those bytes unread,
    the connection was reset and the client lost the answer, in 29 of 300 tries; the server now lets the client
    finish before it hangs up."""
    for _ in range(100):
        refused = http(served, data=iter([b"ASK {}"]), headers={"Content-Type": "application/sparql-query",
                                                                 "Transfer-Encoding": "chunked"})
        assert refused[0] == 411


def test_serve_queues_more_simple_queries_than_it_has_workers(served):
    """Twelve clients at once (three times the workers): each answered, none told the server is busy."""
    from concurrent.futures import ThreadPoolExecutor

    def ask(index: int) -> int:  # each text its own, so that no answer is remembered and each needs a worker
        return http(served + "?" + urllib.parse.urlencode({"query": f"ASK {{ ?s ?p ?o }} # {index}"}))[0]
    with ThreadPoolExecutor(12) as pool:
        statuses = list(pool.map(ask, range(120)))
    assert statuses == [200] * 120


def test_the_sparql_page_gets_a_worker_while_clients_flood_the_endpoint(served):
    """The page runs its query on a thread, beside the endpoint's queries on the event loop: the workers go to the
    query that has waited longest, whichever it is, so that a flood of endpoint queries never starves the page."""
    import threading
    import time

    until = time.monotonic() + 5
    statuses: list[int] = []

    def flood():
        while time.monotonic() < until:  # each text its own, so that no answer is remembered and each needs a worker
            query = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }} # {len(statuses)} {threading.get_ident()}"
            statuses.append(http(served + "?" + urllib.parse.urlencode({"query": query}))[0])
    threads = [threading.Thread(target=flood) for _ in range(10)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    started = time.monotonic()
    page = http(served.rsplit("/", 1)[0] + "/sparql?" + urllib.parse.urlencode({"query": f"ASK {{ }} # {started}"}))
    waited = time.monotonic() - started
    for thread in threads:
        thread.join()
    assert page[0] == 200 and b"true" in page[2].lower()
    assert waited < 3, waited  # well before the flood ends (4 s after the page asked)
    assert set(statuses) <= {200, 503} and 200 in statuses


class Recorder:
    """A loopback listener that records whether anything connected to it."""

    def __init__(self):
        import socket
        import threading

        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/sparql"
        self.contacted = threading.Event()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        try:
            connection, _ = self.socket.accept()
        except OSError:
            return
        self.contacted.set()
        connection.close()


@pytest.fixture(scope="module")
def limited(store_path):
    """A server with tight limits: 3 s, 300 MB more memory, 10 rows, and one endpoint SERVICE may reach."""
    recorder, port = Recorder(), free_port()
    process = subprocess.Popen(["python", "-m", "normgraph", "serve", "--store", str(store_path), "--port", str(port),
                                "--timeout", "3", "--max-memory", "300", "--max-rows", "10",
                                "--allow-service", recorder.url],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    wait_until_answering(url, process, 30)
    yield url, recorder, process
    stop(process)


def ask(url, query, accept="application/sparql-results+json"):
    """Status, headers and body of a query sent by POST."""
    request = urllib.request.Request(url, data=query.encode(), headers={
        "Content-Type": "application/sparql-query", "Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.mark.parametrize("query,stopped_by", [
    ("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", "rows"),  # a cartesian product that streams
    ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }", "limit"),  # an aggregate: it must finish first
    ("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f", "limit")])  # a sort that holds everything
def test_a_runaway_query_is_stopped_while_another_client_is_answered(limited, query, stopped_by):
    import threading
    import time

    url, _, _ = limited
    outcome = {}

    def runaway():
        start = time.monotonic()
        outcome["status"], outcome["headers"], outcome["body"] = ask(url, query)
        outcome["seconds"] = time.monotonic() - start
    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)
    status, _, body = ask(url, "ASK { ?s ?p ?o }")
    assert status == 200 and b"true" in body  # answered while the runaway runs
    thread.join(30)
    assert outcome["seconds"] < 10, outcome
    if stopped_by == "rows":  # cut at the row cap, and said so
        assert outcome["status"] == 200 and outcome["headers"]["X-SPARQL-MaxRows"] == "10"
    else:  # stopped at the time or the memory limit
        assert outcome["status"] == 503 and (b"3 s" in outcome["body"] or b"memory" in outcome["body"]), outcome


def test_the_row_cap_cuts_an_answer_and_says_so(limited):
    url, _, _ = limited
    status, headers, body = ask(url, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 10
    assert headers["X-SPARQL-MaxRows"] == "10"
    status, headers, body = ask(url, "SELECT * WHERE { ?s ?p ?o } LIMIT 4")  # near miss: under the cap
    assert len(json.loads(body)["results"]["bindings"]) == 4 and "X-SPARQL-MaxRows" not in headers
    status, headers, body = ask(url, "CONSTRUCT WHERE { ?s ?p ?o }", accept="application/n-triples")
    assert status == 200 and len(body.decode().splitlines()) == 10 and headers["X-SPARQL-MaxRows"] == "10"


def test_service_reaches_only_the_endpoints_the_operator_allows(limited):
    url, recorder, _ = limited
    other = Recorder()
    status, _, body = ask(url, f"SELECT * WHERE {{ SERVICE <{other.url}> {{ ?s ?p ?o }} }}")
    assert status == 403 and recorder.url.encode() in body
    assert not other.contacted.wait(1)
    ask(url, f"SELECT * WHERE {{ SERVICE SILENT <{recorder.url}> {{ ?s ?p ?o }} }}")
    assert recorder.contacted.wait(5)  # the allowed endpoint is asked


def test_a_query_whose_client_left_is_stopped_before_its_time_limit(limited):
    import socket
    import time

    url, _, process = limited
    workers = children_of(process.pid)
    query = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }")
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    with socket.create_connection(("127.0.0.1", port)) as client:
        client.sendall(f"GET /query?query={query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        time.sleep(0.5)
    left = time.monotonic()
    while children_of(process.pid) == workers and time.monotonic() - left < 10:
        time.sleep(0.05)
    # The worker that ran it was killed and replaced well before the 3 s limit would have stopped it.
    assert children_of(process.pid) != workers and time.monotonic() - left < 2


def test_a_short_query_whose_client_left_keeps_its_worker(served):
    """A query that answers soon after its client left (here a count of 125,000 joined triples, under 0.1 s) lets its
    worker finish and go back to the pool: killing and forking a worker for it cost the server more than the query,
    and a client that asks and leaves over and over made the server fork once a query."""
    import socket
    import time

    process = SERVING[served]
    workers = children_of(process.pid)
    query = urllib.parse.quote(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o . ?o ?q ?r }} # {time.monotonic()}")
    host, port = urllib.parse.urlsplit(served).netloc.split(":")
    with socket.create_connection((host, int(port))) as client:
        client.sendall(f"GET /query?query={query} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        time.sleep(0.02)
    time.sleep(1.5)
    assert children_of(process.pid) == workers


def test_workers_forked_to_replace_others_draw_their_own_random_values(limited):
    """RAND, UUID and STRUUID come from a generator each worker must seed for itself: workers forked to replace
    stopped ones drew the same values (three distinct UUIDs in eight answers)."""
    from concurrent.futures import ThreadPoolExecutor

    url, _, _ = limited
    heavy = [f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f }} # {index}" for index in range(4)]
    with ThreadPoolExecutor(4) as pool:  # every worker stopped at the time limit, and replaced
        assert set(pool.map(lambda q: http(url + "?" + urllib.parse.urlencode({"query": q}))[0], heavy)) == {503}
        answers = list(pool.map(lambda i: http(url + "?" + urllib.parse.urlencode(
            {"query": f"SELECT (STRUUID() AS ?u) WHERE {{ }} # {i}"}))[2], range(8)))
    uuids = [json.loads(answer)["results"]["bindings"][0]["u"]["value"] for answer in answers]
    assert len(set(uuids)) == 8, uuids


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                if entry.isdigit() and int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                    found.add(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    return found


@pytest.mark.parametrize("stop_signal", ["SIGTERM", "SIGKILL"])
def test_the_query_workers_end_with_the_server(store_path, stop_signal):
    import signal
    import time

    port = free_port()
    process = subprocess.Popen(["python", "-m", "normgraph", "serve", "--store", str(store_path), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_answering(f"http://127.0.0.1:{port}/query", process, 30)
    workers = children_of(process.pid)
    assert workers  # the pool is there
    process.send_signal(getattr(signal, stop_signal))
    process.wait(10)
    deadline = time.monotonic() + 10
    while any(os.path.exists(f"/proc/{pid}") for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(os.path.exists(f"/proc/{pid}") for pid in workers)


def test_workers_killed_while_idle_are_replaced_and_the_server_answers_again(limited):
    """A worker killed from outside (the kernel's OOM killer, an operator) while it waits for a query: the query that
    finds it gone is answered 503 and the worker replaced. Writing to it once raised out of the pool, answered 500
    and lost the worker for good, until no worker was left."""
    import signal
    import time

    url, _, process = limited
    for pid in children_of(process.pid):
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    statuses = [http(url + "?" + urllib.parse.urlencode({"query": f"ASK {{ }} # killed {index}"}))[0]
                for index in range(8)]
    assert statuses == [503] * 4 + [200] * 4
