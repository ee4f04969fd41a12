"""States, the European Union as a treaty party, and ILO regions (graph `countries`)."""
from __future__ import annotations

from collections.abc import Iterator

from pyoxigraph import Triple

from ..ids import NON_STATE_PARTIES, region_key
from ..rdf import RDF_TYPE, RDFS_LABEL, alternative_name, facts, ng, node, provenance
from .legal_time import as_of_lower_bound, as_of_upper_bound
from .table import Row, read_bundled

GRAPH = "countries"
PYCOUNTRY_AS_OF = "2026-02-16"


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


def statehood_rows() -> list[dict]:
    def parse(row: Row) -> dict:
        return {"state": row.country("state"), "independent": row.date("independent", True),
                "source": row.text("source", True), "as_of": row.text("as_of")}
    return read_bundled("statehood.csv", ["state", "independent", "source", "as_of"], parse)


def succession_dates() -> dict[str, dict]:
    """The date of the succession of States for each State created after 1919 (its independence), with its source."""
    return {row["state"]: row for row in statehood_rows()}


def statehood_triples() -> Iterator[Triple]:
    """The day a state created after 1919 became independent (data/statehood.csv): no gap, profile or case
    treats it as a State before that day."""
    for row in statehood_rows():
        subject = node("statehood", row["state"])
        yield Triple(node("country", row["state"]), ng("statehood"), subject)
        yield from facts(subject, [(RDF_TYPE, ng("Statehood")), (ng("independentSince"), row["independent"])])
        yield from provenance(subject, row["source"], row["as_of"])


def alias_rows() -> dict[str, list[dict]]:
    """data/country_names.csv by state: the names the resolver knows, each with its source."""
    def parse(row: Row) -> dict:
        return {"iso3": row.text("iso3"), "name": row.text("name", True), "source": row.text("source", True),
                "as_of": row.text("as_of")}
    by_state: dict[str, list[dict]] = {}
    for row in read_bundled("country_names.csv", ["name", "source"], parse):
        by_state.setdefault(row["iso3"], []).append(row)
    return by_state


def aliases(iso3: str, label: str, rows: list[dict]) -> list[dict]:
    """The state's other names that mean it alone, so that a document naming one is about this state only."""
    from ..ids import country_names, normalised_name

    codes = country_names().codes
    return [row for row in rows if row["name"] != label and codes.get(normalised_name(row["name"])) == {iso3}]


def region_triples(name: str) -> Iterator[Triple]:
    subject = node("region", region_key(name))
    yield Triple(subject, RDF_TYPE, ng("ILORegion"))
    yield from facts(subject, [(RDFS_LABEL, name), (ng("code"), region_key(name))])
    yield from provenance(subject, "OWID_ILO_REGIONS;ILOSTAT_GROUPINGS", "2025-02")


def triples() -> Iterator[Triple]:
    countries, names = bundled_countries(), alias_rows()
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
        for alias in aliases(country["iso3"], country["name"], names.get(country["iso3"], [])):
            yield from alternative_name(subject, alias["name"], alias["source"], alias["as_of"])
    yield from membership_triples()
    yield from statehood_triples()
    for code, name in NON_STATE_PARTIES.items():
        subject = node("country", code)
        yield from facts(subject, [(RDF_TYPE, ng("RegionalOrganisation")), (ng("iso3"), code), (RDFS_LABEL, name)])
        yield from provenance(subject, "ZMJ_UNTC", "2014-01-27")
