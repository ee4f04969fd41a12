"""Participation in UN-TIP (Palermo), UNTOC and OPSC as event nodes (graph `un-treaties`)."""
from __future__ import annotations

from collections.abc import Iterator

from pyoxigraph import Triple

from ..rdf import RDF_TYPE, RDFS_LABEL, facts, ng, node, provenance
from .instruments import bundled_instruments
from .legal_time import consent_delay, in_force_window
from .ratifications import PRECISIONS
from .table import Row, read_bundled

GRAPH = "un-treaties"
STATUSES = {"party": "Consented", "signatory_only": "SignatoryOnly"}
CONSENT_TYPES = ("ratification", "accession", "acceptance", "approval", "succession")


def parse_participation(row: Row) -> dict:
    consent, year = row.date("consent"), row.integer("consent_year")
    return {"treaty": row.instrument("treaty"), "party": row.country("party"), "signed": row.date("signed"),
            "consent": consent, "year": year, "precision": "day" if consent else "year" if year else "unknown",
            "consent_type": row.choice("consent_type", CONSENT_TYPES),
            "reservations": {"yes": True, "no": False}.get(row.text("reservations")),
            "status": row.choice("status", STATUSES, True), "stated_in_force": row.date("entry_into_force"),
            "source": row.text("source", True), "as_of": row.text("as_of")}


def triples() -> Iterator[Triple]:
    instruments = bundled_instruments()
    for p in read_bundled("treaty_parties.csv", ["treaty", "party", "consent", "status", "source"], parse_participation):
        treaty = instruments[p["treaty"]]
        subject = node("participation", p["treaty"], p["party"])
        yield Triple(subject, RDF_TYPE, ng("TreatyParticipation"))
        consented = p["status"] == "party"
        window = in_force_window(registered=p["consent"], year=p["year"], as_of=p["as_of"],
                                 delay=consent_delay(p["consent_type"], treaty.consent_delay), instrument_in_force=treaty.in_force,
                                 stated_in_force=p["stated_in_force"]) if consented else None
        yield from facts(subject, [
            (RDFS_LABEL, f"{p['party']} participation in {p['treaty']}"),
            (ng("party"), node("country", p["party"])), (ng("instrument"), node("instrument", p["treaty"])),
            (ng("signed"), p["signed"]), (ng("registered"), p["consent"]), (ng("registeredYear"), p["year"]),
            (ng("datePrecision"), ng(PRECISIONS[p["precision"]]) if consented else None),
            (ng("consentType"), p["consent_type"]), (ng("reservations"), p["reservations"]),
            (ng("status"), ng(STATUSES[p["status"]])),
            (ng("inForceEarliest"), window and window.earliest), (ng("inForceLatest"), window and window.latest),
            (ng("inForceFrom"), window and window.exact)])
        yield from facts(subject, [(ng("pendingInYear"), year) for year in (window.pending_years if window else ())])
        yield from provenance(subject, p["source"], p["as_of"])
