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


def wrk_rate(url: str, query: str, connections: int, seconds: float) -> float:
    """Requests per second wrk measures on GET `url`?query=..., with `connections` open (2 threads); non-2xx
    answers are counted apart and fail the run."""
    import re
    import shutil

    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    target = url + "?" + urllib.parse.urlencode({"query": query})
    out = subprocess.run(["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds:g}s", target], capture_output=True,
                         text=True, check=True).stdout
    if "Non-2xx" in out:
        sys.exit(f"wrk saw errors:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def wrk_side_by_side(url: str, oxigraph_url: str, queries: dict, connections: list[int], seconds: float,
                     runs: int = 3) -> None:
    print(f"{'wrk, queries/s (median of ' + str(runs) + ')':34s} {'connections':>11s} {'serve':>8s} {'Oxigraph':>9s} {'ratio':>6s}")
    import statistics

    for label, query in queries.items():
        for count in connections:
            ours, theirs = [], []
            for _ in range(runs):  # interleaved, so that a busy moment of the machine hits both
                ours.append(wrk_rate(url, query, count, seconds))
                theirs.append(wrk_rate(oxigraph_url, query, count, seconds))
            mine, other = statistics.median(ours), statistics.median(theirs)
            print(f"{label:34s} {count:11d} {mine:8.0f} {other:9.0f} {mine / other:6.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--wrk", action="store_true", help="measure with wrk, serve beside Oxigraph server")
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
            wrk_side_by_side(url, oxigraph.query, {"simple (one state's name)": SIMPLE, "a gap query, every state": gap},
                             [1, options.readers], options.seconds)
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
