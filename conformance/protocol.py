"""Run the W3C SPARQL 1.1 Protocol test suite against `normgraph serve` and write an EARL report.

    python conformance/protocol.py [--earl build/protocol-earl.ttl]

The suite (conformance/w3c-protocol/: manifest.ttl and its data files, from w3c/rdf-tests,
sparql/sparql11/protocol, under the W3C test suite licences; see LICENSE.md there) describes each test as HTTP
requests and the responses they must get. This script builds a store from the bundled data, adds the suite's data
files as the named graphs the manifest names (through normgraph's own loading path), serves it on loopback, sends
each request as the manifest writes it (the path /sparql/ is the service's /query) and checks the status class,
the boolean of an ASK and the kind of answer (boolean, tabular, RDF).

`normgraph serve` is read-only: an update test (its requests carry an update) passes when the service refuses it
with a 4xx status, and the report says so; every other test must get exactly what the manifest expects.
Exit status 0 when every test passes, 1 otherwise.
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

SUITE = Path(__file__).resolve().parent / "w3c-protocol"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
HT = "http://www.w3.org/2011/http#"
CNT = "http://www.w3.org/2011/content#"
UT = "http://www.w3.org/2009/sparql/tests/test-update#"
HTS = "http://www.w3.org/2011/http-statusCodes#"
RESULT_TYPES = {"boolean": ("application/sparql-results+json", "application/sparql-results+xml"),
                "tabular": ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                            "text/tab-separated-values"),
                "RDF": ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json",
                        "application/n-quads", "application/trig")}


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[str]
    boolean: bool | None
    kind: str | None

    @property
    def updates(self) -> bool:
        return (b"update=" in (self.body or b"") or "update=" in self.path
                or "sparql-update" in self.headers.get("content-type", ""))


@dataclass
class Test:
    iri: str
    name: str
    requests: list[Request]

    @property
    def updates(self) -> bool:
        """Whether the test asks the service to change its data (an update operation)."""
        return any(request.updates for request in self.requests)


def suite(manifest: Path) -> tuple[list[Test], dict[str, Path]]:
    """The tests in the manifest's order, and the data files to load, by the graph IRI each is loaded as."""
    import rdflib
    from rdflib.collection import Collection

    graph = rdflib.Graph().parse(manifest, format="turtle", publicID=manifest.resolve().as_uri())

    def one(subject, predicate: str):
        return graph.value(subject, rdflib.URIRef(predicate))

    def listed(subject, predicate: str) -> list:
        head = one(subject, predicate)
        return list(Collection(graph, head)) if head is not None else []

    root = next(graph.subjects(rdflib.RDF.type, rdflib.URIRef(MF + "Manifest")))
    tests, data = [], {}
    for entry in listed(root, MF + "entries"):
        for given in graph.objects(entry, rdflib.URIRef(UT + "graphData")):
            data[str(one(given, str(rdflib.RDFS.label)))] = Path(urllib.parse.urlparse(str(one(given, UT + "graph"))).path)
        requests = []
        for request in listed(one(entry, MF + "action"), HT + "requests"):
            headers = {str(one(h, HT + "fieldName")).lower(): str(one(h, HT + "fieldValue"))
                       for h in listed(request, HT + "headers")}
            body_node = one(request, HT + "body")
            body = None if body_node is None else str(one(body_node, CNT + "chars")).encode(
                str(one(body_node, CNT + "characterEncoding") or "UTF-8"))
            response = one(request, HT + "resp")
            statuses = {str(s).removeprefix(HTS + "StatusCode") for s in graph.objects(response, rdflib.URIRef(MF + "expectedStatus"))}
            boolean = one(response, MF + "expectedBoolean")
            kind = one(response, MF + "expectedFormat")
            requests.append(Request(str(one(request, HT + "methodName")), str(one(request, HT + "absolutePath")), headers,
                                    body, statuses, None if boolean is None else boolean.toPython(),
                                    None if kind is None else str(kind)))
        tests.append(Test(str(entry), str(one(entry, MF + "name")), requests))
    return tests, data


def outcome(test: Test, port: int) -> tuple[str, str]:
    """earl:passed or earl:failed, and why, for one test run against the service on `port`."""
    for request in test.requests:
        path = "/query" + request.path.removeprefix("/sparql/").removeprefix("/sparql")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = dict(request.headers)
        if request.body is not None and "content-type" not in headers:
            headers["content-type"] = ""  # the suite's missing-type tests send none; http.client would not add one
        try:
            connection.request(request.method, path, body=request.body, headers=headers)
            response = connection.getresponse()
            body = response.read()
        except OSError as error:
            return "failed", f"{request.method} {path}: {error}"
        finally:
            connection.close()
        status = f"{response.status // 100}xx"
        if request.updates:
            if status != "4xx":
                return "failed", f"an update got {response.status}, not the refusal of a read-only service"
            break  # what follows checks the update's effect, which a refused update has none of
        if status not in request.statuses:
            return "failed", f"{request.method} {path}: status {response.status}, expected {sorted(request.statuses)}"
        media_type = (response.getheader("Content-Type") or "").split(";")[0].strip()
        if request.kind and media_type not in RESULT_TYPES[request.kind]:
            return "failed", f"answered {media_type}, not {request.kind} results"
        if request.boolean is not None and boolean_of(media_type, body) is not request.boolean:
            return "failed", f"ASK answered {boolean_of(media_type, body)}, expected {request.boolean}"
    if test.updates:
        return "passed", "refused: normgraph serve is read-only, and refuses every update with a 4xx status"
    return "passed", "as the manifest expects"


def boolean_of(media_type: str, body: bytes) -> bool | None:
    if media_type == "application/sparql-results+json":
        return json.loads(body).get("boolean")
    if media_type == "application/sparql-results+xml":
        text = body.decode("utf-8")
        return "<boolean>true</boolean>" in text if "<boolean>" in text else None
    return None


def earl(results: list[tuple[Test, str, str]]) -> str:
    """The results as an EARL report in Turtle."""
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DC, FOAF, RDF, XSD

    earl_ns, doap = Namespace("http://www.w3.org/ns/earl#"), Namespace("http://usefulinc.com/ns/doap#")
    graph = Graph()
    graph.bind("earl", earl_ns)
    graph.bind("doap", doap)
    subject, assertor = URIRef("https://w3id.org/normgraph#serve"), URIRef("https://w3id.org/normgraph#protocol-runner")
    graph.add((subject, RDF.type, earl_ns.TestSubject))
    graph.add((subject, RDF.type, doap.Project))
    graph.add((subject, doap.name, Literal("normgraph serve")))
    graph.add((assertor, RDF.type, earl_ns.Software))
    graph.add((assertor, FOAF.name, Literal("normgraph conformance/protocol.py")))
    now = Literal(dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), datatype=XSD.dateTime)
    for test, verdict, why in results:
        assertion, result = BNode(), BNode()
        graph.add((assertion, RDF.type, earl_ns.Assertion))
        graph.add((assertion, earl_ns.assertedBy, assertor))
        graph.add((assertion, earl_ns.subject, subject))
        graph.add((assertion, earl_ns.test, URIRef(test.iri)))
        graph.add((assertion, earl_ns.mode, earl_ns.automatic))
        graph.add((assertion, earl_ns.result, result))
        graph.add((result, RDF.type, earl_ns.TestResult))
        graph.add((result, earl_ns.outcome, earl_ns[verdict]))
        graph.add((result, earl_ns.info, Literal(why)))
        graph.add((result, DC.date, now))
    return graph.serialize(format="turtle")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def served(store: Path, data: dict[str, Path]) -> tuple[subprocess.Popen, int]:
    """`normgraph serve` on a store of the bundled data and the suite's graphs, answering on a free port."""
    from pyoxigraph import RdfFormat, parse

    from normgraph.dataset import build, load_graphs

    build(store)
    load_graphs(store, {iri: (lambda _state, path=path: [q.triple for q in parse(path=SUITE / path.name,
                                                                                  format=RdfFormat.N_TRIPLES)])
                        for iri, path in data.items()})
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "normgraph", "serve", "--port", str(port)],
                               env={**os.environ, "NORMGRAPH_STORE": str(store)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("normgraph serve did not start within 60 s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--earl", type=Path, default=Path("build") / "protocol-earl.ttl")
    arguments = parser.parse_args()
    tests, data = suite(SUITE / "manifest.ttl")
    with tempfile.TemporaryDirectory() as folder:
        process, port = served(Path(folder) / "store", data)
        try:
            results = [(test, *outcome(test, port)) for test in tests]
        finally:
            process.terminate()
            process.wait(timeout=20)
    arguments.earl.parent.mkdir(parents=True, exist_ok=True)
    arguments.earl.write_text(earl(results), encoding="utf-8")
    for test, verdict, why in results:
        print(f"{'PASS' if verdict == 'passed' else 'FAIL'}  {test.iri.rsplit('#', 1)[-1]}: {why}")
    failed = sum(verdict != "passed" for _, verdict, _ in results)
    refused = sum(test.updates for test, verdict, _ in results if verdict == "passed")
    print(f"{len(results) - failed} of {len(results)} passed ({refused} of them updates refused as a read-only "
          f"service must); EARL report: {arguments.earl}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
