"""Real SPARQL servers on free loopback ports with temporary databases, for the tests and the benchmarks."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError

VIRTUOSO_INI = "/etc/virtuoso-opensource-7/virtuoso.ini"


@dataclass
class Server:
    process: subprocess.Popen
    query: str
    graph_store: str
    update: str

    def stop(self) -> None:
        stop(self.process)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answering(url: str, process: subprocess.Popen, seconds: float) -> None:
    ask = url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped (exit {process.returncode})")
        try:
            with urllib.request.urlopen(ask, timeout=2):
                return
        except (OSError, HTTPError):
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def missing_oxigraph() -> str | None:
    return None if shutil.which("oxigraph") else "the Oxigraph server is not installed (pip install oxigraph, in normgraph[dev])"


def missing_virtuoso() -> str | None:
    if shutil.which("virtuoso-t") and shutil.which("isql-vt") and Path(VIRTUOSO_INI).exists():
        return None
    return "Virtuoso is not installed: `apt-get install -y virtuoso-opensource` as root (.ci/run does this)"


def start_oxigraph(folder: Path) -> Server:
    port = free_port()
    process = subprocess.Popen(["oxigraph", "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}",
                                "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_until_answering(base + "/query", process, 30)
    return Server(process, base + "/query", base + "/store", base + "/update")


def start_virtuoso(folder: Path) -> Server:
    """Debian's Virtuoso with its own database in `folder`, SPARQL Update granted to the anonymous SPARQL user."""
    sql_port, http_port = free_port(), free_port()
    ini = (Path(VIRTUOSO_INI).read_text(encoding="utf-8")
           .replace("/var/lib/virtuoso-opensource-7/db", str(folder))
           .replace("ServerPort               = 1111", f"ServerPort               = {sql_port}")
           .replace("ServerPort                  = 8890", f"ServerPort                  = {http_port}")
           .replace("ResultSetMaxRows           = 10000", "ResultSetMaxRows           = 5000000")
           # Virtuoso refuses queries its optimiser guesses will run long (the guess is far off for the catalogue),
           # and past its time limit answers with partial results: the client's --timeout is the only limit.
           .replace("MaxQueryCostEstimationTime = 400", "MaxQueryCostEstimationTime = 0")
           .replace("MaxQueryExecutionTime      = 60", "MaxQueryExecutionTime      = 0"))
    (folder / "virtuoso.ini").write_text(ini, encoding="utf-8")
    process = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", str(folder / "virtuoso.ini")],
                               cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http_port}"
    wait_until_answering(base + "/sparql", process, 120)
    subprocess.run(["isql-vt", str(sql_port), "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
                   check=True, capture_output=True, timeout=60)
    return Server(process, base + "/sparql", base + "/sparql-graph-crud", base + "/sparql")
