"""The query catalogue: discovers the `.rq` files, reads their headers, binds parameters, shapes the rows.

A query file starts with a header of `# key: value` lines (title, parameters, legal basis,
description). Parameters are declared as `name (kind[, optional | , default VALUE | , from NAME])`
and bound by the engine as values of the SPARQL variable of the same name, never pasted into the
text. A `from` parameter is derived from another one (`asOfYear (year, from asOf)`), so that a query
can look a value up where an engine would otherwise compute it row by row; users never give it.
A rule (queries/rules/) also says at which `# stage:` it runs: a rule reads the findings of earlier stages.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from ..errors import ParameterError
from ..ids import country_code, ilo_regions, instrument_code, parse_date, place_iri, region_key
from ..terms import GRAPH, ID, XSD

HEADER = re.compile(r"^#\s*(?P<key>[a-z ]+):\s*(?P<value>.*)$")
PARAMETER = re.compile(r"(?P<name>\w+)\s*\((?P<kind>\w+)(?:,\s*(?P<flag>optional|default\s+\S+|from\s+\w+))?\)")
KINDS = ("date", "country", "region", "instrument", "place", "year", "graph")
# Rows of a gap query are grouped by state; these variables have a meaning of their own.
LIST_FIELDS = re.compile(r"^(has|lacks)(\d*)$")
EVIDENCE_FIELDS = ("evidence", "evidenceKind", "evidenceUrl")
ROW_KEYS = {"country", "name", "undetermined", "state", "region", "asOf", "asOfYear", "origin", "destination"}


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: str
    required: bool
    default: str | None = None
    derived_from: str | None = None


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    parameters: tuple[Parameter, ...]
    legal_basis: str
    description: str
    text: str = field(repr=False)
    stage: int = 1
    scope: str = ""
    # Which places the query answers for: "states", or "states and territories" (a territory's row is answered
    # through the State that answers for it).
    places: str = "states"

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    @property
    def user_parameters(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if not p.derived_from)


def parse_parameters(spec: str) -> tuple[Parameter, ...]:
    parameters = []
    for match in PARAMETER.finditer(spec):
        if match.group("kind") not in KINDS:
            raise ValueError(f"unknown parameter kind {match.group('kind')!r}")
        flag = match.group("flag") or ""
        default = flag.split(None, 1)[1] if flag.startswith("default") else None
        derived_from = flag.split(None, 1)[1] if flag.startswith("from") else None
        if (match.group("kind") == "year") != bool(derived_from):
            raise ValueError(f"parameter {match.group('name')!r}: a year is derived from a date (year, from NAME), and only a year is")
        parameters.append(Parameter(match.group("name"), match.group("kind"), not flag, default, derived_from))
    return tuple(parameters)


def read_header(text: str) -> dict[str, str]:
    header = {}
    for line in text.splitlines():
        match = HEADER.match(line)
        if not line.startswith("#"):
            break
        if match:
            header[match.group("key")] = match.group("value").strip()
    return header


def parse_query_file(name: str, text: str) -> NamedQuery:
    header = read_header(text)
    return NamedQuery(name=name, title=header.get("title", name),
                      parameters=parse_parameters(header.get("parameters", "")),
                      legal_basis=header.get("legal basis", ""), description=header.get("description", ""), text=text,
                      stage=int(header.get("stage", 1)), scope=header.get("scope", ""),
                      places=header.get("places", "states"))


@lru_cache(maxsize=None)
def catalogue(folder: str = "gaps") -> dict[str, NamedQuery]:
    """Every query in normgraph/queries/<folder>/, by name: each .rq file (named by the file name without .rq),
    and each row of a table NAME.csv, a query made from the template queries/templates/NAME.rq."""
    directory = resources.files("normgraph.queries").joinpath(folder)
    queries = {}
    for entry in directory.iterdir():
        if entry.name.endswith(".rq"):
            name = entry.name[:-3]
            queries[name] = parse_query_file(name, entry.read_text(encoding="utf-8"))
        elif entry.name.endswith(".csv"):
            queries.update(instances(entry.name[:-4], entry.read_text(encoding="utf-8")))
    return dict(sorted(queries.items()))


# A template's fixed terms, as its `# fixed:` header declares them: written into the query text for each row.
FIXED = re.compile(r"(?P<name>\w+)\s*\((?P<kind>instrument|boolean)\)")
HEADER_KEYS = ("title", "parameters", "places", "legal basis", "scope", "description")


def instances(template_name: str, table: str) -> dict[str, NamedQuery]:
    """The queries a table makes from a template: each row gives one query's name, its header (title, legal basis,
    scope, description) and the template's fixed terms, which pyoxigraph writes into the text as constants."""
    import csv
    import io

    from pyoxigraph import Literal, NamedNode

    from ..graph.sparql_text import substitute

    template = resources.files("normgraph.queries").joinpath("templates", template_name + ".rq").read_text(encoding="utf-8")
    template_header = read_header(template)
    fixed = {m.group("name"): m.group("kind") for m in FIXED.finditer(template_header.get("fixed", ""))}
    body = "\n".join(line for line in template.splitlines() if not HEADER.match(line))
    queries = {}
    for row in csv.DictReader(io.StringIO(table)):
        terms = {name: NamedNode(ID + "instrument/" + instrument_code(row[name])) if kind == "instrument"
                 else Literal(row[name], datatype=NamedNode(XSD + "boolean")) for name, kind in fixed.items()}
        header = "".join(f"# {key}: {row[key] if key in row else template_header[key]}\n" for key in HEADER_KEYS
                         if key in row or key in template_header)
        queries[row["name"]] = parse_query_file(row["name"], header + substitute(body, terms))
    return queries


def named_query(name: str, folder: str = "gaps") -> NamedQuery:
    queries = catalogue(folder)
    if name not in queries:
        raise ParameterError(f"no query named {name!r}; known: {', '.join(queries)}")
    return queries[name]


def region_iri(text: str) -> str:
    regions = ilo_regions()
    for region in regions:
        if text.strip().lower() in (region.lower(), region_key(region)):
            return ID + "region/" + region_key(region)
    raise ParameterError(f"unknown ILO region {text!r}; known: {', '.join(regions)}")


def bind(query: NamedQuery, values: dict) -> dict:
    """The SPARQL terms for the query's parameters; a missing required one is a ParameterError naming it."""
    from pyoxigraph import Literal, NamedNode

    given = {p.name for p in query.user_parameters}
    unknown = [name for name, value in values.items() if value is not None and name not in given]
    if unknown:
        raise ParameterError(f"{query.name} takes no parameter {', '.join(unknown)}")
    bindings = {}
    for parameter in query.user_parameters:
        value = values.get(parameter.name)
        if value is None:
            value = parameter.default
        if value is None:
            if parameter.required:
                raise ParameterError(f"{query.name} needs the parameter --{cli_name(parameter.name)}")
            continue
        if parameter.kind == "date":
            bindings[parameter.name] = Literal(parse_date(value, parameter.name).isoformat(),
                                               datatype=NamedNode(XSD + "date"))
        elif parameter.kind == "country":
            bindings[parameter.name] = NamedNode(ID + "country/" + country_code(value))
        elif parameter.kind == "region":
            bindings[parameter.name] = NamedNode(region_iri(value))
        elif parameter.kind == "place":
            bindings[parameter.name] = NamedNode(place_iri(value))
        elif parameter.kind == "graph":
            bindings[parameter.name] = NamedNode(GRAPH + value)
        else:
            bindings[parameter.name] = NamedNode(ID + "instrument/" + instrument_code(value))
    for parameter in query.parameters:
        if parameter.derived_from in bindings:
            year = bindings[parameter.derived_from].value[:4]
            bindings[parameter.name] = Literal(year, datatype=NamedNode(XSD + "integer"))
    return bindings


def printed(query: NamedQuery, values: dict) -> str:
    """The query's text with its parameters written in as constants: what `--show-query` prints and what any
    SPARQL endpoint runs to give the same rows."""
    from ..graph.sparql_text import substitute

    return substitute(query.text, bind(query, values))


EXAMPLE_PARAMETERS = {"corridor": {"origin": "NPL", "destination": "QAT"}}


def cli_name(parameter: str) -> str:
    return {"asOf": "as-of", "state": "country"}.get(parameter, parameter)


def group_rows(rows: list[dict]) -> list[dict]:
    """Gap rows grouped by state: what it has (with dates), what it lacks, the evidence, and any other field.
    Each state's lists are checked for a repeat through a set: a world answer at scale has thousands of rows a
    state, and a list scanned once a row made grouping quadratic."""
    grouped: dict[str, dict] = {}
    listed: dict[str, set] = {}
    for row in rows:
        key = row.get("country") or ""
        out = grouped.get(key)
        if out is None:
            out = grouped[key] = {"country": row.get("country"), "name": row.get("name"), "has": [], "lacks": [],
                                  "evidence": [], "undetermined": False}
            listed[key] = set()
        seen = listed[key]
        out["undetermined"] = out["undetermined"] or bool(row.get("undetermined"))
        for variable, value in row.items():
            role = field_role(variable)
            if role in ("has", "lacks"):
                if value:
                    since = (row.get(f"{variable}From") or None) if role == "has" else None
                    if (role, value, since) not in seen:
                        seen.add((role, value, since))
                        out[role].append({"instrument": value, "in_force_from": since} if role == "has" else value)
            elif role == "other" and value is not None:
                previous = out.get(variable)
                if previous is None:
                    out[variable] = value
                elif previous != value:
                    values = previous if isinstance(previous, list) else [previous]
                    out[variable] = values + ([value] if value not in values else [])
        if row.get("evidence"):
            evidence = (row.get("evidenceKind"), row["evidence"].rsplit("/", 1)[-1], row.get("evidenceUrl"))
            if ("evidence", evidence) not in seen:
                seen.add(("evidence", evidence))
                out["evidence"].append(dict(zip(("kind", "id", "url"), evidence)))
    return list(grouped.values())


@lru_cache(maxsize=256)
def field_role(variable: str) -> str:
    """What a gap query's column is to its grouped row: an entry of "has" or "lacks", a column left out (evidence,
    the row's keys, dates of "has"), or "other", kept as a value or a list of values."""
    match = LIST_FIELDS.match(variable)
    if match:
        return match.group(1)
    if variable in EVIDENCE_FIELDS or variable in ROW_KEYS or variable.endswith("From"):
        return "skip"
    return "other"


# Columns the queries fill with GROUP_CONCAT, whose order SPARQL leaves to the engine: sorted here, and an
# empty list is None whether the engine says "" or nothing, so every engine gives the same answer.
CONCATENATED = ("excluded", "instruments", "promotes", "source", "sources", "topics")


def run_named(graph, folder: str, name: str, **params) -> list[dict]:
    query = named_query(name, folder)
    rows = graph.select(query.text, bind(query, params)).rows
    return [{key: (";".join(sorted(value.split(";"))) if value else None) if key in CONCATENATED else value
             for key, value in row.items()} for row in rows]
