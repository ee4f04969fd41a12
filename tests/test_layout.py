"""The layers stay where the architecture puts them, and the code passes the project's linter."""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "normgraph"


def normgraph_imports(path: Path) -> set[str]:
    """The normgraph modules a file imports, as dotted names under normgraph (relative imports resolved)."""
    package = ["normgraph", *path.relative_to(PACKAGE).parent.parts]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            if module.startswith("normgraph"):
                found.add(module)
    return found


def test_the_store_layer_knows_no_loader_query_or_answer():
    """graph/ (the store, the servers, the endpoint client) imports only normgraph's errors and vocabulary."""
    for path in sorted((PACKAGE / "graph").glob("*.py")):
        outside = {m for m in normgraph_imports(path) if not m.startswith("normgraph.graph")}
        assert outside <= {"normgraph.errors", "normgraph.terms"}, (path.name, outside)


def test_only_the_writing_side_knows_the_loaders():
    """Data flows one way: the loaders are called by dataset.py (build, load), never by queries, answers or the CLI."""
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent.name != "loaders" and path.name != "dataset.py":
            assert not {m for m in normgraph_imports(path) if m.startswith("normgraph.loaders")}, path


def test_no_namespace_iri_is_spelled_out_outside_terms():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name != "terms.py":
            code = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                             if not line.lstrip().startswith(("#", "normgraph ")))
            assert '"https://w3id.org/normgraph#' not in code and '"http://www.w3.org/' not in code, path


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed (pip install -e '.[dev]')")
def test_the_code_passes_ruff():
    root = PACKAGE.parent
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "normgraph", "tests", "bench"], cwd=root,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
