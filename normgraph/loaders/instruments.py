"""Instruments, their provisions and the relations between them (graph `instruments`)."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from pyoxigraph import Triple

from ..rdf import (
    DCT_TITLE,
    ELI_DATE_DOCUMENT,
    RDF_TYPE,
    RDFS_LABEL,
    SKOS_ALT_LABEL,
    alternative_name,
    facts,
    ng,
    node,
    provenance,
)
from .table import Row, read_bundled

GRAPH = "instruments"
CLASSES = {"convention": ["Convention", "ILOInstrument"], "protocol": ["Protocol"],
           "recommendation": ["Recommendation"], "un_treaty": ["UNTreaty"]}
PROVISION_CLASSES = {"article": "Article", "paragraph": "Paragraph", "annex": "Annex", "part": "Part"}


@dataclass(frozen=True)
class Instrument:
    code: str
    title: str
    kind: str
    adopted: dt.date | None
    in_force: dt.date | None
    session: int | None
    revises: list[str]
    supplements: list[str]
    fundamental: str
    parent: str
    untc: str
    consent_delay: str
    denunciation_delay: str
    source: str
    as_of: str

    @property
    def is_ilo(self) -> bool:
        return not self.untc


def parse_instrument(row: Row) -> Instrument:
    return Instrument(
        code=row.text("code", True), title=row.text("title", True),
        kind=row.choice("type", CLASSES, True), adopted=row.date("adopted", True),
        in_force=row.date("entry_into_force"), session=row.integer("ilc_session"),
        revises=[c for c in row.text("revises").split(";") if c],
        supplements=[c for c in row.text("supplements").split(";") if c], fundamental=row.text("fundamental"),
        parent=row.text("parent"), untc=row.text("untc"), consent_delay=row.text("consent_delay"),
        denunciation_delay=row.text("denunciation_delay"), source=row.text("source", True),
        as_of=row.text("as_of"))


@lru_cache(maxsize=1)
def bundled_instruments() -> dict[str, Instrument]:
    rows = read_bundled("instruments.csv", ["code", "title", "type", "adopted", "source"], parse_instrument)
    return {i.code: i for i in rows}


ILO_CITATIONS = {"C": ("{letter}{number}", "Convention No. {number}", "Convention {number}"),
                 "P": ("{letter}{number}",), "R": ("{letter}{number}", "Recommendation No. {number}")}


def alt_labels(instrument: Instrument) -> list[str]:
    """The ways texts cite an instrument besides its full title: its code, the ILO citation forms
    (C29, Convention No. 29) and the title without its number or year."""
    names = [instrument.code]
    if instrument.is_ilo:
        letter, number = instrument.code[0], int(instrument.code[1:])
        names += [form.format(letter=letter, number=number) for form in ILO_CITATIONS[letter]]
    without_number = re.sub(r"\s*\(No\. \d+\)$", "", instrument.title)
    names += [without_number, re.sub(r",\s*\d{4}$", "", without_number)]
    return [name for name in dict.fromkeys(names) if name != instrument.title]


def parse_name(row: Row) -> dict:
    return {"instrument": row.instrument("instrument"), "name": row.text("name", True),
            "source": row.text("source", True), "as_of": row.text("as_of")}


def name_triples() -> Iterator[Triple]:
    """Names in common use (Palermo Protocol, Forced Labour Protocol), each with the source that uses it."""
    for name in read_bundled("instrument_names.csv", ["instrument", "name", "source"], parse_name):
        yield from alternative_name(node("instrument", name["instrument"]), name["name"], name["source"], name["as_of"])


def reference_triples(code: str, source: str, as_of: str) -> Iterator[Triple]:
    """An ILO Convention outside normgraph's list, known only as a reference (revised, or cited by a comment)."""
    subject = node("instrument", code)
    yield from facts(subject, [(RDF_TYPE, ng("Convention")), (RDF_TYPE, ng("ILOInstrument")), (ng("code"), code),
                               (RDFS_LABEL, f"ILO Convention No. {int(code[1:])}")])
    yield from provenance(subject, source, as_of)


def instrument_triples(instrument: Instrument) -> Iterator[Triple]:
    subject = node("instrument", instrument.code)
    classes = CLASSES[instrument.kind] + (["ILOInstrument"] if instrument.is_ilo else ["UNTreaty"])
    for cls in dict.fromkeys(classes):
        yield Triple(subject, RDF_TYPE, ng(cls))
    yield from facts(subject, [
        (ng("code"), instrument.code), (RDFS_LABEL, instrument.title), (DCT_TITLE, instrument.title),
        *((SKOS_ALT_LABEL, name) for name in alt_labels(instrument)),
        (ELI_DATE_DOCUMENT, instrument.adopted), (ng("entryIntoForce"), instrument.in_force),
        (ng("ilcSession"), instrument.session),
        (ng("fundamental"), {"true": True, "false": False}.get(instrument.fundamental)),
        (ng("untcChapter"), instrument.untc), (ng("consentDelay"), instrument.consent_delay),
        (ng("denunciationDelay"), instrument.denunciation_delay),
        (ng("parentTreaty"), node("instrument", instrument.parent) if instrument.parent else None),
    ])
    for revised in instrument.revises:
        yield Triple(subject, ng("revises"), node("instrument", revised))
        yield from reference_triples(revised, instrument.source, instrument.as_of)
    for supplemented in instrument.supplements:
        yield Triple(subject, ng("supplements"), node("instrument", supplemented))
    yield from provenance(subject, instrument.source, instrument.as_of)


def parse_provision(row: Row) -> dict:
    return {"instrument": row.instrument("instrument"), "key": row.text("key", True), "label": row.text("label", True),
            "kind": row.choice("kind", PROVISION_CLASSES, True), "parent": row.text("parent"),
            "heading": row.text("heading", True), "excludable_under": row.text("excludable_under"),
            "source": row.text("source", True), "as_of": row.text("as_of")}


def provision_triples(provision: dict) -> Iterator[Triple]:
    subject = node("provision", provision["instrument"], provision["key"])
    yield Triple(subject, RDF_TYPE, ng(PROVISION_CLASSES[provision["kind"]]))
    yield from facts(subject, [
        (ng("provisionOf"), node("instrument", provision["instrument"])),
        (ng("subdivisionOf"), node("provision", provision["instrument"], provision["parent"]) if provision["parent"] else None),
        (RDFS_LABEL, f"{provision['instrument']} {provision['label']}"), (ng("heading"), provision["heading"]),
        (ng("excludableUnder"), provision["excludable_under"]),
    ])
    yield from provenance(subject, provision["source"], provision["as_of"])


def triples() -> Iterator[Triple]:
    for instrument in bundled_instruments().values():
        yield from instrument_triples(instrument)
    yield from name_triples()
    for provision in bundled_provisions():
        yield from provision_triples(provision)


@lru_cache(maxsize=None)
def bundled_provisions() -> tuple[dict, ...]:
    required = ["instrument", "key", "label", "kind", "heading", "source"]
    return tuple(read_bundled("articles.csv", required, parse_provision))


def excludable_provisions() -> dict[str, dict[str, str]]:
    """By instrument, the parts a state may exclude from its acceptance (C097 Art. 14, C143 Art. 16), as
    articles.csv marks them: label ("Annex I") -> key ("annex1")."""
    excludable: dict[str, dict[str, str]] = {}
    for provision in bundled_provisions():
        if provision["excludable_under"]:
            excludable.setdefault(provision["instrument"], {})[provision["label"]] = provision["key"]
    return excludable
