"""The answers normgraph gives, as plain data: gap results, country and instrument profiles.

The CLI renders these; a Python user gets the same dictionaries from `normgraph.gaps(...)` etc.
"""
from __future__ import annotations

import datetime as dt

from .graph.store import LocalGraph
from .ids import country_code, instrument_code, parse_date
from .links import instrument_url
from .queries.catalogue import bind, catalogue, group_rows, named_query, run_named
from .terms import GRAPH, NG


def default_graph() -> LocalGraph:
    """The embedded store at its default place, built on first use (normgraph.dataset.open_graph)."""
    from .dataset import open_graph

    return open_graph()


def data_as_of(graph: LocalGraph) -> dict[str, str]:
    """The as-of date of each named graph's facts: the date most of them state, and the range where they differ."""
    ng = NG
    query = (f"SELECT ?g ?asOf ?earliest ?latest WHERE {{ GRAPH <{GRAPH}meta> {{ ?g <{ng}asOf> ?asOf . "
             f"OPTIONAL {{ ?g <{ng}asOfEarliest> ?earliest }} OPTIONAL {{ ?g <{ng}asOfLatest> ?latest }} }} }}")
    rows = graph.select(query).rows

    def stated(row: dict) -> str:
        if row["earliest"] in (None, row["latest"]):
            return row["asOf"]
        return f"{row['asOf']} (most facts; {row['earliest']} to {row['latest']})"
    return dict(sorted((row["g"].removeprefix(GRAPH), stated(row)) for row in rows if row["g"].startswith(GRAPH)))


# The graphs whose facts say who is bound: an answer for a later day cannot know later consents.
CONSENT_GRAPHS = {"ilo-ratifications": "ILO ratifications are", "un-treaties": "UN treaty participation is"}


def consent_data_as_of(data: dict[str, str]) -> dict[str, str]:
    """The as-of date most facts of each consent graph state (the first word of what data_as_of says of it)."""
    return {graph: data[graph].split(" ")[0] for graph in CONSENT_GRAPHS if data.get(graph)}


def currency(data: dict[str, str], when: str) -> list[str]:
    """What an answer for `when` cannot know: each consent source whose facts are mostly as of an earlier day."""
    notes = []
    for graph, stated in consent_data_as_of(data).items():
        label = CONSENT_GRAPHS[graph]
        if stated < when:
            notes.append(f"{label} known as of {stated} for most facts: later ratifications, denunciations and "
                         f"entries into force are not in this answer.")
    return notes


def adopted_by(graph: LocalGraph, when: str) -> set[str]:
    """The codes of the instruments adopted on or before the date (queries/profiles/instruments-adopted.rq)."""
    return {row["code"] for row in run_named(graph, "profiles", "instruments-adopted", asOf=when)}


def run_gap(graph: LocalGraph, query, when: str, **params) -> list[dict]:
    """A gap query's rows grouped by State. Every legal rule is in the query itself (an instrument not yet adopted
    on the date is lacked by no one), so the printed query, the endpoint and a pushed server give the same rows."""
    return group_rows(graph.select(query.text, bind(query, {"asOf": when, **params})).rows)


def gaps(name: str, as_of: str | dt.date | None = None, graph: LocalGraph | None = None, **params) -> dict:
    """Run one gap query: {"query", "title", "scope", "as_of", "data_as_of", "rows": [...]} ."""
    graph = graph or default_graph()
    query = named_query(name)
    when = parse_date(as_of or "today", "as_of").isoformat()
    rows = run_gap(graph, query, when, **params)
    sources = data_as_of(graph)
    return {"query": name, "title": query.title, "legal_basis": query.legal_basis, "scope": query.scope,
            "description": query.description, "as_of": when, "data_as_of": sources, "currency": currency(sources, when),
            "rows": rows}


def gap_report(country: str, as_of: str | dt.date | None = None, graph: LocalGraph | None = None) -> dict:
    """Every catalogue entry that concerns one state, run for that state; none for a date before it existed."""
    graph = graph or default_graph()
    code = country_code(country)
    when = parse_date(as_of or "today", "as_of").isoformat()
    identity = run_named(graph, "profiles", "country-identity", state=code)
    territory_of = identity[0]["territoryOf"] if identity else None
    # A territory is never a State: it is asked only the queries that answer for territories, through its State.
    statehood = {"independent_since": None, "a_state_on_date": False} if territory_of else statehood_on(graph, code, when)
    results = []
    for name, query in catalogue().items():
        asked = "territories" in query.places if territory_of else statehood["a_state_on_date"]
        if query.parameter("state") and asked:
            results.append({"query": name, "title": query.title, "legal_basis": query.legal_basis, "scope": query.scope,
                            "description": query.description, "rows": run_gap(graph, query, when, state=code)})
    member = bool(run_named(graph, "profiles", "ilo-membership", asOf=when, state=code))
    sources = data_as_of(graph)
    report = {"country": code, "name": identity[0]["name"] if identity else None, "as_of": when, "ilo_member": member,
              "territory_of": territory_of, **statehood, "data_as_of": sources, "currency": currency(sources, when),
              "gaps": [r for r in results if r["rows"]], "no_gap": [r["query"] for r in results if not r["rows"]]}
    return {**report, "notice": " ".join(filter(None, [report_notice(report), *report["currency"]]))}


def report_notice(report: dict) -> str:
    """What a gap report must say before its rows: a territory, a State not yet in existence, a non-Member."""
    if report["territory_of"]:
        return (f"{report['name']} is a territory for which {report['territory_of']} answers: it is bound only as "
                f"{report['territory_of']} applies instruments to it (ILO Constitution Art. 35; its declarations on UN "
                "treaties). The pair gaps are asked of it through those declarations; where none is recorded, or "
                f"before {report['territory_of']} answered for it, the answer is undetermined. The other entries compare "
                f"States' commitments; `normgraph country {report['country']}` shows what applies there.")
    if not report["a_state_on_date"]:
        return (f"{report['name']} did not exist as a State on {report['as_of']}: independent from "
                f"{report['independent_since']} (Gleditsch & Ward list); nothing binds it or is lacking before then.")
    if not report["ilo_member"]:
        return (f"{report['country']} is not an ILO Member on {report['as_of']}: the gaps in ILO Conventions, which "
                "only Members can ratify, do not apply to it.")
    return ""


def statehood_on(graph: LocalGraph, code: str, when: str) -> dict:
    """Whether the state existed on the date (queries/profiles/statehood.rq), and since when if it was created
    after 1919; a code the graph does not know is taken as existing (the callers say what they know of it)."""
    rows = run_named(graph, "profiles", "statehood", asOf=when, state=code)
    return {"independent_since": rows[0]["independentSince"] if rows else None,
            "a_state_on_date": truth(rows[0]["aStateOnDate"]) if rows else True}


def truth(value) -> bool | None:
    """A SPARQL boolean as Python's, None kept: Virtuoso may answer a boolean column as 1 and 0."""
    return None if value is None else bool(value)


def country_profile(country: str, as_of: str | dt.date | None = None, graph: LocalGraph | None = None) -> dict:
    graph = graph or default_graph()
    code = country_code(country)
    when = parse_date(as_of or "today", "as_of").isoformat()
    identity = known_state(graph, code)
    strip = ("asOf", "state")

    def rows(name: str) -> list[dict]:
        return [{k: v for k, v in row.items() if k not in strip}
                for row in run_named(graph, "profiles", name, asOf=when, state=code)]

    # What the sources say of each record, and its legal effect on the date: two queries (applies needs only the second).
    said = {r["instrument"]: r for r in run_named(graph, "profiles", "country-records", state=code)}
    instruments = [profile_line(r, said[r["instrument"]]) for r in rows("country-instruments")]
    recorded = {i["instrument"] for i in instruments}
    # What the state could have joined by the date and has no record of consenting to: what an adviser looks for first.
    not_ratified = [{"instrument": r["code"], "title": r["title"], "url": instrument_url(r["code"], r["untc"])}
                    for r in run_named(graph, "figures", "matrix-columns", asOf=when) if r["code"] not in recorded]
    profile = {"country": code, "name": identity["name"], "iso2": identity["iso2"],
               "ilo_region": identity["region"], "territory_of": identity["territoryOf"],
               "as_of": when, **statehood_on(graph, code, when), "data_as_of": (sources := data_as_of(graph)),
               "currency": currency(sources, when), "instruments": instruments, "not_ratified": not_ratified,
               "comments": rows("country-comments"), "programmes": rows("country-programmes")}
    return {**profile, "at_a_glance": at_a_glance(profile)}


def at_a_glance(profile: dict, report: dict | None = None) -> str:
    """One line an adviser reads first: what binds the place on the date, what does not or cannot be told, the gaps
    found (when the gap report is at hand) and the as-of date of each source's facts."""
    by_status: dict[str, list[str]] = {}
    for line in profile["instruments"]:
        by_status.setdefault(line["status"], []).append(line["instrument"])
    if profile["not_ratified"]:
        # A territory's missing record decides nothing where its State is bound (undetermined): say only what is known.
        word = f"no record that {profile['territory_of']} applies it" if profile["territory_of"] else "not ratified"
        by_status[word] = [i["instrument"] for i in profile["not_ratified"]]
    parts = [f"{status} {len(codes)} ({', '.join(codes)})" for status, codes in by_status.items()]
    if report is not None:
        parts.append(f"{len(report['gaps'])} gap{'s' if len(report['gaps']) != 1 else ''} found"
                     + (f" ({', '.join(g['query'] for g in report['gaps'])})" if report["gaps"] else ""))
    sources = ", ".join(f"{graph} {date.split(' ')[0]}" for graph, date in profile["data_as_of"].items()
                        if graph in ("ilo-ratifications", "un-treaties", "territories", "supervision"))
    return f"On {profile['as_of']}: " + "; ".join(parts) + f". Data as of: {sources}."


def profile_line(effect: dict, record: dict) -> dict:
    """One line of a country profile: the record as its sources give it, and its legal effect on the date."""
    return {"instrument": effect["instrument"], "title": record["title"], "registered": effect["registered"],
            "consent_type": record["consentType"], "in_force_from": effect["inForceFrom"], "status": effect["status"],
            "bound": truth(effect["bound"]), **declared_age(effect),
            "excluded": [p for p in (effect["excluded"] or "").split(";") if p], "covers_only": effect["coversOnly"],
            "reservations": truth(record["reservations"]), "url": instrument_url(effect["instrument"], record["untc"]),
            "source": record["source"], "source_titles": [t for t in (record["sourceTitles"] or "").split("\n") if t],
            "source_as_of": record["sourceAsOf"]}


def known_state(graph, code: str) -> dict:
    """The state's identity in the graph (profiles/country-identity.rq); InputError if the graph has no data on it."""
    identity = run_named(graph, "profiles", "country-identity", state=code)
    if not identity:
        from .errors import InputError

        raise InputError(f"{code} is a valid ISO code but normgraph has no data on it")
    return identity[0]


def declared_age(record: dict) -> dict:
    """min_age: the C138 age on the date (country-instruments.rq); where a raise fell between two observations it
    is null and min_age_between gives the lowest and highest it can be."""
    if record["minAge"] is not None or record["minAgeLow"] is None:
        return {"min_age": int(record["minAge"]) if record["minAge"] is not None else None}
    return {"min_age": None, "min_age_between": [int(record["minAgeLow"]), int(record["minAgeHigh"])]}


def require_party_counts(graph) -> None:
    """Refuse to count parties on a graph without the party-count tables, rather than answer zero."""
    from .errors import StoreError

    if not run_named(graph, "profiles", "party-counts-made"):
        raise StoreError("this graph holds no party-count tables (the derived/ graphs normgraph makes when it writes "
                         "the store), so it cannot count an instrument's parties: run `normgraph push` again with this "
                         "version of normgraph, or `normgraph build`")


def instrument_profile(code: str, as_of: str | dt.date | None = None, graph: LocalGraph | None = None,
                       records: bool = True) -> dict:
    """An instrument on a date: its facts, how many parties it binds, its provisions and relations, and (with
    `records`) each State's record and status, one row per State: the longest part on a large store."""
    graph = graph or default_graph()
    canonical = instrument_code(code)
    when = parse_date(as_of or "today", "as_of").isoformat()
    require_party_counts(graph)
    facts = run_named(graph, "profiles", "instrument", asOf=when, instrument=canonical)[0]
    return {"instrument": canonical, "title": facts["title"], "adopted": facts["adopted"],
            "entry_into_force": facts["entryIntoForce"], "ilc_session": facts["session"],
            "fundamental": facts["fundamental"], "url": instrument_url(canonical, facts["untc"]), "as_of": when,
            "parties": {"bound": facts["bound"] or 0, "undetermined": facts["undetermined"] or 0,
                        "recorded": facts["recorded"] or 0},
            "provisions": [{"provision": r["provision"], "heading": r["heading"]}
                           for r in run_named(graph, "profiles", "instrument-provisions", instrument=canonical)],
            "relations": [{"relation": r["relation"], "instrument": r["other"], "title": r["otherTitle"]}
                          for r in run_named(graph, "profiles", "instrument-relations", instrument=canonical)],
            "records": sorted(({"country": r["country"], "name": r["name"], "status": r["status"]}
                               for r in run_named(graph, "figures", "matrix", asOf=when, instrument=canonical)),
                              key=lambda r: r["name"]) if records else None,
            "data_as_of": data_as_of(graph)}
