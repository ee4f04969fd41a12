"""Shared fixtures: one store built from the bundled data per test session, and the bundled tables."""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from servers import missing_oxigraph, missing_virtuoso, start_oxigraph, start_virtuoso


@pytest.fixture(scope="session")
def store_path(tmp_path_factory) -> Path:
    from normgraph.dataset import build

    path = tmp_path_factory.mktemp("store") / "store"
    build(path)
    return path


@pytest.fixture()
def own_store(store_path, tmp_path):
    """A private copy of the built store, for tests that load data into it."""
    copy = tmp_path / "store"
    shutil.copytree(store_path.resolve().parent, tmp_path / "version")
    copy.symlink_to(tmp_path / "version" / "db")
    return copy


@pytest.fixture(scope="session")
def graph(store_path):
    """The store as a long-lived reader holds it, in memory (commands read it on disk: the CLI tests run them)."""
    from normgraph.graph.store import LocalGraph

    return LocalGraph(store_path, in_memory=True)


def bundled_table(name: str) -> list[dict]:
    with resources.files("normgraph.data").joinpath(name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def ratification_rows() -> list[dict]:
    return bundled_table("ratifications.csv")


@pytest.fixture(scope="session")
def party_rows() -> list[dict]:
    return bundled_table("treaty_parties.csv")


# Commands that fork (sparql runs its query in a child it can kill) run as real processes even in run_cli.
FORKING = {"sparql", "serve"}


def run_cli(*args: str, store: Path | None = None) -> subprocess.CompletedProcess:
    """The real `normgraph` entry point, `cli.main`, with its exit code, standard output and standard error, run
    in this process through click's CliRunner isolation (tens of times faster than a process per command)."""
    from click.testing import CliRunner

    from normgraph.cli import main

    if args and args[0] in FORKING:
        return run_process(*args, store=store)
    runner = CliRunner()
    env = {"NORMGRAPH_STORE": str(store)} if store else {}
    argv = sys.argv
    with runner.isolation(env=env) as (stdout, stderr, _):
        code = 0
        try:
            sys.argv = ["normgraph", *args]
            main()
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        finally:
            sys.argv = argv
        sys.stdout.flush()
        sys.stderr.flush()
        out, err = stdout.getvalue().decode("utf-8", "replace"), stderr.getvalue().decode("utf-8", "replace")
    return subprocess.CompletedProcess(["normgraph", *args], code, out, err)


def run_process(*args: str, store: Path | None = None) -> subprocess.CompletedProcess:
    """The `normgraph` command in a child process, as a user runs it."""
    env = {**os.environ, **({"NORMGRAPH_STORE": str(store)} if store else {})}
    return subprocess.run([sys.executable, "-m", "normgraph", *args], capture_output=True, text=True, env=env,
                          timeout=300)


# Real SPARQL servers, started once a test module asks for one and filled by `normgraph push`: the three-engine
# tests (test_servers.py, test_clients.py) take them.
def running(missing, start, folder):
    """A server started in its own folder for the module's tests, or the tests skipped saying what is missing."""
    if missing():
        pytest.skip(missing())
    server = start(folder)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    yield from running(missing_oxigraph, start_oxigraph, tmp_path_factory.mktemp("oxigraph"))


@pytest.fixture(scope="module")
def virtuoso_server(tmp_path_factory):
    yield from running(missing_virtuoso, start_virtuoso, tmp_path_factory.mktemp("virtuoso"))


def pushed(store_path, *args):
    result = run_cli("push", *args, store=store_path)
    assert result.returncode == 0, result.stderr
    assert "counts checked" in result.stdout
    return result


@pytest.fixture(scope="module")
def oxigraph_endpoint(oxigraph_server, store_path):
    pushed(store_path, "--endpoint", oxigraph_server.query, "--graph-store", oxigraph_server.graph_store)
    return oxigraph_server.query


@pytest.fixture(scope="module")
def virtuoso_endpoint(virtuoso_server, store_path):
    pushed(store_path, "--endpoint", virtuoso_server.query)
    return virtuoso_server.query
