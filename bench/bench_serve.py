"""Throughput of `normgraph serve` with concurrent readers (target: >= 200 simple queries/s on 2 cores),
and push throughput to an Oxigraph server (Graph Store protocol) in triples/s.

    python bench/bench_serve.py [--readers 8] [--seconds 10] [--wrk]

With --wrk the load comes from wrk (a native load generator: a Python client saturates before the servers do),
serve and Oxigraph server side by side, repeated and interleaved, and the push is skipped.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from servers import free_port, start_oxigraph, stop, wait_until_answering  # noqa: E402

SIMPLE = ("PREFIX ng: <https://w3id.org/normgraph#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
          "SELECT ?name WHERE { ?s ng:iso3 \"NPL\" ; rdfs:label ?name }")


GAP = None  # the pair-gap query for every state, with its parameters written in (set in main)


def readers(url: str, count: int, seconds: float, query: str = SIMPLE) -> int:
    done, stop_at = [0] * count, time.monotonic() + seconds
    request_url = url + "?" + urllib.parse.urlencode({"query": query})

    def read(slot: int) -> None:
        while time.monotonic() < stop_at:
            with urllib.request.urlopen(request_url, timeout=30) as response:
                response.read()
            done[slot] += 1
    threads = [threading.Thread(target=read, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done)


# wrk reports its percentiles from a Lua hook (the 95th is not among those it prints by itself); a POST's body too.
P95_HOOK = "done = function(summary, latency, requests) io.write(string.format('p95_us %d\\n', latency:percentile(95))) end\n"


# Each request a text never sent before (a comment with the run's start, the thread and a counter), so that no
# answer can be remembered: what a server spends on a query it has to run.
DISTINCT_HOOK = """
local threads = 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
local counter, run, path, body = 0, os.time(), wrk.path, wrk.body
request = function()
  counter = counter + 1
  local mark = run .. "-" .. id .. "-" .. counter
  if body then return wrk.format(nil, path, nil, body .. " #" .. mark) end
  return wrk.format(nil, path .. "%20%23" .. mark)
end
"""


def wrk_rate(url: str, query: str, connections: int, seconds: float, method: str = "GET",
             distinct: bool = False) -> tuple[float, float]:
    """Requests per second and the 95th percentile latency in ms that wrk measures on `url` with `connections` open
    (2 threads), the query sent as GET `url`?query=... or as the body of a POST, each time the same text or, if
    `distinct`, a new one; non-2xx answers fail the run."""
    import json
    import re
    import shutil

    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    script = P95_HOOK
    if method == "POST":
        script += (f"wrk.method = 'POST'\nwrk.body = {json.dumps(query)}\n"
                   "wrk.headers['Content-Type'] = 'application/sparql-query'\n")
    if distinct:
        script += DISTINCT_HOOK
    target = url if method == "POST" else url + "?" + urllib.parse.urlencode({"query": query})
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as hook:
        hook.write(script)
        hook.flush()
        out = subprocess.run(["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds:g}s", "-s", hook.name,
                              target], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        sys.exit(f"wrk saw errors:\n{out[-600:]}")
    return (float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            int(re.search(r"p95_us (\d+)", out).group(1)) / 1000)


def wrk_side_by_side(url: str, oxigraph_url: str, queries: dict, connections: list[int], seconds: float,
                     runs: int = 3) -> None:
    """`queries`: label -> (query, method, distinct)."""
    import statistics

    print(f"| wrk, median of {runs} interleaved runs of {seconds:g} s | connections | serve q/s | Oxigraph q/s | ratio "
          "| serve p95 ms | Oxigraph p95 ms |")
    print("|---|---|---|---|---|---|---|")
    for label, (query, method, distinct) in queries.items():
        for count in connections:
            ours, theirs = [], []
            for _ in range(runs):  # interleaved, so that a busy moment of the machine hits both
                ours.append(wrk_rate(url, query, count, seconds, method, distinct))
                theirs.append(wrk_rate(oxigraph_url, query, count, seconds, method, distinct))
            rate, p95 = statistics.median(r for r, _ in ours), statistics.median(p for _, p in ours)
            peer, peer_p95 = statistics.median(r for r, _ in theirs), statistics.median(p for _, p in theirs)
            print(f"| {label} | {count} | {rate:,.0f} | {peer:,.0f} | {rate / peer:.0%} | {p95:.1f} | {peer_p95:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--wrk", action="store_true", help="measure with wrk, serve beside Oxigraph server")
    parser.add_argument("--runs", type=int, default=3, help="with --wrk: interleaved runs of each measure")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "store"
        subprocess.run([sys.executable, "-m", "normgraph", "build", "--store", str(store)], check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "normgraph", "serve", "--store", str(store), "--port", str(port)],
                                  stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/query"
        wait_until_answering(url, server, 30)
        (Path(folder) / "ox").mkdir()
        oxigraph = start_oxigraph(Path(folder) / "ox")
        subprocess.run([sys.executable, "-m", "normgraph", "push", "--store", str(store), "--endpoint", oxigraph.query,
                        "--graph-store", oxigraph.graph_store], check=True, capture_output=True)
        from normgraph.graph.sparql_text import substitute
        from normgraph.queries.catalogue import bind, named_query

        pair = named_query("c029-without-p029")
        gap = substitute(pair.text, bind(pair, {"asOf": "2024-01-01"}))
        if options.wrk:
            # The gap query's address is longer than Oxigraph server takes (8 kB): it goes as a POST.
            # serve answers a query asked again from the answers it remembers; a new text each time measures the
            # whole request path, checks and worker included.
            wrk_side_by_side(url, oxigraph.query, {
                "simple (one state's name), GET, the same text": (SIMPLE, "GET", False),
                "simple (one state's name), GET, a new text each time": (SIMPLE, "GET", True),
                "simple (one state's name), POST, the same text": (SIMPLE, "POST", False),
                "simple (one state's name), POST, a new text each time": (SIMPLE, "POST", True),
                "a gap query, every state, POST, the same text": (gap, "POST", False),
                "a gap query, every state, POST, a new text each time": (gap, "POST", True)},
                [1, options.readers], options.seconds, options.runs)
            stop(server)
            oxigraph.stop()
            return
        print(f"{'queries/s':28s} {'connections':>11s} {'serve':>8s} {'Oxigraph server':>16s}")
        for label, query in (("simple (one state's name)", SIMPLE), ("a gap query, every state", gap)):
            for connections in (1, options.readers):
                ours = readers(url, connections, options.seconds, query) / options.seconds
                theirs = readers(oxigraph.query, connections, options.seconds, query) / options.seconds
                print(f"{label:28s} {connections:11d} {ours:8.0f} {theirs:16.0f}")
        stop(server)
        for label, extra in (("graph store", ["--graph-store", oxigraph.graph_store]),
                             ("SPARQL update", ["--update-endpoint", oxigraph.update])):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "normgraph", "push", "--store", str(store), "--endpoint", oxigraph.query,
                            *extra], check=True, capture_output=True)
            elapsed = time.perf_counter() - start
            from normgraph.graph.store import LocalGraph

            triples = sum(LocalGraph(store).graph_counts().values())
            print(f"push to Oxigraph server by {label}: {triples / elapsed:.0f} triples/s ({elapsed:.2f} s, whole process)")
        oxigraph.stop()


if __name__ == "__main__":
    main()
