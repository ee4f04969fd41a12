"""Participation in UN-TIP (Palermo), UNTOC and OPSC as event nodes (graph `un-treaties`)."""
from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from pyoxigraph import Triple

from ..rdf import RDF_TYPE, RDFS_LABEL, facts, ng, node, provenance
from .instruments import bundled_instruments
from .legal_time import Window, consent_delay, in_force_window
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


def effective_from(p: dict, successions: dict[str, dict]) -> tuple:
    """The day a consent counts from, and the sources of that day: a notification of succession counts from the
    date of the succession of States (VCSST 1978 Arts. 23(1), 34: the successor is a party from that date), the
    State's independence in data/statehood.csv; any other consent from its own date."""
    succession = successions.get(p["party"]) if p["consent_type"] == "succession" and p["consent"] else None
    if succession and succession["independent"] < p["consent"]:
        return succession["independent"], f"{p['source']};{succession['source']}"
    return p["consent"], p["source"]


def windows(participations: list[dict], instruments: dict, successions: dict) -> dict[tuple, Window | None]:
    """Each party's window of legal effect per treaty. Only a party to the parent Convention can join one of its
    Protocols (UNTOC Art. 37(2)), and both take effect on the 30th day after deposit: a parent Convention binds
    a party no later than the Protocol does, which bounds a parent whose consent the sources do not date."""
    found = {}
    for p in participations:
        treaty = instruments[p["treaty"]]
        found[p["treaty"], p["party"]] = in_force_window(
            registered=effective_from(p, successions)[0], year=p["year"], as_of=p["as_of"],
            delay=consent_delay(p["consent_type"], treaty.consent_delay), instrument_in_force=treaty.in_force,
            stated_in_force=p["stated_in_force"]) if p["status"] == "party" else None
    for (code, party), window in list(found.items()):
        parent = instruments[code].parent
        above = found.get((parent, party)) if parent else None
        if window and window.latest and above and (above.latest is None or window.latest < above.latest):
            found[parent, party] = Window(above.earliest, window.latest, above.consented)
    return found


@lru_cache(maxsize=1)
def bundled() -> tuple[list[dict], dict[tuple, Window | None], dict[str, dict]]:
    """The bundled participations, each party's window per treaty, and the dates of succession: read once for this
    graph and for the territories' declarations made in a State's instrument of consent."""
    from .countries import succession_dates

    successions = succession_dates()
    participations = read_bundled("treaty_parties.csv", ["treaty", "party", "consent", "status", "source"], parse_participation)
    return participations, windows(participations, bundled_instruments(), successions), successions


def triples() -> Iterator[Triple]:
    participations, windows_of, successions = bundled()
    for p in participations:
        subject = node("participation", p["treaty"], p["party"])
        yield Triple(subject, RDF_TYPE, ng("TreatyParticipation"))
        consented = p["status"] == "party"
        effective, sources = effective_from(p, successions)
        window = windows_of[p["treaty"], p["party"]]
        yield from facts(subject, [
            (RDFS_LABEL, f"{p['party']} participation in {p['treaty']}"),
            (ng("party"), node("country", p["party"])), (ng("instrument"), node("instrument", p["treaty"])),
            # A succession is recorded from the date of succession, which the later notice makes it count from;
            # the notice's own date is kept beside it.
            (ng("signed"), p["signed"]), (ng("registered"), effective), (ng("registeredYear"), p["year"]),
            (ng("notified"), p["consent"] if effective != p["consent"] else None),
            (ng("datePrecision"), ng(PRECISIONS[p["precision"]]) if consented else None),
            (ng("consentType"), p["consent_type"]), (ng("reservations"), p["reservations"]),
            (ng("status"), ng(STATUSES[p["status"]])),
            (ng("inForceEarliest"), window and window.earliest), (ng("inForceLatest"), window and window.latest),
            (ng("inForceFrom"), window and window.exact)])
        yield from facts(subject, [(ng("pendingInYear"), year) for year in (window.pending_years if window else ())])
        yield from provenance(subject, sources, p["as_of"])
