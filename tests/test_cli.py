"""The command line as a user meets it: examples in --help, JSON shapes, one-line errors with exit codes."""
from __future__ import annotations

import json

import pytest
from conftest import bundled_table, run_cli, run_process


@pytest.mark.parametrize("command", ["build", "sparql", "country", "instrument", "gaps", "validate", "load"])
def test_every_command_has_help_with_an_example(command):
    result = run_cli(command, "--help")
    assert result.returncode == 0 and "Example" in result.stdout


def test_a_missing_store_is_built_on_first_use_and_said_on_stderr(tmp_path):
    result = run_cli("country", "NPL", "--format", "json", store=tmp_path / "fresh")
    assert result.returncode == 0
    assert "building it from the bundled data" in result.stderr
    assert json.loads(result.stdout)["country"] == "NPL"


def test_country_json_shape(store_path, ratification_rows):
    result = run_cli("country", "Nepal", "--as-of", "2024-01-01", "--format", "json", store=store_path)
    profile = json.loads(result.stdout)
    assert {"country", "name", "as_of", "instruments", "comments", "programmes"} <= set(profile)
    c182 = next(i for i in profile["instruments"] if i["instrument"] == "C182")
    row = next(r for r in ratification_rows if r["instrument"] == "C182" and r["state"] == "NPL")
    assert c182["registered"] == row["registered"] and c182["bound"] is True
    assert {"registered", "in_force_from", "status", "bound", "min_age", "source", "source_as_of"} <= set(c182)


def test_gaps_json_shape_and_csv(store_path):
    result = run_cli("gaps", "c182-without-c138", "--as-of", "2024-01-01", "--format", "json", store=store_path)
    document = json.loads(result.stdout)
    assert document["query"] == "c182-without-c138" and document["as_of"] == "2024-01-01"
    assert document["data_as_of"]["ilo-ratifications"]
    row = document["rows"][0]
    assert {"country", "name", "has", "lacks", "evidence", "undetermined"} <= set(row)
    assert row["has"][0]["instrument"] == "C182" and row["lacks"] == ["C138"]
    csv_out = run_cli("gaps", "c182-without-c138", "--as-of", "2024-01-01", "--format", "csv", store=store_path)
    lines = csv_out.stdout.splitlines()
    assert lines[0].startswith("country,name,has,lacks") and len(lines) == len(document["rows"]) + 1


def test_instrument_codes_in_any_spelling(store_path):
    for spelling in ("C29", "c029", "No. 29", "Convention 29"):
        result = run_cli("instrument", spelling, "--format", "json", store=store_path)
        assert json.loads(result.stdout)["instrument"] == "C029"
    for name, code in (("Palermo Protocol", "UN-TIP"), ("UN TIP Protocol", "UN-TIP"), ("Palermo Convention", "UNTOC"),
                       ("Worst Forms of Child Labour Convention", "C182")):  # instrument_names.csv, instruments.csv
        assert json.loads(run_cli("instrument", name, "--format", "json", store=store_path).stdout)["instrument"] == code
    # Near miss: "Palermo" alone begins the names of the Protocol and of its parent Convention.
    ambiguous = run_cli("instrument", "Palermo", store=store_path)
    assert ambiguous.returncode == 2 and "UN-TIP, UNTOC" in ambiguous.stderr


@pytest.mark.parametrize("args,needle", [
    (["country", "Atlantis"], "unknown country"),
    (["country", "NPL", "--as-of", "2023-02-30"], "not a date"),
    (["instrument", "C999"], "unknown instrument"),
    (["gaps", "corridor", "--origin", "NPL"], "--destination"),
    (["gaps", "no-such-query"], "no query named"),
    (["gaps", "c182-without-c138", "--region", "Atlantis"], "unknown ILO region"),
    (["sparql", "INSERT DATA { <urn:a> <urn:b> <urn:c> }"], "read-only"),
    (["sparql", "SELECT * WHERE { ?s ?p }"], "1:"),
])
def test_usage_errors_exit_2_with_one_clear_line(store_path, args, needle):
    result = run_cli(*args, store=store_path)
    assert result.returncode == 2
    assert needle in result.stderr and "Traceback" not in result.stderr


UN_TREATIES = ("PREFIX ng: <https://w3id.org/normgraph#> SELECT ?code WHERE { ?i ng:code ?code ; "
               "a ng:UNTreaty } ORDER BY ?code")
C029 = "https://w3id.org/normgraph/id/instrument/C029"


def test_sparql_select_in_the_w3c_result_formats(store_path):
    from pyoxigraph import QueryResultsFormat, parse_query_results

    codes = ["OPSC", "UN-TIP", "UNTOC"]
    for fmt, parser in (("json", "JSON"), ("xml", "XML"), ("tsv", "TSV")):
        result = run_cli("sparql", UN_TREATIES, "--format", fmt, store=store_path)
        assert result.returncode == 0, result.stderr
        solutions = parse_query_results(result.stdout.encode(), format=getattr(QueryResultsFormat, parser))
        assert [row["code"].value for row in solutions] == codes, fmt
    # SPARQL CSV is lossy by design (no term types), so pyoxigraph does not read it back: read it as CSV.
    assert run_cli("sparql", UN_TREATIES, "--format", "csv", store=store_path).stdout.splitlines() == ["code", *codes]
    assert json.loads(run_cli("sparql", UN_TREATIES, "--format", "json", store=store_path).stdout)["head"] == {
        "vars": ["code"]}


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv", "table"])
def test_sparql_ask_in_every_result_format(store_path, fmt):
    yes = run_cli("sparql", f"ASK {{ <{C029}> ?p ?o }}", "--format", fmt, store=store_path)
    no = run_cli("sparql", "ASK { <urn:nothing> ?p ?o }", "--format", fmt, store=store_path)
    assert yes.returncode == no.returncode == 0 and yes.stdout != no.stdout
    if fmt == "json":
        assert json.loads(yes.stdout)["boolean"] is True and json.loads(no.stdout)["boolean"] is False


@pytest.mark.parametrize("fmt,parser", [("ttl", "TURTLE"), ("nt", "N_TRIPLES"), ("nq", "N_QUADS"),
                                        ("jsonld", "JSON_LD"), ("rdfxml", "RDF_XML")])
def test_sparql_construct_and_describe_in_every_rdf_format(store_path, fmt, parser):
    from pyoxigraph import NamedNode, RdfFormat, parse

    for query in (f"CONSTRUCT {{ <{C029}> ?p ?o }} WHERE {{ <{C029}> ?p ?o }}", f"DESCRIBE <{C029}>"):
        result = run_cli("sparql", query, "--format", fmt, store=store_path)
        assert result.returncode == 0, result.stderr
        triples = list(parse(result.stdout.encode(), format=getattr(RdfFormat, parser)))
        assert triples and all(t.subject == NamedNode(C029) for t in triples)


def test_sparql_refuses_a_format_that_does_not_fit_the_query_and_names_those_that_do(store_path):
    result = run_cli("sparql", "ASK { ?s ?p ?o }", "--format", "ttl", store=store_path)
    assert result.returncode == 2 and "take --format table, json, xml, csv, tsv" in result.stderr


def test_sparql_results_stream_and_stop_when_the_reader_does(store_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "NORMGRAPH_STORE": str(store_path)}
    pipeline = subprocess.run(f"{sys.executable} -m normgraph sparql 'CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}' "
                              "--format nt | head -n 3", shell=True, capture_output=True, text=True, env=env,
                              timeout=120)
    assert len(pipeline.stdout.splitlines()) == 3 and "Traceback" not in pipeline.stderr


def test_load_with_bad_rows_reports_each_line_and_loads_nothing(own_store, tmp_path):
    table = tmp_path / "newer.csv"
    table.write_text("instrument,state,registered,source,as_of\n"
                     "P029,NPL,2025-01-10,MY_SOURCE,2026-01-01\n"
                     "C999,NPL,2025-01-10,MY_SOURCE,2026-01-01\n"
                     "P029,Atlantis,2025-01-10,MY_SOURCE,2026-01-01\n"
                     "P029,IND,2025-02-30,MY_SOURCE,2026-01-01\n", encoding="utf-8")
    before = run_cli("sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "json", store=own_store).stdout
    result = run_cli("load", str(table), "--kind", "ratifications", store=own_store)
    assert result.returncode == 2
    assert [f"{table}:{n}:" in result.stderr for n in (3, 4, 5)] == [True, True, True]
    assert "nothing was loaded" in result.stderr and "Traceback" not in result.stderr
    after = run_cli("sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "json", store=own_store).stdout
    assert before == after


def test_a_loaded_table_supersedes_the_bundled_record(own_store, tmp_path):
    table = tmp_path / "normlex-p029.csv"
    table.write_text("instrument,country,date,source,as_of\nP029,Nepal,2025-01-10,NORMLEX_2026,2026-01-01\n",
                     encoding="utf-8")
    gap = ["gaps", "c029-without-p029", "--country", "NPL", "--format", "json"]
    assert json.loads(run_cli(*gap, "--as-of", "2026-06-01", store=own_store).stdout)["rows"]
    result = run_cli("load", str(table), "--kind", "ratifications", "--source", "NORMLEX_2026", "--source-title",
                     "NORMLEX: ratifications of P029", "--as-of", "2026-01-01", store=own_store)
    assert result.returncode == 0, result.stderr
    assert json.loads(run_cli(*gap, "--as-of", "2026-06-01", store=own_store).stdout)["rows"] == []
    # The loaded record is the one every command shows.
    profile = json.loads(run_cli("country", "NPL", "--as-of", "2026-06-01", "--format", "json", store=own_store).stdout)
    p029 = next(i for i in profile["instruments"] if i["instrument"] == "P029")
    assert (p029["registered"], p029["source"], p029["bound"]) == ("2025-01-10", "NORMLEX_2026", True)
    assert json.loads(run_cli(*gap, "--as-of", "2025-06-01", store=own_store).stdout)["rows"]
    rebuilt = run_cli("build", store=own_store)
    assert rebuilt.returncode == 0 and "user/normlex-p029" in rebuilt.stdout


def test_the_party_counts_follow_a_load_and_a_drop(own_store, tmp_path):
    """A loaded record supersedes the bundled one in the counts from its entry into force, and the counts come back
    when the table is dropped: India's C029 record restated with a denunciation effective on 2020-01-01."""
    row = next(r for r in bundled_table("ratifications.csv") if (r["instrument"], r["state"]) == ("C029", "IND"))
    assert row["registered"] and not row["denounced"]
    table = tmp_path / "restated.csv"
    table.write_text("instrument,country,date,denounced,source,as_of\n"
                     f"C029,India,{row['registered']},2019-01-01,MY_SOURCE,2026-01-01\n", encoding="utf-8")

    def counts(date: str) -> dict:
        reply = run_cli("instrument", "C029", "--as-of", date, "--format", "json", store=own_store)
        return json.loads(reply.stdout)["parties"]

    before = {date: counts(date) for date in ("2019-06-01", "2020-06-01")}
    result = run_cli("load", str(table), "--kind", "ratifications", "--source", "MY_SOURCE", "--source-title",
                     "A restated record", store=own_store)
    assert result.returncode == 0, result.stderr
    # A denunciation registered on 2019-01-01 takes effect a year later (C029 Art. 30).
    assert counts("2019-06-01") == before["2019-06-01"]
    after = counts("2020-06-01")
    assert (after["bound"], after["undetermined"]) == (before["2020-06-01"]["bound"] - 1,
                                                       before["2020-06-01"]["undetermined"])
    assert run_cli("graphs", "drop", "restated", store=own_store).returncode == 0
    assert {date: counts(date) for date in before} == before


def test_validate_reports_zero_violations(store_path):
    result = run_cli("validate", store=store_path)
    assert result.returncode == 0 and "0 SHACL violation(s)" in result.stdout


# ---- One resolver for every place a person names a state (tests/data/country_spellings.csv).

def spellings() -> list[dict]:
    import csv
    from pathlib import Path

    with (Path(__file__).parent / "data" / "country_spellings.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("row", spellings(), ids=lambda r: r["spelling"])
def test_a_spelling_resolves_to_its_state_or_says_why_not(row):
    from normgraph.errors import InputError
    from normgraph.ids import country_code

    if row["expected"] in ("ambiguous", "unknown", "no code"):
        with pytest.raises(InputError) as error:
            country_code(row["spelling"])
        expected_words = {"ambiguous": "ambiguous", "unknown": "unknown country", "no code": "no ISO 3166-1 code"}
        assert expected_words[row["expected"]] in str(error.value)
    else:
        assert country_code(row["spelling"]) == row["expected"]


def test_the_spelling_table_is_large_enough_and_sourced():
    rows = spellings()
    assert len(rows) >= 50 and all(row["source"] for row in rows)


def test_every_label_and_alias_in_the_data_resolves_to_its_own_state(graph):
    from normgraph.errors import InputError
    from normgraph.ids import country_code

    query = """PREFIX ng: <https://w3id.org/normgraph#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
               PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
               SELECT ?code ?name WHERE { ?s a ng:State ; ng:iso3 ?code . { ?s rdfs:label ?name } UNION { ?s skos:altLabel ?name } }"""
    wrong = []
    for row in graph.select(query).rows:
        try:
            if country_code(row["name"]) != row["code"]:
                wrong.append((row["name"], row["code"], country_code(row["name"])))
        except InputError as error:
            wrong.append((row["name"], row["code"], str(error)))
    assert not wrong, wrong[:10]


def test_an_ambiguous_name_exits_2_naming_the_candidates(store_path):
    result = run_process("gaps", "--country", "Korea", store=store_path)  # end to end: a usage error exits 2
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "Republic of Korea (KOR)" in result.stderr and "Democratic People's Republic of Korea (PRK)" in result.stderr


def test_sparql_stops_a_query_at_its_timeout(store_path):
    import time

    started = time.monotonic()
    result = run_cli("sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", "--timeout", "1",
                     store=store_path)
    assert result.returncode == 1 and "--timeout" in result.stderr and "Traceback" not in result.stderr
    assert time.monotonic() - started < 30


def test_sparql_refuses_a_query_nested_deep_enough_to_crash_the_parser(store_path):
    result = run_cli("sparql", "SELECT * WHERE " + "{" * 5000 + "?s ?p ?o" + "}" * 5000, store=store_path)
    assert result.returncode == 2 and "nests groups 5000 deep" in result.stderr


def test_help_starts_without_the_heavy_libraries():
    """CLI start-up stays light: `normgraph --help` imports no RDF engine, validator or plotting library."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "normgraph", "--help"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and "Usage" in result.stdout
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert "normgraph" in imported and not imported & {"pyoxigraph", "rdflib", "pyshacl", "matplotlib", "networkx"}


@pytest.mark.parametrize("name,params", [("c029-without-p029", ["--country", "NPL"]),
                                         ("c182-without-c138", ["--region", "Africa"]),
                                         ("corridor", ["--origin", "NPL", "--destination", "QAT"])])
def test_show_query_prints_sparql_that_answers_as_the_named_query(store_path, tmp_path, name, params):
    on = ["--as-of", "2020-01-01"]
    shown = run_cli("gaps", name, *params, *on, "--show-query", store=store_path)
    assert shown.returncode == 0 and "?asOf" in shown.stdout and "2020-01-01" in shown.stdout
    query = tmp_path / "shown.rq"
    query.write_text(shown.stdout, encoding="utf-8")
    ran = json.loads(run_cli("sparql", f"@{query}", "--format", "json", store=store_path).stdout)
    named = json.loads(run_cli("gaps", name, *params, *on, "--format", "json", store=store_path).stdout)
    assert named["rows"], "a query with no rows would prove nothing"
    assert sorted({b["country"]["value"] for b in ran["results"]["bindings"]}) == sorted(
        {r["country"] for r in named["rows"]})


def test_sparql_stops_a_query_past_its_memory_limit_in_one_line(store_path):
    result = run_cli("sparql", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f", "--max-memory", "100",
                     "--format", "csv", store=store_path)
    assert result.returncode == 1 and "memory limit (100 MB" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "backtrace" not in result.stderr
    small = run_cli("sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 3", "--max-memory", "100", "--format", "csv",
                    store=store_path)
    assert small.returncode == 0 and len(small.stdout.splitlines()) == 4  # near miss: a small query answers


def test_a_figure_without_matplotlib_names_the_extra_to_install(store_path, tmp_path):
    """matplotlib is the `figures` extra: without it a figure command is one line saying what to install."""
    import os
    import subprocess
    import sys

    blocked = ("import sys; sys.modules['matplotlib'] = None; sys.argv = ['normgraph'] + sys.argv[1:]; "
               "from normgraph.cli import main; main()")
    result = subprocess.run([sys.executable, "-c", blocked, "figure", "gaps", "-o", str(tmp_path / "g.png")],
                            capture_output=True, text=True, env={**os.environ, "NORMGRAPH_STORE": str(store_path)})
    # Changed (issue 27): normgraph is installed from its folder, so `pip install 'normgraph[figures]'` fails.
    assert result.returncode == 2 and 'pip install -e ".[figures]"' in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "g.png").exists()


def test_the_gap_report_as_a_document_carries_each_gaps_explanation_and_links(store_path, tmp_path):
    """What an adviser sends: each gap's title, legal basis and explanation (the query headers), its rows, the
    links to the authority the data holds (NORMLEX comment pages), what found no gap, and the sources' dates."""
    from html.parser import HTMLParser

    from normgraph.queries.catalogue import catalogue

    on = ["--as-of", "2024-01-01"]
    report = json.loads(run_cli("gaps", "--country", "NPL", *on, "--format", "json", store=store_path).stdout)
    markdown = run_cli("gaps", "--country", "NPL", *on, "--format", "markdown", store=store_path).stdout
    for gap in report["gaps"]:
        query = catalogue()[gap["query"]]
        assert f"## {query.title}" in markdown and query.legal_basis in markdown and query.description in markdown
    for name in report["no_gap"]:
        assert f"| {name} | {catalogue()[name].title} |" in markdown
    urls = [e["url"] for gap in report["gaps"] for row in gap["rows"] for e in row["evidence"] if e["url"]]
    assert urls and all(f"]({url})" in markdown for url in urls)
    assert "Answer as of **2024-01-01**" in markdown and "- supervision: " in markdown

    target = tmp_path / "npl.html"
    written = run_cli("gaps", "--country", "NPL", *on, "--format", "html", "-o", str(target), store=store_path)
    assert written.returncode == 0 and written.stdout == ""
    links = []

    class Links(HTMLParser):
        def handle_starttag(self, tag, attrs):
            links.extend(value for key, value in attrs if tag == "a" and key == "href")
    Links().feed(target.read_text(encoding="utf-8"))
    assert sorted(links) == sorted(urls)
    # Near miss: -o is for documents; a table or CSV goes to standard output, and nothing is written.
    refused = run_cli("gaps", "--country", "NPL", "--format", "csv", "-o", str(tmp_path / "x.csv"), store=store_path)
    assert refused.returncode == 2 and not (tmp_path / "x.csv").exists()


def test_what_a_new_user_trips_on(store_path, tmp_path):
    """Issue 27, points 3, 4, 7: no "since None" for a record bound without a day (Hong Kong's C029, by
    declaration); "Palermo" alone is refused naming both instruments it could be, as the help now says;
    "Cote dIvoire" is Côte d'Ivoire."""
    import yaml

    case = tmp_path / "hk.yaml"
    case.write_text(yaml.safe_dump({"date": "2024-01-01", "person": {"age": 30, "nationality": "PHL"},
                                    "work_country": "HKG", "coercion": ["debt_bondage"]}), encoding="utf-8")
    answered = run_cli("applies", str(case), store=store_path)
    assert answered.returncode == 0, answered.stderr
    assert "None" not in answered.stdout and "bound" in answered.stdout
    palermo = run_cli("instrument", "Palermo", store=store_path)
    assert palermo.returncode == 2 and "UN-TIP" in palermo.stderr and "UNTOC" in palermo.stderr
    assert '"Palermo Protocol"' in " ".join(run_cli("instrument", "--help").stdout.split())
    assert run_cli("instrument", "Palermo Protocol", "--format", "json", store=store_path).returncode == 0
    ivory = run_cli("country", "Cote dIvoire", "--format", "json", store=store_path)
    assert ivory.returncode == 0 and '"CIV"' in ivory.stdout


def test_the_readme_case_is_the_shipped_file_and_its_other_facts_are_valid():
    """Issue 27, point 6: the README shows the shipped example as it is, and the other facts it lists make a valid
    case with it (a user copying them gets no error)."""
    import re
    from pathlib import Path

    import yaml

    from normgraph.cases.case import parse_case

    root = Path(__file__).parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    shipped = (root / "normgraph" / "cases" / "examples" / "nepal-domestic-worker.yaml").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme.split("## Which instruments apply to a case")[1], re.S)
    assert blocks[0] == shipped
    case = {**yaml.safe_load(blocks[0]), **yaml.safe_load(blocks[1])}
    case["person"] = {**yaml.safe_load(blocks[0])["person"], **{"free_to_leave": False}}
    case["date"], case["work_country"] = str(case["date"]), "MYS"  # Sabah, the example work_place, is Malaysian
    assert parse_case(case, "README").facts["working_hours_per_week"] == 60


def situations_in_the_ontology() -> dict[str, str]:
    """Each legal situation and its definition, read from situations.ttl with rdflib (not through normgraph)."""
    from importlib import resources

    import rdflib
    from rdflib.namespace import RDF, SKOS

    graph = rdflib.Graph().parse(data=resources.files("normgraph.ontology").joinpath("situations.ttl").read_text(
        encoding="utf-8"), format="turtle")
    kind = rdflib.URIRef("https://w3id.org/normgraph#LegalSituation")
    return {str(s).rsplit("/", 1)[-1]: str(graph.value(s, SKOS.definition)) for s in graph.subjects(RDF.type, kind)}


def test_explain_says_why_each_situation_applies_or_not_in_every_format(store_path, tmp_path):
    """Issue 27, point 5: for a 15-year-old in a mine, `--explain` changed nothing in the table and listed nothing
    ruled out. Now every situation of the ontology is accounted for, applying or ruled out, with what it needs (its
    definition in situations.ttl) and its articles, in the table, JSON and Markdown alike; without --explain the
    table is the plain one (a near miss)."""
    import yaml

    case = tmp_path / "mine.yaml"
    case.write_text(yaml.safe_dump({"date": "2024-01-01", "person": {"age": 15, "nationality": "BOL"},
                                    "work_country": "BOL", "sector": "mining", "hazardous": True}), encoding="utf-8")
    known = situations_in_the_ontology()
    answer = json.loads(run_cli("applies", str(case), "--explain", "--format", "json", store=store_path).stdout)
    considered = {s["situation"]: s for s in answer["situations"] + answer["ruled_out"]}
    assert set(considered) == set(known)
    assert "worst-forms-hazardous-work" in {s["situation"] for s in answer["situations"]}
    assert considered["trafficking"]["status"] == "not established"
    assert all(considered[name]["needs"] == definition for name, definition in known.items())
    plain = run_cli("applies", str(case), store=store_path).stdout
    table = " ".join(run_cli("applies", str(case), "--explain", store=store_path).stdout.split())  # unwrapped
    assert "It needs" not in plain and table.count("It needs") == len(known)
    assert "[rule: worst-forms-hazardous-work]" in table
    markdown = run_cli("applies", str(case), "--explain", "--format", "markdown", store=store_path).stdout
    assert "it would apply if the facts showed" in markdown and "UN-TIP Art. 3(a)" in markdown


def test_a_table_prints_what_the_data_says_not_rich_markup(store_path):
    """Data is never markup: a value with square brackets ("[bold]", "[rule: x]") was read by the terminal table as
    styling and lost; it is printed as it is."""
    shown = run_cli("sparql", 'SELECT ("[bold]x[/bold] [rule: y]" AS ?v) WHERE {}', store=store_path)
    assert shown.returncode == 0 and "[bold]x[/bold] [rule: y]" in shown.stdout
