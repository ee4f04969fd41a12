"""Identifiers: IRIs of normgraph's nodes, and the codes users type for instruments, countries and dates."""
from __future__ import annotations

import csv
import datetime as dt
import re
from functools import lru_cache
from importlib import resources

NG = "https://w3id.org/normgraph#"
ID = "https://w3id.org/normgraph/id/"
GRAPH = "https://w3id.org/normgraph/graph/"
# Each ingested document is a named graph of its own, named by the document's IRI.
DOCUMENTS = ID + "document/"
NON_STATE_PARTIES = {"EUU": "European Union"}


class InputError(ValueError):
    """A value a user gave that normgraph cannot accept; the message says what would be accepted."""


def iri(kind: str, *keys: str) -> str:
    return ID + kind + "/" + "/".join(keys)


def key_of(node_iri: str) -> str:
    """The last key of a normgraph IRI: .../id/instrument/C182 -> C182."""
    return node_iri.rsplit("/", 1)[-1]


@lru_cache(maxsize=1)
def instrument_codes() -> tuple[str, ...]:
    with resources.files("normgraph.data").joinpath("instruments.csv").open(encoding="utf-8") as handle:
        return tuple(row["code"] for row in csv.DictReader(handle))


# Names people use for the UN treaties.
INSTRUMENT_ALIASES = {
    "PALERMO": "UN-TIP", "PALERMOPROTOCOL": "UN-TIP", "UNTIP": "UN-TIP", "TIP": "UN-TIP",
    "TRAFFICKINGPROTOCOL": "UN-TIP", "UNTOC": "UNTOC", "PALERMOCONVENTION": "UNTOC", "OPSC": "OPSC",
}
INSTRUMENT_NUMBER = re.compile(
    r"^(?P<kind>C|P|R|CONVENTION|PROTOCOL|RECOMMENDATION|ILO)?(?:NO\.?)?(?P<number>\d{1,3})$")
KIND_LETTER = {"CONVENTION": "C", "PROTOCOL": "P", "RECOMMENDATION": "R", "ILO": "C", None: "C"}


def instrument_code(text: str) -> str:
    """C29, c029, 'No. 29', 'Convention 29', 'Palermo' -> the canonical code (C029, UN-TIP)."""
    squashed = re.sub(r"[\s_\-]", "", str(text)).upper()
    code = INSTRUMENT_ALIASES.get(squashed)
    match = INSTRUMENT_NUMBER.match(squashed)
    if match:
        letter = KIND_LETTER.get(match.group("kind"), match.group("kind"))
        code = f"{letter}{int(match.group('number')):03d}"
    if code not in instrument_codes():
        raise InputError(f"unknown instrument {text!r}; known: {', '.join(instrument_codes())}")
    return code


def country_code(text: str) -> str:
    """An ISO 3166-1 alpha-3 code from an alpha-3 or alpha-2 code or a country name."""
    import pycountry

    value = str(text).strip()
    if value.upper() in NON_STATE_PARTIES or value.lower() == "european union":
        return "EUU"
    try:
        return pycountry.countries.lookup(value).alpha_3
    except LookupError:
        pass
    try:
        matches = pycountry.countries.search_fuzzy(value)
    except LookupError:
        matches = []
    if len(matches) == 1:
        return matches[0].alpha_3
    raise InputError(f"unknown country {text!r}; give an ISO 3166-1 code (NPL, NP) or an English name")


def place_code(text: str, country: str | None = None) -> str:
    """The ISO code of a part of a country or of a territory: an ISO 3166-2 code (MY-12) or a subdivision name
    (Sabah, within `country` when given), or an ISO 3166-1 code of a territory that is not a State (HKG)."""
    import pycountry

    value = str(text).strip()
    subdivision = pycountry.subdivisions.get(code=value.upper())
    if subdivision is None:
        named = [s for s in pycountry.subdivisions if s.name.lower() == value.lower()
                 and (country is None or pycountry.countries.get(alpha_2=s.country_code).alpha_3 == country)]
        subdivision = named[0] if len(named) == 1 else None
    if subdivision is not None:
        return subdivision.code
    try:
        return country_code(value)
    except InputError:
        raise InputError(f"unknown place {text!r}; give an ISO 3166-2 code (MY-12) or a subdivision name (Sabah)") from None


def place_iri(text: str, country: str | None = None) -> str:
    return place_node(place_code(text, country))


def place_node(code: str) -> str:
    """The node of a place: a territory with an ISO 3166-1 code is a country node, a subdivision a place node."""
    return iri("place", code) if "-" in code else iri("country", code)


def parse_date(text: str, field: str = "date") -> dt.date:
    """An ISO date (YYYY-MM-DD) or 'today'; anything else is a clear error."""
    if isinstance(text, dt.date):
        return text
    value = str(text).strip()
    if value.lower() == "today":
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{field}: {text!r} is not a date; use YYYY-MM-DD") from None
