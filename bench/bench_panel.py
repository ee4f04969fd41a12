"""The panel as a whole process: every State and territory, every instrument, 1919-2026 yearly (issue 28: target
<= 10 s and <= 500 MB on these machines), and a smaller one for scale.

    python bench/bench_panel.py [--runs 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = {"every place, 1919-2026 yearly": ["--from", "1919", "--to", "2026"],
        "every place, 2000-2024 monthly": ["--from", "2000", "--to", "2024", "--monthly"],
        "one State, 1919-2026 yearly": ["--from", "1919", "--to", "2026", "--country", "NPL"]}


def run(arguments: list[str], output: Path) -> tuple[float, float]:
    """Seconds and peak resident MB of one `normgraph panel` (GNU time)."""
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, "-m", "normgraph", "panel", *arguments,
                             "-o", str(output)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=os.environ)
    seconds = time.perf_counter() - start
    if result.returncode:
        raise SystemExit(result.stderr)
    return seconds, int(result.stderr.split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'panel':34s} {'s':>6s} {'peak MB':>8s} {'rows':>8s}")
        for label, given in RUNS.items():
            output = Path(folder) / "panel.csv"
            measured = [run(given, output) for _ in range(arguments.runs)]
            rows = sum(1 for _ in output.open(encoding="utf-8")) - 1
            print(f"{label:34s} {statistics.median(s for s, _ in measured):6.1f} "
                  f"{statistics.median(m for _, m in measured):8.0f} {rows:8,d}")


if __name__ == "__main__":
    main()
