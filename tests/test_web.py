"""Issue 17: the web interface of `normgraph serve`, in process (Flask's test client over the server's own WSGI
application and worker pool). Expectations come from the bundled tables and the case files written from the
article texts, never from normgraph's output; the JSON twin is checked against what the page shows."""
from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
import urllib.parse
from pathlib import Path

import pytest
import yaml
from conftest import bundled_table
from oracle import Expected, recorded_by

CASES = Path(__file__).parent / "cases"


@pytest.fixture(scope="module")
def expected():
    return Expected()


@pytest.fixture(scope="module")
def site(graph):
    """The whole application `normgraph serve` runs (the SPARQL endpoint with the pages behind it), with its workers."""
    from werkzeug.test import Client

    from normgraph.graph.serve import Limits, make_server
    from normgraph.web import create_site

    server, workers = make_server(graph.store, "127.0.0.1", 0, Limits(max_rows=50),
                                  site_factory=lambda ask: create_site(graph, ask))
    yield Client(server.application)
    server.close()
    workers.close()


def get(site, url: str, status: int = 200):
    response = site.get(url, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.status_code == status, (url, response.status_code, response.get_data(as_text=True)[:500])
    return response


def page_text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("state, on", [("NPL", "2019-01-01"), ("ITA", "2000-06-30"), ("QAT", "2024-01-01")])
def test_the_country_page_lists_what_the_state_has_not_ratified(site, state, on):
    day = dt.date.fromisoformat(on)
    adoptable = {r["code"] for r in bundled_table("instruments.csv")
                 if r["type"] != "recommendation" and dt.date.fromisoformat(r["adopted"]) <= day}
    expected = adoptable - recorded_by(state, day)
    data = get(site, f"/country/{state}.json?as_of={on}").get_json()
    assert {i["instrument"] for i in data["not_ratified"]} == expected
    section = page_text(get(site, f"/country/{state}?as_of={on}")).split('id="not-ratified"')[1].split("<h2")[0]
    assert set(re.findall(r'href="/instrument/([A-Z0-9-]+)', section)) == expected


def test_a_gap_appears_on_the_country_page_when_the_date_moves_past_the_ratification(site, expected):
    """C182 without C138: a state bound by C182 and not by C138 on the later date, bound by neither on the earlier."""
    later, earlier = "2024-01-01", "2000-01-01"
    states = [s for s, undetermined in expected.has_without("C182", ["C138"], later).items() if not undetermined
              and expected.status(s, "C182", dt.date.fromisoformat(earlier)) == 0]
    assert states, "the tables hold a state that joined C182 after 2000 and never C138"
    state = sorted(states)[0]
    before = get(site, f"/country/{state}.json?as_of={earlier}").get_json()["gap_report"]
    after = get(site, f"/country/{state}.json?as_of={later}").get_json()["gap_report"]
    assert "c182-without-c138" in before["no_gap"]
    assert "c182-without-c138" in [g["query"] for g in after["gaps"]]
    page = page_text(get(site, f"/country/{state}?as_of={later}"))
    assert 'id="gap-c182-without-c138"' in page and 'id="gap-c182-without-c138"' not in page_text(
        get(site, f"/country/{state}?as_of={earlier}"))


def test_the_gap_page_and_its_csv_name_the_states_the_tables_give(site, expected):
    on = "2015-01-01"
    want = set(expected.has_without("UN-TIP", ["C029"], on))  # lacking an ILO Convention: ILO Members only
    data = get(site, f"/gaps/palermo-without-c029.json?as_of={on}").get_json()
    assert {row["country"] for row in data["rows"]} == want
    assert data["legal_basis"] and data["description"]
    rows = list(csv.DictReader(io.StringIO(page_text(get(site, f"/gaps/palermo-without-c029.csv?as_of={on}")))))
    assert {row["country"] for row in rows} == want
    page = page_text(get(site, f"/gaps/palermo-without-c029?as_of={on}"))
    assert re.search(r'id="row-count">(\d+)<', page).group(1) == str(len(want))


def test_the_home_page_lists_the_instruments_adopted_by_the_date(site):
    on = dt.date(2005, 1, 1)
    want = {r["code"] for r in bundled_table("instruments.csv")
            if r["type"] != "recommendation" and dt.date.fromisoformat(r["adopted"]) <= on}
    assert {i["code"] for i in get(site, f"/index.json?as_of={on}").get_json()["instruments"]} == want
    assert set(re.findall(r'href="/instrument/([A-Z0-9-]+)"', page_text(get(site, f"/?as_of={on}")))) == want


def test_the_catalogue_page_lists_every_named_query_with_its_explanation(site):
    from normgraph.queries.catalogue import catalogue

    data = get(site, "/gaps.json").get_json()
    assert [q["query"] for q in data["queries"]] == sorted(catalogue())
    page = html.unescape(page_text(get(site, "/gaps")))
    for query in data["queries"]:
        assert f'id="{query["query"]}"' in page and query["description"] in page


@pytest.mark.parametrize("code", ["C029", "UN-TIP"])
def test_the_instrument_page_counts_the_parties_the_tables_bind(site, expected, code):
    on = dt.date(2020, 6, 30)
    bound = sum(expected.status(state, code, on) == 2 for state in {*expected.all_states, "EUU"})
    data = get(site, f"/instrument/{code}.json?as_of={on}").get_json()
    assert data["parties"]["bound"] == bound
    assert int(data["timeline"][-1]["parties"]) == bound
    instrument = next(r for r in bundled_table("instruments.csv") if r["code"] == code)
    assert (instrument["untc"] in data["url"]) if instrument["untc"] else data["url"].endswith(f"P12100_ILO_CODE:{code}")
    page = page_text(get(site, f"/instrument/{code}?as_of={on}"))
    assert f'id="bound-count">{bound}<' in page and "<polyline" in page


def test_the_map_colours_each_state_by_its_status_on_the_date(site, expected):
    from normgraph.web.worldmap import MAP_STATUSES

    on = "2010-01-01"
    data = get(site, f"/map.json?instrument=C138&as_of={on}").get_json()
    in_force = {s["country"] for s in data["states"] if s["status"] == "bound"}
    assert in_force == {s for s in expected.all_states if expected.status(s, "C138", dt.date.fromisoformat(on)) == 2}
    page = page_text(get(site, f"/map?instrument=C138&as_of={on}"))
    fills = dict(re.findall(r'id="shape-([A-Z]{3})" d="[^"]+" fill="([^"]+)"', page))
    assert len(fills) > 150
    assert all(fills[s] == MAP_STATUSES["bound"] for s in in_force if s in fills)
    gap = get(site, f"/map.json?gap=c182-without-c138&as_of={on}").get_json()
    # The map draws States; a territory's own gap row (Hong Kong's) is on its gap page, not on the map.
    assert {s["country"] for s in gap["states"] if s["status"] == "gap"} == \
        set(expected.has_without("C182", ["C138"], on)) & set(expected.all_states)


def form_parameters(facts: dict, prefix: str = "") -> list[tuple[str, str]]:
    """A case file's facts as the case form sends them: dotted names, repeated names for lists, true/false."""
    pairs = []
    for name, value in facts.items():
        if isinstance(value, dict):
            pairs += form_parameters(value, prefix + name + ".")
        elif isinstance(value, list):
            pairs += [(prefix + name, str(v)) for v in value]
        else:
            pairs.append((prefix + name, str(value).lower() if isinstance(value, bool) else str(value)))
    return pairs


SITUATIONS = set(re.findall(r"^sit:([\w-]+) a ng:LegalSituation", (Path(__file__).parents[1] / "normgraph" / "ontology"
                                                                 / "situations.ttl").read_text(encoding="utf-8"), re.M))


def law_cases():
    for path in sorted(CASES.glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))[:2]:
            yield pytest.param(entry, id=f"{path.stem}-{entry['name'][:40]}")


@pytest.mark.parametrize("entry", law_cases())
def test_the_case_form_gives_the_situations_the_law_gives(site, entry):
    """The first two cases of each file in tests/cases (expectations written from the article texts), sent as the
    form sends them: the memo names exactly the situations that apply."""
    facts = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in entry["case"].items()}
    query = urllib.parse.urlencode(form_parameters(facts))
    answer = get(site, f"/case.json?{query}").get_json()
    assert sorted(s["situation"] for s in answer["situations"] if s["status"] == "applies") == sorted(entry.get("applies", []))
    page = page_text(get(site, f"/case?{query}"))
    assert sorted(re.findall(r'data-situation="([^"]+)"', page)) == sorted(s["situation"] for s in answer["situations"])
    # Issue 27, point 5: every other situation is shown as considered, with what it would need.
    ruled_out = re.findall(r'data-ruled-out="([^"]+)"', page)
    assert len(ruled_out) + len(answer["situations"]) == len(SITUATIONS) and "It would apply if the facts showed" in page


def test_the_case_form_lists_every_problem_and_keeps_the_facts_given(site):
    page = page_text(get(site, "/case?date=2024-02-30&person.age=16&work_country=Korea", status=400))
    problems = page.split('id="problems"')[1].split("</div>")[0]
    assert "2024-02-30" in problems and "Republic of Korea (KOR)" in problems
    assert 'name="person.age" value="16"' in page


@pytest.mark.parametrize("url, status, needle", [
    ("/country/Korea", 400, "Republic of Korea (KOR) or Democratic People"),
    ("/country/XX.json", 400, "unknown country"),
    ("/country/NPL?as_of=2019-02-30", 400, "2019-02-30"),
    ("/instrument/C999", 400, "C999"),
    ("/gaps/no-such-query.json", 400, "no gap query"),
    ("/map?instrument=C029&gap=c182-without-c138", 400, "not both"),
    ("/no/such/page", 404, "no page"),
])
def test_bad_addresses_get_a_clear_answer(site, url, status, needle):
    assert needle in html.unescape(page_text(get(site, url, status)))


def test_a_country_named_in_words_is_sent_to_its_stable_address(site):
    response = get(site, "/country?q=Republic+of+Korea&as_of=2019-01-01", 302)
    assert response.headers["Location"].endswith("/country/KOR?as_of=2019-01-01")
    assert get(site, "/country/Turkey", 302).headers["Location"].endswith("/country/TUR")


def test_the_sparql_page_runs_a_query_through_the_endpoints_limits(site):
    states = [r for r in bundled_table("countries.csv") if r["iso3"] != "EUU"]
    count = "PREFIX ng: <https://w3id.org/normgraph#> SELECT (COUNT(?s) AS ?n) WHERE { ?s a ng:State }"
    page = page_text(get(site, "/sparql?" + urllib.parse.urlencode({"query": count})))
    assert re.search(r"<td>(\d+)</td>", page).group(1) == str(len(states))
    listing = "PREFIX ng: <https://w3id.org/normgraph#> SELECT ?s WHERE { ?s a ng:State }"
    page = page_text(get(site, "/sparql?" + urllib.parse.urlencode({"query": listing})))
    assert 'id="result-count">50<' in page  # the endpoint's row cap holds for the page too
    download = get(site, "/query?" + urllib.parse.urlencode({"query": listing, "format": "csv"}))
    assert download.headers["Content-Disposition"] == 'attachment; filename="results.csv"'
    assert len(page_text(download).splitlines()) == 51
    assert "syntax" in page_text(get(site, "/sparql?query=SELEC", 400)).lower()
    ask = page_text(get(site, "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s a <https://w3id.org/normgraph#State> }"})))
    assert 'id="result-boolean">true<' in ask
    construct = "PREFIX ng: <https://w3id.org/normgraph#> CONSTRUCT { ?s a ng:State } WHERE { ?s ng:iso3 'NPL' }"
    assert "country/NPL> a <https://w3id.org/normgraph#State>" in html.unescape(
        page_text(get(site, "/sparql?" + urllib.parse.urlencode({"query": construct}))))
    update = "DELETE WHERE { ?s ?p ?o }"
    assert "read-only" in page_text(get(site, "/sparql?" + urllib.parse.urlencode({"query": update}), 400))


def test_a_page_served_again_is_the_same_page_with_the_same_headers(site):
    url = "/gaps/c182-without-c138.csv?as_of=2012-01-01"
    first, again = get(site, url), get(site, url)
    assert again.get_data() == first.get_data() and again.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    assert again.headers["Content-Type"].startswith("text/csv")
    other = get(site, "/gaps/c182-without-c138.csv?as_of=2020-01-01")
    assert other.get_data() != first.get_data()


def test_the_instrument_chart_marks_where_the_consent_data_stops(site):
    """Issue 27, point 1: P029's parties are known to the ILO data's as-of date (the one ratifications.csv gives
    most often): a chart reaching past it marks the day; one that ends before it does not (a near miss)."""
    from collections import Counter

    ilo_as_of = Counter(row["as_of"] for row in bundled_table("ratifications.csv")).most_common(1)[0][0]
    later = page_text(get(site, "/instrument/P029?as_of=2026-06-01"))
    assert 'id="data-stops"' in later and f"data to {ilo_as_of}" in later
    assert get(site, "/instrument/P029.json?as_of=2026-06-01").get_json()["data_stops"] == ilo_as_of
    assert 'id="data-stops"' not in page_text(get(site, "/instrument/P029?as_of=2020-06-01"))


def test_the_vocabulary_page_lists_every_term_and_runs_every_example(site, expected):
    """Issue 27, point 10: a user guessing property names got empty results; the vocabulary page lists every class
    and property the ontology files declare (read here with rdflib), with its definition, and each catalogue
    query as --show-query prints it, one click from the SPARQL page, answering as the gap tables say."""
    import html
    from importlib import resources

    import rdflib
    from rdflib.namespace import OWL, RDF

    ng = "https://w3id.org/normgraph#"
    declared = set()
    for entry in resources.files("normgraph.ontology").iterdir():
        if entry.name.endswith(".ttl"):
            parsed = rdflib.Graph().parse(data=entry.read_text(encoding="utf-8"), format="turtle")
            for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
                declared |= {str(s)[len(ng):] for s in parsed.subjects(RDF.type, kind) if str(s).startswith(ng)}
    on = "2024-01-01"
    data = get(site, f"/vocabulary.json?as_of={on}").get_json()
    assert {t["term"][len(ng):] for t in data["terms"]} == declared
    party = next(t for t in data["terms"] if t["term"] == ng + "party")
    assert party["definition"] and party["domain"] == ng + "ConsentToBeBound"
    page = page_text(get(site, f"/vocabulary?as_of={on}"))
    assert all(f'id="{term}"' in page for term in declared)
    assert 'href="/vocabulary"' in page_text(get(site, "/sparql"))
    links = dict(re.findall(r'id="example-([\w-]+)" href="([^"]+)"', page))
    assert set(links) == {e["name"] for e in data["examples"]}
    answered = page_text(get(site, html.unescape(links["c105-without-c029"])))  # fewer rows than the test's cap of 50
    count = int(re.search(r'id="result-count">(\d+)<', answered).group(1))
    assert count == len(expected.has_without("C105", ["C029"], on)) > 0


def test_a_country_page_opens_with_what_binds_what_does_not_and_the_gaps(site, expected):
    """Issue 27, point 5: one line at the top of the page says what binds the State on the date, what it has not
    ratified, the gaps found and the data's as-of dates; the sets are recomputed here from the tables."""
    state, on = "NPL", "2024-01-01"
    day = dt.date.fromisoformat(on)
    page = page_text(get(site, f"/country/{state}?as_of={on}"))
    summary = re.search(r'id="at-a-glance"><strong>([^<]+)<', page).group(1)
    assert page.index('id="at-a-glance"') < page.index('id="gaps"')
    parts = dict(re.findall(r"(bound|not ratified) \d+ \(([^)]+)\)", summary))
    bound = {code for code in recorded_by(state, day) if expected.status(state, code, day) == 2}
    adoptable = {r["code"] for r in bundled_table("instruments.csv")
                 if r["type"] != "recommendation" and dt.date.fromisoformat(r["adopted"]) <= day}
    assert set(parts["bound"].split(", ")) == bound
    assert set(parts["not ratified"].split(", ")) == adoptable - recorded_by(state, day)
    found = get(site, f"/country/{state}.json?as_of={on}").get_json()["gap_report"]["gaps"]
    assert f"{len(found)} gap" in summary and all(g["query"] in summary for g in found)
    assert "ilo-ratifications 2023-05-11" in summary and "un-treaties" in summary


def test_a_country_page_names_its_sources_by_title_not_code(site):
    """Issue 27, point 9: sources were shown as codes (CRBA_NLX_2023, a file hash); the page names each record's
    source by the title sources.csv gives it, and the JSON keeps the code for a program to follow."""
    record = next(r for r in bundled_table("ratifications.csv") if (r["state"], r["instrument"]) == ("NPL", "C029"))
    titles = {r["source"]: r["title"] for r in bundled_table("sources.csv")}
    expected = [titles[code] for code in record["source"].split(";")]
    data = get(site, "/country/NPL.json?as_of=2024-01-01").get_json()
    line = next(i for i in data["instruments"] if i["instrument"] == "C029")
    assert sorted(line["source_titles"]) == sorted(expected) and record["source"].split(";")[0] in line["source"]
    page = page_text(get(site, "/country/NPL?as_of=2024-01-01"))
    row = page.split('id="instruments"')[1].split('>C029</a>')[1].split("</tr>")[0]
    from markupsafe import escape

    assert all(str(escape(title)) in row for title in expected) and record["source"] not in row


def test_a_comment_known_only_from_another_comments_list_says_so(site):
    """Issue 27, point 9: comments known only from the "other comments" list of another comment's NORMLEX page
    (evidence sidebar_only in comments.csv) each linked to that other comment's page as if it were their own. The
    page now says where they are listed and that they were not seen; a comment seen on its own page links there."""
    comments = [r for r in bundled_table("comments.csv") if r["state"] == "BRA"]
    listed = [r for r in comments if r["evidence"] == "sidebar_only"]
    seen = [r for r in comments if r["evidence"] == "text_seen" and r["url"]]
    assert listed and seen
    page = page_text(get(site, "/country/BRA?as_of=2026-01-01"))
    rows = {row.split("</td>")[0]: row for row in page.split('id="comment-table"')[1].split("</table>")[0].split("<tr><td>")[1:]}
    for comment in listed:
        row = rows[comment["comment"]]
        assert 'class="listed-on"' in row and 'class="own-page"' not in row and "not seen" in row
    assert all('class="own-page"' in rows[c["comment"]] for c in seen if c["comment"] in rows)
    data = get(site, "/country/BRA.json?as_of=2026-01-01").get_json()
    by_id = {c["comment"]: c for c in data["comments"]}
    assert all(by_id[c["comment"]]["url"] is None and by_id[c["comment"]]["listedOn"] for c in listed)


def test_the_home_page_lists_every_source_with_its_title_and_date(site):
    """Issue 27, point 1: the home page names each source (sources.csv) by its title, with the date its facts are
    as of, as `normgraph stats` does."""
    from markupsafe import escape

    sources = bundled_table("sources.csv")
    page = page_text(get(site, "/"))
    listed = page.split('id="source-list"')[1].split("</details>")[0]
    assert all(str(escape(row["title"].strip())) in listed for row in sources)
    data = get(site, "/index.json").get_json()
    assert {s["source"]: s["as_of"] for s in data["sources"]} == {r["source"]: r["as_of"] or None for r in sources}


def test_the_editors_policy_holds_on_a_cached_page_and_nowhere_else(site):
    """The SPARQL page's policy lets its own scripts run; a second request, answered from the page cache, kept only
    the default policy (no script), so the editor never loaded. Every other page keeps the strict one."""
    first, second = get(site, "/sparql"), get(site, "/sparql")
    for response in (first, second):
        policies = response.headers.getlist("Content-Security-Policy")
        assert len(policies) == 1 and "script-src 'self'" in policies[0] and "'unsafe-inline'" not in policies[0]
    for address in ("/", "/vocabulary", "/country/NPL"):
        for _ in range(2):
            policies = get(site, address).headers.getlist("Content-Security-Policy")
            assert len(policies) == 1 and "script-src" not in policies[0] and "default-src 'none'" in policies[0]


def test_the_panel_page_shows_and_downloads_what_the_panel_says(site, graph):
    """Issue 28, point 4: /panel for a few States and years, and its CSV, hold the rows `panel` makes."""
    from normgraph.panel import COLUMNS, panel, panel_dates

    expected = panel(panel_dates(2014, 2016), ["NPL", "QAT"], graph=graph)
    page = page_text(get(site, "/panel?country=NPL&country=QAT&from=2014&to=2016"))
    assert re.search(r'id="panel-count">(\d+)<', page).group(1) == str(len(expected))
    download = get(site, "/panel.csv?country=NPL&country=QAT&from=2014&to=2016")
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert [(r["place"], r["date"], r["instrument"], r["status"]) for r in rows] == [
        (r["place"], r["date"], r["instrument"], r["status"]) for r in expected]
    assert list(rows[0]) == list(COLUMNS)
    assert "at most 10 States" in page_text(get(site, "/panel?" + "&".join(f"country={c}" for c in [
        "NPL", "QAT", "IND", "BRA", "FRA", "DEU", "ITA", "ESP", "PRT", "GRC", "TUR"]), status=400))
    assert "from and to are years" in page_text(get(site, "/panel?country=NPL&from=then", status=400))
    assert "up to" in page_text(get(site, "/panel?country=NPL&from=2000&to=9999", status=400))
