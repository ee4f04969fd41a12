"""Territories and the territorial reach of consents (graph `territories`).

A territory that is not a State (Hong Kong SAR, Sabah) is bound by an ILO Convention only as its
State applies it there: by a declaration under ILO Constitution Art. 35, or by a ratification that
covers that territory alone. Both come from territorial_application.csv, each row with its sources.
"""
from __future__ import annotations

from collections.abc import Iterator

from pyoxigraph import NamedNode, Triple

from ..ids import place_node
from ..rdf import RDF_TYPE, RDFS_LABEL, SKOS_NOTATION, facts, ng, node, provenance
from .instruments import bundled_instruments
from .legal_time import Window, in_force_window
from .ratifications import ratification_node
from .table import Row, read_bundled
from .un_treaties import bundled as participation_windows

GRAPH = "territories"
LIMITED_RATIFICATION = "ratification limited to the territory"


def territory_node(code: str) -> NamedNode:
    return NamedNode(place_node(code))


def parse_territory(row: Row) -> dict:
    return {"territory": row.text("territory", True), "iso_code": row.text("iso_code", True), "name": row.text("name", True),
            "sovereign": row.country("sovereign"), "answered_from": row.date("answered_from"),
            "kind": row.text("kind", True), "source": row.text("source", True),
            "as_of": row.text("as_of")}


def parse_application(row: Row) -> dict:
    return {"instrument": row.instrument("instrument"), "state": row.country("state"),
            "territory": row.text("territory", True), "kind": row.text("kind", True),
            "applies": row.choice("applies", ("yes", "no")) != "no", "applies_from": row.date("applies_from"),
            "applies_by": row.date("applies_by"), "source": row.text("source", True), "as_of": row.text("as_of")}


def triples() -> Iterator[Triple]:
    instruments, (_, states_windows, _) = bundled_instruments(), participation_windows()
    for territory in read_bundled("territories.csv", ["territory", "name", "sovereign", "source"], parse_territory):
        subject = territory_node(territory["territory"])
        yield from facts(subject, [
            (RDF_TYPE, ng("Territory")), (RDFS_LABEL, territory["name"]), (SKOS_NOTATION, territory["iso_code"]),
            (ng("iso3"), territory["territory"] if len(territory["territory"]) == 3 else None),
            (ng("territoryOf"), node("country", territory["sovereign"])), (ng("territoryKind"), territory["kind"]),
            (ng("answeredFrom"), territory["answered_from"])])
        yield from provenance(subject, territory["source"], territory["as_of"])
    for row in read_bundled("territorial_application.csv", ["instrument", "state", "territory", "kind", "source"],
                            parse_application):
        territory = territory_node(row["territory"])
        if row["kind"] == LIMITED_RATIFICATION:
            yield Triple(ratification_node(row["instrument"], row["state"]), ng("coversOnly"), territory)
            continue
        # A declaration applies the instrument to the territory: from the day the source gives (applies_from);
        # by a day the source saw it applied (applies_by), earlier dates then undetermined, never guessed; or, for
        # a UN treaty declared in the State's own instrument of consent, as the treaty binds the State. A
        # declaration that the instrument does not apply there until the State notifies otherwise is a record of
        # its own: "not applied to the territory", never read as a missing record.
        instrument = instruments[row["instrument"]]
        own = None if instrument.is_ilo else states_windows.get((row["instrument"], row["state"]))
        if row["applies_from"]:
            window = Window(max(row["applies_from"], instrument.in_force), max(row["applies_from"], instrument.in_force))
        elif own and not row["applies_by"]:
            window = own
        else:
            window = in_force_window(registered=None, year=None, delay="P0D", instrument_in_force=instrument.in_force,
                                     as_of=row["applies_by"].isoformat() if row["applies_by"] else "unknown")
        subject = node("declaration", row["instrument"], row["state"], row["territory"])
        yield from facts(subject, [
            (RDF_TYPE, ng("TerritorialDeclaration")), (RDFS_LABEL, f"{row['state']} {row['kind']} of {row['instrument']} "
                                                                     f"to {row['territory']}"),
            (ng("appliesTo"), territory), (ng("declaredBy"), node("country", row["state"])),
            (ng("instrument"), node("instrument", row["instrument"])), (ng("consentType"), row["kind"])])
        if row["applies"]:
            yield from facts(subject, [(ng("inForceEarliest"), window.earliest), (ng("inForceLatest"), window.latest),
                                       (ng("inForceFrom"), window.exact)])
        else:
            declared_on = row["applies_from"] or (own and own.consented) or (own and own.earliest)
            yield from facts(subject, [(ng("status"), ng("NotApplied")), (ng("registered"), declared_on)])
        yield from provenance(subject, row["source"], row["as_of"])

