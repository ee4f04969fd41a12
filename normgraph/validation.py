"""SHACL validation of the whole graph with pyshacl: which node broke which shape, and why."""
from __future__ import annotations

from importlib import resources

from .terms import SH


def union_graph(graph):
    """All named graphs of the store as one rdflib graph (validation sees what queries see)."""
    import rdflib
    from pyoxigraph import RdfFormat, serialize

    triples = graph.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    return rdflib.Graph().parse(data=serialize(triples, format=RdfFormat.N_TRIPLES), format="nt")


def shapes_graph():
    import rdflib

    text = resources.files("normgraph.ontology").joinpath("shapes.ttl").read_text(encoding="utf-8")
    return rdflib.Graph().parse(data=text, format="turtle")


def validate_graph(graph) -> list[dict]:
    """Every SHACL violation in the store: {'focus', 'shape', 'message'}; an empty list means it conforms."""
    return validate_rdf(union_graph(graph))


def validate_rdf(union) -> list[dict]:
    """Every SHACL violation in an rdflib graph of the whole data."""
    import pyshacl
    from rdflib import Namespace

    sh = Namespace(SH)
    _, report, _ = pyshacl.validate(union, shacl_graph=shapes_graph(), inference="none",
                                    advanced=True, allow_warnings=True)
    violations = []
    for result in report.subjects(predicate=None, object=sh.ValidationResult):
        path = report.value(result, sh.resultPath)
        violations.append({"focus": str(report.value(result, sh.focusNode)),
                           "shape": f"{report.value(result, sh.sourceConstraintComponent).split('#')[-1]}"
                                    + (f" on {path}" if path else ""),
                           "message": str(report.value(result, sh.resultMessage) or "")})
    return sorted(violations, key=lambda v: (v["focus"], v["shape"]))
