"""Issue 17: reports an adviser can send. Each format is reopened by the program's own library (openpyxl for xlsx,
python-docx for docx) and its content checked against the bundled tables and the query headers."""
from __future__ import annotations

import datetime as dt
import json
import re
from importlib import resources
from pathlib import Path

import pytest
from conftest import bundled_table, run_cli
from oracle import Expected, recorded_by

ON = "2019-01-01"


def authority(code: str) -> str:
    """The address the report must link an instrument to, from instruments.csv (the UNTC chapter, or NORMLEX)."""
    row = next(r for r in bundled_table("instruments.csv") if r["code"] == code)
    return f"mtdsg_no={row['untc']}&" if row["untc"] else f"P12100_ILO_CODE:{code}"


def sheet_sections(path) -> dict[str, list[list]]:
    """The xlsx report's rows under each section heading (a one-cell row in bold 12 pt)."""
    from openpyxl import load_workbook

    sheet = load_workbook(path)["Report"]
    sections: dict[str, list[list]] = {}
    current = None
    for row in sheet.iter_rows():
        values = [cell.value for cell in row if cell.value is not None]
        if len(values) == 1 and row[0].font.bold and row[0].font.sz == 12:
            current = sections.setdefault(values[0], [])
        elif current is not None and values:
            current.append([(cell.value, cell.hyperlink.target if cell.hyperlink else None) for cell in row])
    return sections


def expected_not_ratified(state: str, on: str) -> set[str]:
    day = dt.date.fromisoformat(on)
    adoptable = {r["code"] for r in bundled_table("instruments.csv")
                 if r["type"] != "recommendation" and dt.date.fromisoformat(r["adopted"]) <= day}
    return adoptable - recorded_by(state, day)


def test_the_country_report_in_excel_holds_what_binds_what_does_not_and_the_links(store_path, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "nepal.xlsx"
    result = run_cli("country", "Nepal", "--as-of", ON, "--format", "xlsx", "-o", str(target), store=store_path)
    assert result.returncode == 0, result.stderr
    sections = sheet_sections(target)
    ratified = sections["Ratified or joined"][2:]  # after the paragraph and the header row
    codes = {row[0][0].split()[0] for row in ratified}
    assert codes == recorded_by("NPL", dt.date.fromisoformat(ON))
    assert all(authority(row[0][0].split()[0]) in row[0][1] for row in ratified)
    consent = {row[0][0].split()[0]: row[1][0] for row in ratified}
    assert consent["UNTOC"] == next(r["consent_type"] for r in bundled_table("treaty_parties.csv")
                                    if r["party"] == "NPL" and r["treaty"] == "UNTOC")
    not_ratified = {row[0][0].split()[0] for row in sections["Not ratified"][2:]}
    assert not_ratified == expected_not_ratified("NPL", ON)
    book = load_workbook(target)
    assert book["Report"]["A2"].value == f"Answer as of {ON}"
    # Issue 27, point 9: each table also on a sheet of its own, header frozen, filters on: the rows a user sorts.
    table = book["Ratified or joined"]
    assert table.freeze_panes == "A2" and table.auto_filter.ref == table.dimensions
    assert [c.value for c in table[1]] == [v for v, _ in sections["Ratified or joined"][1] if v is not None]
    assert {row[0].split()[0] for row in table.iter_rows(min_row=2, values_only=True)} == codes
    assert {row[0] for row in book["Sources"].iter_rows(min_row=2, values_only=True)} >= {"ilo-ratifications", "un-treaties"}


def test_the_gap_report_in_word_has_each_gaps_basis_explanation_and_evidence_links(store_path, tmp_path):
    from docx import Document

    from normgraph.queries.catalogue import catalogue

    target = tmp_path / "nepal.docx"
    assert run_cli("gaps", "--country", "NPL", "--as-of", ON, "--format", "docx", "-o", str(target), store=store_path).returncode == 0
    report = json.loads(run_cli("gaps", "--country", "NPL", "--as-of", ON, "--format", "json", store=store_path).stdout)
    document = Document(str(target))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    text = "\n".join(p.text for p in document.paragraphs)
    for gap in report["gaps"]:
        query = catalogue()[gap["query"]]
        assert query.title in headings and query.legal_basis in text and query.description in text
    # Every NORMLEX comment page the data gives for Nepal's evidence is a real hyperlink in the document.
    comments = {r["comment"]: r["url"] for r in bundled_table("comments.csv") if r["state"] == "NPL" and r["url"]}
    targets = {rel.target_ref for rel in document.part.rels.values() if rel.reltype.endswith("/hyperlink")}
    cited = [e for gap in report["gaps"] for row in gap["rows"] for e in row["evidence"]]
    assert cited and all(comments[e["id"]] in targets for e in cited if e["id"] in comments)
    assert f"Answer as of {ON}." in text


def test_the_instrument_report_counts_the_parties_the_tables_bind(store_path, tmp_path):
    from docx import Document

    on = "2020-06-30"
    expected = Expected()
    bound = sum(expected.status(state, "C182", dt.date.fromisoformat(on)) == 2 for state in expected.all_states)
    target = tmp_path / "c182.docx"
    assert run_cli("instrument", "C182", "--as-of", on, "--format", "docx", "-o", str(target), store=store_path).returncode == 0
    text = "\n".join(p.text for p in Document(str(target)).paragraphs)
    assert f"it binds {bound} parties" in text


def situation_labels() -> dict[str, str]:
    """Each situation's label, from the ontology (ontology/situations.ttl)."""
    from rdflib import RDFS, Graph, URIRef

    graph = Graph().parse(data=resources.files("normgraph.ontology").joinpath("situations.ttl").read_text(encoding="utf-8"),
                          format="turtle")
    base = "https://w3id.org/normgraph/id/situation/"
    return {str(s).removeprefix(base): str(o) for s, o in graph.subject_objects(RDFS.label)
            if isinstance(s, URIRef) and str(s).startswith(base)}


def test_the_case_memo_in_excel_and_markdown_gives_the_situations_the_law_gives(store_path, tmp_path):
    """The README's domestic worker, as tests/cases/domestic-work.yaml writes it from the article texts: the memo
    lists exactly the situations that case says apply, and says C182 binds Nepal from the date in the tables."""
    import yaml

    entry = yaml.safe_load((Path(__file__).parent / "cases" / "domestic-work.yaml").read_text(encoding="utf-8"))[0]
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump({**entry["case"], "date": str(entry["case"]["date"])}), encoding="utf-8")
    target = tmp_path / "case.xlsx"
    assert run_cli("applies", str(case), "--format", "xlsx", "-o", str(target), store=store_path).returncode == 0
    rows = sheet_sections(target)[f"Case {entry['case']['id']}, facts of {entry['case']['date']}"][1:]
    labels = situation_labels()
    assert {row[0][0] for row in rows if row[1][0] == "applies"} == {labels[key] for key in entry["applies"]}
    markdown = run_cli("applies", str(case), "--format", "markdown", store=store_path).stdout
    c182 = next(r for r in bundled_table("ratifications.csv") if r["instrument"] == "C182" and r["state"] == "NPL")
    in_force = Expected().windows[("NPL", "C182")][1]
    assert c182["registered"] and f"| yes (in force from {in_force.isoformat()})" in markdown
    # Issue 27, point 9: each instrument engaged links to its authority (instruments.csv: UNTC chapter or NORMLEX).
    engaged = re.findall(r"^\| \[([A-Z0-9-]+) [^]]*\]\(([^)]+)\)", markdown, re.M)
    assert {"C182", "UN-TIP"} <= {code for code, _ in engaged}
    assert all(authority(code) in url for code, url in engaged)


@pytest.mark.parametrize("args, needle", [
    (["country", "NPL", "--format", "docx"], "give -o FILE.docx"),
    (["instrument", "C029", "--format", "json", "-o", "x.json"], "-o writes the markdown, html, xlsx, docx reports"),
])
def test_a_report_request_that_cannot_be_met_is_refused_before_any_work(store_path, args, needle):
    result = run_cli(*args, store=store_path)
    assert result.returncode == 2 and needle in result.stderr


def test_a_territory_is_reported_as_its_state_applies_instruments_to_it(store_path):
    """ILO Constitution Art. 35: a territory consents to nothing; its State applies instruments to it."""
    territory = next(r for r in bundled_table("territories.csv") if r["territory"] == "HKG")
    markdown = run_cli("country", "HKG", "--as-of", "2020-01-01", "--format", "markdown", store=store_path).stdout
    assert f"## Applied to it by {territory['sovereign']}" in markdown and "## Not applied to it" in markdown
    assert "Ratified or joined" not in markdown and "not an ILO Member" not in markdown


def test_comment_links_open_normlex_in_english(graph):
    """Issue 27, point 9: a CEACR comment's link opened NORMLEX's Spanish, French or German path
    (/dyn/normlex/es/, /fr/, /de/) for an English reader; every comment link now opens the English path of the
    same page (the comment id is unchanged)."""
    rows = graph.select("""PREFIX ng: <https://w3id.org/normgraph#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?url WHERE { ?c a ?kind ; rdfs:seeAlso ?url . ?kind rdfs:subClassOf* ng:SupervisoryComment }""").rows
    normlex = [row["url"] for row in rows if "/dyn/normlex/" in row["url"]]
    assert len(normlex) > 100
    assert all("/dyn/normlex/en/" in url for url in normlex)


def test_gap_details_are_named_in_words_not_query_variables(store_path):
    """Issue 27, point 9: a gap row's details read "minimumAge: 14", the query's variable; they now read "minimum
    age: 14" for every State minimum_ages.csv shows at 14 on the date."""
    report = run_cli("gaps", "c138-minimum-age-14", "--as-of", "2024-01-01", "--format", "markdown", store=store_path)
    assert report.returncode == 0, report.stderr
    assert "minimumAge" not in report.stdout and "| minimum age: 14 |" in report.stdout
