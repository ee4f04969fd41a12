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


# States whose records hold each kind of date a legal-time answer turns on: succession (MNE), a denunciation
# (SGP), a year-only record (TJK), a C138 age raised on an undated day (ARG), territories (HKG, MAC), a ratification
# for one territory (MYS, asked with and without the place), States created after 1919 (SSD, TLS, ERI).
PERIOD_STATES = ["NPL", "IND", "ARG", "HKG", "MAC", "MYS", "MNE", "SGP", "TJK", "UZB", "SSD", "TLS", "ERI", "BRA",
                 "QAT", "KOR"]


def days_around(day: str) -> set[str]:
    import datetime as dt

    date = dt.date.fromisoformat(day)
    shifted = [date, date.replace(year=date.year + 1) if (date.month, date.day) != (2, 29) else date,
               date + dt.timedelta(days=30)]  # the ILO and UN consent delays
    return {(d + dt.timedelta(days=step)).isoformat() for d in shifted for step in (-1, 0, 1)}


def table_days(state: str) -> set[str]:
    """Days around every date the bundled tables give for the state: where its legal picture can change."""
    from conftest import bundled_table

    rows = ([r for r in bundled_table("ratifications.csv") if r["state"] == state]
            + [r for r in bundled_table("treaty_parties.csv") if r["party"] == state]
            + [r for r in bundled_table("minimum_ages.csv") if r["state"] == state]
            + [r for r in bundled_table("statehood.csv") if r["state"] == state]
            + [r for r in bundled_table("territorial_application.csv") if r["territory"] == state])
    days = set()
    for row in rows:
        for column, value in row.items():
            if column in ("registered_year", "consent_year") and value:
                days |= days_around(f"{value}-01-01") | days_around(f"{int(value) + 1}-01-01")
            elif column != "as_of" and value and len(value) == 10 and value[4] == "-":
                days |= days_around(value)
    return days


def test_a_batch_asks_legal_time_once_per_period_and_answers_as_if_asked_each_day(graph):
    """A batch asks once per state and period between the days its answers can change (legal-time-changes.rq); the
    answers must equal those asked day by day, probed around every date the tables give and on random days."""
    import random

    from normgraph.applies import Classifier, dated_rows
    from normgraph.reports import statehood_on

    rng = random.Random(87)
    keys = set()
    for state in PERIOD_STATES:
        probes = table_days(state) | {f"{rng.randrange(1925, 2027)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
                                      for _ in range(20)}
        keys |= {(state, day, place) for day in probes for place in ([None, "Sabah"] if state == "MYS" else [None])}
    batch, asked = Classifier(graph), []

    def counted(key):
        asked.append(key)
        return batch.legal_time(key)
    assert batch.per_period(counted, keys, dated_rows) == {key: batch.legal_time(key) for key in keys}
    assert len(asked) < len(keys) / 2
    by_day = {(state, day) for state, day, _ in keys}
    assert batch.per_period(lambda key: statehood_on(graph, *key), by_day) == {
        key: statehood_on(graph, *key) for key in by_day}


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
