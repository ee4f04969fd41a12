"""ILO programmes, initiatives and country projects, from the seed documents (graph `programmes`)."""
from __future__ import annotations

import re
from collections.abc import Iterator

from pyoxigraph import Triple

from ..ids import country_code, ilo_regions, instrument_code, region_key
from ..rdf import RDF_TYPE, RDFS_LABEL, SKOS_ALT_LABEL, facts, ng, node, provenance
from .supervision import topic_key
from .table import Row, read_bundled, stream_file

GRAPH = "programmes"
REQUIRED = ["programme", "name", "kind", "countries", "promotes", "source"]
KINDS = {"programme": "Programme", "flagship_programme": "FlagshipProgramme", "project": "Project",
         "initiative": "Initiative", "regional_initiative": "RegionalInitiative", "partnership": "Partnership",
         "business_network": "BusinessNetwork", "platform": "Platform", "campaign": "Campaign"}
ACRONYM = re.compile(r"\s*\(([A-Z][A-Z0-9+-]+)\)$")


def parse_programme(row: Row) -> dict:
    start, end = row.integer("start"), row.integer("end")
    if start and end and end < start:
        row.problems.append(f"column 'end': {end} is before the start {start}")
    return {"programme": row.identifier("programme", True), "name": row.text("name", True),
            "kind": row.choice("kind", KINDS, True), "parent": row.identifier("parent"),
            "countries": row.many("countries", country_code), "region": row.choice("ilo_region", ilo_regions()),
            "start": start, "end": end, "focus": row.many("focus", topic_key),
            "promotes": row.many("promotes", instrument_code), "source": row.text("source", True),
            "as_of": row.text("as_of")}


def bundled() -> list[dict]:
    return read_bundled("programmes.csv", REQUIRED, parse_programme)


def from_file(path, defaults: dict | None = None) -> Iterator[dict]:
    """The rows as they are read (a loaded table may be large); TableError at the end if any is bad."""
    return stream_file(path, REQUIRED, parse_programme, defaults=defaults)


def short_names(name: str) -> list[str]:
    """A programme named "Special Action Programme to Combat Forced Labour (SAP-FL)" is also cited by its
    acronym and by the name without it."""
    match = ACRONYM.search(name)
    return [match.group(1), name[:match.start()]] if match else []


def triples(programmes: list[dict], graph: str = GRAPH) -> Iterator[Triple]:
    for p in programmes:
        subject = node("programme", p["programme"])
        yield Triple(subject, RDF_TYPE, ng(KINDS[p["kind"]]))
        yield from facts(subject, [
            (RDFS_LABEL, p["name"]), (ng("code"), p["programme"]),
            (ng("partOf"), node("programme", p["parent"]) if p["parent"] else None),
            (ng("activeInRegion"), node("region", region_key(p["region"])) if p["region"] else None),
            (ng("startYear"), p["start"]), (ng("endYear"), p["end"])])
        for predicate, kind, keys in (("activeIn", "country", p["countries"]), ("promotes", "instrument", p["promotes"]),
                                      ("focus", "topic", p["focus"])):
            for key in keys:
                yield Triple(subject, ng(predicate), node(kind, key))
        yield from provenance(subject, p["source"], p["as_of"])
        yield from facts(subject, [(SKOS_ALT_LABEL, name) for name in short_names(p["name"])])
