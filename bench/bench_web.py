"""The web interface and the reports (issue 17). Targets: each page rendered in <= 100 ms server side on the bundled
graph; 8 concurrent readers >= 200 pages/s; a report of one country written in <= 1 s as a whole process.

    python bench/bench_web.py [--readers 8] [--seconds 10] [--store PATH]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from servers import free_port, stop, wait_until_answering  # noqa: E402

PAGES = ["/", "/country/NPL?as_of=2019-01-01", "/country/NPL.json", "/gaps", "/gaps/c182-without-c138?as_of=2015-01-01",
         "/instrument/C029", "/map?instrument=C138&as_of=2010-01-01", "/map?gap=palermo-without-c029",
         "/case?date=2024-01-01&person.age=16&person.nationality=NPL&work_country=QAT&acts=recruitment&means=deception"
         "&coercion=retention_of_identity_documents&sector=domestic_work",
         "/sparql?query=SELECT%20(COUNT(*)%20AS%20%3Fn)%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D"]


def server_side(store: Path | None, repeats: int = 15) -> dict[str, float]:
    """Median milliseconds per page rendered anew (no page cache), through the WSGI application `serve` runs."""
    from werkzeug.test import Client

    from normgraph.dataset import open_graph
    from normgraph.graph.serve import Limits, make_server
    from normgraph.web import create_site

    graph = open_graph(store, in_memory=True)
    # Every page rendered anew, and the SPARQL page's query run anew rather than answered from memory.
    server, workers = make_server(graph.store, "127.0.0.1", 0, Limits(remembered_bytes=0),
                                  site_factory=lambda ask: create_site(graph, ask, cache_pages=False))
    client = Client(server.application)
    timings = {}
    try:
        for page in PAGES:
            client.get(page, environ_base={"REMOTE_ADDR": "127.0.0.1"})
            runs = []
            for _ in range(repeats):
                start = time.perf_counter()
                response = client.get(page, environ_base={"REMOTE_ADDR": "127.0.0.1"})
                runs.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (page, response.status_code)
            timings[page] = statistics.median(runs)
    finally:
        server.close()
        workers.close()
    return timings


def country_pages() -> list[str]:
    """Pages no cache has seen: every State's page on ten dates."""
    import csv
    from importlib import resources

    with resources.files("normgraph.data").joinpath("countries.csv").open(encoding="utf-8") as handle:
        codes = [row["iso3"] for row in csv.DictReader(handle) if row["ilo_region"]]
    return [f"/country/{code}?as_of={year}-06-30" for year in range(2015, 2025) for code in codes]


def throughput(store: Path | None, readers: int, seconds: float, pages: list[str]) -> float:
    port = free_port()
    command = [sys.executable, "-m", "normgraph", "serve", "--port", str(port)] + (["--store", str(store)] if store else [])
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/query", process, 60)
        done, stop_at = [0] * readers, time.monotonic() + seconds

        def read(slot: int) -> None:
            index = slot * len(pages) // readers
            while time.monotonic() < stop_at:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{pages[index % len(pages)]}", timeout=30) as response:
                    response.read()
                done[slot] += 1
                index += 1
        threads = [threading.Thread(target=read, args=(i,)) for i in range(readers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sum(done) / seconds
    finally:
        stop(process)


def report_seconds(store: Path | None, fmt: str, repeats: int = 5) -> float:
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(repeats):
            command = [sys.executable, "-m", "normgraph", "country", "NPL", "--format", fmt, "-o", f"{folder}/npl.{fmt}"]
            start = time.perf_counter()
            subprocess.run(command + (["--store", str(store)] if store else []), check=True, capture_output=True)
            runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--store", type=Path)
    args = parser.parse_args()
    for page, ms in server_side(args.store).items():
        print(f"{ms:7.1f} ms  {page}  (target 100 ms)")
    pages = throughput(args.store, args.readers, args.seconds, PAGES)
    print(f"{pages:7.1f} pages/s with {args.readers} readers over the {len(PAGES)} pages above, served again (target 200)")
    cold = throughput(args.store, args.readers, args.seconds, country_pages())
    print(f"{cold:7.1f} pages/s with {args.readers} readers, each a country page not served before")
    for fmt in ("docx", "xlsx", "html"):
        print(f"{report_seconds(args.store, fmt):7.2f} s  normgraph country NPL --format {fmt} -o FILE, whole process (target 1 s)")


if __name__ == "__main__":
    main()
