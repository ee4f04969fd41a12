"""The bundled graph: real data loaded as event nodes with provenance, legal time, SHACL and OWL consistency."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from normgraph.reports import country_profile, instrument_profile

NG = "https://w3id.org/normgraph#"


def instrument_entry(profile: dict, code: str) -> dict:
    return next(entry for entry in profile["instruments"] if entry["instrument"] == code)


def row_of(rows: list[dict], instrument: str, state: str) -> dict:
    return next(r for r in rows if r["instrument"] == instrument and r["state"] == state)


def test_build_loads_every_row_as_an_event_node_with_provenance(graph, ratification_rows, party_rows):
    counts = graph.graph_counts()
    assert sum(counts.values()) > 20_000
    events = graph.select(f"""SELECT ?kind (COUNT(DISTINCT ?r) AS ?n) WHERE {{
        ?r a ?kind ; <{NG}party> ?p ; <{NG}instrument> ?i ; <http://purl.org/dc/terms/source> ?s ; <{NG}asOf> ?a }}
        GROUP BY ?kind""").rows
    by_kind = {row["kind"].removeprefix(NG): row["n"] for row in events}
    assert by_kind == {"ILORatification": len(ratification_rows), "TreatyParticipation": len(party_rows)}


def test_one_named_graph_per_source(graph):
    assert {"ontology", "topics", "sources", "instruments", "countries", "ilo-ratifications", "un-treaties",
            "supervision", "programmes", "estimates", "meta"} <= set(graph.graph_counts())


def test_uzbekistan_p029_binds_from_2020_09_16_and_not_before(graph, ratification_rows):
    assert row_of(ratification_rows, "P029", "UZB")["registered"] == "2019-09-16"
    before = instrument_entry(country_profile("UZB", "2020-09-15", graph), "P029")
    after = instrument_entry(country_profile("Uzbekistan", "2020-09-16", graph), "P029")
    assert (before["bound"], before["status"]) == (False, "not yet in force")
    assert (after["bound"], after["in_force_from"], after["registered"]) == (True, "2020-09-16", "2019-09-16")


def test_singapore_c105_denunciation_ends_its_obligation(graph, ratification_rows):
    row = row_of(ratification_rows, "C105", "SGP")
    assert row["denounced"] == "1979-04-19"
    assert instrument_entry(country_profile("SGP", "1980-04-18", graph), "C105")["bound"] is True
    after = instrument_entry(country_profile("SGP", "1980-04-19", graph), "C105")
    assert (after["bound"], after["status"]) == (False, "denounced")


def test_india_declared_minimum_age_14(graph, ratification_rows):
    assert row_of(ratification_rows, "C138", "IND")["min_age"] == "14"
    assert instrument_entry(country_profile("IN", "2024-01-01", graph), "C138")["min_age"] == 14


def test_c182_parties_equal_the_rows_of_the_bundled_table(graph, ratification_rows):
    rows = [r for r in ratification_rows if r["instrument"] == "C182"]
    assert instrument_profile("Convention No. 182", "2026-01-01", graph)["parties"]["recorded"] == len(rows)


def test_an_instrument_counts_only_the_consents_recorded_by_the_date(graph, ratification_rows):
    """On 2000-01-01 C182 (adopted 1999-06-17) had a handful of registrations, not the 187 of today."""
    by_then = [r for r in ratification_rows if r["instrument"] == "C182" and (
        (r["registered"] and r["registered"] <= "2000-01-01") or (r["registered_year"] and int(r["registered_year"]) <= 2000))]
    assert 0 < len(by_then) < 20
    assert instrument_profile("C182", "2000-01-01", graph)["parties"]["recorded"] == len(by_then)


COUNTED = ["C029", "C097", "C105", "C138", "C143", "C181", "C182", "C189", "P029", "UN-TIP", "UNTOC", "OPSC"]
COUNT_DATES = ["1935-01-01", "1960-06-30", "1999-12-31", "2001-01-01", "2008-06-01", "2016-11-09", "2024-01-01"]


@pytest.mark.parametrize("code", COUNTED)
def test_an_instruments_party_counts_follow_the_tables(graph, code):
    """The counts come from tables made when the store is written; on every date they equal the consents the bundled
    tables bind, recomputed in plain Python from registration dates and each instrument's delays (tests/oracle.py)."""
    import datetime as dt

    from oracle import Expected

    expected = Expected()
    parties = [state for state, instrument in expected.windows if instrument == code]
    assert parties
    for date in COUNT_DATES:
        statuses = [expected.status(state, code, dt.date.fromisoformat(date)) for state in parties]
        counted = instrument_profile(code, date, graph, records=False)["parties"]
        assert (counted["bound"], counted["undetermined"]) == (statuses.count(2), statuses.count(1)), date


def test_a_graph_without_party_count_tables_is_refused_not_counted_as_zero(graph):
    """As on a server the store was pushed to by an older normgraph: the same facts, no derived graphs."""
    from pyoxigraph import Store

    from normgraph.errors import StoreError
    from normgraph.graph.store import LocalGraph
    from normgraph.terms import DERIVED

    older = Store()
    older.extend(quad for quad in graph.store if not quad.graph_name.value.startswith(DERIVED))
    with pytest.raises(StoreError, match="no party-count tables"):
        instrument_profile("C029", "2024-01-01", LocalGraph.over(older))
    assert instrument_profile("C029", "2024-01-01", graph)["parties"]["bound"] > 0


def test_a_year_only_record_is_undetermined_inside_its_window(graph, ratification_rows):
    # Tajikistan's C097 ratification is known only by its year.
    row = row_of(ratification_rows, "C097", "TJK")
    assert (row["registered"], row["registered_year"]) == ("", "2007")
    year = int(row["registered_year"])
    inside = instrument_entry(country_profile("TJK", f"{year + 1}-06-01", graph), "C097")
    later = instrument_entry(country_profile("TJK", f"{year + 2}-01-01", graph), "C097")
    assert (inside["status"], inside["bound"], inside["registered"]) == ("undetermined", None, str(year))
    assert later["bound"] is True


def test_shacl_names_the_node_and_the_rule_it_breaks(graph):
    from rdflib import Literal, URIRef

    from normgraph.validation import union_graph, validate_rdf

    union = union_graph(graph)
    bad = URIRef("https://w3id.org/normgraph/id/ratification/C029/NPL")
    union.add((bad, URIRef(NG + "minimumAge"), Literal(14)))
    # UNTOC Art. 37(2): Nepal's UN-TIP accession without its UNTOC accession.
    union.remove((URIRef("https://w3id.org/normgraph/id/participation/UNTOC/NPL"), None, None))
    # C138 Art. 2(2): Albania shown at 16 in 2007 (minimum_ages.csv), made to show 15 in 2023: an age never falls.
    albania_2023 = URIRef("https://w3id.org/normgraph/id/age-declaration/ALB/2023-05-11/CRBA_NLX_2023")
    union.set((albania_2023, URIRef(NG + "age"), Literal(15)))
    # C143 Art. 16(1): Part I or Part II may be excluded, not an article on its own (Italy made to exclude Art. 1).
    italy = URIRef("https://w3id.org/normgraph/id/ratification/C143/ITA")
    union.add((italy, URIRef(NG + "excludes"), URIRef("https://w3id.org/normgraph/id/provision/C143/art1")))
    violations = validate_rdf(union)
    messages = {v["focus"]: v["message"] for v in violations}
    assert len(violations) == 4 and "C138" in messages[str(bad)]
    assert "Art. 16(1)" in messages[str(italy)]
    assert "Art. 2(2)" in messages["https://w3id.org/normgraph/id/ratification/C138/ALB"]
    assert "Art. 37(2)" in messages["https://w3id.org/normgraph/id/participation/UN-TIP/NPL"]


@pytest.fixture(scope="module")
def java_available():
    if subprocess.run(["java", "-version"], capture_output=True).returncode != 0:
        pytest.skip("HermiT needs Java, which is not installed here")


@pytest.mark.reasoner
def test_ontology_and_data_are_consistent_under_hermit(graph, java_available):
    from normgraph.reasoning import is_consistent
    from normgraph.validation import union_graph

    assert is_consistent(union_graph(graph))


@pytest.mark.reasoner
def test_hermit_catches_a_contradiction(graph, java_available):
    from rdflib import RDF, URIRef

    from normgraph.reasoning import is_consistent
    from normgraph.validation import union_graph

    union = union_graph(graph)
    # A recommendation can never be a binding instrument (disjoint classes in the ontology).
    union.add((URIRef("https://w3id.org/normgraph/id/instrument/R198"), RDF.type, URIRef(NG + "Convention")))
    assert not is_consistent(union)


def test_a_killed_build_leaves_the_old_store_answering(store_path, graph, tmp_path):
    from normgraph.graph.store import LocalGraph

    before = LocalGraph(store_path).graph_counts()
    script = ("import sys, time; from pathlib import Path; import normgraph.dataset as b\n"
              "real = b.bundled_sources\n"
              "def slow():\n"
              "    sources = real(); name, first = sources[0]\n"
              "    def stalled():\n"
              "        print('building', flush=True); time.sleep(60); return first()\n"
              "    return [(name, stalled)] + sources[1:]\n"
              "b.bundled_sources = slow\n"
              "b.build(Path(sys.argv[1]))\n")
    child = subprocess.Popen([sys.executable, "-c", script, str(store_path)], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "building"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert LocalGraph(store_path).graph_counts() == before
    assert country_profile("NPL", "2024-01-01", LocalGraph(store_path))["instruments"]


def test_a_failed_build_reports_and_keeps_the_old_store(store_path, monkeypatch):
    import normgraph.dataset as build_module
    from normgraph.errors import StoreError, TableError
    from normgraph.graph.store import LocalGraph

    before = LocalGraph(store_path).graph_counts()

    def broken():
        raise TableError(["ratifications.csv:7: column 'registered': '2019-02-30' is not a real date"])
    monkeypatch.setattr(build_module, "bundled_sources", lambda: [("ilo-ratifications", broken)])
    with pytest.raises(StoreError, match="previous store is untouched"):
        build_module.build(store_path)
    assert LocalGraph(store_path).graph_counts() == before


def test_versions_abandoned_by_killed_writers_are_reclaimed_by_the_next_writer(tmp_path):
    """Writers hold the store's lock, so at a writer's start every other version is a killed writer's."""
    from normgraph.dataset import build
    from normgraph.graph.build import versions_dir

    path = tmp_path / "store"
    build(path)
    abandoned = versions_dir(path) / "left-by-a-writer-killed-a-second-ago"
    (abandoned / "db").mkdir(parents=True)
    build(path)
    assert [p.name for p in versions_dir(path).iterdir()] == [path.resolve().parent.name]


def test_the_table_checks_and_the_shapes_allow_the_same_c138_ages():
    """C138 Art. 2(1), (3), (4): the loaders refuse a declared age the SHACL shapes would refuse, and no other."""
    from importlib import resources

    from rdflib import Graph, Namespace
    from rdflib.collection import Collection

    from normgraph.loaders.ratifications import MINIMUM_AGES

    text = resources.files("normgraph.ontology").joinpath("shapes.ttl").read_text(encoding="utf-8")
    shapes = Graph().parse(data=text, format="turtle")
    sh, ng = Namespace("http://www.w3.org/ns/shacl#"), Namespace(NG)
    allowed = [sorted(int(v) for v in Collection(shapes, shapes.value(prop, sh["in"])))
               for path in (ng.minimumAge, ng.age) for prop in shapes.subjects(sh.path, path)
               if shapes.value(prop, sh["in"]) is not None]
    assert allowed and all(ages == sorted(MINIMUM_AGES) for ages in allowed)


def test_only_the_provisions_the_conventions_let_a_state_exclude_are_excludable(graph):
    """C097 Art. 14(1) (its three annexes) and C143 Art. 16(1) (Part I or Part II): nothing else."""
    from normgraph.loaders.instruments import excludable_provisions

    assert excludable_provisions() == {"C097": {"Annex I": "annex1", "Annex II": "annex2", "Annex III": "annex3"},
                                       "C143": {"Part I": "part1", "Part II": "part2"}}
    rows = graph.select("PREFIX ng: <https://w3id.org/normgraph#> SELECT ?p WHERE { ?p ng:excludableUnder ?basis }").rows
    assert len(rows) == 5
