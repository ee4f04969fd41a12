"""The dataset description published with every export and by `normgraph stats` (VoID and DCAT)."""
from __future__ import annotations

from .queries.catalogue import named_query
from .terms import DCAT, DCT, GRAPH, ID, NG, RDF, VOID


def description(graph) -> list:
    """The triples describing the graph: named graphs with sizes, class partitions, sources with licences."""
    return graph.construct(named_query("dataset", "describe").text)


def distribution_triples(file_name: str, media_type: str) -> list:
    """The exported file as a dcat:Distribution of the dataset."""
    from pyoxigraph import Literal, NamedNode, Triple

    dataset = NamedNode(ID + "dataset")
    distribution = NamedNode(f"{ID}dataset/distribution/{file_name}")
    return [Triple(dataset, NamedNode(DCAT + "distribution"), distribution),
            Triple(distribution, NamedNode(RDF + "type"), NamedNode(DCAT + "Distribution")),
            Triple(distribution, NamedNode(DCAT + "mediaType"), Literal(media_type)),
            Triple(distribution, NamedNode(DCT + "title"), Literal(file_name))]


def summary(triples: list) -> dict:
    """The description as plain data: triples per named graph, instances per class, and the sources."""
    subjects: dict[str, dict[str, list]] = {}
    for triple in triples:
        subjects.setdefault(triple.subject.value, {}).setdefault(triple.predicate.value, []).append(triple.object.value)

    def first(subject: str, predicate: str):
        values = subjects.get(subject, {}).get(predicate)
        return values[0] if values else None

    dataset = subjects.get(ID + "dataset", {})
    graphs = sorted(({"graph": g.removeprefix(GRAPH),
                      "triples": int(first(g, VOID + "triples") or 0), "as_of": first(g, NG + "asOf")}
                     for g in dataset.get(VOID + "subset", [])), key=lambda row: row["graph"])
    classes = sorted(({"class": first(p, VOID + "class"), "entities": int(first(p, VOID + "entities") or 0)}
                      for p in dataset.get(VOID + "classPartition", [])), key=lambda row: -row["entities"])
    sources = sorted(({"source": s.rsplit("/", 1)[-1], "title": first(s, DCT + "title"), "as_of": first(s, NG + "asOf"),
                       "licence": first(s, DCT + "license"), "page": first(s, DCAT + "landingPage")}
                      for s in dataset.get(DCT + "source", [])),
                     key=lambda row: row["source"])
    return {"triples": sum(row["triples"] for row in graphs), "graphs": graphs, "classes": classes, "sources": sources}
