"""The gap catalogue against expectations recomputed in plain Python from the bundled tables (no SPARQL)."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import bundled_table, run_cli
from oracle import Expected

from normgraph.reports import gap_report, gaps

DATES = ("2010-01-01", "2024-01-01")


@pytest.fixture(scope="module")
def expected():
    return Expected()


def answer(graph, name: str, on: str, **params) -> dict[str, bool]:
    return {row["country"]: row["undetermined"] for row in gaps(name, on, graph, **params)["rows"]}


PAIRS = [("c182-without-c138", "C182", ["C138"]), ("c138-without-c182", "C138", ["C182"]),
         ("c029-without-c105", "C029", ["C105"]), ("c029-without-p029", "C029", ["P029"]),
         ("palermo-without-p029", "UN-TIP", ["P029"]), ("palermo-without-c181", "UN-TIP", ["C181"]),
         ("untoc-without-palermo", "UNTOC", ["UN-TIP"]),
         ("palermo-without-migrant-conventions", "UN-TIP", ["C097", "C143"])]


@pytest.mark.parametrize("on", DATES)
@pytest.mark.parametrize("name,has,lacks", PAIRS, ids=[p[0] for p in PAIRS])
def test_pairwise_gaps_match_the_tables(graph, expected, name, has, lacks, on):
    ilo = any(not code.startswith("UN") for code in lacks)
    assert answer(graph, name, on) == expected.has_without(has, lacks, on, ilo)


def test_the_two_dates_differ_for_real(expected):
    """The dates bracket ratifications in the data, so a query ignoring --as-of would fail above."""
    assert expected.has_without("C029", ["P029"], DATES[0]) != expected.has_without("C029", ["P029"], DATES[1])


@pytest.mark.parametrize("on", DATES)
def test_fundamentals_incomplete_matches_the_tables(graph, expected, on):
    day = dt.date.fromisoformat(on)
    codes = [code for code in ["C029", "P029", "C105", "C138", "C182"] if expected.adopted[code] <= day]
    want = {}
    for state in expected.members(day):
        statuses = [expected.status(state, code, day) for code in codes]
        if min(statuses) < 2:
            want[state] = 0 not in statuses
    assert answer(graph, "fundamentals-incomplete", on) == want


def declared_age_bounds(state: str, day: dt.date) -> tuple[int, int] | None:
    """C138 Art. 2(1)-(2), from minimum_ages.csv: an age is only ever raised, so the highest age shown on or before
    the day and the lowest shown on or after it bound the age on the day (before the first observation the first
    age stands, after the last the last)."""
    shown = [(dt.date.fromisoformat(r["held_on"]), int(r["age"])) for r in bundled_table("minimum_ages.csv")
             if r["state"] == state]
    if not shown:
        return None
    before = [age for held, age in shown if held <= day]
    after = [age for held, age in shown if held >= day]
    return (max(before) if before else min(age for _, age in shown),
            min(after) if after else max(age for _, age in shown))


# 2015: between the c. 2008 snapshot and NORMLEX 2023, when Argentina's and Colombia's raises are undated.
@pytest.mark.parametrize("on", [*DATES, "2015-01-01"])
def test_minimum_age_14_matches_the_tables(graph, expected, on):
    day = dt.date.fromisoformat(on)
    want = {}
    for (state, code) in expected.windows:
        bounds = declared_age_bounds(state, day) if code == "C138" else None
        if bounds and bounds[0] == 14 and expected.member(state, day) and expected.status(state, "C138", day) > 0:
            want[state] = expected.status(state, "C138", day) == 1 or bounds[1] > 14
    assert answer(graph, "c138-minimum-age-14", on) == want
    if on == "2015-01-01":
        assert want["ARG"] and not want["NPL"]  # raised to 16 at an undated moment; Nepal shows 14 throughout


@pytest.mark.parametrize("on", ["2016-06-01", "2024-01-01", dt.date.today().isoformat()])
def test_not_yet_in_force_matches_the_tables(graph, expected, on):
    day = dt.date.fromisoformat(on)
    want: dict[str, bool] = {}
    for (state, _), (earliest, latest, _, r) in expected.windows.items():
        registered = r.get("registered") or r.get("consent")
        year = int(r.get("registered_year") or r.get("consent_year") or 0)
        consented = dt.date.fromisoformat(registered) <= day if registered else 0 < year <= day.year
        ilo_record = "instrument" in r
        if (expected.member(state, day) if ilo_record else True) and consented and latest and day < latest:
            undetermined = not registered and not (year < day.year and day < earliest)
            want[state] = want.get(state, False) or undetermined
    assert answer(graph, "not-yet-in-force", on) == want
    if on == "2016-06-01":
        assert want  # P029 was registered in 2015 and early 2016 but in force only from 2016-11-09


def test_a_derived_parameter_is_bound_from_its_source_and_never_given():
    from normgraph.errors import ParameterError
    from normgraph.queries.catalogue import bind, named_query, parse_parameters

    query = named_query("not-yet-in-force")
    assert bind(query, {"asOf": "2016-06-01"})["asOfYear"].value == "2016"
    with pytest.raises(ParameterError, match="takes no parameter asOfYear"):
        bind(query, {"asOf": "2016-06-01", "asOfYear": "2020"})
    with pytest.raises(ValueError, match="derived from a date"):
        parse_parameters("asOfYear (year)")


def test_the_catalogue_listing_offers_only_the_parameters_a_user_gives(store_path):
    import json

    listing = {row["name"]: row["parameters"] for row in json.loads(run_cli("gaps", "--format", "json",
                                                                            store=store_path).stdout)}
    assert listing["not-yet-in-force"] == "--as-of?, --country?, --region?"


def test_region_filter_keeps_only_that_region(graph, expected):
    result = answer(graph, "c029-without-p029", DATES[1], region="Africa")
    assert result and set(result) == {s for s in expected.has_without("C029", ["P029"], DATES[1])
                                      if expected.region_of(s) == "Africa"}


def test_a_year_only_ratification_makes_the_answer_undetermined(graph, expected):
    # Tajikistan: Palermo party since 2002 by day; C097 known only as "ratified in 2007".
    assert expected.windows[("TJK", "C097")][3]["registered_year"] == "2007"
    assert answer(graph, "palermo-without-migrant-conventions", "2008-06-01", state="TJK") == {"TJK": True}
    assert answer(graph, "palermo-without-migrant-conventions", "2009-01-01", state="TJK") == {}


def natural_instruments() -> dict[str, set[str]]:
    """Each topic's notation and the codes of the instruments that govern it directly (ontology/topics.ttl)."""
    from importlib import resources

    import rdflib

    ng, skos = rdflib.Namespace("https://w3id.org/normgraph#"), rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
    topics = rdflib.Graph().parse(data=resources.files("normgraph.ontology").joinpath("topics.ttl").read_text(
        encoding="utf-8"), format="turtle")
    found: dict[str, set[str]] = {}
    for topic, instrument in topics.subject_objects(ng.naturalInstrument):
        found.setdefault(str(topics.value(topic, skos.notation)), set()).add(str(instrument).rsplit("/", 1)[-1])
    return found


def comments_on_unratified(expected, on: str) -> set[tuple]:
    """From comments.csv: each comment about an ILO Member (on the date) of an earlier CEACR year, on a topic whose
    natural instrument existed on the date and does not bind the State (status 0, or 1: undetermined); its address
    unless the data know it only from another comment's list."""
    day, natural = dt.date.fromisoformat(on), natural_instruments()
    rows = set()
    for comment in bundled_table("comments.csv"):
        state = comment["state"]
        if state not in expected.states or not expected.member(state, day):
            continue
        if comment["year"] and int(comment["year"]) >= day.year:
            continue
        url = (comment["url"] or None) if comment["evidence"] != "sidebar_only" else None
        for topic in filter(None, comment["topics"].split(";")):
            for code in natural.get(topic, ()):
                status = expected.status(state, code, day)
                if expected.adopted[code] <= day and status < 2:
                    rows.add((state, code, topic, comment["comment"], url, status == 1))
    return rows


def comment_rows(graph, on: str) -> set[tuple]:
    from normgraph.queries.catalogue import bind, named_query

    query = named_query("comments-on-unratified")
    return {(r["country"], r["lacks"], r["topic"], r["evidence"].rsplit("/", 1)[-1], r["evidenceUrl"], r["undetermined"])
            for r in graph.select(query.text, bind(query, {"asOf": on})).rows}


@pytest.mark.parametrize("on", DATES)
def test_comments_on_unratified_matches_the_tables(graph, expected, on):
    want = comments_on_unratified(expected, on)
    assert want and comment_rows(graph, on) == want


def test_a_comment_is_cited_from_the_year_after_its_session_and_never_where_its_instrument_binds(graph, expected):
    """Near misses: a comment of the as-of year is not yet evidence (the CEACR adopts it at its end-of-year
    session); a State bound by the topic's instrument lacks nothing, though the same comment is listed for the
    instrument it lacks."""
    natural = natural_instruments()
    dated = next(c for c in bundled_table("comments.csv") if c["year"] and c["state"] in expected.states
                 and any(expected.status(c["state"], code, dt.date(int(c["year"]) + 1, 6, 1)) == 0
                         for topic in c["topics"].split(";") for code in natural.get(topic, ()))
                 and expected.member(c["state"], dt.date(int(c["year"]), 6, 1)))
    year = int(dated["year"])
    assert dated["comment"] in {row[3] for row in comment_rows(graph, f"{year + 1}-06-01")}
    assert dated["comment"] not in {row[3] for row in comment_rows(graph, f"{year}-12-31")}

    # Trafficking is governed by UN-TIP and P029: a State party to one and not the other is listed for that other only.
    split = next((c["state"], c["comment"]) for c in bundled_table("comments.csv")
                 if "trafficking" in c["topics"].split(";") and c["state"] in expected.states
                 and (not c["year"] or int(c["year"]) < 2024) and expected.member(c["state"], dt.date(2024, 1, 1))
                 and expected.status(c["state"], "UN-TIP", dt.date(2024, 1, 1)) == 2
                 and expected.status(c["state"], "P029", dt.date(2024, 1, 1)) == 0)
    lacked = {row[1] for row in comment_rows(graph, "2024-01-01") if row[0] == split[0] and row[3] == split[1]}
    assert lacked == {"P029"}


def test_a_comment_loaded_from_a_users_table_is_evidence_with_its_address(own_store, tmp_path):
    """A user's comments table is a graph of its own: its comment is read there, topics and address with it."""
    assert not [r for r in bundled_table("ratifications.csv") if r["state"] == "NPL" and r["instrument"] == "C181"]
    assert "C181" in natural_instruments()["recruitment_fees"]
    table = tmp_path / "comments.csv"
    table.write_text("comment,body,kind,state,instruments,year,session,topics,url,evidence,source,as_of\n"
                     "MY-1,CEACR,observation,NPL,C029,2020,,recruitment_fees,https://normlex.ilo.org/my/1,text_seen,"
                     "NORMLEX_COMMENTS,2026-11-23\n", encoding="utf-8")
    assert run_cli("load", str(table), "--kind", "comments", store=own_store).returncode == 0
    listed = run_cli("gaps", "comments-on-unratified", "--as-of", "2024-01-01", "--format", "json", store=own_store)
    nepal = next(row for row in json.loads(listed.stdout)["rows"] if row["country"] == "NPL")
    assert "C181" in nepal["lacks"]
    assert {"kind": "comment", "id": "MY-1", "url": "https://normlex.ilo.org/my/1"} in nepal["evidence"]


def test_corridor_nepal_to_qatar(graph, expected):
    result = gaps("corridor", "2024-01-01", graph, origin="Nepal", destination="QA")
    ends = {row["role"]: row for row in result["rows"]}
    day = dt.date(2024, 1, 1)
    for role, state in (("origin", "NPL"), ("destination", "QAT")):
        bound = {c for c in ("C097", "C143", "C181", "P029", "UN-TIP") if expected.status(state, c, day) == 2}
        assert ends[role]["country"] == state
        assert {h["instrument"] for h in ends[role]["has"]} == bound
    assert "UN-TIP: both ends" in ends["origin"]["coverage"]
    assert "C181: neither end" in ends["origin"]["coverage"]


def test_gap_report_collects_every_entry_for_one_state(graph, expected):
    report = gap_report("NPL", "2024-01-01", graph)
    names = {g["query"] for g in report["gaps"]}
    assert ("c029-without-p029" in names) == ("NPL" in expected.has_without("C029", ["P029"], "2024-01-01"))
    assert names | set(report["no_gap"]) == {n for n in __import__("normgraph").catalogue() if n != "corridor"}
    assert report["data_as_of"]["ilo-ratifications"]


def test_denounced_lists_the_denunciations_in_the_tables(graph, ratification_rows):
    want = {r["state"] for r in ratification_rows if r["denounced"]}
    assert set(answer(graph, "denounced", "2024-01-01")) == want


def test_catalogue_has_the_named_entries_with_headers():
    from normgraph.queries.catalogue import catalogue

    queries = catalogue()
    assert len(queries) >= 15
    assert {"c182-without-c138", "c138-without-c182", "c029-without-c105", "c105-without-c029", "c029-without-p029",
            "c138-minimum-age-14", "palermo-without-p029", "palermo-without-c029", "palermo-without-c181",
            "palermo-without-migrant-conventions", "untoc-without-palermo", "trafficking-comments-without-palermo",
            "comments-on-unratified", "programme-without-ratification", "corridor", "not-yet-in-force", "denounced",
            "fundamentals-incomplete"} <= set(queries)
    for query in queries.values():
        assert query.title and query.legal_basis and query.description and query.parameters


def test_corridor_names_what_a_binding_ratification_leaves_out(graph):
    """C097 Annexes excluded on ratification, and a C097 ratification that covers Sabah only."""
    excluded = next(r for r in bundled_table("ratifications.csv") if r["instrument"] == "C097" and r["state"] == "CMR")
    assert excluded["excluded"] == "Annex I;Annex II;Annex III"
    ends = {row["role"]: row for row in gaps("corridor", "2024-01-01", graph, origin="CMR", destination="MYS")["rows"]}
    assert ends["origin"]["excluded"] == ["C097 Annex I", "C097 Annex II", "C097 Annex III"]
    assert ends["destination"]["coversOnly"] == "C097: Sabah only"


@pytest.mark.parametrize("on", ["1990-01-01", "2010-01-01", "2024-01-01"])
def test_every_path_gives_the_same_rows(graph, store_path, on):
    """Issue 25: the law is in the queries alone. For every catalogue query the command's rows, the rows of the
    query `--show-query` prints (run as any endpoint would run it) and the figure's counts agree, on dates before
    and after instruments were adopted."""
    from normgraph.figures import gap_counts
    from normgraph.graph.sparql_text import substitute
    from normgraph.queries.catalogue import bind, catalogue, group_rows, named_query, run_named

    _, counted = gap_counts(graph, on)
    drawn = {row["country"] for row in run_named(graph, "figures", "regions")}  # the figure's States: an ILO region
    for name, query in catalogue().items():
        extra = {"origin": "NPL", "destination": "QAT"} if name == "corridor" else {}
        answered = gaps(name, on, graph, **extra)["rows"]
        printed = run_cli("gaps", name, "--as-of", on, "--show-query",
                          *[a for k, v in extra.items() for a in (f"--{k}", v)], store=store_path)
        assert printed.returncode == 0, printed.stderr
        endpoint_rows = group_rows(graph.select(printed.stdout).rows)
        assert endpoint_rows == answered, name
        assert printed.stdout.strip() == substitute(named_query(name).text,
                                                    bind(named_query(name), {"asOf": on, **extra})).strip()
        if name in counted:
            assert sum(counted[name].values()) == len({row["country"] for row in answered} & drawn), name


def test_no_state_lacks_an_instrument_before_its_adoption(graph):
    """P029 was adopted on 2014-06-11: in 2010 no State lacks it, by any gap; the 1998 Declaration named the
    fundamental Conventions, so in 1990 none is "incomplete"."""
    assert gaps("c029-without-p029", "2010-01-01", graph, region="Africa")["rows"] == []
    assert gaps("c029-without-p029", "2015-01-01", graph, region="Africa")["rows"]  # near miss: after adoption
    assert gaps("fundamentals-incomplete", "1990-01-01", graph)["rows"] == []
    in_2005 = gaps("fundamentals-incomplete", "2005-01-01", graph)["rows"]
    assert in_2005 and not any("P029" in row["lacks"] for row in in_2005)


@pytest.mark.parametrize("state,on", [("MYS", "2024-01-01"), ("CHN", "2024-01-01"), ("PHL", "2004-06-01"),
                                      ("MNE", "2005-06-01"), ("NPL", "2019-06-01"), ("IND", "2023-06-01"),
                                      ("MYS", "2026-06-01")])
def test_nothing_is_cited_before_it_existed(graph, state, on):
    """Issue 25: a CEACR comment is evidence from the year after its session (adopted at the end of the year,
    published the next), an estimate from the year after its reference year, a programme between its years (with
    no end year, up to the year its source saw it). Checked against comments.csv, estimates.csv, programmes.csv."""
    comments = {row["comment"]: row for row in bundled_table("comments.csv")}
    estimates = {row["estimate"]: row for row in bundled_table("estimates.csv")}
    programmes = {row["programme"]: row for row in bundled_table("programmes.csv")}
    year = int(on[:4])
    cited = [e for gap in gap_report(state, on, graph)["gaps"] for row in gap["rows"] for e in row["evidence"]]
    for evidence in cited:
        if evidence["kind"] == "comment" and comments[evidence["id"]]["year"]:
            assert int(comments[evidence["id"]]["year"]) < year, evidence
        elif evidence["kind"] == "estimate":
            assert int(estimates[evidence["id"]]["reference_year"]) < year, evidence
        elif evidence["kind"] == "programme":
            programme = programmes[evidence["id"]]
            assert programme["start"] and int(programme["start"]) <= year, evidence
            assert int(programme["end"] or programme["as_of"][:4]) >= year, evidence
    if (state, on) == ("MYS", "2026-06-01"):  # near miss: the 2024 comment is evidence from 2025 on
        assert "CEACR-4400002" in {e["id"] for e in cited}


def test_a_ratification_limited_to_one_territory_leaves_the_state_undetermined(graph):
    """Malaysia's C097 covers Sabah only (territorial_application.csv): in 2024 Malaysia, a UN-TIP party, is not
    bound as a State by C097 or C143, so the migrant-conventions gap lists it, undetermined, not absent."""
    rows = {row["country"]: row for row in gaps("palermo-without-migrant-conventions", "2024-01-01", graph)["rows"]}
    assert rows["MYS"]["undetermined"] is True and set(rows["MYS"]["lacks"]) == {"C097", "C143"}
    assert rows["NPL"]["undetermined"] is False  # near miss: no record limited to a territory


def test_a_territory_is_not_reported_as_a_state_or_a_non_member(graph):
    """Hong Kong is a territory for which China answers (territories.csv): its gap report says so, is not "a State
    on the date", and does not call it "not an ILO Member" (a territory cannot be one); Monaco, a State outside
    the ILO, is (a near miss)."""
    territory = {row["territory"]: row["sovereign"] for row in bundled_table("territories.csv")}
    report = gap_report("HKG", "2019-01-01", graph)
    assert report["territory_of"] == territory["HKG"] == "CHN" and report["a_state_on_date"] is False
    assert "territory for which CHN answers" in report["notice"] and "ILO Member" not in report["notice"]
    monaco = gap_report("MCO", "2019-01-01", graph)
    assert monaco["territory_of"] is None and "not an ILO Member" in monaco["notice"]


def test_an_answer_says_when_its_consent_data_stops(graph):
    """Issue 27, point 1: most ILO ratifications are as of the date ratifications.csv gives most often; an answer
    for a later day says that later ratifications are not in it (gap report, one gap, country profile); an
    answer for an earlier day does not (a near miss)."""
    from collections import Counter

    from normgraph.reports import country_profile

    ilo_as_of = Counter(row["as_of"] for row in bundled_table("ratifications.csv")).most_common(1)[0][0]
    later, earlier = "2026-06-01", "2015-01-01"
    assert ilo_as_of < later and earlier < ilo_as_of
    warned = f"ILO ratifications are known as of {ilo_as_of}"
    assert warned in gap_report("NPL", later, graph)["notice"]
    assert any(warned in note for note in gaps("c029-without-p029", later, graph)["currency"])
    assert any(warned in note for note in country_profile("NPL", later, graph)["currency"])
    assert not any("ILO ratifications" in note for note in country_profile("NPL", earlier, graph)["currency"])


def test_an_estimate_is_cited_only_for_states_its_source_counted_in_its_region(graph):
    """Issue 25, point 3: the 2005 estimate counted Italy and Germany among industrial countries, not among the
    transition countries that share their ILO region (Europe and Central Asia), and the data does not say which
    European State the source counted where: no European State cites a regional estimate. Qatar, in the Arab
    States, all of which the source counted in the Middle East and North Africa, cites that estimate (a near miss)."""
    estimates = {row["estimate"]: row for row in bundled_table("estimates.csv")}
    region = {row["iso3"]: row["ilo_region"] for row in bundled_table("countries.csv")}
    cited = {}
    for state in ("ITA", "DEU", "QAT"):
        rows = [r for g in gap_report(state, "2024-01-01", graph)["gaps"] for r in g["rows"]]
        cited[state] = {e["id"] for r in rows for e in r["evidence"] if e["kind"] == "estimate"}
    assert cited["ITA"] == cited["DEU"] == set()
    assert cited["QAT"] == {code for code, row in estimates.items() if row["comparable_ilo_region"] == region["QAT"]}
    assert cited["QAT"] == {"TRAFFICKED_FL_MENA"}
