"""Tables derived from the facts each time the store is written, so that a reader sums a few numbers where it would
otherwise evaluate legal time for every record of an instrument (on a store of 10^7 quads, C029's 60,000 records
cost 9 s read one by one from disk).

The party-count table of a named graph and an instrument says, year by year, how many of the graph's consents to
the instrument bind certainly, bind undetermined and are recorded: the counts on the 1st of January of each year
that has changes, and each change during it. The legal rule is the query's (queries/derived/); this module only
adds the changes up. A table depends on its own graph alone, so a load or a drop recomputes the tables of the
graphs it writes and no other; records that a later graph supersedes stay in their table and the reader
(profiles/instrument.rq) subtracts them.
"""
from __future__ import annotations

from itertools import groupby

from .graph.store import LocalGraph
from .queries.catalogue import run_named
from .terms import DERIVED, GRAPH, ID, NG, PROV, RDF, XSD

# Changes with no date hold before any date: year 1 of a table holds their sum.
BEFORE_ANY_DATE = 1


def derived_graph(graph_iri: str) -> str:
    """The named graph that holds what is derived from `graph_iri`."""
    return DERIVED + graph_iri.removeprefix(GRAPH)


COUNTS = ("bound", "undetermined", "recorded")


def derived_quads(store, graph_iri: str) -> list:
    """The party-count tables of one named graph, as quads of its derived graph (none for a graph of no consents)."""
    from pyoxigraph import Literal, NamedNode, Quad

    target, name = NamedNode(derived_graph(graph_iri)), graph_iri.removeprefix(GRAPH)
    quads = []

    def add(subject: str, predicate: str, obj) -> None:
        quads.append(Quad(NamedNode(subject), NamedNode(NG + predicate), obj, target))

    def add_counts(subject: str, counts, zeros: bool = True) -> None:
        for key, count in zip(COUNTS, counts):
            if count or zeros:
                add(subject, key + "Count", Literal(str(count), datatype=NamedNode(XSD + "integer")))

    def add_year(table: str, year: int, counts) -> str:
        node = f"{table}/{year}"
        add(table, "countsInYear", NamedNode(node))
        add(node, "countYear", Literal(str(year), datatype=NamedNode(XSD + "integer")))
        add_counts(node, counts)
        return node

    rows = run_named(LocalGraph.over(store), "derived", "party-count-changes", namedGraph=name)
    rows.sort(key=lambda row: (row["instrument"], row["date"] or ""))
    for instrument, changes in groupby(rows, key=lambda row: row["instrument"]):
        table = f"{ID}party-counts/{name}/{instrument.rsplit('/', 1)[-1]}"
        quads += [Quad(NamedNode(table), NamedNode(RDF + "type"), NamedNode(NG + "PartyCountTable"), target),
                  Quad(NamedNode(table), NamedNode(PROV + "wasDerivedFrom"), NamedNode(graph_iri), target)]
        add(table, "countsPartiesTo", NamedNode(instrument))
        changes = list(changes)
        undated = [row for row in changes if not row["date"]]
        counts = tuple(sum(row[key] for row in undated) for key in COUNTS)
        if undated:
            add_year(table, BEFORE_ANY_DATE, counts)
        dated = changes[len(undated):]
        for year, in_year in groupby(dated, key=lambda row: int(row["date"][:4])):
            node = add_year(table, year, counts)
            for row in in_year:
                change = f"{table}/{row['date']}"
                add(node, "countChange", NamedNode(change))
                add(change, "changesOn", Literal(row["date"], datatype=NamedNode(XSD + "date")))
                # Most days change one count: the others, unchanged, are left out (a table is a third smaller).
                add_counts(change, [row[key] for key in COUNTS], zeros=False)
                counts = tuple(count + row[key] for count, key in zip(counts, COUNTS))
    return quads


def derive(store, graph_iri: str) -> tuple[str, list]:
    """What a named graph derives, as the store's writer asks it (graph/build.py `Derive`)."""
    return derived_graph(graph_iri), derived_quads(store, graph_iri)
