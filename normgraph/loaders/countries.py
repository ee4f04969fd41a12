"""States, the European Union as a treaty party, and ILO regions (graph `countries`)."""
from __future__ import annotations

from collections.abc import Iterator

from pyoxigraph import Triple

from ..ids import NON_STATE_PARTIES
from .rdf import RDF_TYPE, RDFS_LABEL, facts, ng, node, provenance
from .table import Row, read_bundled

GRAPH = "countries"


def region_key(name: str) -> str:
    return name.lower().replace(" and the ", "-").replace(" and ", "-").replace(" ", "-")


def parse_country(row: Row) -> dict:
    return {"iso3": row.country("iso3"), "iso2": row.text("iso2", True), "name": row.text("name", True),
            "region": row.text("ilo_region"), "member_since": row.date("ilo_member_since"),
            "source": row.text("source", True), "as_of": row.text("as_of")}


def bundled_countries() -> list[dict]:
    return read_bundled("countries.csv", ["iso3", "iso2", "name", "ilo_region", "source"], parse_country)


def region_triples(name: str) -> Iterator[Triple]:
    subject = node("region", region_key(name))
    yield Triple(subject, RDF_TYPE, ng("ILORegion"))
    yield from facts(subject, [(RDFS_LABEL, name), (ng("code"), region_key(name))])
    yield from provenance(subject, "OWID_ILO_REGIONS;ILOSTAT_GROUPINGS", "2025-02")


def triples() -> Iterator[Triple]:
    countries = bundled_countries()
    for region in sorted({c["region"] for c in countries if c["region"]}):
        yield from region_triples(region)
    for country in countries:
        subject = node("country", country["iso3"])
        yield Triple(subject, RDF_TYPE, ng("State"))
        yield from facts(subject, [
            (ng("iso3"), country["iso3"]), (ng("iso2"), country["iso2"]), (RDFS_LABEL, country["name"]),
            (ng("iloRegion"), node("region", region_key(country["region"])) if country["region"] else None),
            (ng("iloMemberSince"), country["member_since"])])
        yield from provenance(subject, country["source"], country["as_of"])
    for code, name in NON_STATE_PARTIES.items():
        subject = node("country", code)
        yield from facts(subject, [(RDF_TYPE, ng("RegionalOrganisation")), (ng("iso3"), code), (RDFS_LABEL, name)])
        yield from provenance(subject, "ZMJ_UNTC", "2014-01-27")
