"""`normgraph applies` as a user runs it: legal time at the date of the facts, the shipped examples, batches, bad input.
The legal rules themselves are pinned case by case in tests/cases/*.yaml (tests/test_legal_rules.py)."""
from __future__ import annotations

import json

import pytest
import yaml
from conftest import run_cli, run_process


@pytest.fixture(scope="module")
def classifier(graph):
    from normgraph.applies import Classifier

    return Classifier(graph)


def instrument(answer, code: str) -> dict:
    return next(i for i in answer["instruments"] if i["instrument"] == code)


def test_a_state_that_ratified_after_the_date_of_the_facts(classifier, ratification_rows):
    registered = next(r for r in ratification_rows if r["state"] == "IND" and r["instrument"] == "C182")["registered"]
    assert registered == "2017-06-13"
    facts = {"person": {"age": 15, "nationality": "IND"}, "work_country": "IND", "hazardous": True}
    from normgraph.cases.case import parse_case

    before = classifier.applies(parse_case({"date": "2017-12-01", **facts}, "before"))
    after = classifier.applies(parse_case({"date": "2018-06-13", **facts}, "after"))
    assert instrument(before, "C182")["bound"]["IND"] is False
    assert instrument(after, "C182")["bound"]["IND"] is True
    assert instrument(after, "C182")["in_force_from"]["IND"] == "2018-06-13"


def test_the_shipped_example_as_a_memo(store_path):
    from importlib import resources

    example = resources.files("normgraph.cases").joinpath("examples/nepal-domestic-worker.yaml")
    result = run_process("applies", str(example), "--format", "markdown", store=store_path)  # end to end
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
    ({**GOOD, "coercion": ["deception"]}, ["coercion.0: 'deception' is not allowed; allowed: threat"]),
    ({**GOOD, "compulsory_work": {"purpose": "economic_development"}}, ["compulsory_work: 'kind' is a required property"]),
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


def test_every_shipped_example_is_answered_in_one_call(store_path):
    from importlib import resources

    examples = sorted(str(p) for p in resources.files("normgraph.cases").joinpath("examples").iterdir()
                      if p.name.endswith((".yaml", ".json")))
    result = run_cli("applies", *examples, "--format", "json", store=store_path)
    assert result.returncode == 0, result.stderr
    answers = {answer["case"]: answer for answer in json.loads(result.stdout)}
    situations = {case: {s["situation"] for s in answer["situations"]} for case, answer in answers.items()}
    # C029 Art. 2(2)(c) lost (private firm) and 2(2)(a) lost (road building); Art. 2(1) both elements.
    assert "forced-labour" in situations["prison-labour-private-firm"]
    assert "forced-labour" in situations["conscript-road-building"]
    assert "forced-labour" in situations["brick-kiln-debt-bondage"]
    assert situations["adult-decent-work"] == set()


@pytest.mark.parametrize("text,needle", [
    ("date: 2023-02-30\nperson: {age: 16}\nwork_country: QAT\n", "date: '2023-02-30' is not a real date"),
    ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n", "YAML aliases"),
    ("x: " + "[" * 200 + "]" * 200 + "\n", "nested more than"),
])
def test_hostile_yaml_is_one_line_and_exit_2(store_path, tmp_path, text, needle):
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("applies", str(path), store=store_path)
    assert result.returncode == 2 and needle in result.stderr and "Traceback" not in result.stderr


def test_json_nested_past_the_parser_is_one_line_and_exit_2(store_path, tmp_path):
    path = tmp_path / "case.json"
    path.write_text('{"a":' * 100_000 + "1" + "}" * 100_000, encoding="utf-8")
    result = run_cli("applies", str(path), store=store_path)
    assert result.returncode == 2 and "nested too deep" in result.stderr and "Traceback" not in result.stderr
