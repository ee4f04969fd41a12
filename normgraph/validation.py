"""SHACL validation of the whole graph with pyshacl: which node broke which shape, and why."""
from __future__ import annotations

from importlib import resources

SH = "http://www.w3.org/ns/shacl#"


def union_graph(graph):
    """All named graphs of the store as one rdflib graph (validation sees what queries see)."""
    import rdflib
    from pyoxigraph import RdfFormat

    data = graph.store.dump(format=RdfFormat.N_QUADS)
    dataset = rdflib.Dataset()
    dataset.parse(data=data, format="nquads")
    union = rdflib.Graph()
    for subject, predicate, obj, _ in dataset.quads((None, None, None, None)):
        union.add((subject, predicate, obj))
    return union


def shapes_graph():
    import rdflib

    text = resources.files("normgraph.ontology").joinpath("shapes.ttl").read_text(encoding="utf-8")
    return rdflib.Graph().parse(data=text, format="turtle")


def validate_graph(graph) -> list[dict]:
    """Every SHACL violation: {'focus', 'shape', 'path', 'message'}; an empty list means the graph conforms."""
    import pyshacl
    from rdflib import Namespace

    sh = Namespace(SH)
    _, report, _ = pyshacl.validate(union_graph(graph), shacl_graph=shapes_graph(), inference="none",
                                    advanced=True, allow_warnings=True)
    violations = []
    for result in report.subjects(predicate=None, object=sh.ValidationResult):
        path = report.value(result, sh.resultPath)
        violations.append({"focus": str(report.value(result, sh.focusNode)),
                           "shape": f"{report.value(result, sh.sourceConstraintComponent).split('#')[-1]}"
                                    + (f" on {path}" if path else ""),
                           "message": str(report.value(result, sh.resultMessage) or "")})
    return sorted(violations, key=lambda v: (v["focus"], v["shape"]))
