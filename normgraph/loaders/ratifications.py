"""ILO ratifications as event nodes, with legal time computed once (graph `ilo-ratifications`)."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from pyoxigraph import NamedNode, Triple

from ..rdf import DCT_SOURCE, RDF_TYPE, RDFS_LABEL, facts, ng, node, provenance
from .instruments import Instrument, bundled_instruments, excludable_provisions
from .legal_time import as_of_lower_bound, binding_ends, consent_delay, in_force_window
from .table import Row, read_bundled, read_file

GRAPH = "ilo-ratifications"
REQUIRED = ["instrument", "state", "registered", "source", "as_of"]
# Column names a NORMLEX-style table may use instead of normgraph's own.
ALIASES = {"iso3": "state", "country": "state", "ratified": "registered", "date": "registered",
           "ratification_date": "registered", "year": "registered_year", "note": "notes"}
# NORMLEX states a C138 declaration in its Note column: "Minimum age specified: 14 years".
MINIMUM_AGE_NOTE = re.compile(r"minimum age specified:\s*(\d+)", re.I)
STATUSES = {"in_force": "InForce", "not_in_force": "NotInForce", "denounced": "Denounced"}
CONSENT_TYPES = ("registration", "ratification", "succession")
PRECISIONS = {"day": "DayPrecision", "year": "YearPrecision", "unknown": "UnknownPrecision"}
MINIMUM_AGE_INSTRUMENT, MINIMUM_AGES = "C138", (14, 15, 16)


@dataclass(frozen=True)
class Ratification:
    instrument: str
    state: str
    registered: dt.date | None
    year: int | None
    status: str
    denounced: dt.date | None
    min_age: int | None
    excluded: tuple[str, ...]
    source: str
    as_of: str
    consent_type: str = "registration"
    consent_note: str = ""

    @property
    def precision(self) -> str:
        return "day" if self.registered else "year" if self.year else "unknown"


def check_dates(row: Row, instrument: Instrument | None, registered, denounced, year) -> None:
    today = dt.date.today()
    for label, day in (("registered", registered), ("denounced", denounced)):
        if day and day > today:
            row.problems.append(f"column {label!r}: {day} is in the future")
        if day and instrument and instrument.adopted and day < instrument.adopted:
            row.problems.append(f"column {label!r}: {day} is before {instrument.code} was adopted ({instrument.adopted})")
    if registered and denounced and denounced < registered:
        row.problems.append(f"column 'denounced': {denounced} is before the registration {registered}")
    if year and not 1919 <= year <= today.year:
        row.problems.append(f"column 'registered_year': {year} is not a possible year")


def parser(instruments: dict[str, Instrument]):
    """A row's record; a table holds one record per State and instrument (two would be one record with two
    dates), so a second row for one is a problem naming the first."""
    first_line: dict[tuple[str, str], int] = {}

    def parse(row: Row) -> Ratification:
        record = parse_record(row)
        if record.instrument and record.state:
            seen = first_line.setdefault((record.instrument, record.state), row.line)
            if seen != row.line:
                row.problems.append(f"a second row for {record.state} and {record.instrument} (the first is line "
                                    f"{seen}): a table holds one record per State and instrument")
        return record

    def parse_record(row: Row) -> Ratification:
        code = row.instrument("instrument")
        instrument = instruments.get(code) if code else None
        if instrument and (not instrument.is_ilo or not instrument.consent_delay):
            row.problems.append(f"column 'instrument': {code} is not an ILO Convention or Protocol open to ratification")
        registered, denounced = row.date("registered"), row.date("denounced")
        year = row.integer("registered_year")
        check_dates(row, instrument, registered, denounced, year)
        noted = MINIMUM_AGE_NOTE.search(row.text("notes"))
        if noted and not row.text("min_age"):
            row.cells["min_age"] = noted.group(1)
        min_age = row.integer("min_age", allowed=MINIMUM_AGES)
        if min_age and code != MINIMUM_AGE_INSTRUMENT:
            row.problems.append(f"column 'min_age': a declared minimum age belongs to C138 only, not {code}")
        excluded = tuple(p.strip() for p in row.text("excluded").split(";") if p.strip())
        for part in excluded:
            if part not in excludable_provisions().get(code, {}):
                row.problems.append(f"column 'excluded': {code} has no excludable provision {part!r}")
        return Ratification(code, row.country("state"), registered, year,
                            row.choice("status", STATUSES), denounced, min_age, excluded,
                            row.text("source", True), row.text("as_of"),
                            row.choice("consent_type", CONSENT_TYPES) or "registration", row.text("consent_note"))
    return parse


@dataclass(frozen=True)
class DeclaredAge:
    """A C138 declared minimum age as one source shows it on one day (Art. 2(1); raised only by Art. 2(2))."""
    state: str
    age: int
    held_on: dt.date
    basis: str
    source: str


def parse_declared_age(row: Row) -> DeclaredAge:
    return DeclaredAge(row.country("state"), row.integer("age", allowed=MINIMUM_AGES), row.date("held_on", True),
                       row.choice("basis", {"snapshot": "snapshot", "at ratification": "at ratification"}, True),
                       row.text("source", True))


def bundled_declared_ages() -> list[DeclaredAge]:
    return read_bundled("minimum_ages.csv", ["state", "age", "held_on", "basis", "source"], parse_declared_age)


def declared_ages_of(ratifications: list[Ratification]) -> list[DeclaredAge]:
    """A loaded table's own ages: each holds on the row's as-of date (its registration date if the as-of is unknown)."""
    return [DeclaredAge(r.state, r.min_age, as_of_lower_bound(r.as_of) or r.registered, "snapshot",
                        r.source.split(";")[0])
            for r in ratifications if r.min_age and (as_of_lower_bound(r.as_of) or r.registered)]


def bundled() -> list[Ratification]:
    return read_bundled("ratifications.csv", REQUIRED, parser(bundled_instruments()))


def from_file(path, defaults: dict | None = None) -> list[Ratification]:
    return read_file(path, ["instrument", "state", "registered", "source"], parser(bundled_instruments()), ALIASES,
                     defaults)


def ratification_node(instrument: str, state: str, graph: str = GRAPH) -> NamedNode:
    return node("ratification", instrument, state, *(() if graph == GRAPH else (graph,)))


def triples(ratifications: list[Ratification], graph: str = GRAPH,
            declared_ages: list[DeclaredAge] | None = None) -> Iterator[Triple]:
    """The records, and each C138 record's declared ages as dated nodes; `declared_ages` defaults to the table's own."""
    instruments = bundled_instruments()
    yield from declared_age_triples(declared_ages if declared_ages is not None else declared_ages_of(ratifications),
                                    graph)
    for r in ratifications:
        instrument = instruments[r.instrument]
        subject = ratification_node(r.instrument, r.state, graph)
        window = in_force_window(registered=r.registered, year=r.year, as_of=r.as_of,
                                 delay=consent_delay(r.consent_type, instrument.consent_delay),
                                 instrument_in_force=instrument.in_force)
        yield Triple(subject, RDF_TYPE, ng("ILORatification"))
        yield from facts(subject, [
            (RDFS_LABEL, f"{r.state} ratification of {r.instrument}"),
            (ng("party"), node("country", r.state)), (ng("instrument"), node("instrument", r.instrument)),
            (ng("registered"), r.registered), (ng("registeredYear"), r.year),
            (ng("datePrecision"), ng(PRECISIONS[r.precision])), (ng("consentType"), r.consent_type),
            (ng("consentNote"), r.consent_note),
            (ng("status"), ng(STATUSES[r.status]) if r.status else None),
            (ng("inForceEarliest"), window.earliest), (ng("inForceLatest"), window.latest),
            (ng("inForceFrom"), window.exact), (ng("denounced"), r.denounced),
            (ng("bindingEnds"), binding_ends(r.denounced, instrument.denunciation_delay)),
            (ng("minimumAge"), r.min_age)])
        yield from facts(subject, [(ng("pendingInYear"), year) for year in window.pending_years])
        for part in r.excluded:
            yield Triple(subject, ng("excludes"), node("provision", r.instrument, excludable_provisions()[r.instrument][part]))
        yield from provenance(subject, r.source, r.as_of)


def declared_age_triples(ages: list[DeclaredAge], graph: str) -> Iterator[Triple]:
    for a in ages:
        subject = node("age-declaration", a.state, a.held_on.isoformat(), a.source,
                       *(() if graph == GRAPH else (graph,)))
        yield Triple(ratification_node(MINIMUM_AGE_INSTRUMENT, a.state, graph), ng("declaredAge"), subject)
        yield Triple(subject, RDF_TYPE, ng("MinimumAgeDeclaration"))
        yield from facts(subject, [(ng("age"), a.age), (ng("heldOn"), a.held_on), (ng("basis"), a.basis)])
        yield Triple(subject, DCT_SOURCE, node("source", a.source))
