"""ILO supervisory comments linked to state, instruments and topics (graph `supervision`)."""
from __future__ import annotations

import re
from collections.abc import Iterator

from pyoxigraph import NamedNode, Triple

from ..ids import instrument_code, instrument_codes
from ..rdf import DCT_SUBJECT, RDF_TYPE, RDFS_LABEL, RDFS_SEE_ALSO, facts, ng, node, provenance
from .instruments import reference_triples
from .table import Row, read_bundled, stream_file

GRAPH = "supervision"
REQUIRED = ["comment", "body", "kind", "instruments", "source"]
KINDS = {"observation": "Observation", "direct_request": "DirectRequest", "general_observation": "GeneralObservation",
         "general_survey": "GeneralSurvey", "individual_case": "CASConclusion", "representation": "Representation",
         "complaint": "Complaint", "commission_of_inquiry": "CommissionOfInquiry"}
BODIES = {"CEACR": "Committee of Experts on the Application of Conventions and Recommendations",
          "CAS": "Conference Committee on the Application of Standards", "GB": "Governing Body of the ILO"}
TOPIC = re.compile(r"^[a-z_]+$")


def topic_key(value: str) -> str:
    if not TOPIC.match(value):
        raise ValueError(f"{value!r} is not a topic term (lower-case words joined by _)")
    return value


def any_instrument(value: str) -> str:
    """Comments may also name conventions outside normgraph's list (C081, C087...): keep their code."""
    try:
        return instrument_code(value)
    except ValueError:
        if re.fullmatch(r"[CPR]\d{3}", value):
            return value
        raise


def parse_comment(row: Row) -> dict:
    year = row.integer("year")
    if year and not 1919 <= year <= 2100:
        row.problems.append(f"column 'year': {year} is not a possible year")
    return {"comment": row.identifier("comment", True), "body": row.choice("body", BODIES, True),
            "kind": row.choice("kind", KINDS, True), "state": row.country("state", required=False),
            "instruments": row.many("instruments", any_instrument), "year": year, "session": row.text("session"),
            "topics": row.many("topics", topic_key), "url": row.url("url"), "evidence": row.text("evidence"),
            "source": row.text("source", True), "as_of": row.text("as_of")}


def bundled() -> list[dict]:
    return read_bundled("comments.csv", REQUIRED, parse_comment)


def from_file(path, defaults: dict | None = None) -> Iterator[dict]:
    """The rows as they are read (a loaded table may be large); TableError at the end if any is bad."""
    return stream_file(path, REQUIRED, parse_comment, defaults=defaults)


SIDEBAR_ONLY = "sidebar_only"


def body_triples() -> Iterator[Triple]:
    for code, name in BODIES.items():
        subject = node("body", code)
        yield from facts(subject, [(RDF_TYPE, ng("SupervisoryBody")), (RDFS_LABEL, name), (ng("code"), code)])
        yield from provenance(subject, "NORMLEX_COMMENTS", "2026-11-23")


def triples(comments: list[dict], graph: str = GRAPH) -> Iterator[Triple]:
    if graph == GRAPH:
        yield from body_triples()
    for c in comments:
        subject = node("comment", c["comment"])
        yield Triple(subject, RDF_TYPE, ng(KINDS[c["kind"]]))
        label = f"{c['body']} {c['kind'].replace('_', ' ')} {c['state'] or 'general'} {'/'.join(c['instruments'])} {c['year'] or ''}"
        yield from facts(subject, [
            (RDFS_LABEL, label.strip()), (ng("body"), node("body", c["body"])),
            (ng("aboutState"), node("country", c["state"]) if c["state"] else None),
            (ng("adoptedYear"), c["year"]), (ng("session"), c["session"]),
            # A comment known only from another comment's "other comments" list has no page of its own in the
            # data: its address is the page that lists it (ng:listedOn), never its own (rdfs:seeAlso).
            (ng("listedOn") if c["evidence"] == SIDEBAR_ONLY else RDFS_SEE_ALSO, NamedNode(c["url"]) if c["url"] else None),
            (ng("evidenceTier"), c["evidence"])])
        for code in c["instruments"]:
            yield Triple(subject, ng("aboutInstrument"), node("instrument", code))
            if code not in instrument_codes():
                yield from reference_triples(code, c["source"], c["as_of"])
        for topic in c["topics"]:
            yield Triple(subject, DCT_SUBJECT, node("topic", topic))
        yield from provenance(subject, c["source"], c["as_of"])
