"""Benchmark the gap catalogue: median per query on the bundled store, the ratio to rdflib's engine on
the same text and data, and the catalogue on synthetic graphs of 10^5 and 10^6 triples.

    python bench/bench_queries.py [--runs 15] [--sizes 100000 1000000] [--rdflib-runs 3]
Targets: <= 20 ms per entry on the bundled store, >= 10x faster than rdflib, <= 1 s at 10^6 triples.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from normgraph.dataset import build  # noqa: E402
from normgraph.graph.store import LocalGraph  # noqa: E402
from normgraph.queries.catalogue import bind, catalogue  # noqa: E402

AS_OF = dt.date.today().isoformat()
CORRIDOR = {"origin": "NPL", "destination": "QAT"}


def parameters(name: str) -> dict:
    return {"asOf": AS_OF, **(CORRIDOR if name == "corridor" else {})}


def median_ms(run, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def oxigraph_runner(store, query, bindings):
    from pyoxigraph import Variable

    substitutions = {Variable(k): v for k, v in bindings.items()}
    return lambda: list(store.query(query.text, use_default_graph_as_union=True, substitutions=substitutions))


def rdflib_dataset(store):
    import rdflib
    from pyoxigraph import RdfFormat

    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(data=store.dump(format=RdfFormat.N_QUADS), format="nquads")
    return dataset


def rdflib_runner(dataset, query, bindings):
    import rdflib

    init = {k: (rdflib.URIRef(v.value) if v.__class__.__name__ == "NamedNode"
                else rdflib.Literal(v.value, datatype=rdflib.URIRef(v.datatype.value))) for k, v in bindings.items()}
    return lambda: list(dataset.query(query.text, initBindings=init))


def synthetic_store(size: int):
    from pyoxigraph import Store
    from synthetic import synthetic_quads

    store = Store()
    store.bulk_extend(synthetic_quads(size))
    return store, len(store)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--rdflib-runs", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    arguments = parser.parse_args()
    queries = catalogue()
    with tempfile.TemporaryDirectory() as folder:
        build(Path(folder) / "store")
        graph = LocalGraph(Path(folder) / "store")
        bundled_size = len(graph.store)
        dataset = rdflib_dataset(graph.store)
        results = {}
        for name, query in queries.items():
            bindings = bind(query, parameters(name))
            ours = median_ms(oxigraph_runner(graph.store, query, bindings), arguments.runs)
            theirs = median_ms(rdflib_runner(dataset, query, bindings), arguments.rdflib_runs)
            results[name] = [ours, theirs]
    synthetic_sizes = []
    for size in arguments.sizes:
        store, actual = synthetic_store(size)
        synthetic_sizes.append(actual)
        origin, destination = "S00001", "S00002"
        for name, query in queries.items():
            from pyoxigraph import NamedNode

            bindings = bind(query, parameters(name))
            if name == "corridor":
                bindings.update(origin=NamedNode(f"https://w3id.org/normgraph/id/country/{origin}"),
                                destination=NamedNode(f"https://w3id.org/normgraph/id/country/{destination}"))
            results[name].append(median_ms(oxigraph_runner(store, query, bindings), 3))
    header = (f"| query | bundled ({bundled_size} quads) ms | rdflib ms | rdflib / oxigraph | "
              + " | ".join(f"synthetic {n} quads ms" for n in synthetic_sizes) + " |")
    print(header)
    print("|" + "---|" * (4 + len(synthetic_sizes)))
    for name, (ours, theirs, *synthetic) in results.items():
        print(f"| {name} | {ours:.1f} | {theirs:.0f} | {theirs / ours:.0f}x | "
              + " | ".join(f"{ms:.0f}" for ms in synthetic) + " |")


if __name__ == "__main__":
    main()
