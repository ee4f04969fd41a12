"""Time `normgraph export` of the whole bundled graph in every format, as whole processes (target: <= 3 s each),
and the network and CSV views.

    python bench/bench_export.py [--runs 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from bench_build import timed

WHOLE_GRAPH = ["nq", "trig", "jsonld", "ttl", "nt"]
VIEWS = [("graphml", "ratifications"), ("gexf", "ratifications"), ("csv", "ratifications"), ("graphml", "comments"),
         ("graphml", "programmes"), ("graphml", "corridors"), ("csv", "corridors")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    cli = [sys.executable, "-m", "normgraph"]
    with tempfile.TemporaryDirectory() as folder:
        store, out = Path(folder) / "store", Path(folder)
        timed(cli + ["build"], store)
        print(f"{'export':34s} {'median s':>9s} {'min s':>7s} {'MB':>6s} {'target':>7s}")
        jobs = [([fmt], f"whole graph .{fmt}", f"all.{fmt}", 3.0) for fmt in WHOLE_GRAPH]
        jobs += [([fmt, "--view", view], f"{view} .{fmt}", f"{view}.{fmt}", None) for fmt, view in VIEWS]
        for args, label, name, target in jobs:
            command = cli + ["export", "--format", *args, "-o", str(out / name)]
            times = [timed(command, store) for _ in range(runs)]
            size = (out / name).stat().st_size / 1e6
            print(f"{label:34s} {statistics.median(times):9.3f} {min(times):7.3f} {size:6.1f} {target or '-':>7}")


if __name__ == "__main__":
    main()
