"""Issue 29: the clients the field uses work against `serve`, Oxigraph server and Virtuoso alike: SPARQLWrapper in
every return format for every query form (it sends `format=` beside its Accept header, as it does for every
endpoint), and rdflib's SPARQLStore. SELECT, ASK and CONSTRUCT are checked against instruments.csv (the UN treaties and their UN Treaty
Collection chapters); DESCRIBE, whose shape each engine chooses, against the embedded store."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from servers import free_port, stop, wait_until_answering

pytestmark = pytest.mark.servers

PREFIX = "PREFIX ng: <https://w3id.org/normgraph#> PREFIX inst: <https://w3id.org/normgraph/id/instrument/> "
SELECT = PREFIX + "SELECT ?code WHERE { ?i ng:code ?code ; ng:untcChapter ?chapter } ORDER BY ?code"
ASK = PREFIX + "ASK { inst:C029 ng:code 'C029' }"
CONSTRUCT = PREFIX + "CONSTRUCT { ?i ng:untcChapter ?chapter } WHERE { ?i ng:untcChapter ?chapter }"
INSTRUMENT = "https://w3id.org/normgraph/id/instrument/"


def un_treaties() -> dict[str, str]:
    """Code -> UN Treaty Collection chapter, from the bundled instruments table."""
    from conftest import bundled_table

    return {row["code"]: row["untc"] for row in bundled_table("instruments.csv") if row["untc"]}
DESCRIBE = "DESCRIBE <https://w3id.org/normgraph/id/instrument/C182>"


@pytest.fixture(scope="module")
def serve_endpoint(store_path):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "normgraph", "serve", "--store", str(store_path), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    wait_until_answering(url, process, 30)
    yield url
    stop(process)


# What a peer server does that SPARQLWrapper cannot read, for a graph asked with `format=` (measured, not assumed).
PEER_LIMITS = {
    **{("oxigraph", name): "Oxigraph server answers a graph asked as format=rdf or json in N-Quads, which "
                           "SPARQLWrapper hands back unparsed" for name in ("rdf", "json")},
    ("virtuoso", "json"): "Virtuoso answers a graph asked as format=json in its SPARQL-results JSON, which "
                          "SPARQLWrapper reads as JSON-LD: no triples",
}


@pytest.fixture(scope="module", params=["serve", "oxigraph", "virtuoso"])
def endpoint(request):
    """`normgraph serve`, Oxigraph server and Virtuoso in turn, the two servers filled by `normgraph push`: a client
    reads each alike (the three-engine tests)."""
    return request.getfixturevalue(f"{request.param}_endpoint")


def wrapper(url, query, return_format, method="GET"):
    from SPARQLWrapper import SPARQLWrapper

    client = SPARQLWrapper(url)
    client.setQuery(query)
    client.setReturnFormat(return_format)
    client.setMethod(method)
    return client.query()


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("return_format", ["json", "xml", "csv", "tsv"])
def test_sparqlwrapper_select_and_ask_in_every_format(endpoint, method, return_format):
    expected = sorted(un_treaties())
    answer = wrapper(endpoint, SELECT, return_format, method).convert()
    if return_format == "json":
        codes = [b["code"]["value"] for b in answer["results"]["bindings"]]
    elif return_format == "xml":
        codes = [node.firstChild.firstChild.nodeValue for node in answer.getElementsByTagName("binding")]
    else:  # CSV carries plain values; TSV carries RDF terms, so a string comes in quotes (SPARQL 1.1 TSV)
        codes = [value.strip('"') for value in answer.decode().split()[1:]]
    assert codes == expected
    truth = wrapper(endpoint, ASK, return_format, method).convert()
    if return_format == "json":
        assert truth["boolean"] is True
    elif return_format == "xml":
        assert truth.getElementsByTagName("boolean")[0].firstChild.nodeValue == "true"
    else:
        assert b"true" in truth.lower() or b"1" in truth


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("return_format", ["turtle", "n3", "xml", "rdf", "rdf+xml", "json-ld", "json", "rdfxml"])
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
def test_sparqlwrapper_construct_and_describe_in_every_format(request, endpoint, graph, query, return_format, method):
    """The graph SPARQLWrapper hands back (rdflib, from whatever format it asked) has the embedded store's triples:
    all of them from serve and Oxigraph server (one engine); Virtuoso describes a resource its own way, with the
    triples that point at it too, so from it the resource's own triples at least. Where a peer server answers in a
    way SPARQLWrapper cannot read, the test says so (an expected failure, strict: it is noticed when the peer
    changes); serve has no such case."""
    import rdflib

    engine = request.node.callspec.params["endpoint"]
    limit = PEER_LIMITS.get((engine, return_format))
    if limit:
        request.applymarker(pytest.mark.xfail(reason=limit, strict=True))

    result = wrapper(endpoint, query, return_format, method)
    converted = result.convert()
    if isinstance(converted, rdflib.Graph):
        got = {(str(s), str(p), str(o)) for s, p, o in converted}
    else:  # Turtle and JSON-LD come back as the answer's text, or parsed JSON: parse them as a user would
        data = converted if isinstance(converted, (bytes, str)) else json.dumps(converted)
        syntax = "turtle" if return_format in ("turtle", "n3") else "json-ld"
        got = {(str(s), str(p), str(o)) for s, p, o in rdflib.Graph().parse(data=data, format=syntax)}
    expected = ({(INSTRUMENT + code, "https://w3id.org/normgraph#untcChapter", chapter)
                 for code, chapter in un_treaties().items()} if query == CONSTRUCT
                else {(t.subject.value, t.predicate.value, t.object.value) for t in graph.query(query)})
    if engine == "virtuoso" and query == DESCRIBE:
        assert got >= {t for t in expected if t[0] == INSTRUMENT + "C182"} and got
    else:
        assert got == expected and got


def test_an_unknown_format_value_follows_the_accept_header(serve_endpoint):
    """`format` is not part of the SPARQL Protocol: a value normgraph does not know leaves the choice to Accept."""
    endpoint = serve_endpoint
    import urllib.parse
    import urllib.request

    url = endpoint + "?" + urllib.parse.urlencode({"query": SELECT, "format": "application/x-unheard-of"})
    request = urllib.request.Request(url, headers={"Accept": "text/csv"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200 and response.headers["Content-Type"].startswith("text/csv")


def test_rdflib_sparqlstore_reads_every_engine(request, endpoint):
    if request.node.callspec.params["endpoint"] == "virtuoso":
        pytest.skip("Virtuoso 7.2 answers rdflib's SPARQLStore in SPARQL XML results that rdflib, in some runs and not "
                    "others, reads as RDF/XML (SELECT in one CI run, CONSTRUCT in another): a peer's flaw, not checked")
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(endpoint)
    assert sorted(str(row[0]) for row in store.query(SELECT)) == sorted(un_treaties())
    assert bool(store.query(ASK).askAnswer) is True
    assert {(str(s), str(o)) for s, _, o in store.query(CONSTRUCT).graph} == {
        (INSTRUMENT + code, chapter) for code, chapter in un_treaties().items()}


def ask_count(endpoint: str, query: str, **dataset) -> tuple[int, str]:
    import urllib.error
    import urllib.parse
    import urllib.request

    params = urllib.parse.urlencode([("query", query), *[(k.replace("_", "-"), v) for k, vs in dataset.items() for v in vs]])
    request = urllib.request.Request(f"{endpoint}?{params}", headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def test_a_request_names_the_dataset_a_query_reads(serve_endpoint, graph):
    """SPARQL 1.1 Protocol 2.1.4: default-graph-uri and named-graph-uri set the query's dataset, overriding its FROM;
    without them every graph is the default graph (a near miss). Counted against the store's own graphs."""
    endpoint = serve_endpoint
    ontology = "https://w3id.org/normgraph/graph/ontology"
    in_ontology = graph.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ontology}> {{ ?s ?p ?o }} }}").rows[0]["n"]
    everything = graph.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows[0]["n"]
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def counted(query, **dataset) -> int:
        status, body = ask_count(endpoint, query, **dataset)
        assert status == 200, body
        return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    assert counted(count) == int(everything) > int(in_ontology)
    assert counted(count, default_graph_uri=[ontology]) == int(in_ontology)
    assert counted("SELECT (COUNT(*) AS ?n) FROM <urn:none> WHERE { ?s ?p ?o }", default_graph_uri=[ontology]) == int(in_ontology)
    assert counted("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", named_graph_uri=[ontology]) == int(in_ontology)
    assert counted(count, named_graph_uri=[ontology]) == 0  # only named graphs given: the default graph is empty
    assert ask_count(endpoint, count, default_graph_uri=["not an iri"])[0] == 400


def test_malformed_protocol_requests_are_refused(serve_endpoint):
    """SPARQL 1.1 Protocol 2.1: exactly one query; a POSTed query is UTF-8, as a form or as application/sparql-query."""
    endpoint = serve_endpoint
    import urllib.error
    import urllib.request

    def sent(data: bytes | None, content_type: str | None, address: str = endpoint, method: str = "POST") -> int:
        headers = {"Content-Type": content_type} if content_type else {}
        try:
            with urllib.request.urlopen(urllib.request.Request(address, data=data, headers=headers, method=method), timeout=30) as r:
                return r.status
        except urllib.error.HTTPError as error:
            return error.code
    assert sent(None, None, f"{endpoint}?query=ASK%7B%7D&query=ASK%7B%7D", "GET") == 400
    assert sent("ASK {}".encode("utf-16"), "application/sparql-query; charset=UTF-16") == 415
    assert sent(b"query=ASK%20%7B%7D", "text/plain") == 415
    assert sent(b"ASK {}", "application/sparql-query") == 200  # near miss: the same query, as the protocol sends it
    assert sent(b"query=ASK%20%7B%7D", "application/x-www-form-urlencoded") == 200


def test_the_w3c_protocol_suite_passes(tmp_path):
    """Issue 29: conformance/protocol.py runs the W3C SPARQL 1.1 Protocol tests (w3c/rdf-tests) against serve and
    writes an EARL report: every query test as the manifest expects, every update refused as a read-only service
    must refuse it."""
    from pathlib import Path

    import rdflib

    earl = tmp_path / "protocol-earl.ttl"
    run = subprocess.run([sys.executable, str(Path(__file__).parents[1] / "conformance" / "protocol.py"), "--earl", str(earl)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = rdflib.Graph().parse(earl, format="turtle")
    outcomes = [str(o).rsplit("#", 1)[-1] for o in report.objects(None, rdflib.URIRef("http://www.w3.org/ns/earl#outcome"))]
    manifest = (Path(__file__).parents[1] / "conformance" / "w3c-protocol" / "manifest.ttl").read_text(encoding="utf-8")
    assert len(outcomes) == manifest.count("rdf:type mf:ProtocolTest") == 34 and set(outcomes) == {"passed"}
