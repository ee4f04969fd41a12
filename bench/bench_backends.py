"""The gap catalogue on a synthetic graph on three engines side by side: embedded Oxigraph, Oxigraph server and
Virtuoso (medians per query, same text, same parameters; the two servers are filled by `normgraph push`
through the Graph Store protocol). Target: embedded within 10x of Virtuoso on every query.

    python bench/bench_backends.py [--triples 1000000] [--runs 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_queries import parameters  # noqa: E402
from servers import missing_virtuoso, start_oxigraph, start_virtuoso  # noqa: E402


def synthetic_graph(triples: int):
    from pyoxigraph import Store
    from synthetic import synthetic_quads

    from normgraph.graph.store import LocalGraph

    store = Store()
    store.bulk_extend(synthetic_quads(triples))
    return LocalGraph.over(store)


def median_ms(run, runs: int) -> str:
    """The median time in ms, or the engine's one-line refusal."""
    from normgraph.errors import StoreError

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        try:
            run()
        except StoreError as error:
            return f"failed: {str(error)[:80]}"
        times.append((time.perf_counter() - start) * 1000)
    return f"{statistics.median(times):.0f}"


def main() -> None:
    from pyoxigraph import NamedNode

    from normgraph.graph.push import push
    from normgraph.graph.remote import RemoteGraph
    from normgraph.queries.catalogue import bind, catalogue

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    local = synthetic_graph(options.triples)
    size = len(local.store)
    engines = {"embedded": local}
    servers = []
    with tempfile.TemporaryDirectory() as folder:
        starters = [("oxigraph server", start_oxigraph)]
        if missing_virtuoso():
            print(f"Virtuoso left out: {missing_virtuoso()}")
        else:
            starters.append(("virtuoso", start_virtuoso))
        for label, start in starters:
            (Path(folder) / label).mkdir()
            server = start(Path(folder) / label)
            servers.append(server)
            began = time.perf_counter()
            push(local, server.query, graph_store=server.graph_store, timeout=1800)
            elapsed = time.perf_counter() - began
            print(f"push to {label}: {size} triples in {elapsed:.1f} s ({size / elapsed:.0f} triples/s)")
            engines[label] = RemoteGraph(server.query, timeout=600)
        try:
            print(f"\n| query ({size} triples) | " + " | ".join(f"{name} ms" for name in engines) + " |")
            print("|---" * (len(engines) + 1) + "|")
            for name, query in catalogue().items():
                values = parameters(name)
                if name == "corridor":
                    values.update(origin="NPL", destination="QAT")
                bindings = bind(query, values)
                if name == "corridor":
                    bindings.update(origin=NamedNode("https://w3id.org/normgraph/id/country/S00001"),
                                    destination=NamedNode("https://w3id.org/normgraph/id/country/S00002"))
                cells = [median_ms(lambda graph=graph: graph.select(query.text, bindings), options.runs)
                         for graph in engines.values()]
                print(f"| {name} | " + " | ".join(cells) + " |")
        finally:
            for server in servers:
                server.stop()


if __name__ == "__main__":
    main()
