"""Issue 6: exports, the dataset description, figures, and the document loader, on the bundled data."""
from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from conftest import bundled_table, run_cli
from oracle import Expected

from normgraph.terms import GRAPH


@pytest.fixture(scope="module")
def expected() -> Expected:
    return Expected()


def quads_of(path, fmt):
    from pyoxigraph import parse

    return set(parse(path=str(path), format=fmt))


def canonical(quads):
    """The dataset with its blank nodes renamed canonically, so two copies compare equal."""
    from pyoxigraph import CanonicalizationAlgorithm, Dataset

    dataset = Dataset(quads)
    dataset.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def test_nquads_export_round_trips_to_the_same_quads(graph, store_path, tmp_path):
    from pyoxigraph import RdfFormat

    target = tmp_path / "normgraph.nq"
    result = run_cli("export", "--format", "nq", "-o", str(target), store=store_path)
    assert result.returncode == 0, result.stderr
    exported = quads_of(target, RdfFormat.N_QUADS)
    assert len(exported) == sum(graph.graph_counts().values())
    assert canonical(exported) == canonical(graph.quads())


@pytest.mark.parametrize("fmt, rdf_format", [("trig", "TRIG"), ("jsonld", "JSON_LD")])
def test_dataset_formats_keep_every_named_graph(graph, store_path, tmp_path, fmt, rdf_format):
    from pyoxigraph import RdfFormat

    target = tmp_path / f"normgraph.{fmt}"
    assert run_cli("export", "--format", fmt, "-o", str(target), store=store_path).returncode == 0
    exported = quads_of(target, getattr(RdfFormat, rdf_format))
    assert {q.graph_name.value for q in exported} == {q.graph_name.value for q in graph.quads()}
    assert len(exported) == sum(graph.graph_counts().values())


def test_one_named_graph_as_turtle(graph, store_path, tmp_path):
    from pyoxigraph import RdfFormat

    target = tmp_path / "countries.ttl"
    assert run_cli("export", "--format", "ttl", "--graph", "countries", "-o", str(target), store=store_path).returncode == 0
    assert len(quads_of(target, RdfFormat.TURTLE)) == graph.graph_counts()["countries"]


def test_ratifications_graphml_has_one_edge_per_binding_ratification(store_path, tmp_path, expected):
    import networkx as nx

    day = dt.date(2015, 1, 1)
    target = tmp_path / "ratifications.graphml"
    result = run_cli("export", "--format", "graphml", "--view", "ratifications", "--as-of", day.isoformat(),
                     "-o", str(target), store=store_path)
    assert result.returncode == 0, result.stderr
    network = nx.read_graphml(target, force_multigraph=True)
    edges = [(network.nodes[u]["iso3"], network.nodes[v]["code"], data) for u, v, data in network.edges(data=True)]
    # OPSC takes effect one month after deposit, which the independent Expected does not model.
    exported = {(state, code) for state, code, _ in edges if code != "OPSC"}
    binding = {key for key in expected.windows if key[1] != "OPSC" and expected.status(*key, day) == 2}
    assert exported == binding
    assert len(exported) == len([e for e in edges if e[1] != "OPSC"])
    nepal_c182 = next(data for state, code, data in edges if (state, code) == ("NPL", "C182"))
    assert nepal_c182["registered"] == "2002-01-03" and nepal_c182["inForceFrom"] == "2003-01-03"
    india = next(node for node in network.nodes.values() if node.get("iso3") == "IND")
    assert india["kind"] == "state" and india["label"] == "India" and india["iso2"] == "IN"
    min_ages = {data.get("minAge") for state, code, data in edges if code == "C138"}
    assert {14, 15, 16} <= min_ages


def test_csv_view_is_one_row_per_ratification(store_path, tmp_path):
    target = tmp_path / "ratifications.csv"
    assert run_cli("export", "--format", "csv", "--view", "ratifications", "-o", str(target), store=store_path).returncode == 0
    with target.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(bundled_table("ratifications.csv")) + len(bundled_table("treaty_parties.csv"))
    assert {"country", "instrument", "registered", "inForceFrom", "status", "minAge", "sources"} <= set(rows[0])


def test_programmes_graphml_links_programmes_to_states_and_instruments(store_path, tmp_path):
    import networkx as nx

    target = tmp_path / "programmes.graphml"
    assert run_cli("export", "--format", "graphml", "--view", "programmes", "-o", str(target), store=store_path).returncode == 0
    network = nx.read_graphml(target, force_multigraph=True)
    expected = {(f"programme:{row['programme']}", f"state:{code}") for row in bundled_table("programmes.csv")
                for code in row["countries"].split(";") if code}
    expected |= {(f"programme:{row['programme']}", f"instrument:{code}") for row in bundled_table("programmes.csv")
                 for code in row["promotes"].split(";") if code}
    assert set(network.edges()) == expected
    for kind, key in {tuple(edge[1].split(":")) for edge in expected}:
        assert network.nodes[f"{kind}:{key}"]["iso3" if kind == "state" else "code"] == key


def test_comments_gexf_edges_carry_year_and_topics(store_path, tmp_path):
    import networkx as nx

    target = tmp_path / "comments.gexf"
    assert run_cli("export", "--format", "gexf", "--view", "comments", "--as-of", "2012-12-31", "-o", str(target),
                   store=store_path).returncode == 0
    network = nx.read_gexf(target)
    years = [data["year"] for _, _, data in network.edges(data=True)]
    assert years and max(years) <= 2012
    assert any("trafficking" in data.get("topics", "") for _, _, data in network.edges(data=True))


def test_every_export_is_published_with_its_description(graph, store_path, tmp_path):
    from pyoxigraph import RdfFormat

    target = tmp_path / "programmes.csv"
    assert run_cli("export", "--format", "csv", "--view", "programmes", "-o", str(target), store=store_path).returncode == 0
    description = quads_of(tmp_path / "programmes.csv.void.ttl", RdfFormat.TURTLE)
    triples = {(t.subject.value, t.predicate.value, t.object.value) for t in description}
    void = "http://rdfs.org/ns/void#"
    counts = {s.removeprefix(GRAPH): int(o) for s, p, o in triples if p == void + "triples"}
    assert counts == graph.graph_counts()
    assert any(p == "http://www.w3.org/ns/dcat#mediaType" and o == "text/csv" for s, p, o in triples)


def test_stats_lists_graphs_classes_and_source_licences(graph, store_path):
    result = run_cli("stats", "--format", "json", store=store_path)
    facts = json.loads(result.stdout)
    assert facts["triples"] == sum(graph.graph_counts().values())
    classes = {row["class"].rsplit("#", 1)[-1]: row["entities"] for row in facts["classes"]}
    assert classes["ILORatification"] == len(bundled_table("ratifications.csv"))
    described = {row["source"]: (row["as_of"], row["licence"]) for row in facts["sources"]}
    assert described == {row["source"]: (row["as_of"] or None, row["licence"] or None)
                         for row in bundled_table("sources.csv")}


@pytest.mark.parametrize("args, message", [
    (["--format", "graphml", "--graph", "countries"], "--graph applies to the RDF formats"),
    (["--format", "nq", "--as-of", "2015-01-01"], "RDF exports hold the whole graph"),
    (["--format", "csv", "--as-of", "2015-02-30"], "2015-02-30"),
    (["--format", "nq", "--graph", "nowhere"], "no named graph 'nowhere'"),
])
def test_bad_export_requests_exit_2_and_write_nothing(store_path, tmp_path, args, message):
    target = tmp_path / "out"
    result = run_cli("export", *args, "-o", str(target), store=store_path)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_matrix_figure_png(store_path, tmp_path):
    target = tmp_path / "matrix.png"
    result = run_cli("figure", "matrix", "--region", "Arab States", "-o", str(target), store=store_path)
    assert result.returncode == 0, result.stderr
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_matrix_figure_svg_names_the_chosen_states_and_date(store_path, tmp_path):
    target = tmp_path / "matrix.svg"
    result = run_cli("figure", "matrix", "--country", "NPL", "--country", "Qatar", "--as-of", "2015-01-01",
                     "-o", str(target), store=store_path)
    assert result.returncode == 0, result.stderr
    svg = target.read_text(encoding="utf-8")
    assert "2015-01-01" in svg and "Nepal (NPL)" in svg and "Qatar (QAT)" in svg and "India" not in svg
    assert "C182" in svg and "UN-TIP" in svg
    # P029 (adopted 2014-06-11, instruments.csv) was ratified by neither state by then: its column is the gap.
    assert "P029" in svg
    # Near miss: a Recommendation binds no state (ILO Constitution Art. 19(6)), so R203 has no column.
    assert "R203" not in svg


def test_matrix_figure_keeps_the_instruments_asked_for_and_a_state_without_records(store_path, tmp_path):
    target = tmp_path / "asked.svg"
    result = run_cli("figure", "matrix", "--country", "SSD", "--instrument", "C029", "--instrument", "P029",
                     "--as-of", "2010-01-01", "-o", str(target), store=store_path)
    assert result.returncode == 0, result.stderr
    svg = target.read_text(encoding="utf-8")
    # South Sudan did not exist yet (statehood.csv: 2011-07-09) and holds no record in 2010: its row is all empty.
    assert "(SSD)" in svg and "C029" in svg and "P029" in svg and "C182" not in svg


def test_timeline_figure_counts_the_parties_in_force(store_path, tmp_path, expected):
    target = tmp_path / "timeline.svg"
    result = run_cli("figure", "timeline", "P29", "--as-of", "2020-01-01", "-o", str(target), store=store_path)
    assert result.returncode == 0, result.stderr
    parties = sum(1 for key in expected.windows if key[1] == "P029" and expected.status(*key, dt.date(2020, 1, 1)) == 2)
    assert f"({parties} in force)" in target.read_text(encoding="utf-8")


def test_gaps_figure_has_every_region_and_the_date(store_path, tmp_path):
    target = tmp_path / "gaps.svg"
    result = run_cli("figure", "gaps", "--as-of", "2010-01-01", "-o", str(target), store=store_path)
    assert result.returncode == 0, result.stderr
    svg = target.read_text(encoding="utf-8")
    assert "2010-01-01" in svg and "c182-without-c138" in svg
    for region in ("Africa", "Americas", "Arab States", "Asia and the Pacific", "Europe and Central Asia"):
        assert region in svg


def test_figure_needs_png_or_svg(store_path, tmp_path):
    result = run_cli("figure", "gaps", "-o", str(tmp_path / "gaps.jpg"), store=store_path)
    assert result.returncode == 2 and ".png or .svg" in result.stderr


SIX_FORMS = """Field notes

The Forced Labour Convention, 1930 (No. 29) still frames the work, and C105 followed it.

Viet Nam ratified Convention No. 182, so the Worst Forms of Child Labour Convention binds it.

The Forced Labour Protocol is newer. The Protocol to Prevent, Suppress and Punish Trafficking in Persons
(the Palermo Protocol) is a UN treaty; IPEC worked with Nepal.
"""


@pytest.fixture
def own_store(tmp_path):
    """A store of the test's own, so that ingesting does not change what other tests read."""
    from normgraph.dataset import build

    path = tmp_path / "store"
    build(path)
    return path


def mentions(store, instrument):
    result = run_cli("mentions", instrument, "--format", "json", store=store)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_ingest_links_six_instruments_written_six_ways(own_store, tmp_path):
    document = tmp_path / "notes.md"
    document.write_text(SIX_FORMS, encoding="utf-8")
    result = run_cli("ingest", str(document), store=own_store)
    assert result.returncode == 0, result.stderr
    found = {code: mentions(own_store, code) for code in ("C29", "C105", "C182", "P029", "UN-TIP")}
    assert [m["form"] for m in found["C29"]] == ["Forced Labour Convention, 1930 (No. 29)"]
    assert [m["form"] for m in found["C105"]] == ["C105"]
    assert [m["form"] for m in found["C182"]] == ["Convention No. 182", "Worst Forms of Child Labour Convention"]
    assert [m["form"] for m in found["P029"]] == ["Forced Labour Protocol"]
    assert [" ".join(m["form"].split()) for m in found["UN-TIP"]] == [
        "Protocol to Prevent, Suppress and Punish Trafficking in Persons", "Palermo Protocol"]
    for rows in found.values():
        for row in rows:
            assert SIX_FORMS[row["start"]:row["end"]] == row["form"] and row["form"] in row["passage"]


def test_ingest_links_states_and_programmes_and_replaces_on_reingest(own_store, tmp_path):
    from normgraph.graph.store import LocalGraph

    document = tmp_path / "notes.md"
    document.write_text(SIX_FORMS, encoding="utf-8")
    query = """PREFIX ng: <https://w3id.org/normgraph#>
               SELECT ?target WHERE { ?m ng:mentions ?target } ORDER BY ?target"""
    for _ in range(2):
        assert run_cli("ingest", str(document), store=own_store).returncode == 0
        targets = [row["target"].rsplit("/", 2)[-2:] for row in LocalGraph(own_store).select(query).rows]
    assert ["country", "VNM"] in targets and ["country", "NPL"] in targets and ["programme", "IPEC"] in targets
    assert len(targets) == len({tuple(t) for t in targets}) + 2  # C182 and UN-TIP are named twice, once per form


def test_ingest_html_offsets_refer_to_the_extracted_text(own_store, tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>C29</title><style>p{}</style></head><body><p>Under <b>C182</b>, "
                    "states act.</p><p>See the Palermo Protocol.</p></body></html>", encoding="utf-8")
    assert run_cli("ingest", str(page), store=own_store).returncode == 0
    assert [m["form"] for m in mentions(own_store, "C182")] == ["C182"]
    assert mentions(own_store, "C29") == []  # the head is not text


def test_unreadable_documents_stop_the_whole_ingest(own_store, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("C182 applies.", encoding="utf-8")
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04")
    before = sorted(p.name for p in (own_store.parent / "store.versions").iterdir())
    result = run_cli("ingest", str(good), str(bad), store=own_store)
    assert result.returncode == 2 and "bad.docx" in result.stderr and "Traceback" not in result.stderr
    assert mentions(own_store, "C182") == []
    assert sorted(p.name for p in (own_store.parent / "store.versions").iterdir()) == before


def test_ingested_documents_survive_a_rebuild(own_store, tmp_path):
    document = tmp_path / "notes.md"
    document.write_text(SIX_FORMS, encoding="utf-8")
    assert run_cli("ingest", str(document), store=own_store).returncode == 0
    assert run_cli("build", store=own_store).returncode == 0
    assert len(mentions(own_store, "C182")) == 2


def test_ingest_pdf(own_store, tmp_path):
    """A real PDF with a text layer, written by matplotlib and read back by pypdf."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pdf = tmp_path / "memo.pdf"
    figure = plt.figure()
    figure.text(0.1, 0.5, "The Palermo Protocol applies.")
    figure.savefig(pdf)
    plt.close(figure)
    result = run_cli("ingest", str(pdf), store=own_store)
    assert result.returncode == 0, result.stderr
    assert [m["form"] for m in mentions(own_store, "UN-TIP")] == ["Palermo Protocol"]


def test_a_timeline_stops_being_data_where_the_data_stops(graph, tmp_path):
    """Issue 27, point 1: P029's parties are known up to the ILO data's as-of date (the one ratifications.csv
    gives most often); a timeline asked for a later day draws the rest apart and says so under the figure; one
    asked for an earlier day does not (a near miss)."""
    from collections import Counter

    from conftest import bundled_table

    from normgraph.figures import timeline

    ilo_as_of = Counter(row["as_of"] for row in bundled_table("ratifications.csv")).most_common(1)[0][0]
    later = timeline(graph, tmp_path / "later.svg", "P029", "2026-06-01")
    assert later["data_stops"] == ilo_as_of
    assert any(f"ILO ratifications are known as of {ilo_as_of}" in note for note in later["currency"])
    assert "not known to the data" in (tmp_path / "later.svg").read_text(encoding="utf-8")
    earlier = timeline(graph, tmp_path / "earlier.svg", "P029", "2020-06-01")
    assert not any("ILO ratifications" in note for note in earlier["currency"])
    assert "not known to the data" not in (tmp_path / "earlier.svg").read_text(encoding="utf-8")
