"""Every reading command, every gap catalogue entry over every State, one case and 1,000 cases of `applies`, each
as a whole process on a grown store (targets, issues 18 and 26: at 10^6 quads <= 1.0 s and <= 150 MB each; at
10^7 <= 2 s). The store is the bundled one grown one of two ways:
- `--grow states` (default): synthetic states in the bundled shapes (ratifications with legal time, UN
  participations, comments; bench/synthetic.py, seeded), written through normgraph's own writer as one graph;
- `--grow comments`: a synthetic supervisory comments table in the bundled table's shape (the real States, instruments
  and topics), loaded with `normgraph load --kind comments`, as a user would load a full-size table.
The floor is Python + pyoxigraph opening the store + COUNT.

    python bench/bench_scale.py --quads 100000 1000000 [--runs 5] [--grow comments] [--servers]

With --servers, the grown store is also pushed to Oxigraph server (--union-default-graph) and Virtuoso, and the
country report and profile are timed in-process on each engine, the embedded store read on disk as commands do.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_applies import random_case
from synthetic import synthetic_comments_table, synthetic_triples

from normgraph.dataset import build, load_graphs
from normgraph.queries.catalogue import catalogue
from normgraph.terms import GRAPH

TRIPLES_PER_STATE = 117  # measured average of synthetic_triples
QUADS_PER_COMMENT = 11  # measured average of a loaded synthetic comment
CASE = Path(__file__).resolve().parents[1] / "normgraph" / "cases" / "examples" / "nepal-domestic-worker.yaml"
COMMANDS = {
    "gaps --country NPL": ["gaps", "--country", "NPL", "--as-of", "2024-01-01"],
    "country NPL": ["country", "NPL", "--as-of", "2024-01-01"],
    "instrument C029": ["instrument", "C029", "--as-of", "2024-01-01"],
    "sparql COUNT": ["sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"],
    "applies (one case)": ["applies", str(CASE)],
}
FLOOR = ("import sys; from pyoxigraph import Store; "
         "list(Store.read_only(sys.argv[1]).query('SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }'))")


def grown_store(folder: Path, quads: int, grow: str) -> Path:
    store = folder / "store"
    build(store)
    if grow == "states":
        states = max(10, quads // TRIPLES_PER_STATE)
        load_graphs(store, {GRAPH + "user/bench-synthetic": lambda _: (t for _, t in synthetic_triples(states, 87))})
        return store
    table = folder / "comments.csv"
    from normgraph.graph.store import LocalGraph

    bundled = sum(LocalGraph(store).graph_counts().values())
    synthetic_comments_table(table, max(100, (quads - bundled) // QUADS_PER_COMMENT))
    subprocess.run([sys.executable, "-m", "normgraph", "load", str(table), "--kind", "comments", "--source", "SYNTHETIC",
                    "--source-title", "Synthetic supervisory comments (bench/synthetic.py)", "--as-of", "2026-01-01"],
                   check=True, capture_output=True, env={**os.environ, "NORMGRAPH_STORE": str(store)})
    return store


def run(command: list[str], store: Path) -> tuple[float, float]:
    """Seconds and peak resident MB of one whole process (GNU time: this process is large, and a child's
    own rusage would count what it shared with it at the fork)."""
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M", *command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "NORMGRAPH_STORE": str(store)})
    seconds = time.perf_counter() - start
    if result.returncode:
        raise SystemExit(f"{' '.join(command)} failed: {result.stderr}")
    return seconds, int(result.stderr.split()[-1]) / 1024


def engines_side_by_side(store: Path, runs: int) -> None:
    from bench_backends import median_ms
    from servers import missing_virtuoso, start_oxigraph, start_virtuoso

    from normgraph.graph.push import push
    from normgraph.graph.remote import RemoteGraph
    from normgraph.graph.store import LocalGraph
    from normgraph.reports import country_profile, gap_report

    local = LocalGraph(store)
    engines, servers = {"embedded (on disk)": local}, []
    starters = [("oxigraph server", start_oxigraph)] + ([] if missing_virtuoso() else [("virtuoso", start_virtuoso)])
    with tempfile.TemporaryDirectory() as folder:
        try:
            for label, start in starters:
                (Path(folder) / label).mkdir()
                server = start(Path(folder) / label)
                servers.append(server)
                push(local, server.query, graph_store=server.graph_store, timeout=3600)
                engines[label] = RemoteGraph(server.query, timeout=600)
            print(f"\n{'in-process, ms':24s} " + " ".join(f"{name:>20s}" for name in engines))
            for label, work in (("gap_report(NPL)", lambda g: gap_report("NPL", "2024-01-01", graph=g)),
                                ("country_profile(NPL)", lambda g: country_profile("NPL", "2024-01-01", graph=g))):
                print(f"{label:24s} " + " ".join(f"{median_ms(lambda g=g: work(g), runs):>20s}" for g in engines.values()))
        finally:
            for server in servers:
                server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quads", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--servers", action="store_true", help="also time the country report on the two servers")
    parser.add_argument("--grow", choices=("states", "comments"), default="states",
                        help="grow the store with synthetic states, or with a loaded comments table")
    arguments = parser.parse_args()
    cli = [sys.executable, "-m", "normgraph"]
    for size in arguments.quads:
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            store = grown_store(Path(folder), size, arguments.grow)
            grown = time.perf_counter() - started
            total = int(subprocess.run(cli + ["sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv"],
                                       capture_output=True, text=True, check=True,
                                       env={**os.environ, "NORMGRAPH_STORE": str(store)}).stdout.split()[-1])
            print(f"\nstore of {total:,} quads (built and grown in {grown:.0f} s), {arguments.runs} runs, medians")
            print(f"{'process':44s} {'s':>6s} {'peak MB':>8s}")
            rows = {"floor: open + COUNT": [sys.executable, "-c", FLOOR, str(store.resolve())]}
            rows.update({label: cli + command for label, command in COMMANDS.items()})
            cases = Path(folder) / "cases.jsonl"
            rng = random.Random(87)
            cases.write_text("\n".join(json.dumps(random_case(rng, n)) for n in range(1000)), encoding="utf-8")
            rows["applies (1,000 cases)"] = cli + ["applies", str(cases), "--format", "json"]
            # Every catalogue entry over every State (issue 26: the world queries, which `--country` never timed).
            rows.update({f"gaps {name}": cli + ["gaps", name, "--as-of", "2024-01-01", "--format", "json"]
                         + (["--origin", "NPL", "--destination", "QAT"] if name == "corridor" else [])
                         for name in catalogue()})
            for label, command in rows.items():
                measured = [run(command, store) for _ in range(arguments.runs)]
                print(f"{label:44s} {statistics.median(s for s, _ in measured):6.2f} "
                      f"{statistics.median(m for _, m in measured):8.0f}")
            if arguments.servers:
                engines_side_by_side(store, arguments.runs)


if __name__ == "__main__":
    main()
