"""Hostile input, generated: whatever a case file or a table holds, normgraph answers or says what is wrong
(CaseError, TableError: one line each, exit 2), never a traceback."""
from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

# The same examples on every run, so a CI verdict does not depend on luck; NORMGRAPH_FUZZ=explore searches anew.
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile("explore" if os.environ.get("NORMGRAPH_FUZZ") == "explore" else "repeatable")

FIELDS = ["id", "date", "person", "work_country", "work_place", "sector", "work", "means", "coercion", "acts",
          "compulsory_work", "movement", "recruitment", "household", "age", "nationality", "state_imposed"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                    st.text(max_size=30), st.sampled_from(["2023-02-30", "NPL", "Korea", "XX", "deception", "2024-01-01"]))
# Keys YAML reads as something else than text (1:, ~:, yes:), among the field names.
keys = st.one_of(st.sampled_from(FIELDS), st.integers(-5, 5), st.none(), st.booleans())
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(keys, inner, max_size=4)),
                      max_leaves=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(values, st.dictionaries(st.sampled_from(FIELDS), values, max_size=8)))
def test_any_case_is_a_case_or_a_list_of_problems(data):
    from normgraph.cases.case import Case, parse_case
    from normgraph.errors import CaseError

    try:
        assert isinstance(parse_case(data, "fuzz"), Case)
    except CaseError as error:
        assert error.problems and all(problem.startswith("fuzz") for problem in error.problems)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
@example(text="date: !!timestamp 2023-02-30\nperson: {age: 30}\nwork_country: NPL\n")
@example(text="date: 2024-01-01\nperson: {age: " + "9" * 5000 + "}\nwork_country: NPL\n")
@example(text="date: 2024-01-01\nperson: {age: 30}\nwork_country: NPL\n1: x\n~: y\nyes: z\n")
@example(text="date: 2024-01-01\nperson: {age: 30}\nwork_country: NPL\ntransit_countries: {a: IND}\n")
@example(text="id: \"a<b\\n\\ud800\"\ndate: 2024-01-01\nperson: {age: 30}\nwork_country: NPL\n")
def test_any_yaml_text_is_a_case_or_a_list_of_problems(tmp_path_factory, text):
    from normgraph.cases.case import read_cases
    from normgraph.errors import CaseError

    path = tmp_path_factory.mktemp("fuzz") / "case.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        list(read_cases(path))
    except CaseError as error:
        assert error.problems


COLUMNS = ["instrument", "state", "registered", "registered_year", "status", "denounced", "min_age", "excluded",
           "source", "as_of", "country", "date", "note"]
cells = st.one_of(st.text(max_size=12), st.sampled_from(["C029", "C138", "P029", "NPL", "Nepal", "2025-01-10",
                                                         "04 Jun 1976", "2026-02-30", "14", "in force", "Annex I"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=6, unique=True), st.lists(st.lists(cells, max_size=7),
                                                                                           max_size=5),
       st.sampled_from([",", ";"]))
@example(header=["instrument", "state", "registered", "source"], rows=[["\r0"]], delimiter=",")
def test_any_table_is_rows_or_a_list_of_problems(header, rows, delimiter):
    from normgraph.errors import TableError
    from normgraph.loaders.instruments import bundled_instruments
    from normgraph.loaders.ratifications import ALIASES, parser
    from normgraph.loaders.table import read_rows

    text = "\n".join(delimiter.join(json.dumps(c) if delimiter in c else c for c in row) for row in [header, *rows])
    try:
        read_rows(text, "fuzz.csv", ["instrument", "state", "registered", "source"], parser(bundled_instruments()),
                  ALIASES)
    except TableError as error:
        assert error.problems


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.sampled_from(["Korea", "Congo", "Sabah", "XX", "the", "", "  ", "Türkiye"])))
def test_any_name_is_a_state_or_a_clear_refusal(text):
    from normgraph.errors import InputError
    from normgraph.ids import country_code

    try:
        code = country_code(text)
        assert len(code) == 3 and code.isupper()
    except InputError as error:
        assert str(error)


@pytest.fixture(scope="module")
def fuzz_store(store_path, tmp_path_factory):
    """A private copy of the built store, for `load` to write into."""
    import shutil

    folder = tmp_path_factory.mktemp("fuzz-store")
    shutil.copytree(store_path.resolve().parent, folder / "store.versions" / "v1")
    (folder / "store").symlink_to(folder / "store.versions" / "v1" / "db")
    return folder / "store"


def store_state(store) -> tuple:
    """What a failed load must leave as it was: the version in use and the user's graphs."""
    import hashlib

    kept = sorted(store.with_name(store.name + ".user").glob("*.nq"))
    return store.resolve(), [(file.name, hashlib.sha256(file.read_bytes()).hexdigest()) for file in kept]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=6, unique=True),
       st.lists(st.lists(cells, max_size=7), max_size=4), st.sampled_from([",", ";"]))
def test_load_from_the_command_line_answers_or_refuses_and_a_refusal_changes_nothing(
        fuzz_store, tmp_path_factory, monkeypatch, capsys, header, rows, delimiter):
    import sys

    from normgraph.cli import main

    table = tmp_path_factory.mktemp("table") / "fuzz.csv"
    table.write_text("\n".join(delimiter.join(json.dumps(c) if delimiter in c else c for c in row)
                               for row in [header, *rows]), encoding="utf-8")
    before = store_state(fuzz_store)
    monkeypatch.setattr(sys, "argv", ["normgraph", "load", str(table), "--kind", "ratifications", "--store",
                                      str(fuzz_store), "--source", "FUZZ", "--source-title", "generated table"])
    with pytest.raises(SystemExit) as exit_:
        main()
        sys.exit(0)
    code, said = exit_.value.code or 0, capsys.readouterr()
    assert code in (0, 1, 2) and "Traceback" not in said.err
    if code != 0:
        assert said.err.strip() and store_state(fuzz_store) == before


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=20), st.sampled_from(["nan", "inf", "-inf", "1e309", "0", "-1", "0.05", "30", "1e-9"])))
def test_a_timeout_is_a_finite_positive_number_or_a_refusal(text):
    """Issue 30: --timeout, --idle-timeout, --request-timeout take a finite number of seconds at least their floor;
    anything else is a usage error (exit 2), never a server that never times out."""
    import math

    import click

    from normgraph.cli import Seconds

    try:
        seconds = Seconds(0.1).convert(text, None, None)
    except click.BadParameter:
        return
    assert math.isfinite(seconds) and seconds >= 0.1
