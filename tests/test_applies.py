"""`normgraph applies` on cases written from the instruments' articles; who is bound, from the bundled tables."""
from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml

from conftest import run_cli
from test_gaps import Expected


@pytest.fixture(scope="module")
def classifier(graph):
    from normgraph.applies import Classifier

    return Classifier(graph)


@pytest.fixture(scope="module")
def tables():
    return Expected()


def assess(classifier, **facts):
    from normgraph.cases.case import parse_case

    return classifier.applies(parse_case({"id": "t", "date": "2024-01-01", **facts}, "test"))


def situations(answer) -> set[str]:
    return {s["situation"] for s in answer["situations"]}


def articles(answer, situation: str) -> list[str]:
    return next(s["articles"] for s in answer["situations"] if s["situation"] == situation)


def instrument(answer, code: str) -> dict:
    return next(i for i in answer["instruments"] if i["instrument"] == code)


def expected_bound(tables, state: str, code: str, on: str):
    return {2: True, 0: False, 1: None}[tables.status(state, code, dt.date.fromisoformat(on))]


def test_a_child_trafficked_with_no_means(classifier, tables):
    answer = assess(classifier, person={"age": 15, "nationality": "NPL"}, work_country="IND",
                    movement={"cross_border": True}, acts=["recruitment", "transportation"],
                    work="sexual_exploitation")
    assert {"child-trafficking", "worst-forms-sexual-exploitation"} <= situations(answer)
    assert "trafficking" not in situations(answer)  # the adult definition needs a means
    assert "UN-TIP Art. 3(c)" in articles(answer, "child-trafficking")
    for state in ("NPL", "IND"):
        assert instrument(answer, "UN-TIP")["bound"][state] == expected_bound(tables, state, "UN-TIP", "2024-01-01")


def test_an_adult_moved_with_no_means_is_a_migrant_not_a_trafficking_victim(classifier):
    answer = assess(classifier, person={"age": 30, "nationality": "BGD"}, work_country="MYS",
                    movement={"cross_border": True}, acts=["transportation"], work="labour")
    assert situations(answer) == {"migrant-for-employment"}


def test_an_adult_recruited_by_deception_into_forced_labour_is_trafficked(classifier):
    answer = assess(classifier, person={"age": 25, "nationality": "MDA"}, work_country="ITA",
                    movement={"cross_border": True}, acts=["recruitment"], means=["deception"])
    assert {"trafficking", "forced-labour"} <= situations(answer)
    assert "UN-TIP Art. 3(a)" in articles(answer, "trafficking")


def test_prison_labour_hired_to_a_private_firm(classifier, tables):
    answer = assess(classifier, person={"age": 40, "nationality": "USA"}, work_country="USA",
                    state_imposed="prison_labour_for_private")
    assert {"prison-labour-for-private-parties", "forced-labour"} <= situations(answer)
    assert "C029 Art. 2(2)(c)" in articles(answer, "prison-labour-for-private-parties")
    assert instrument(answer, "C029")["bound"]["USA"] == expected_bound(tables, "USA", "C029", "2024-01-01") is False


def test_a_debt_bonded_worker(classifier, tables):
    answer = assess(classifier, person={"age": 35, "nationality": "IND"}, work_country="IND", sector="agriculture",
                    means=["debt_bondage"])
    assert situations(answer) == {"forced-labour"}
    assert instrument(answer, "C029")["bound"]["IND"] is expected_bound(tables, "IND", "C029", "2024-01-01")
    assert instrument(answer, "P029")["bound"]["IND"] is expected_bound(tables, "IND", "P029", "2024-01-01")


def test_hazardous_work_at_16(classifier):
    answer = assess(classifier, person={"age": 16, "nationality": "BOL"}, work_country="BOL", sector="mining",
                    hazardous=True)
    assert situations(answer) == {"worst-forms-hazardous-work"}
    assert articles(answer, "worst-forms-hazardous-work") == ["C138 Art. 3", "C182 Art. 3(d)"]


def test_light_work_at_13_under_a_14_declaration(classifier, ratification_rows):
    assert next(r for r in ratification_rows if r["state"] == "NPL" and r["instrument"] == "C138")["min_age"] == "14"
    at_13 = assess(classifier, person={"age": 13, "nationality": "NPL"}, work_country="NPL", light_work=True)
    at_11 = assess(classifier, person={"age": 11, "nationality": "NPL"}, work_country="NPL", light_work=True)
    assert situations(at_13) == {"permitted-light-work"}  # Art. 7(4): from 12 under a 14 declaration
    assert situations(at_11) == {"below-minimum-age"}


def test_work_below_the_declared_minimum_age(classifier, ratification_rows):
    declared = int(next(r for r in ratification_rows if r["state"] == "ARG" and r["instrument"] == "C138")["min_age"])
    below = assess(classifier, person={"age": declared - 1, "nationality": "ARG"}, work_country="ARG")
    at = assess(classifier, person={"age": declared, "nationality": "ARG"}, work_country="ARG")
    assert situations(below) == {"below-minimum-age"} and situations(at) == set()


def test_a_fee_charging_agency(classifier, tables):
    answer = assess(classifier, person={"age": 28, "nationality": "PHL"}, work_country="SAU",
                    movement={"cross_border": True},
                    recruitment={"by": "private_agency", "agency_country": "PHL", "fees_charged_to_worker": True})
    assert {"private-agency-recruitment", "migrant-for-employment"} <= situations(answer)
    agency = next(s for s in answer["situations"] if s["situation"] == "private-agency-recruitment")
    assert "C181 Art. 7" in agency["articles"] and any("Art. 7(1)" in b for b in agency["because"])
    assert instrument(answer, "C181")["bound"] == {s: expected_bound(tables, s, "C181", "2024-01-01")
                                                   for s in ("PHL", "SAU")}


def test_a_state_mobilisation_for_economic_development(classifier):
    answer = assess(classifier, person={"age": 30, "nationality": "UZB"}, work_country="UZB", sector="agriculture",
                    state_imposed="economic_development")
    assert "state-imposed-forced-labour" in situations(answer)
    assert "C105 Art. 1(b)" in articles(answer, "state-imposed-forced-labour")


def test_a_disputed_employment_relationship_engages_a_recommendation(classifier):
    answer = assess(classifier, person={"age": 30, "nationality": "GBR"}, work_country="GBR",
                    employment_relationship_disputed=True)
    assert situations(answer) == {"disputed-employment-relationship"}
    assert instrument(answer, "R198")["bound"] == {"GBR": None}


def test_a_state_that_ratified_after_the_date_of_the_facts(classifier, ratification_rows, tables):
    registered = next(r for r in ratification_rows if r["state"] == "IND" and r["instrument"] == "C182")["registered"]
    assert registered == "2017-06-13"
    facts = {"person": {"age": 15, "nationality": "IND"}, "work_country": "IND", "hazardous": True}
    from normgraph.cases.case import parse_case

    before = classifier.applies(parse_case({"date": "2017-12-01", **facts}, "before"))
    after = classifier.applies(parse_case({"date": "2018-06-13", **facts}, "after"))
    assert instrument(before, "C182")["bound"]["IND"] is False
    assert instrument(after, "C182")["bound"]["IND"] is True
    assert instrument(after, "C182")["in_force_from"]["IND"] == "2018-06-13"


def test_an_adult_in_decent_work_engages_nothing(classifier):
    answer = assess(classifier, person={"age": 34, "nationality": "FRA"}, work_country="FRA", sector="services")
    assert answer["situations"] == [] and answer["instruments"] == []


def test_the_shipped_example_as_a_memo(store_path):
    from importlib import resources

    example = resources.files("normgraph.cases").joinpath("examples/nepal-domestic-worker.yaml")
    result = run_cli("applies", str(example), "--format", "markdown", store=store_path)
    assert result.returncode == 0, result.stderr
    assert "trafficking in children" in result.stdout and "| C181" in result.stdout
    document = json.loads(run_cli("applies", str(example), "--format", "json", store=store_path).stdout)
    assert document["case"] == "nepal-domestic-worker" and set(document["states"]) == {"NPL", "QAT", "IND"}
    assert {"instrument", "title", "situations", "articles", "bound", "in_force_from"} <= set(document["instruments"][0])


def test_many_cases_in_one_call_from_json_lines(store_path, tmp_path):
    lines = [json.dumps({"id": f"c{n}", "date": "2020-01-01", "person": {"age": 10 + n, "nationality": "NPL"},
                         "work_country": "NPL"}) for n in range(5)]
    (tmp_path / "cases.jsonl").write_text("\n".join(lines), encoding="utf-8")
    result = run_cli("applies", str(tmp_path / "cases.jsonl"), "--format", "json", store=store_path)
    answers = json.loads(result.stdout)
    assert [a["case"] for a in answers] == [f"c{n}" for n in range(5)]
    # NPL declared 14: ages 10-13 are below the minimum age, 14 is not.
    assert [bool(a["situations"]) for a in answers] == [True, True, True, True, False]


GOOD = {"date": "2023-06-01", "person": {"age": 16, "nationality": "NPL"}, "work_country": "QAT"}


@pytest.mark.parametrize("content,needles", [
    ({**GOOD, "colour": "red"}, ["unknown key(s) colour"]),
    ({**GOOD, "sector": "banking"}, ["sector: 'banking' is not allowed; allowed: agriculture"]),
    ({**GOOD, "work_country": "Atlantis"}, ["work_country: unknown country"]),
    ({**GOOD, "person": {"age": -1}}, ["person.age: -1 is less than the minimum of 0"]),
    ({**GOOD, "date": "2023-02-30"}, ["date: '2023-02-30' is not a real date"]),
    ({**GOOD, "date": "2999-01-01"}, ["date: 2999-01-01 is in the future"]),
    ({"person": {"age": 16}, "work_country": "QAT"}, ["'date' is a required property"]),
    ({**GOOD, "sector": "banking", "means": ["bribery"]}, ["sector:", "means.0:"]),
    (None, ["non-empty mapping"]),
    (["a", "list"], ["non-empty mapping"]),
])
def test_bad_case_files_exit_2_with_one_line_per_problem(store_path, tmp_path, content, needles):
    path = tmp_path / "case.yaml"
    path.write_text("" if content is None else yaml.safe_dump(content), encoding="utf-8")
    result = run_cli("applies", str(path), store=store_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.startswith(str(path))]) == len(needles)
