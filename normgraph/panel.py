"""A panel of legal effect: one row per place (State, or territory with the State that answers for it), day and
instrument, for researchers who regress outcomes on commitments.

Every value comes from the queries `country` and `applies` ask (profiles/country-instruments.rq for a recorded
consent, profiles/unrecorded-status.rq where there is none and for ILO membership, profiles/statehood.rq and
profiles/country-records.rq), so a cell says what `normgraph country PLACE --as-of DAY` says. A long range does not
ask them once per cell: between two days of profiles/legal-time-changes.rq a place's answers are the same, so they
are asked once per place and period (applies.Classifier.per_period).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from .applies import Classifier, dated_rows
from .errors import InputError
from .graph.store import LocalGraph
from .ids import country_code, instrument_code
from .queries.catalogue import run_named
from .reports import data_as_of, default_graph, statehood_on, truth

FIRST_YEAR = 1919  # the ILO's first Conference: no instrument in the graph is older
COLUMNS = ("place", "territory_of", "date", "instrument", "status", "status_detail", "bound", "in_force_from",
           "consent_type", "min_age", "min_age_low", "min_age_high", "ilo_member", "state_exists")


def panel_dates(first: int, last: int, day: str = "12-31", monthly: bool = False) -> list[str]:
    """The days a panel is read on: each year's `day` (MM-DD), or the last day of each month."""
    if first < FIRST_YEAR or last < first:
        raise InputError(f"a panel runs from a year no earlier than {FIRST_YEAR} to a year no earlier than its first "
                         f"(given {first} to {last})")
    if monthly:
        return [(dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).isoformat()
                for year in range(first, last + 1) for month in range(1, 13)]
    try:
        return [dt.date.fromisoformat(f"{year}-{day}").isoformat() for year in range(first, last + 1)]
    except ValueError:
        raise InputError(f"--day {day!r} is not a day of every year (MM-DD, e.g. 12-31; not 02-29)") from None


def places(graph: LocalGraph) -> list[str]:
    """Every State and every territory with an ISO code (profiles/panel-places.rq)."""
    return [row["code"] for row in run_named(graph, "profiles", "panel-places")]


def panel(dates: list[str], place_codes: list[str] | None = None, instrument_codes: list[str] | None = None,
          graph: LocalGraph | None = None) -> list[dict]:
    """The panel as rows (COLUMNS), place by place, day by day, instrument by instrument."""
    return list(panel_rows(dates, place_codes, instrument_codes, graph)[1])


def panel_frame(dates: list[str], place_codes: list[str] | None = None, instrument_codes: list[str] | None = None,
                graph: LocalGraph | None = None, shape: str = "long", gaps: bool = False):
    """The panel as a pandas DataFrame (needs the extra [panel]); `frame.to_arrow()` or pyarrow gives Arrow."""
    file_type(Path("panel.parquet"))  # pandas and pyarrow present, or the message naming the install command
    return data_frame(*shaped(*panel_rows(dates, place_codes, instrument_codes, graph, gaps), shape, gaps))


def shaped(codes: list[str], rows: Iterable[dict], shape: str, gaps: bool) -> tuple[Iterable[dict], list[str]]:
    """The rows and columns of the long shape (a row per place, day and instrument) or the wide one."""
    if shape == "wide":
        return wide(rows), wide_columns(codes, gaps)
    return rows, [*COLUMNS, *gap_columns(gaps)]


def panel_rows(dates: list[str], place_codes: list[str] | None = None, instrument_codes: list[str] | None = None,
               graph: LocalGraph | None = None, gaps: bool = False) -> tuple[list[str], Iterator[dict]]:
    """The instruments' codes, and the panel's rows as they are made (a long panel is written without holding it):
    every question is asked, and every bad request refused, before the first row."""
    graph = graph or default_graph()
    known = {row["code"]: row["territoryOf"] for row in run_named(graph, "profiles", "panel-places")}
    wanted = [country_code(code) for code in place_codes] if place_codes else list(known)
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise InputError(f"normgraph has no data on {', '.join(unknown)}")
    instruments = [instrument_code(code) for code in instrument_codes] if instrument_codes else None
    classifier = Classifier(graph)
    keys = {(place, day) for place in wanted for day in dates}
    recorded = classifier.per_period(lambda key: classifier.legal_time((*key, None)), keys, dated_rows)
    unrecorded = classifier.per_period(classifier.unrecorded_status, keys, dated_rows, adoptions=True)
    exists = classifier.per_period(lambda key: statehood_on(graph, key[0], key[1])["a_state_on_date"], keys)
    consent = {place: {row["instrument"]: row["consentType"]
                       for row in run_named(graph, "profiles", "country-records", state=place)} for place in wanted}
    binding = set(next(iter(unrecorded.values()), {}))
    refused = [code for code in instruments or [] if code not in binding]
    if refused:
        raise InputError(f"{', '.join(refused)}: a recommendation binds no State, so it has no status in a panel")
    codes = instruments or sorted(binding)
    found = gap_answers(graph, dates) if gaps else {}

    def rows() -> Iterator[dict]:
        for place in wanted:
            for day in dates:
                missing = unrecorded[place, day]
                in_gaps = {f"gap_{name}": found[name].get((place, day), "not") for name in found}
                for code in codes:
                    record = recorded[place, day].get(code)
                    detail = record["statusThere"] if record else missing[code]["status"]
                    yield {"place": place, "territory_of": known[place], "date": day, "instrument": code,
                           "status": detail.split(":")[0], "status_detail": detail,
                           "bound": truth(record["boundThere"] if record else missing[code]["bound"]),
                           "in_force_from": record["inForceFrom"] if record else None,
                           "consent_type": consent[place].get(code) if record else None,
                           "min_age": number(record, "minAge"), "min_age_low": number(record, "minAgeLow"),
                           "min_age_high": number(record, "minAgeHigh"),
                           "ilo_member": truth(missing[code]["member"]) if not known[place] else None,
                           "state_exists": exists[place, day] if not known[place] else False, **in_gaps}
    return codes, rows()


def number(record: dict | None, key: str) -> int | None:
    return int(record[key]) if record and record[key] is not None else None


def gap_queries() -> list[str]:
    """The catalogue entries that answer for each State on a day (the corridor answers for two, so it is not one)."""
    from .queries.catalogue import catalogue

    return [name for name, query in catalogue().items() if query.parameter("state") and not query.parameter("origin")]


def gap_answers(graph: LocalGraph, dates: list[str]) -> dict[str, dict[tuple[str, str], str]]:
    """For each gap query, the places it lists on each day: "in the gap", or "undetermined" (a place it does not
    list is "not"). Each query is asked once a day, for every place at once, exactly as `normgraph gaps` asks it."""
    from .queries.catalogue import named_query
    from .reports import run_gap

    return {name: {(row["country"], day): "undetermined" if row["undetermined"] else "in the gap"
                   for day in dates for row in run_gap(graph, named_query(name), day)}
            for name in gap_queries()}


def gap_columns(gaps: bool) -> list[str]:
    return [f"gap_{name}" for name in gap_queries()] if gaps else []


def wide_columns(codes: list[str], gaps: bool = False) -> list[str]:
    return ["place", "territory_of", "date", "ilo_member", "state_exists", *[f"status_{c}" for c in codes],
            *(["min_age_C138"] if "C138" in codes else []), *gap_columns(gaps)]


def wide(rows: Iterable[dict]) -> Iterator[dict]:
    """One row per place and day, a status column per instrument (status_<code>), from the long rows in their
    order (a place's and a day's rows together)."""
    line: dict | None = None
    for row in rows:
        if line is None or (line["place"], line["date"]) != (row["place"], row["date"]):
            if line is not None:
                yield line
            line = {"place": row["place"], "territory_of": row["territory_of"], "date": row["date"],
                    "ilo_member": row["ilo_member"], "state_exists": row["state_exists"],
                    **{key: value for key, value in row.items() if key.startswith("gap_")}}
        line[f"status_{row['instrument']}"] = row["status"]
        if row["instrument"] == "C138":
            line["min_age_C138"] = row["min_age"]
    if line is not None:
        yield line


CODEBOOK_QUERIES = {"status, status_detail, bound, in_force_from, min_age": ("profiles", "country-instruments"),
                    "status, status_detail, bound (no record)": ("profiles", "unrecorded-status"),
                    "ilo_member": ("profiles", "unrecorded-status"), "state_exists": ("profiles", "statehood"),
                    "consent_type": ("profiles", "country-records"), "the periods": ("profiles", "legal-time-changes")}
COLUMN_MEANINGS = {
    "place": "ISO 3166-1 alpha-3 code of the State or territory",
    "territory_of": "for a territory, the State that answers for it (blank for a State)",
    "date": "the day the row describes (ISO 8601)",
    "instrument": "the instrument's code (C029, P029, UN-TIP, ...)",
    "status": "the legal effect on the day, in one vocabulary: bound, not yet in force, denounced, not ratified, "
              "not an ILO Member, not yet adopted, not applied to the territory, undetermined, signatory only",
    "status_detail": "the status with its reason, as `normgraph country` words it",
    "bound": "yes, no, or blank where the data cannot tell",
    "in_force_from": "the day the consent took effect, where the sources give one",
    "consent_type": "ratification, accession, succession, declaration of application, ... as recorded",
    "min_age": "for C138: the minimum age declared and in force on the day (blank where a raise is not dated)",
    "min_age_low": "for C138: the lowest the age in force can be on the day (equal to min_age when it is known)",
    "min_age_high": "for C138: the highest it can be (above min_age_low where the sources show a raise they do not "
                    "date, C138 Art. 2(2))",
    "ilo_member": "yes or no: whether the State is an ILO Member on the day (blank for a territory)",
    "state_exists": "yes or no: whether the State exists on the day (no before independence, and for a territory)",
}


def codebook(graph: LocalGraph, columns: list[str], dates: list[str]) -> str:
    """The panel's codebook in Markdown, from the graph: each column's meaning, the query (with its header) that
    computes it, and the as-of date of each source of facts."""
    from .queries.catalogue import named_query

    lines = ["# normgraph panel: codebook", "",
             f"{len(dates)} days from {dates[0]} to {dates[-1]}. Each value is what `normgraph country PLACE --as-of DATE` "
             "says, from the queries below.", "", "## Columns", "", "| column | meaning |", "|---|---|"]
    gap_titles = {column: named_query(name) for name in gap_queries()
                  for column in (f"gap_{name}", stata_name(f"gap_{name}"))}
    meanings = {**COLUMN_MEANINGS, **{c: f"status of {c.removeprefix('status_')} (see status)" for c in columns
                                      if c.startswith("status_") and c not in COLUMN_MEANINGS},
                **{c: f"in the gap, undetermined, or not: `normgraph gaps {q.name}`, {q.title} ({q.legal_basis})"
                   for c, q in gap_titles.items()},
                "min_age_C138": "for C138: " + COLUMN_MEANINGS["min_age"].removeprefix("for C138: ")}
    lines += [f"| {column} | {meanings[column]} |" for column in columns]
    lines += ["", "## The rules (the queries that compute the columns)", ""]
    for about, (folder, name) in CODEBOOK_QUERIES.items():
        query = named_query(name, folder)
        lines += [f"### {about}: `queries/{folder}/{name}.rq`", "", f"{query.title}.",
                  *([f"Legal basis: {query.legal_basis}."] if query.legal_basis else []), "", query.description, ""]
    lines += ["## Sources (as-of dates of the facts)", "", "| graph | as of |", "|---|---|",
              *[f"| {name} | {when} |" for name, when in data_as_of(graph).items()]]
    return "\n".join(lines) + "\n"


# The files researchers open without converting: CSV (anything), Parquet (pandas, R's arrow), Stata (Stata, R's haven).
FILE_TYPES = {".csv": "csv", ".parquet": "parquet", ".dta": "dta"}
NUMBERS = ("min_age", "min_age_low", "min_age_high", "min_age_C138")


def file_type(path: Path) -> str:
    """The panel file's type by its extension, checked before any question is asked; Parquet and Stata need the
    optional extra, and say how to install it."""
    kind = FILE_TYPES.get(path.suffix.lower())
    if kind is None:
        raise InputError(f"{path.name}: a panel is written as FILE.csv, FILE.parquet or FILE.dta")
    if kind != "csv":
        try:
            import pandas  # noqa: F401
            if kind == "parquet":
                import pyarrow  # noqa: F401
        except ImportError:
            raise InputError("Parquet and Stata files need pandas and pyarrow: in the normgraph folder, "
                             "pip install -e \".[panel]\"") from None
    return kind


def data_frame(rows: Iterable[dict], columns: list[str]):
    """The panel as a pandas DataFrame: text columns as text, yes/no/blank columns as nullable booleans, ages as
    numbers."""
    import pandas as pd

    frame = pd.DataFrame(list(rows), columns=columns)
    for column in columns:
        if column in NUMBERS:
            frame[column] = pd.to_numeric(frame[column]).astype("Int64")
        elif column in ("bound", "ilo_member", "state_exists"):
            frame[column] = frame[column].astype("boolean")
        else:
            frame[column] = frame[column].astype("string")
    return frame


def stata_name(column: str) -> str:
    """A column's name in a Stata file: letters, digits and _ only (status_UN-TIP -> status_UN_TIP)."""
    return re.sub(r"\W", "_", column)


def file_columns(path: Path, columns: list[str]) -> list[str]:
    """The columns as the file at `path` names them (the codebook documents these)."""
    return [stata_name(column) for column in columns] if file_type(path) == "dta" else columns


def write_panel(path: Path, rows: Iterable[dict], columns: list[str]) -> int:
    """The rows written to `path` in its type (file_type), whole or not at all; how many."""
    from .files import atomic_write
    from .render import write_delimited

    kind = file_type(path)
    if kind == "csv":
        return atomic_write(path, lambda stream: write_delimited(stream, rows, columns))
    frame = data_frame(rows, columns)
    if kind == "parquet":
        atomic_write(path, lambda stream: frame.to_parquet(stream, index=False))
    else:
        # Stata: names of letters, digits and _ (status_UN_TIP), no nullable booleans (yes, no or blank as text).
        stata = frame.rename(columns=stata_name)
        for column in ("bound", "ilo_member", "state_exists"):
            if column in stata:
                stata[column] = stata[column].map({True: "yes", False: "no"}).fillna("").astype(str)
        for column in stata.columns:
            if str(stata[column].dtype) == "string":
                stata[column] = stata[column].fillna("").astype(str)
        atomic_write(path, lambda stream: stata.to_stata(stream, write_index=False, version=118))
    return len(frame)
