"""Exports for researchers: the whole graph in the RDF formats, and flat or network views of it.

RDF is serialised by pyoxigraph and keeps every named graph in the dataset formats; views are the
SPARQL files in queries/views/, written as CSV or turned into a networkx graph (GraphML, GEXF).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import InputError
from .ids import parse_date
from .queries.catalogue import catalogue, named_query, run_named
from .terms import GRAPH, PREFIXES

RDF_FORMATS = ("nq", "trig", "jsonld", "ttl", "nt")
NETWORK_FORMATS = ("graphml", "gexf")
FORMATS = RDF_FORMATS + NETWORK_FORMATS + ("csv",)
@dataclass(frozen=True)
class NodeShape:
    """How a view's row names a node: its kind (or the column that gives it), the column holding its key,
    and attribute columns."""
    kind: str
    key: str
    attributes: tuple[tuple[str, str], ...] = ()
    kind_column: str | None = None

    def columns(self) -> set[str]:
        return {self.key, *(column for _, column in self.attributes), *filter(None, [self.kind_column])}


def state(column: str, name_column: str | None = None, extra: tuple[tuple[str, str], ...] = ()) -> NodeShape:
    return NodeShape("state", column, (("label", name_column or column), ("iso3", column)) + extra)


# The nodes at each end of a view's edges; every other column becomes an edge attribute.
NETWORKS = {
    "ratifications": (state("country", "countryName", (("iso2", "iso2"), ("ilo_region", "region"))),
                      NodeShape("instrument", "instrument", (("label", "instrumentTitle"), ("code", "instrument")))),
    "comments": (state("country", "countryName"),
                 NodeShape("instrument", "instrument", (("label", "instrumentTitle"), ("code", "instrument")))),
    "programmes": (NodeShape("programme", "programme", (("label", "programmeName"), ("programme_kind", "kind"),
                                                        ("start", "start"), ("end", "end"))),
                   NodeShape("", "target", (("label", "targetName"), ("iso3", "targetIso3"), ("code", "targetCode")),
                             kind_column="targetKind")),
    "corridors": (state("origin", "originName"), state("destination", "destinationName")),
}


def graph_iri(name: str) -> str:
    return name if name.startswith(("http://", "https://")) else GRAPH + name


def check_request(fmt: str, view: str | None, graph_name: str | None, as_of: str | None) -> None:
    """Reject combinations that cannot give what the user asked for, before anything is written."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    if view and view not in catalogue("views"):
        raise InputError(f"unknown view {view!r}; known: {', '.join(catalogue('views'))}")
    if fmt in RDF_FORMATS and (view or as_of):
        raise InputError("--view and --as-of apply to graphml, gexf and csv; RDF exports hold the whole graph")
    if fmt not in RDF_FORMATS and graph_name:
        raise InputError("--graph applies to the RDF formats; use --view for graphml, gexf and csv")
    if as_of:
        parse_date(as_of, "as_of")


def export(graph, fmt: str, output: BinaryIO, graph_name: str | None = None, view: str | None = None,
           as_of: str | None = None) -> int:
    """Write the export to a binary stream; returns the number of quads, edges or rows written."""
    check_request(fmt, view, graph_name, as_of)
    if fmt in RDF_FORMATS:
        return export_rdf(graph, fmt, output, graph_name)
    rows = view_rows(graph, view or "ratifications", as_of)
    if fmt == "csv":
        return write_csv(rows, output)
    network = view_network(rows, view or "ratifications")
    write_network(network, fmt, output)
    return network.number_of_edges()


def export_rdf(graph, fmt: str, output: BinaryIO, graph_name: str | None) -> int:
    from pyoxigraph import RdfFormat, Triple, serialize

    rdf_format = {"nq": RdfFormat.N_QUADS, "trig": RdfFormat.TRIG, "jsonld": RdfFormat.JSON_LD,
                  "ttl": RdfFormat.TURTLE, "nt": RdfFormat.N_TRIPLES}[fmt]
    iri = graph_iri(graph_name) if graph_name else None
    if iri:
        known = list(graph.graph_counts())
        if iri not in {graph_iri(name) for name in known}:
            raise InputError(f"no named graph {graph_name!r}; known: {', '.join(known)}")
    quads = list(graph.quads(iri))
    if rdf_format.supports_datasets:
        statements = quads
    else:
        # A triple format has no graph names: the statements of every graph are merged, once each.
        statements = list(dict.fromkeys(Triple(q.subject, q.predicate, q.object) for q in quads))
    serialize(statements, output, rdf_format, prefixes=PREFIXES if fmt in ("ttl", "trig") else None)
    return len(statements)


def view_rows(graph, view: str, as_of: str | None) -> list[dict]:
    """The view's rows without its parameter columns (the as-of date is the file's, not each row's)."""
    query = named_query(view, "views")
    # A status computed on a date is computed on the file's as-of date when there is one.
    values = {"asOf": as_of, **({"statusOn": as_of} if query.parameter("statusOn") else {})}
    parameters = {p.name for p in query.parameters}
    return [{k: v for k, v in row.items() if k not in parameters} for row in run_named(graph, "views", view, **values)]


def write_csv(rows: list[dict], output: BinaryIO) -> int:
    text = io.TextIOWrapper(output, encoding="utf-8", newline="", write_through=True)
    columns = list(rows[0]) if rows else []
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    text.detach()
    return len(rows)


def node_id(kind: str, key) -> str:
    return f"{kind}:{key}"


def view_network(rows: list[dict], view: str):
    """A directed multigraph: typed, labelled nodes at both ends and one edge per row of the view."""
    import networkx as nx

    shapes = NETWORKS[view]
    node_columns = set().union(*(shape.columns() for shape in shapes))
    network = nx.MultiDiGraph(name=f"normgraph {view}")
    for row in rows:
        ends = []
        for shape in shapes:
            kind = row[shape.kind_column] if shape.kind_column else shape.kind
            identifier = node_id(kind, row[shape.key])
            attributes = {name: row[column] for name, column in shape.attributes if row.get(column) is not None}
            network.add_node(identifier, kind=kind, **attributes)
            ends.append(identifier)
        edge = {column: value for column, value in row.items() if column not in node_columns and value is not None}
        network.add_edge(*ends, **edge)
    return network


def write_network(network, fmt: str, output: BinaryIO) -> None:
    import networkx as nx

    (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(network, output)


def unit_of(fmt: str) -> str:
    """What an export of the format counts: statements (RDF), rows (csv) or edges (a network)."""
    return "statements" if fmt in RDF_FORMATS else "rows" if fmt == "csv" else "edges"


def export_file(graph, fmt: str, path: Path, graph_name: str | None = None, view: str | None = None,
                as_of: str | None = None) -> tuple[int, Path]:
    """Export to a file, written whole or not at all, with its dataset description (VoID/DCAT) beside it as
    FILE.void.ttl; returns the count (see unit_of) and the description's path."""
    from .files import atomic_write

    count = atomic_write(path, lambda handle: export(graph, fmt, handle, graph_name, view, as_of))
    return count, write_description(graph, path, fmt)


def write_description(graph, exported: Path, fmt: str) -> Path:
    from pyoxigraph import RdfFormat, serialize

    from .describe import description, distribution_triples
    from .files import atomic_write

    media_types = {"graphml": "application/graphml+xml", "gexf": "application/gexf+xml", "csv": "text/csv"}
    media_type = media_types.get(fmt) or RdfFormat.from_extension(fmt).media_type
    target = exported.with_name(exported.name + ".void.ttl")
    triples = description(graph) + distribution_triples(exported.name, media_type)
    atomic_write(target, lambda stream: serialize(triples, stream, RdfFormat.TURTLE, prefixes=PREFIXES))
    return target
