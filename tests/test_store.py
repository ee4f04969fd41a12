"""The store and what users put in it: declared sources, NORMLEX tables, listing and dropping graphs,
one writer at a time, documents that never share a graph, and a store that knows when it is damaged."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import run_cli

TABLE = "instrument,country,date,source,as_of\nP029,Nepal,2025-01-10,{source},2026-01-01\n"


@pytest.fixture()
def own_store(store_path, tmp_path):
    """A private copy of the built store (its version folder and its user-graphs file), for tests that write."""
    copy = tmp_path / "store"
    shutil.copytree(store_path.resolve().parent, tmp_path / "store.versions" / "v1")
    copy.symlink_to(tmp_path / "store.versions" / "v1" / "db")
    return copy


def load(store, table, *options) -> subprocess.CompletedProcess:
    return run_cli("load", str(table), "--kind", "ratifications", *options, store=store)


def graph_names(store) -> set[str]:
    return {row["graph"] for row in json.loads(run_cli("graphs", "--format", "json", store=store).stdout)}


def test_a_table_citing_an_undeclared_source_is_refused_and_nothing_is_written(own_store, tmp_path):
    table = tmp_path / "newer.csv"
    table.write_text(TABLE.format(source="NOT_A_SOURCE"), encoding="utf-8")
    before = graph_names(own_store)
    result = load(own_store, table)
    assert result.returncode == 2 and "unknown source id(s) NOT_A_SOURCE" in result.stderr
    assert "--source ID --source-title" in result.stderr and "Traceback" not in result.stderr
    assert graph_names(own_store) == before


def test_a_normlex_table_in_its_own_layout_loads(own_store, tmp_path):
    table = tmp_path / "normlex-c138.csv"
    # NORMLEX's own export: semicolons, its country names, its dates, its status words, the age in the note.
    table.write_text("Country;Date;Status;Note\n"
                     "Bolivia (Plurinational State of);11 Jun 1997;In Force;Minimum age specified: 14 years\n",
                     encoding="utf-8")
    result = load(own_store, table, "--instrument", "C138", "--source", "NORMLEX_C138",
                  "--source-title", "NORMLEX: ratifications of C138", "--as-of", "2026-02-01")
    assert result.returncode == 0, result.stderr
    profile = json.loads(run_cli("country", "BOL", "--format", "json", store=own_store).stdout)
    c138 = next(i for i in profile["instruments"] if i["instrument"] == "C138")
    assert (c138["registered"], c138["min_age"], c138["source"]) == ("1997-06-11", 14, "NORMLEX_C138")


def test_graphs_lists_every_graph_and_drop_removes_only_user_graphs(own_store, tmp_path):
    table = tmp_path / "mine.csv"
    table.write_text(TABLE.format(source="MINE"), encoding="utf-8")
    assert load(own_store, table, "--source", "MINE", "--source-title", "My table").returncode == 0
    rows = {row["graph"]: row for row in json.loads(run_cli("graphs", "--format", "json", store=own_store).stdout)}
    assert rows["user/mine"]["kind"] == "loaded table" and rows["user/mine"]["sources"] == "MINE"
    assert rows["countries"]["kind"] == "bundled" and rows["countries"]["quads"] > 0
    refused = run_cli("graphs", "drop", "countries", store=own_store)
    assert refused.returncode == 2 and "bundled data" in refused.stderr
    dropped = run_cli("graphs", "drop", "user/mine", store=own_store)
    assert dropped.returncode == 0 and "user/mine" not in graph_names(own_store)


def test_concurrent_writers_lose_nothing(own_store, tmp_path):
    """Two loads and a build at once, three times: every loaded graph is there at the end."""
    env = {**os.environ, "NORMGRAPH_STORE": str(own_store)}
    names = []
    for trial in range(3):
        processes = []
        for side in ("a", "b"):
            table = tmp_path / f"t{trial}{side}.csv"
            table.write_text(TABLE.format(source=f"S{trial}{side}"), encoding="utf-8")
            names.append(f"user/t{trial}{side}")
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "normgraph", "load", str(table), "--kind", "ratifications", "--source",
                 f"S{trial}{side}", "--source-title", "trial"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
        processes.append(subprocess.Popen([sys.executable, "-m", "normgraph", "build"], env=env,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE))
        assert all(process.wait(timeout=300) == 0 for process in processes)
    assert set(names) <= graph_names(own_store)


def test_documents_named_alike_get_graphs_of_their_own(own_store, tmp_path):
    files = []
    for folder, name in (("a", "report.md"), ("b", "report.md"), ("c", "ü.txt"), ("c", "ö.txt")):
        (tmp_path / folder).mkdir(exist_ok=True)
        files.append(tmp_path / folder / name)
        files[-1].write_text("The Palermo Protocol and Convention No. 29.", encoding="utf-8")
    result = run_cli("ingest", *map(str, files), store=own_store)
    assert result.returncode == 0, result.stderr
    documents = [row for row in json.loads(run_cli("graphs", "--format", "json", store=own_store).stdout)
                 if row["kind"] == "document"]
    assert len(documents) == 4


@pytest.mark.parametrize("damage", ["manifest lost", "corrupt database", "missing database"])
def test_a_damaged_store_is_refused_then_repaired_by_build_with_the_users_graphs(own_store, tmp_path, damage):
    table = tmp_path / "kept.csv"
    table.write_text(TABLE.format(source="KEPT"), encoding="utf-8")
    assert load(own_store, table, "--source", "KEPT", "--source-title", "kept").returncode == 0
    version = own_store.resolve().parent
    if damage == "manifest lost":
        (version / "manifest.json").unlink()
    elif damage == "corrupt database":
        for file in (version / "db").iterdir():
            if file.is_file():
                file.write_bytes(b"\0" * 64)
    else:
        shutil.rmtree(version / "db")
    read = run_cli("country", "NPL", store=own_store)
    if damage == "missing database":  # nothing left to misread: the reader rebuilds it as on first use
        assert read.returncode == 0 and "building it" in read.stderr
    else:
        assert read.returncode == 1 and "normgraph build" in read.stderr and "Traceback" not in read.stderr
    rebuilt = run_cli("build", store=own_store)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "user/kept" in graph_names(own_store)
    profile = json.loads(run_cli("country", "NPL", "--as-of", "2026-06-01", "--format", "json", store=own_store).stdout)
    assert any(i["source"] == "KEPT" for i in profile["instruments"])


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_an_output_path_that_is_not_a_regular_file_is_refused_and_left_intact(store_path, tmp_path, kind):
    target = tmp_path / "target"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.mkdir()
    result = run_cli("export", "--format", "nt", "-o", str(target), store=store_path)
    assert result.returncode == 2 and "not a regular file" in result.stderr and "Traceback" not in result.stderr
    assert (target.is_fifo() if kind == "fifo" else target.is_dir())


@pytest.mark.parametrize("content,options,needle", [
    ("instrument,state,registered,source,as_of\nP029,NPL,,MINE,2026-02-30\n", [], "'2026-02-30' is not a real date"),
    (TABLE.format(source="MINE"), ["--source", "MY SOURCE"], "a source id is letters"),
])
def test_bad_table_cells_are_one_line_each_and_nothing_is_loaded(own_store, tmp_path, content, options, needle):
    table = tmp_path / "my table.csv"
    table.write_text(content, encoding="utf-8")
    before = graph_names(own_store)
    result = load(own_store, table, *(options or ["--source", "MINE"]), "--source-title", "mine")
    assert result.returncode == 2 and needle in result.stderr and "Traceback" not in result.stderr
    assert graph_names(own_store) == before


def test_a_part_a_state_excluded_is_named_in_applies(own_store, tmp_path):
    """C143 Art. 16(1): a Member may exclude Part I or Part II from its ratification. A loaded table records one;
    `applies` then names the cited articles the state is not bound by, and only those."""
    table = tmp_path / "c143.csv"
    # Italy's C143 as the bundled table has it (registered in 1981), with a Part II exclusion added by the user.
    table.write_text("instrument,state,registered,registered_year,excluded,source,as_of\n"
                     "C143,ITA,,1981,Part II,USER_C143,2026-02-01\n", encoding="utf-8")
    result = load(own_store, table, "--source", "USER_C143", "--source-title", "a user's C143 table with a Part II exclusion")
    assert result.returncode == 0, result.stderr
    case = tmp_path / "case.yaml"
    case.write_text("id: milan\ndate: 2024-01-01\nperson: {age: 33, nationality: MAR}\nwork_country: ITA\n"
                    "movement: {cross_border: true, lawfully_present: true}\n", encoding="utf-8")
    answer = json.loads(run_cli("applies", str(case), "--format", "json", store=own_store).stdout)
    c143 = next(i for i in answer["instruments"] if i["instrument"] == "C143")
    part_two = [a for a in c143["articles"] if a in ("C143 Art. 10", "C143 Art. 11")]
    assert part_two and c143["excluded"] == {"ITA": part_two}
    assert "C143 Art. 1" in c143["articles"] and c143["bound"]["ITA"] is True  # Part I still binds
    c097 = next(i for i in answer["instruments"] if i["instrument"] == "C097")
    assert c097["excluded"] == {}  # near miss: Italy excluded nothing of C097


def test_each_user_graph_has_a_file_of_its_own_and_older_layouts_are_split_once(own_store, tmp_path):
    """A load or a drop rewrites only its own graph's file; a store whose user graphs sit in one file (as stores
    made before 2026-11-26 keep them) is split into one file per graph by the next writer, losing nothing."""
    for name in ("first", "second"):
        (tmp_path / f"{name}.csv").write_text(TABLE.format(source=name.upper()), encoding="utf-8")
        assert load(own_store, tmp_path / f"{name}.csv", "--source", name.upper(), "--source-title", name).returncode == 0
    folder = own_store.with_name("store.user")
    files = {file.name: file.stat().st_mtime_ns for file in folder.glob("*.nq")}
    assert len(files) == 2
    assert run_cli("graphs", "drop", "user/first", store=own_store).returncode == 0
    left = {file.name: file.stat().st_mtime_ns for file in folder.glob("*.nq")}
    assert len(left) == 1 and set(left.items()) <= set(files.items())  # the other graph's file was not rewritten
    single = own_store.with_name("store.user.nq")
    single.write_bytes(b"".join(file.read_bytes() for file in folder.glob("*.nq")))
    shutil.rmtree(folder)
    assert run_cli("build", store=own_store).returncode == 0
    assert "user/second" in graph_names(own_store) and not single.exists() and len(list(folder.glob("*.nq"))) == 1
