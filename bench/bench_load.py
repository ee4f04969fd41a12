"""`normgraph load` at scale: rows/s and peak memory of the whole process (targets: 10^6 rows in <= 60 s and
<= 2 GB). The tables are the bundled comments, repeated under new comment ids until they reach the size
(the states, instruments and dates stay real ones), loaded into a copy of a freshly built store. Last, a table of
ten rows loaded beside them: what a small load costs in a store that already holds large user graphs.

    python bench/bench_load.py --rows 10000 100000 1000000
"""
from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path


def comments_table(rows: int, path: Path) -> None:
    with resources.files("normgraph.data").joinpath("comments.csv").open(encoding="utf-8") as handle:
        bundled = list(csv.DictReader(handle))
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(bundled[0]), lineterminator="\n")
        writer.writeheader()
        for index in range(rows):
            row = bundled[index % len(bundled)]
            writer.writerow({**row, "comment": f"BENCH-{index}", "source": "BENCH_LOAD"})


def measure(store: Path, table: Path) -> tuple[float, float, str]:
    """Seconds, peak resident MB of the load process, and its last line of output."""
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "normgraph", "load", str(table), "--kind", "comments",
                             "--source", "BENCH_LOAD", "--source-title", "bench_load: repeated bundled comments",
                             "--as-of", "2026-11-26"],
                            capture_output=True, text=True, env={**os.environ, "NORMGRAPH_STORE": str(store)})
    seconds = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if result.returncode != 0:
        raise SystemExit(f"load failed: {result.stderr}")
    return seconds, peak_mb, result.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "store"
        subprocess.run([sys.executable, "-m", "normgraph", "build"], check=True, capture_output=True,
                       env={**os.environ, "NORMGRAPH_STORE": str(store)})
        for rows in args.rows:
            table = Path(folder) / f"comments-{rows}.csv"
            comments_table(rows, table)
            seconds, peak_mb, said = measure(store, table)
            size_mb = table.stat().st_size / 1e6
            print(f"load {rows:>9,} rows ({size_mb:.0f} MB): {seconds:6.1f} s, {rows / seconds:8,.0f} rows/s, "
                  f"peak {peak_mb:,.0f} MB (largest process so far) — {said}")
        small = Path(folder) / "small.csv"
        comments_table(10, small)
        seconds, _, said = measure(store, small)
        print(f"load 10 rows beside them: {seconds:.2f} s — {said}")


if __name__ == "__main__":
    main()
