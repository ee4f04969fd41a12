"""The law as normgraph reads it: every case in tests/cases/*.yaml, written from the article texts and the
bundled tables (see tests/cases/README.md), run through `normgraph.applies`."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from oracle import Expected

CASES = Path(__file__).parent / "cases"
DOCS = Path(__file__).parent.parent / "docs" / "legal-rules.md"


def case_files():
    for path in sorted(CASES.glob("*.yaml")):
        for number, entry in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))):
            yield pytest.param(entry, id=f"{path.stem}-{number}-{re.sub(r'[^a-z0-9]+', '-', entry['name'].lower())[:60]}")


@pytest.fixture(scope="module")
def classifier(graph):
    from normgraph.applies import Classifier

    return Classifier(graph)


@pytest.fixture(scope="module")
def tables():
    return Expected()


def table_bound(tables: Expected, state: str, code: str, on: str):
    """Bound on a date, computed from the CSV files alone: a recommendation binds no one."""
    if code.startswith("R"):
        return None
    return {2: True, 0: False, 1: None}[tables.status(state, code, dt.date.fromisoformat(on))]


@pytest.mark.parametrize("entry", case_files())
def test_the_law_decides_the_case(classifier, tables, entry):
    from normgraph.cases.case import parse_case
    from normgraph.errors import CaseError

    case = entry["case"]
    if "refused" in entry:  # contradictory facts: refused, naming each fact, and nothing assessed
        with pytest.raises(CaseError) as refusal:
            parse_case({"id": "case", **case}, entry["name"])
        for phrase in entry["refused"]:
            assert phrase in str(refusal.value)
        return
    answer = classifier.applies(parse_case({"id": "case", **case}, entry["name"]), explain=True)
    by_status = {status: {s["situation"] for s in answer["situations"] if s["status"] == status}
                 for status in ("applies", "undetermined")}
    everything = {s["situation"]: s for s in answer["situations"] + answer["ruled_out"]}
    assert by_status["applies"] == set(entry.get("applies", [])), answer["situations"]
    assert by_status["undetermined"] == set(entry.get("undetermined", [])), answer["situations"]
    assert set(entry.get("not_established", [])) <= {s["situation"] for s in answer["ruled_out"]}, answer["ruled_out"]
    for situation, phrases in entry.get("because", {}).items():
        reasons = " | ".join(everything[situation]["because"])
        for phrase in phrases:
            assert phrase in reasons, f"{situation}: {phrase!r} not in {reasons!r}"
    for situation, cited in entry.get("articles", {}).items():
        assert set(cited) <= set(everything[situation]["articles"]), everything[situation]["articles"]
    for situation, cited in entry.get("not_articles", {}).items():
        assert not set(cited) & set(everything[situation].get("articles", [])), everything[situation]["articles"]
    engaged = {i["instrument"]: i for i in answer["instruments"]}
    if "engaged" in entry:
        assert set(engaged) == set(entry["engaged"])
    assert {i["instrument"] for i in answer["not_yet_adopted"]} == set(entry.get("not_yet_adopted", []))
    for instrument in answer["instruments"]:
        assert instrument["articles"], f"{instrument['instrument']} is engaged without an article"
        assert all(instrument["articles"][0].split()[0] == a.split()[0] for a in instrument["articles"])
    for code, states in entry.get("bound", {}).items():
        for state, expected in states.items():
            assert table_bound(tables, state, code, str(case["date"])) == expected, f"the tables disagree: {code} {state}"
            assert engaged[code]["bound"][state] == expected, f"{code} {state}: {engaged[code]['status'][state]}"
        if code.startswith("R"):
            assert set(engaged[code]["status"].values()) == {"recommendation"}
    for code, states in entry.get("status", {}).items():
        assert engaged[code]["status"] == states


def test_every_engaged_instrument_is_grounded_in_one_of_its_provisions(graph):
    """A situation never engages an instrument without citing one of that instrument's articles."""
    from normgraph.queries.catalogue import run_named

    engages = {(r["situation"], r["code"]) for r in run_named(graph, "profiles", "situations") if r["code"]}
    grounded = {(r["situation"], r["code"]) for r in run_named(graph, "profiles", "situation-provisions") if r["situation"]}
    assert engages and engages <= grounded, engages - grounded


def test_each_indicator_is_evidence_of_one_element_of_forced_labour_only():
    """C029 Art. 2(1) has two elements; one fact must never supply both (ontology/cases.ttl)."""
    from importlib import resources

    from pyoxigraph import RdfFormat, Store

    store = Store()
    store.load(resources.files("normgraph.ontology").joinpath("cases.ttl").read_bytes(), format=RdfFormat.TURTLE)
    both = list(store.query("PREFIX ng: <https://w3id.org/normgraph#> SELECT ?t WHERE { "
                            "?t a ng:InvoluntarinessIndicator , ng:CoercionIndicator }"))
    counted = list(store.query("PREFIX ng: <https://w3id.org/normgraph#> SELECT (COUNT(?t) AS ?n) WHERE { "
                               "{ ?t a ng:InvoluntarinessIndicator } UNION { ?t a ng:CoercionIndicator } }"))
    assert both == [] and int(counted[0]["n"].value) >= 10


def test_the_lawyers_page_lists_every_rule_situation_and_case_file(graph):
    from normgraph.queries.catalogue import catalogue, run_named

    page = DOCS.read_text(encoding="utf-8")
    situations = {r["situation"].rsplit("/", 1)[1] for r in run_named(graph, "profiles", "situations")}
    missing = [name for name in [*catalogue("rules"), *situations, *(p.name for p in CASES.glob("*.yaml"))]
               if f"`{name}" not in page]
    assert not missing, f"docs/legal-rules.md does not mention: {missing}"


def test_the_first_case_format_gets_one_line_saying_what_to_write(tmp_path, store_path):
    from conftest import run_cli

    path = tmp_path / "old.yaml"
    path.write_text(yaml.safe_dump({"date": "2022-01-15", "person": {"age": 41}, "work_country": "USA",
                                    "state_imposed": "prison_labour_for_private"}), encoding="utf-8")
    result = run_cli("applies", str(path), store=store_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith(str(path))]
    assert len(lines) == 1 and "write compulsory_work: {kind: prison_labour" in lines[0]
