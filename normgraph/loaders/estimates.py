"""Statistical estimates from the seed documents (graph `estimates`)."""
from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from pyoxigraph import Triple

from ..ids import region_key
from ..rdf import RDF_TYPE, RDFS_LABEL, facts, ng, node, provenance
from .table import Row, read_bundled

GRAPH = "estimates"


def parse_estimate(row: Row) -> dict:
    try:
        value = Decimal(row.text("value", True) or "0")
    except InvalidOperation:
        row.problems.append(f"column 'value': {row.text('value')!r} is not a number")
        value = None
    return {"estimate": row.text("estimate", True), "indicator": row.text("indicator", True),
            "region": row.text("region", True), "comparable": row.text("comparable_ilo_region"), "value": value,
            "unit": row.text("unit", True), "year": row.integer("reference_year", True),
            "source": row.text("source", True), "as_of": row.text("as_of")}


def triples() -> Iterator[Triple]:
    required = ["estimate", "indicator", "region", "value", "unit", "reference_year", "source"]
    for e in read_bundled("estimates.csv", required, parse_estimate):
        subject = node("estimate", e["estimate"])
        yield Triple(subject, RDF_TYPE, ng("StatisticalEstimate"))
        yield from facts(subject, [
            (RDFS_LABEL, f"{e['indicator']}, {e['region']}, {e['year']}"), (ng("indicator"), e["indicator"]),
            (ng("estimateRegion"), e["region"]),
            (ng("comparableRegion"), node("region", region_key(e["comparable"])) if e["comparable"] else None),
            (ng("value"), e["value"]), (ng("unit"), e["unit"]), (ng("referenceYear"), e["year"])])
        yield from provenance(subject, e["source"], e["as_of"])
