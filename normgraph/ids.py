"""Identifiers: IRIs of normgraph's nodes, and the codes users type for instruments, countries and dates."""
from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .errors import InputError
from .terms import ID

NON_STATE_PARTIES = {"EUU": "European Union"}


def iri(kind: str, *keys: str) -> str:
    return ID + kind + "/" + "/".join(keys)


def key_of(node_iri: str) -> str:
    """The last key of a normgraph IRI: .../id/instrument/C182 -> C182."""
    return node_iri.rsplit("/", 1)[-1]


@lru_cache(maxsize=None)
def instrument_codes() -> tuple[str, ...]:
    with resources.files("normgraph.data").joinpath("instruments.csv").open(encoding="utf-8") as handle:
        return tuple(row["code"] for row in csv.DictReader(handle))


def region_key(name: str) -> str:
    """An ILO region's key in IRIs and on the command line: "Asia and the Pacific" -> asia-pacific."""
    return name.lower().replace(" and the ", "-").replace(" and ", "-").replace(" ", "-")


@lru_cache(maxsize=None)
def ilo_regions() -> tuple[str, ...]:
    """The ILO regions, as the country table names them."""
    with resources.files("normgraph.data").joinpath("countries.csv").open(encoding="utf-8") as handle:
        return tuple(sorted({row["ilo_region"] for row in csv.DictReader(handle) if row["ilo_region"]}))


# The shortest beginning of a name that is taken for the name ("Palermo Prot", "Worst Forms of Child").
MIN_PREFIX = 6


def squashed(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", str(text)).upper()


@lru_cache(maxsize=None)
def instrument_names() -> dict[str, frozenset[str]]:
    """Every way the data names an instrument, squashed (letters and digits, upper case): its code, its title, and
    each name a source gives it (instrument_names.csv: "Palermo Protocol", "Palermo Convention"...)."""
    names: dict[str, set[str]] = {}
    data = resources.files("normgraph.data")
    with data.joinpath("instruments.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for name in (row["code"], row["title"]):
                names.setdefault(squashed(name), set()).add(row["code"])
    with data.joinpath("instrument_names.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            names.setdefault(squashed(row["name"]), set()).add(row["instrument"])
    return {name: frozenset(codes) for name, codes in names.items()}
INSTRUMENT_NUMBER = re.compile(
    r"^(?P<kind>C|P|R|CONVENTION|PROTOCOL|RECOMMENDATION|ILO)?(?:NO\.?)?(?P<number>\d{1,3})$")
KIND_LETTER = {"CONVENTION": "C", "PROTOCOL": "P", "RECOMMENDATION": "R", "ILO": "C", None: "C"}


def instrument_code(text: str) -> str:
    """C29, c029, 'No. 29', 'Convention 29', 'Palermo Protocol', a title -> the canonical code (C029, UN-TIP)."""
    key = squashed(text)
    names = instrument_names()
    codes = names.get(key) or (frozenset().union(*(c for name, c in names.items() if name.startswith(key)))
                                if len(key) >= MIN_PREFIX else frozenset())
    if len(codes) > 1:
        raise InputError(f"{text!r} names more than one instrument: {', '.join(sorted(codes))}; give one of them")
    code = next(iter(codes), None)
    match = INSTRUMENT_NUMBER.match(key)
    if match:
        letter = KIND_LETTER.get(match.group("kind"), match.group("kind"))
        code = f"{letter}{int(match.group('number')):03d}"
    if code not in instrument_codes():
        raise InputError(f"unknown instrument {text!r}; known: {', '.join(instrument_codes())}")
    return code


def normalised_name(text: str) -> str:
    """A name as the resolver compares it: no case, accents or punctuation, no leading 'the'."""
    value = "".join(c for c in unicodedata.normalize("NFKD", str(text)) if not unicodedata.combining(c))
    # An apostrophe joins ("Côte d'Ivoire" and "Cote dIvoire" are one name); other punctuation separates.
    value = re.sub(r"['\u2019\u02bc`]", "", value.casefold())
    words = re.sub(r"[^\w\s]", " ", value.replace("&", " and ")).split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)


@dataclass(frozen=True)
class CountryNames:
    codes: dict            # normalised name -> the codes it may mean
    official: dict         # normalised name -> the codes whose official name (ILO's or ISO's) it is
    display: dict          # code -> the name answers give
    not_coded: dict        # normalised name -> why it has no code


# The name an answer gives a state: the ILO's, else ISO's official, else ISO's.
DISPLAY_ORDER = {"ilo_name": 0, "iso_official": 1, "iso_name": 2}


@lru_cache(maxsize=1)
def country_names() -> CountryNames:
    """Every name of data/country_names.csv (ISO 3166-1 names and forms, the ILO's names, former and common
    names, each with its source) and every ISO code, for exact matching after normalising."""
    import pycountry

    codes: dict[str, set[str]] = {}
    display: dict[str, str] = {code: name for code, name in NON_STATE_PARTIES.items()}
    not_coded: dict[str, str] = {}
    ranked: dict[str, list] = {}
    official: dict[str, set[str]] = {}
    with resources.files("normgraph.data").joinpath("country_names.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if not row["iso3"]:
                not_coded[normalised_name(row["name"])] = row["name"]
                continue
            codes.setdefault(normalised_name(row["name"]), set()).add(row["iso3"])
            if row["kind"] in DISPLAY_ORDER:
                official.setdefault(normalised_name(row["name"]), set()).add(row["iso3"])
            ranked.setdefault(row["iso3"], []).append((DISPLAY_ORDER.get(row["kind"], len(DISPLAY_ORDER)), row["name"]))
    display.update({code: min(names)[1] for code, names in ranked.items()})
    for country in pycountry.countries:
        for code in (country.alpha_3, country.alpha_2):
            codes.setdefault(normalised_name(code), set()).add(country.alpha_3)
    for code, name in NON_STATE_PARTIES.items():
        codes.setdefault(normalised_name(code), set()).add(code)
        codes.setdefault(normalised_name(name), set()).add(code)
    return CountryNames(codes, official, display, not_coded)


# No State's name, in any spelling normgraph knows, is longer: a longer text is refused before any search.
MAX_NAME_LENGTH = 100


def country_code(text: str) -> str:
    """An ISO 3166-1 alpha-3 code from an alpha-3 or alpha-2 code or a name, matched exactly after normalising
    (never a subdivision, never a guess): an ambiguous name names its candidates, an unknown one the nearest."""
    if len(text) > MAX_NAME_LENGTH:
        raise InputError(f"{text[:40]!r}... is not a country: a name or code is at most {MAX_NAME_LENGTH} characters")
    code, problem = resolved_country(normalised_name(text), text)
    if problem:
        raise InputError(problem)
    return code


# Remembered, right or wrong (a table names the same States on many rows, and an unknown name's nearest-match
# search is slow): at most 4,096 spellings of at most MAX_NAME_LENGTH characters, a few MB at most.
@lru_cache(maxsize=4096)
def resolved_country(key: str, text: str) -> tuple[str | None, str | None]:
    """(code, None) or (None, why not) for one spelling."""
    import difflib

    names = country_names()
    # A state's official name (the ILO's, ISO's) is that state, even where a shorter form of another's reads alike.
    found = names.official.get(key) if len(names.official.get(key, ())) == 1 else names.codes.get(key, set())
    if len(found) == 1:
        return next(iter(found)), None
    if found:
        candidates = " or ".join(f"{names.display[code]} ({code})" for code in sorted(found))
        return None, f"{text!r} is ambiguous: {candidates}?"
    if key in names.not_coded:
        return None, (f"{names.not_coded[key]} has no ISO 3166-1 code and is not a party to the instruments "
                      "normgraph covers; normgraph has no data on it")
    nearest = difflib.get_close_matches(key, [k for k in names.codes if len(k) > 3], n=3, cutoff=0.8)
    hint = f" (did you mean {', '.join(sorted({names.display[c] for k in nearest for c in names.codes[k]}))}?)" \
        if nearest else ""
    return None, f"unknown country {text!r}{hint}; give an ISO 3166-1 code (NPL, NP) or an English name"


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
