"""Regenerate the measured sections of bench/RESULTS.md from one run of their benchmarks, peers included:

    python bench/regenerate.py [--only catalogue panel]

Each section between `<!-- generated: NAME -->` and `<!-- end: NAME -->` is replaced by the benchmark's own table,
headed by the date, the machine's load average and the versions it ran with; nothing in them is copied by hand.
Every section of RESULTS.md is one of these; the earlier hand-measured sections live in bench/HISTORY.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
# Section name -> the benchmark that writes its table, with its peers in the same run (rdflib for the catalogue,
# Oxigraph server for serve, Oxigraph server and Virtuoso for the backends).
SECTIONS = {
    "build": ["bench_build.py", "--runs", "5"],
    "applies": ["bench_applies.py"],
    "catalogue": ["bench_queries.py", "--runs", "15"],
    "panel": ["bench_panel.py", "--runs", "3"],
    "export": ["bench_export.py", "--runs", "3"],
    "load": ["bench_load.py", "--rows", "10000", "100000", "1000000"],
    "scale": ["bench_scale.py", "--quads", "1000000", "--grow", "comments", "--runs", "3"],
    "serve": ["bench_serve.py", "--wrk", "--seconds", "5", "--runs", "3"],
    "web": ["bench_web.py", "--seconds", "5"],
    "backends": ["bench_backends.py", "--triples", "1000000", "--runs", "3"],
}


def measured(script: list[str]) -> str:
    """The benchmark's table, with when and on what it was measured."""
    import pyoxigraph
    import rdflib

    before = os.getloadavg()[0]
    run = subprocess.run([sys.executable, str(HERE / script[0]), *script[1:]], capture_output=True, text=True, cwd=HERE.parent)
    if run.returncode:
        raise SystemExit(f"{script[0]} failed:\n{run.stderr[-2000:]}")
    table = run.stdout.strip()
    if not table.startswith("|"):  # a fixed-width table: the lines as they are
        table = "```\n" + table + "\n```"
    return (f"Measured {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} by `python bench/regenerate.py` "
            f"(`bench/{' '.join(script)}`): {os.cpu_count()} cores, load average {before:.2f} before the run, "
            f"Python {platform.python_version()}, pyoxigraph {pyoxigraph.__version__}, rdflib {rdflib.__version__}.\n\n"
            + table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=list(SECTIONS), default=list(SECTIONS))
    names = parser.parse_args().only
    text = RESULTS.read_text(encoding="utf-8")
    for name in names:
        block = re.compile(rf"(<!-- generated: {name} -->\n).*?(\n<!-- end: {name} -->)", re.S)
        if not block.search(text):
            raise SystemExit(f"RESULTS.md has no <!-- generated: {name} --> section")
        table = measured(SECTIONS[name])
        text = block.sub(lambda match: match.group(1) + table + match.group(2), text)
        print(f"regenerated {name}", file=sys.stderr)
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
