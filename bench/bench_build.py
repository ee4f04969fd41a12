"""Time `normgraph build` and `normgraph --help` as whole processes (targets: build <= 5 s, --help <= 0.3 s).

    python bench/bench_build.py [--runs 5]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(command: list[str], env_store: Path | None = None) -> float:
    import os

    env = {**os.environ, **({"NORMGRAPH_STORE": str(env_store)} if env_store else {})}
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    cli = [sys.executable, "-m", "normgraph"]
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "store"
        builds = [timed(cli + ["build"], store) for _ in range(runs)]
        helps = [timed(cli + ["--help"]) for _ in range(runs)]
        report = [timed(cli + ["gaps", "--country", "NPL"], store) for _ in range(runs)]
    print(f"{'process':34s} {'median s':>9s} {'min s':>7s} {'target':>7s}")
    for label, times, target in (("normgraph build", builds, 5.0), ("normgraph --help", helps, 0.3),
                                 ("normgraph gaps --country NPL", report, 1.5)):
        print(f"{label:34s} {statistics.median(times):9.3f} {min(times):7.3f} {target:7.1f}")


if __name__ == "__main__":
    main()
