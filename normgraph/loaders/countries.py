"""States, the European Union as a treaty party, and ILO regions (graph `countries`)."""
from __future__ import annotations

import re
from collections.abc import Iterator

from pyoxigraph import Triple

from ..ids import NON_STATE_PARTIES
from .legal_time import as_of_lower_bound, as_of_upper_bound
from .rdf import RDF_TYPE, RDFS_LABEL, alternative_name, facts, ng, node, provenance
from .table import Row, read_bundled

GRAPH = "countries"
PYCOUNTRY_AS_OF = "2026-02-16"


def region_key(name: str) -> str:
    return name.lower().replace(" and the ", "-").replace(" and ", "-").replace(" ", "-")


def parse_country(row: Row) -> dict:
    return {"iso3": row.country("iso3"), "iso2": row.text("iso2", True), "name": row.text("name", True),
            "region": row.text("ilo_region"), "member_since": row.date("ilo_member_since"),
            "source": row.text("source", True), "as_of": row.text("as_of")}


def bundled_countries() -> list[dict]:
    return read_bundled("countries.csv", ["iso3", "iso2", "name", "ilo_region", "source"], parse_country)


def parse_membership(row: Row) -> dict:
    return {"state": row.country("state"), "admitted": row.text("admitted"), "withdrawn": row.text("withdrawn"),
            "source": row.text("source", True), "as_of": row.text("as_of")}


def membership_triples() -> Iterator[Triple]:
    """ILO membership periods. A date the source gives only as a year or a month is read on the safe side:
    a Member from the last day the admission can stand for, and no longer from the first day the withdrawal can."""
    for period in read_bundled("ilo_membership.csv", ["state", "source"], parse_membership):
        subject = node("membership", period["state"], period["admitted"] or "until-" + period["withdrawn"])
        yield Triple(node("country", period["state"]), ng("iloMembership"), subject)
        yield from facts(subject, [
            (RDF_TYPE, ng("ILOMembership")), (ng("memberFrom"), as_of_upper_bound(period["admitted"])),
            (ng("memberUntil"), as_of_lower_bound(period["withdrawn"]))])
        yield from provenance(subject, period["source"], period["as_of"])


def iso_names(iso3: str, label: str) -> list[str]:
    """The names ISO 3166 gives a state (short, common, official) and the label without its parenthesis."""
    import pycountry

    country = pycountry.countries.get(alpha_3=iso3)
    names = [getattr(country, attribute, None) for attribute in ("name", "common_name", "official_name")]
    names.append(re.sub(r"\s*\(.*\)$", "", label))
    return [name for name in dict.fromkeys(filter(None, names)) if name != label]


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
        for name in iso_names(country["iso3"], country["name"]):
            yield from alternative_name(subject, name, "PYCOUNTRY", PYCOUNTRY_AS_OF)
    yield from membership_triples()
    for code, name in NON_STATE_PARTIES.items():
        subject = node("country", code)
        yield from facts(subject, [(RDF_TYPE, ng("RegionalOrganisation")), (ng("iso3"), code), (RDFS_LABEL, name)])
        yield from provenance(subject, "ZMJ_UNTC", "2014-01-27")
